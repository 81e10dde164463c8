#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The security store read as ES's `.security-7` system index: who may read it, what the
//! documents look like, and that nobody may write it.

mod common;

use axum::http::Method;
use common::{SUPERUSER, TestNode};
use serde_json::json;

const WARNING_TEXT: &str = "this request accesses system indices: [.security-7], but in a \
                            future major version, direct access to system indices will be \
                            prevented by default";

#[tokio::test]
async fn superuser_reads_a_user_hash_and_can_set_it_back() {
    let node = TestNode::new();
    node.put_user("bob", "correct horse battery staple", &[])
        .await;

    let resp = node
        .call_raw(
            Method::GET,
            "/.security/_doc/user-bob",
            Some(SUPERUSER),
            None,
        )
        .await;
    assert_eq!(resp.status, 200, "{:?}", resp.json());
    let warning = resp.header("warning").expect("a Warning header");
    assert!(
        warning.starts_with("299 Elasticsearch-")
            && warning.ends_with(&format!("\"{WARNING_TEXT}\"")),
        "{warning}"
    );
    let body = resp.json();
    assert_eq!(body["_index"], ".security-7");
    assert_eq!(body["_id"], "user-bob");
    assert_eq!(body["found"], true);
    assert_eq!(body["_source"]["username"], "bob");
    assert_eq!(body["_source"]["type"], "user");
    assert_eq!(body["_source"]["enabled"], true);
    let hash = body["_source"]["password"].as_str().unwrap().to_string();
    assert_eq!(
        hash,
        node.state
            .store
            .get_user("bob")
            .unwrap()
            .unwrap()
            .password_hash
    );

    // The hash moves to another user, who then authenticates with bob's password.
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/user/joe",
            Some(json!({"password_hash": hash, "roles": ["superuser"]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        node.health_status(("joe", "correct horse battery staple"))
            .await,
        200
    );

    // The concrete name and `_source` answer the same document.
    let (s, source) = node
        .admin("GET", "/.security-7/_source/user-bob", None)
        .await;
    assert_eq!(s, 200, "{source}");
    assert_eq!(source["password"], hash.as_str());
    let (s, mget) = node
        .admin(
            "POST",
            "/_mget",
            Some(json!({"docs": [{"_index": ".security", "_id": "user-bob"},
                                 {"_index": ".security-7", "_id": "user-nobody"}]})),
        )
        .await;
    assert_eq!(s, 200, "{mget}");
    assert_eq!(mget["docs"][0]["_source"]["password"], hash.as_str());
    assert_eq!(mget["docs"][1]["found"], false);
    let (s, missing) = node.admin("GET", "/.security/_doc/user-nobody", None).await;
    assert_eq!((s, &missing["found"]), (404, &json!(false)), "{missing}");
}

#[tokio::test]
async fn roles_and_role_mappings_are_documents_too() {
    let node = TestNode::new();
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role/reader",
            Some(json!({"cluster": ["monitor"]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, body) = node.admin("GET", "/.security/_doc/role-reader", None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["_source"]["type"], "role");
    assert_eq!(body["_source"]["cluster"], json!(["monitor"]));
}

#[tokio::test]
async fn reading_needs_restricted_index_privileges() {
    let node = TestNode::new();
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role/all_indices",
            Some(json!({"indices": [{"names": ["*"], "privileges": ["all"]}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    node.add_user("plain", "plain-password", &["all_indices"]);
    node.put_user("bob", "bob-password", &[]).await;
    let (s, mget) = node
        .call(
            "POST",
            "/_mget",
            ("plain", "plain-password"),
            Some(json!({"docs": [{"_index": ".security", "_id": "user-bob"}]})),
        )
        .await;
    assert_eq!(s, 200, "{mget}");
    assert_eq!(
        mget["docs"][0]["error"]["type"], "security_exception",
        "{mget}"
    );
    assert!(mget["docs"][0].get("_source").is_none(), "{mget}");
    for path in ["/.security/_doc/user-bob", "/.security-7/_source/user-bob"] {
        let (s, body) = node
            .call("GET", path, ("plain", "plain-password"), None)
            .await;
        assert_eq!(s, 403, "{path}: {body}");
        assert_eq!(body["error"]["type"], "security_exception", "{body}");
        assert!(
            common::reason(&body).contains("restricted indices [.security"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn nobody_writes_the_security_index() {
    let node = TestNode::new();
    node.put_user("bob", "bob-password", &[]).await;
    let attempts = [
        (
            "PUT",
            "/.security/_doc/user-eve",
            Some(json!({"username": "eve"})),
        ),
        (
            "PUT",
            "/.security-7/_doc/user-eve",
            Some(json!({"username": "eve"})),
        ),
        ("DELETE", "/.security/_doc/user-bob", None),
        ("DELETE", "/.security-7/_doc/user-bob", None),
    ];
    for (method, path, body) in attempts {
        let (s, b) = node.admin(method, path, body).await;
        assert_eq!(s, 403, "{method} {path}: {b}");
        assert!(
            common::reason(&b).contains("restricted indices [.security"),
            "{method} {path}: {b}"
        );
    }
    // Nothing changed in the store.
    assert!(node.state.store.get_user("eve").unwrap().is_none());
    assert!(node.state.store.get_user("bob").unwrap().is_some());
}
