#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The user query API (`_security/_query/user`).

mod common;

use common::{TestNode, reason};
use serde_json::{Value, json};

async fn query(n: &TestNode, auth: (&str, &str), body: Option<Value>) -> (u16, Value) {
    n.call("POST", "/_security/_query/user", auth, body).await
}

#[tokio::test]
async fn query_users() {
    let n = TestNode::new();
    n.put_user(
        "users_admin",
        "x-pack-test-password",
        &["manage_users_role"],
    )
    .await;
    n.state
        .store
        .put_role(
            "manage_users_role",
            &json!({"cluster": ["manage_security"]}),
        )
        .unwrap();
    n.state.security.clear_cache();
    let admin = ("users_admin", "x-pack-test-password");
    for (name, role, full) in [
        ("test_user_1", "test-role-1", "Test User 1"),
        ("test_user_2", "test-role-2", "Test User 2"),
    ] {
        let (s, b) = n
            .call(
                "PUT",
                &format!("/_security/user/{name}"),
                admin,
                Some(
                    json!({"password": "x-pack-test-password", "roles": [role], "full_name": full}),
                ),
            )
            .await;
        assert_eq!((s, b), (200, json!({"created": true})));
    }
    let (s, b) = query(&n, admin, Some(json!({}))).await;
    assert_eq!(
        (s, &b["total"], &b["count"]),
        (200, &json!(3), &json!(3)),
        "{b}"
    );
    let (_, b) = n.call("GET", "/_security/_query/user", admin, None).await;
    assert_eq!(b["total"], json!(3));
    let (_, b) = query(&n, admin, Some(json!({"query": {"match_all": {}}}))).await;
    assert_eq!(b["count"], json!(3));
    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"wildcard": {"roles": "test-role-*"}}})),
    )
    .await;
    assert_eq!((&b["total"], &b["count"]), (&json!(2), &json!(2)));
    let (s, b) = n
        .call(
            "POST",
            "/_security/_query/user?with_profile_uid=true",
            admin,
            Some(json!({"query": {"wildcard": {"roles": "test-role-*"}},
                          "sort": [{"username": {"order": "desc"}}], "from": 1, "size": 1})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!((&b["total"], &b["count"]), (&json!(2), &json!(1)));
    assert_eq!(b["users"][0]["username"], json!("test_user_1"));
    assert_eq!(b["users"][0]["_sort"], json!(["test_user_1"]));

    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"bool": {
        "must": [{"prefix": {"username": "test_"}}],
        "must_not": {"term": {"roles": "test-role-2"}}}}})),
    )
    .await;
    assert_eq!(b["users"][0]["username"], json!("test_user_1"));
    assert_eq!(b["total"], json!(1));
    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"match": {"full_name": "user 2"}}})),
    )
    .await;
    // Any token matches ("user" is in both full names; users_admin has none).
    assert_eq!(b["total"], json!(2));
    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"terms": {"username": ["test_user_2", "nope"]}}})),
    )
    .await;
    assert_eq!(b["total"], json!(1));
    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"bool": {"should": [
        {"term": {"username": "test_user_1"}}, {"term": {"username": "users_admin"}}]}}})),
    )
    .await;
    assert_eq!(b["total"], json!(2));
    let (_, b) = query(
        &n,
        admin,
        Some(json!({"query": {"exists": {"field": "email"}}})),
    )
    .await;
    assert_eq!(b["total"], json!(0));

    // Bad requests are 400s with ES's messages.
    let (s, b) = query(
        &n,
        admin,
        Some(json!({"query": {"term": {"password": "x"}}})),
    )
    .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Field [password] is not allowed for querying")
    );
    let (s, b) = query(
        &n,
        admin,
        Some(json!({"query": {"fuzzy": {"username": "x"}}})),
    )
    .await;
    assert_eq!(
        (s, reason(&b)),
        (
            400,
            "Query type [fuzzy] is not currently supported in this context"
        )
    );
    let (s, b) = query(&n, admin, Some(json!({"from": -1}))).await;
    assert_eq!(
        (s, reason(&b)),
        (400, "[from] parameter cannot be negative but was [-1]")
    );
    let (s, _) = query(&n, admin, Some(json!({"bogus": 1}))).await;
    assert_eq!(s, 400);

    // Querying needs read_security or manage_security.
    let (s, _) = query(&n, ("test_user_1", "x-pack-test-password"), None).await;
    assert_eq!(s, 403);
}
