#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! User profiles end to end: activation (password and access-token grants), get with data
//! filters, data updates with optimistic concurrency, enable/disable, suggest, and
//! has-privileges over profiles; plus who may call them.

mod common;

use common::TestNode;
use serde_json::{Value, json};

async fn joe(node: &TestNode) {
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/user/joe",
            Some(
                json!({"password": "s3krit-password", "roles": ["superuser"],
                        "full_name": "Bazooka Joe", "email": "joe@bazooka.gum"}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn activate(node: &TestNode, user: &str, password: &str) -> Value {
    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_activate",
            Some(json!({"grant_type": "password", "username": user, "password": password})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

/// Creates joe and activates his profile; its uid.
async fn joe_profile_uid(node: &TestNode) -> String {
    joe(node).await;
    activate(node, "joe", "s3krit-password").await["uid"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get_one(node: &TestNode, uid: &str, query: &str) -> Value {
    let (s, b) = node
        .admin("GET", &format!("/_security/profile/{uid}{query}"), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["profiles"].as_array().unwrap().len(), 1, "{b}");
    b["profiles"][0].clone()
}

#[tokio::test]
async fn activation_creates_then_reuses_the_profile() {
    let node = TestNode::new();
    joe(&node).await;
    let p = activate(&node, "joe", "s3krit-password").await;
    let uid = p["uid"].as_str().unwrap().to_string();
    assert!(uid.starts_with("u_") && uid.ends_with("_0"), "{uid}");
    assert_eq!(p["user"]["username"], "joe");
    assert_eq!(p["user"]["roles"], json!(["superuser"]));
    assert_eq!(p["user"]["full_name"], "Bazooka Joe");
    assert_eq!(p["user"]["email"], "joe@bazooka.gum");
    assert_eq!(p["user"]["realm_name"], "default_native");
    assert!(p["user"].get("realm_domain").is_none());
    assert_eq!(p["enabled"], true);
    assert_eq!(p["_doc"]["_primary_term"], 1);
    assert_eq!(p["data"], json!({}));
    assert_eq!(p["labels"], json!({}));

    let again = activate(&node, "joe", "s3krit-password").await;
    assert_eq!(again["uid"], uid.as_str());

    // A role change reaches the profile at the next activation.
    node.admin(
        "PUT",
        "/_security/user/joe",
        Some(json!({"roles": ["superuser", "monitoring_user"], "full_name": "Bazooka Joe"})),
    )
    .await;
    let changed = activate(&node, "joe", "s3krit-password").await;
    assert_eq!(changed["uid"], uid.as_str());
    assert_eq!(
        changed["user"]["roles"],
        json!(["superuser", "monitoring_user"])
    );
}

#[tokio::test]
async fn activation_refuses_bad_grants_and_credentials() {
    let node = TestNode::new();
    joe(&node).await;
    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_activate",
            Some(json!({"grant_type": "password", "username": "joe"})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "action_request_validation_exception");
    let (s, _) = node
        .admin(
            "POST",
            "/_security/profile/_activate",
            Some(
                json!({"grant_type": "password", "username": "joe", "password": "wrong-password"}),
            ),
        )
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn activation_by_access_token_finds_the_same_profile() {
    let node = TestNode::new();
    joe(&node).await;
    let uid = activate(&node, "joe", "s3krit-password").await["uid"].clone();
    let (s, tok) = node
        .admin(
            "POST",
            "/_security/oauth2/token",
            Some(
                json!({"grant_type": "password", "username": "joe", "password": "s3krit-password"}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{tok}");
    let (s, p) = node
        .admin(
            "POST",
            "/_security/profile/_activate",
            Some(json!({"grant_type": "access_token", "access_token": tok["access_token"]})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["uid"], uid);
}

#[tokio::test]
async fn get_reports_missing_uids_as_errors() {
    let node = TestNode::new();
    let uid = joe_profile_uid(&node).await;
    let (s, b) = node
        .admin("GET", &format!("/_security/profile/{uid},nope"), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(b["errors"]["count"], 1);
    assert_eq!(
        b["errors"]["details"]["nope"]["type"],
        "resource_not_found_exception"
    );
    let (s, b) = node.admin("GET", "/_security/profile/nope", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["profiles"], json!([]));
}

#[tokio::test]
async fn data_updates_merge_and_honour_seq_no() {
    let node = TestNode::new();
    joe(&node).await;
    let p = activate(&node, "joe", "s3krit-password").await;
    let uid = p["uid"].as_str().unwrap().to_string();
    let data_path = format!("/_security/profile/{uid}/_data");
    let (s, b) = node
        .admin(
            "PUT",
            &data_path,
            Some(json!({"labels": {"kibana": {"spaces": "demo"}},
                        "data": {"app1": {"theme": "default"}, "app2": {"theme": "dark"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b, json!({"acknowledged": true}));

    let one = get_one(&node, &uid, "?data=app1").await;
    assert_eq!(one["data"], json!({"app1": {"theme": "default"}}));
    assert_eq!(one["labels"], json!({"kibana": {"spaces": "demo"}}));
    let none = get_one(&node, &uid, "").await;
    assert_eq!(none["data"], json!({}));

    // Merge: a nested key is added, others stay.
    node.admin(
        "POST",
        &data_path,
        Some(json!({"data": {"app1": {"lang": "en"}}})),
    )
    .await;
    let all = get_one(&node, &uid, "?data=*").await;
    assert_eq!(
        all["data"],
        json!({"app1": {"theme": "default", "lang": "en"}, "app2": {"theme": "dark"}})
    );

    // Optimistic concurrency: the current seq_no wins once, then is stale.
    let seq = all["_doc"]["_seq_no"].as_u64().unwrap();
    let cond = format!("{data_path}?if_seq_no={seq}&if_primary_term=1");
    let (s, b) = node
        .admin("PUT", &cond, Some(json!({"data": {"app3": {}}})))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin("PUT", &cond, Some(json!({"data": {"app4": {}}})))
        .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["error"]["type"], "version_conflict_engine_exception");

    // Activation keeps the data.
    activate(&node, "joe", "s3krit-password").await;
    let after = get_one(&node, &uid, "?data=app2").await;
    assert_eq!(after["data"], json!({"app2": {"theme": "dark"}}));

    let (s, b) = node
        .admin(
            "PUT",
            "/_security/profile/nope/_data",
            Some(json!({"data": {"a": {}}})),
        )
        .await;
    assert_eq!(s, 404, "{b}");
    assert_eq!(b["error"]["type"], "document_missing_exception");
    let (s, b) = node
        .admin("PUT", &data_path, Some(json!({"data": {"_hidden": {}}})))
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn profiles_can_be_disabled_and_enabled() {
    let node = TestNode::new();
    let uid = joe_profile_uid(&node).await;
    let (s, _) = node
        .admin("POST", &format!("/_security/profile/{uid}/_disable"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(get_one(&node, &uid, "").await["enabled"], false);
    // Disabled profiles are not suggested.
    let (_, b) = node
        .admin(
            "POST",
            "/_security/profile/_suggest",
            Some(json!({"name": "joe"})),
        )
        .await;
    assert_eq!(b["profiles"], json!([]));
    let (s, _) = node
        .admin("PUT", &format!("/_security/profile/{uid}/_enable"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(get_one(&node, &uid, "").await["enabled"], true);
    let (s, _) = node
        .admin("PUT", "/_security/profile/nope/_enable", None)
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn suggest_matches_name_prefixes() {
    let node = TestNode::new();
    joe(&node).await;
    node.put_user("jane", "jane-password", &[]).await;
    let joe_uid = activate(&node, "joe", "s3krit-password").await["uid"].clone();
    let jane_uid = activate(&node, "jane", "jane-password").await["uid"].clone();

    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_suggest",
            Some(json!({"name": "joe", "size": 5})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["profiles"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b["profiles"][0]["uid"], joe_uid);
    assert_eq!(b["total"], json!({"value": 1, "relation": "eq"}));

    let (_, b) = node
        .admin(
            "POST",
            "/_security/profile/_suggest",
            Some(json!({"name": "bazoo"})),
        )
        .await;
    assert_eq!(b["profiles"][0]["uid"], joe_uid);

    // No name: every enabled profile; a hint ranks its uid first; size limits.
    let (_, b) = node
        .admin(
            "GET",
            "/_security/profile/_suggest",
            Some(json!({"hint": {"uids": [jane_uid]}, "size": 1})),
        )
        .await;
    assert_eq!(b["total"]["value"], 2, "{b}");
    assert_eq!(b["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(b["profiles"][0]["uid"], jane_uid);

    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_suggest",
            Some(json!({"size": -1})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn has_privileges_checks_each_profiles_roles() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/role1",
        Some(
            json!({"indices": [{"names": "index1*", "privileges": ["all"]},
                                {"names": "index2*", "privileges": ["read"]}]}),
        ),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/role2",
        Some(
            json!({"indices": [{"names": "index2*", "privileges": ["all"]},
                                {"names": "index1*", "privileges": ["read"]}]}),
        ),
    )
    .await;
    node.put_user("user1", "s3krit-password", &["role1"]).await;
    node.put_user("user2", "s3krit-password", &["role2"]).await;
    let u1 = activate(&node, "user1", "s3krit-password").await["uid"]
        .as_str()
        .unwrap()
        .to_string();
    let u2 = activate(&node, "user2", "s3krit-password").await["uid"]
        .as_str()
        .unwrap()
        .to_string();

    let check =
        |uids: Vec<&str>, index: Value| json!({"uids": uids, "privileges": {"index": index}});
    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_has_privileges",
            Some(check(
                vec![&u1, &u2, "dummy_missing"],
                json!([{"names": ["index1*", "index2*"], "privileges": ["read"]}]),
            )),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["has_privilege_uids"], json!([u1, u2]));
    assert_eq!(b["errors"]["count"], 1);
    assert!(b["errors"]["details"]["dummy_missing"].is_object());

    let (_, b) = node
        .admin(
            "GET",
            "/_security/profile/_has_privileges",
            Some(check(
                vec![&u1, &u2],
                json!([{"names": ["index1*", "index2*"], "privileges": ["all", "read"]}]),
            )),
        )
        .await;
    assert_eq!(b["has_privilege_uids"], json!([]));
    assert!(b.get("errors").is_none());

    let (_, b) = node
        .admin(
            "POST",
            "/_security/profile/_has_privileges",
            Some(check(
                vec![&u1, &u2],
                json!([{"names": ["index1*"], "privileges": ["all"]}]),
            )),
        )
        .await;
    assert_eq!(b["has_privilege_uids"], json!([u1]));

    // A disabled profile never qualifies.
    node.admin("POST", &format!("/_security/profile/{u1}/_disable"), None)
        .await;
    let (_, b) = node
        .admin(
            "POST",
            "/_security/profile/_has_privileges",
            Some(check(
                vec![&u1],
                json!([{"names": ["index1*"], "privileges": ["read"]}]),
            )),
        )
        .await;
    assert_eq!(b["has_privilege_uids"], json!([]));
}

#[tokio::test]
async fn profile_apis_need_their_privileges() {
    let node = TestNode::new();
    joe(&node).await;
    node.admin(
        "PUT",
        "/_security/role/profile_admin",
        Some(json!({"cluster": ["manage_user_profile"]})),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/reader",
        Some(json!({"cluster": ["read_security"]})),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/app_writer",
        Some(json!({"global": {"profile": {"write": {"applications": ["app1"]}}}})),
    )
    .await;
    node.put_user("padmin", "padmin-password", &["profile_admin"])
        .await;
    node.put_user("reader", "reader-password", &["reader"])
        .await;
    node.put_user("writer", "writer-password", &["app_writer"])
        .await;
    let activate_body =
        json!({"grant_type": "password", "username": "joe", "password": "s3krit-password"});

    let (s, _) = node
        .call_as(
            ("reader", "reader-password"),
            "POST",
            "/_security/profile/_activate",
            Some(activate_body.clone()),
        )
        .await;
    assert_eq!(s, 403);
    let (s, p) = node
        .call_as(
            ("padmin", "padmin-password"),
            "POST",
            "/_security/profile/_activate",
            Some(activate_body),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let uid = p["uid"].as_str().unwrap();

    let (s, _) = node
        .call_as(
            ("reader", "reader-password"),
            "GET",
            &format!("/_security/profile/{uid}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(
            ("reader", "reader-password"),
            "POST",
            &format!("/_security/profile/{uid}/_disable"),
            None,
        )
        .await;
    assert_eq!(s, 403);

    // global.profile.write grants updates of the named applications only.
    let data = format!("/_security/profile/{uid}/_data");
    let (s, b) = node
        .call_as(
            ("writer", "writer-password"),
            "PUT",
            &data,
            Some(json!({"data": {"app1": {"x": 1}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = node
        .call_as(
            ("writer", "writer-password"),
            "PUT",
            &data,
            Some(json!({"data": {"app2": {"x": 1}}})),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn user_apis_show_profile_uids_on_request() {
    let node = TestNode::new();
    joe(&node).await;
    node.put_user("jane", "jane-password", &[]).await;
    let uid = activate(&node, "joe", "s3krit-password").await["uid"].clone();

    let (s, b) = node
        .admin(
            "POST",
            "/_security/_query/user?with_profile_uid=true",
            Some(json!({"query": {"prefix": {"username": "j"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let users = b["users"].as_array().unwrap();
    let of = |name: &str| {
        users
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(of("joe")["profile_uid"], uid);
    assert!(of("jane").get("profile_uid").is_none());
    let (_, b) = node
        .admin("POST", "/_security/_query/user", Some(json!({})))
        .await;
    assert!(
        b["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("profile_uid").is_none())
    );

    let (_, b) = node
        .admin("GET", "/_security/user/joe?with_profile_uid=true", None)
        .await;
    assert_eq!(b["joe"]["profile_uid"], uid);
    let (_, b) = node.admin("GET", "/_security/user/joe", None).await;
    assert!(b["joe"].get("profile_uid").is_none());
}
