#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_has_privileges` answers are reused for identical requests (`api/has_privileges/memo.rs`)
//! and API-key roles are cached per store revision (`security.rs`): every change an answer
//! depends on must be seen by the very next request. Each test asks the same body before
//! and after one change, through the HTTP APIs.

mod common;

use std::sync::Arc;

use common::TestNode;
use rampart_core::authz::EffectiveRole;
use rampart_core::permission::Permission;
use rampart_core::role::RoleContext;
use rampart_server::authn::{ApiKeyIdentity, Authentication, Credential, RealmRef, UserInfo};
use serde_json::{Value, json};

const PATH: &str = "/_security/user/_has_privileges";
const ALICE: (&str, &str) = ("alice", "alice-password");
const BOB: (&str, &str) = ("bob", "bob-password");

fn body() -> Value {
    json!({"cluster": ["monitor", "manage"],
           "index": [{"names": ["logs-a"], "privileges": ["read", "write"]}],
           "application": [{"application": "app", "privileges": ["read"], "resources": ["r1"]}]})
}

async fn ok(n: &TestNode, method: &str, path: &str, body: Value) {
    let (s, b) = n.admin(method, path, Some(body)).await;
    assert_eq!(s, 200, "{method} {path}: {b}");
}

/// alice and bob hold `reader`: monitor, read on logs-*, app read (= data:read/*) on *.
async fn node() -> TestNode {
    let n = TestNode::new();
    ok(
        &n,
        "PUT",
        "/_security/privilege",
        json!({"app": {"read": {"actions": ["data:read/*"]}}}),
    )
    .await;
    ok(
        &n,
        "PUT",
        "/_security/role/reader",
        json!({"cluster": ["monitor"],
               "indices": [{"names": ["logs-*"], "privileges": ["read"]}],
               "applications": [{"application": "app", "privileges": ["data:read/x"], "resources": ["*"]}]}),
    )
    .await;
    n.put_user(ALICE.0, ALICE.1, &["reader"]).await;
    n.put_user(BOB.0, BOB.1, &["reader"]).await;
    n
}

async fn ask(n: &TestNode, user: (&str, &str)) -> Value {
    let (s, b) = n.call("POST", PATH, user, Some(body())).await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn ask_key(n: &TestNode, key: &str) -> Value {
    let (s, b) = n.call_auth("POST", PATH, key, Some(body())).await;
    assert_eq!(s, 200, "{b}");
    b
}

#[tokio::test]
async fn repeated_requests_get_the_same_answer() {
    let n = node().await;
    let first = ask(&n, ALICE).await;
    assert_eq!(first["cluster"], json!({"monitor": true, "manage": false}));
    assert_eq!(
        first["index"]["logs-a"],
        json!({"read": true, "write": false})
    );
    // `read` maps to data:read/*, which data:read/x alone does not cover.
    assert_eq!(first["application"]["app"]["r1"], json!({"read": false}));
    assert_eq!(ask(&n, ALICE).await, first);
    // ?pretty and ?filter_path still apply to a reused answer.
    let (s, b) = n
        .call(
            "POST",
            &format!("{PATH}?filter_path=cluster"),
            ALICE,
            Some(body()),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b, json!({"cluster": {"monitor": true, "manage": false}}));
}

#[tokio::test]
async fn a_role_change_is_seen_at_once() {
    let n = node().await;
    assert_eq!(
        ask(&n, ALICE).await["index"]["logs-a"]["write"],
        json!(false)
    );
    ok(
        &n,
        "PUT",
        "/_security/role/reader",
        json!({"cluster": ["monitor"],
               "indices": [{"names": ["logs-*"], "privileges": ["read", "write"]}],
               "applications": [{"application": "app", "privileges": ["data:read/x"], "resources": ["*"]}]}),
    )
    .await;
    assert_eq!(
        ask(&n, ALICE).await["index"]["logs-a"]["write"],
        json!(true)
    );
    // And back: the same role content as before, recompiled, is not an old answer's key.
    ok(
        &n,
        "PUT",
        "/_security/role/reader",
        json!({"cluster": ["monitor"],
               "indices": [{"names": ["logs-*"], "privileges": ["read"]}],
               "applications": [{"application": "app", "privileges": ["data:read/x"], "resources": ["*"]}]}),
    )
    .await;
    assert_eq!(
        ask(&n, ALICE).await["index"]["logs-a"]["write"],
        json!(false)
    );
    let (s, _) = n.admin("DELETE", "/_security/role/reader", None).await;
    assert_eq!(s, 200);
    assert_eq!(ask(&n, ALICE).await["cluster"]["monitor"], json!(false));
}

#[tokio::test]
async fn an_application_privilege_change_is_seen_at_once() {
    let n = node().await;
    assert_eq!(
        ask(&n, ALICE).await["application"]["app"]["r1"]["read"],
        json!(false)
    );
    // `read` now means exactly what the role holds.
    ok(
        &n,
        "PUT",
        "/_security/privilege",
        json!({"app": {"read": {"actions": ["data:read/x"]}}}),
    )
    .await;
    assert_eq!(
        ask(&n, ALICE).await["application"]["app"]["r1"]["read"],
        json!(true)
    );
}

#[tokio::test]
async fn a_user_change_is_seen_at_once() {
    let n = node().await;
    assert_eq!(ask(&n, ALICE).await["cluster"]["manage"], json!(false));
    ok(
        &n,
        "PUT",
        "/_security/role/manager",
        json!({"cluster": ["manage"]}),
    )
    .await;
    ok(
        &n,
        "PUT",
        "/_security/user/alice",
        json!({"roles": ["reader", "manager"]}),
    )
    .await;
    let after = ask(&n, ALICE).await;
    assert_eq!(after["cluster"]["manage"], json!(true));
    // bob asks the same body with the same roles as alice had: his own name, his own answer.
    let bob = ask(&n, BOB).await;
    assert_eq!(bob["username"], json!("bob"));
    assert_eq!(bob["cluster"]["manage"], json!(false));
    assert_eq!(ask(&n, ALICE).await["username"], json!("alice"));
}

#[tokio::test]
async fn file_roles_are_seen_at_once() {
    let n = node().await;
    assert_eq!(ask(&n, ALICE).await["cluster"]["manage"], json!(false));
    n.state.security.set_file_roles(vec![
        rampart_core::role::parse_role(
            "reader",
            &json!({"cluster": ["manage"]}),
            rampart_core::role::RoleContext::RoleApi,
        )
        .unwrap(),
    ]);
    // The file realm's role of the same name shadows the native one.
    let b = ask(&n, ALICE).await;
    assert_eq!(b["cluster"], json!({"monitor": true, "manage": true}));
    assert_eq!(b["index"]["logs-a"]["read"], json!(false));
}

async fn create_key(n: &TestNode, user: (&str, &str), spec: Value) -> (String, String) {
    let (s, b) = n.call("POST", "/_security/api_key", user, Some(spec)).await;
    assert_eq!(s, 200, "{b}");
    (
        b["id"].as_str().unwrap().to_string(),
        format!("ApiKey {}", b["encoded"].as_str().unwrap()),
    )
}

#[tokio::test]
async fn api_keys_answer_for_their_own_descriptors_and_updates() {
    let n = node().await;
    ok(
        &n,
        "PUT",
        "/_security/role/reader",
        json!({"cluster": ["monitor", "manage_own_api_key"],
               "indices": [{"names": ["logs-*"], "privileges": ["read", "write"]}]}),
    )
    .await;
    let (id, narrow) = create_key(
        &n,
        ALICE,
        json!({"name": "narrow", "role_descriptors": {"r": {"cluster": ["monitor"],
               "indices": [{"names": ["logs-*"], "privileges": ["read"]}]}}}),
    )
    .await;
    let (_, whole) = create_key(&n, ALICE, json!({"name": "whole"})).await;
    let narrow_answer = ask_key(&n, &narrow).await;
    assert_eq!(
        narrow_answer["index"]["logs-a"],
        json!({"read": true, "write": false})
    );
    assert_eq!(ask_key(&n, &narrow).await, narrow_answer);
    // Another key of the same owner: its own (unrestricted) answer.
    assert_eq!(
        ask_key(&n, &whole).await["index"]["logs-a"],
        json!({"read": true, "write": true})
    );
    // The key's descriptors updated by its owner: seen by the next request.
    let (s, b) = n
        .call(
            "PUT",
            &format!("/_security/api_key/{id}"),
            ALICE,
            Some(json!({"role_descriptors": {"r": {"cluster": ["monitor"],
                   "indices": [{"names": ["logs-*"], "privileges": ["write"]}]}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        ask_key(&n, &narrow).await["index"]["logs-a"],
        json!({"read": false, "write": true})
    );
}

fn key_auth(id: &str, cluster: &[&str]) -> Authentication {
    let descriptor = |c: &[&str]| {
        rampart_core::role::parse_role("r", &json!({"cluster": c}), RoleContext::RoleApi).unwrap()
    };
    let realm = RealmRef::new("_es_api_key", "_es_api_key");
    Authentication {
        user: UserInfo {
            username: "alice".into(),
            enabled: true,
            ..Default::default()
        },
        authentication_realm: realm.clone(),
        lookup_realm: realm,
        run_as: None,
        credential: Credential::ApiKey(ApiKeyIdentity {
            id: id.into(),
            name: None,
            role_descriptors: vec![descriptor(cluster)],
            limited_by: vec![descriptor(&["monitor", "manage"])],
            key_type: "rest".into(),
        }),
    }
}

fn sides(role: &EffectiveRole) -> (Arc<Permission>, Arc<Permission>) {
    match role {
        EffectiveRole::Limited {
            assigned,
            limited_by,
        } => (Arc::clone(assigned), Arc::clone(limited_by)),
        EffectiveRole::Plain(_) => panic!("a key with descriptors is limited"),
    }
}

#[tokio::test]
async fn an_api_key_role_is_compiled_once_per_revision_and_descriptors() {
    let n = node().await;
    let store = n.state.store.as_ref();
    let security = &n.state.security;
    let role = |auth: &Authentication| sides(&security.effective_role(store, auth).unwrap());
    let first = role(&key_auth("k1", &["monitor"]));
    let again = role(&key_auth("k1", &["monitor"]));
    assert!(Arc::ptr_eq(&first.0, &again.0) && Arc::ptr_eq(&first.1, &again.1));
    // Other descriptors under the same id (a record changed without a revision bump).
    let changed = role(&key_auth("k1", &["manage"]));
    assert!(!Arc::ptr_eq(&first.0, &changed.0));
    // Any store write moves the revision: compiled again.
    ok(
        &n,
        "PUT",
        "/_security/role/unrelated",
        json!({"cluster": ["monitor"]}),
    )
    .await;
    let later = role(&key_auth("k1", &["manage"]));
    assert!(!Arc::ptr_eq(&changed.0, &later.0));
}
