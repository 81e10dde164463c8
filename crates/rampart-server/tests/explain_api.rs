#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Rampart's `_security/_explain` API: decisions with reasons for oneself and, with read access to
//! users, for others.

mod common;

use common::{SUPERUSER, TestNode, reason};
use serde_json::{Value, json};

const LOGS_USER: (&str, &str) = ("logs_user", "x-pack-test-password");

async fn fixture() -> TestNode {
    let n = TestNode::new();
    n.state
        .store
        .put_role(
            "logs_role",
            &json!({"cluster": ["monitor"],
                    "indices": [{"names": ["logs-*"], "privileges": ["read"],
                                 "field_security": {"grant": ["msg"]}}],
                    "applications": [{"application": "myapp", "privileges": ["read"], "resources": ["*"]}]}),
        )
        .unwrap();
    let doc = rampart_store::AppPrivilegeDoc {
        application: "myapp".into(),
        name: "read".into(),
        doc: json!({"actions": ["data:read/*"], "metadata": {}}),
    };
    n.state.store.put_privileges(&[doc]).unwrap();
    n.put_user("logs_user", LOGS_USER.1, &["logs_role"]).await;
    n
}

async fn explain(n: &TestNode, auth: (&str, &str), body: Value) -> (u16, Value) {
    n.call("POST", "/_security/_explain", auth, Some(body))
        .await
}

#[tokio::test]
async fn explains_cluster_actions_and_privileges() {
    let n = fixture().await;
    let (s, b) = explain(&n, LOGS_USER, json!({"cluster": "cluster:monitor/health"})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["username"], json!("logs_user"));
    assert_eq!(b["question"], json!({"cluster": "cluster:monitor/health"}));
    assert_eq!(
        b["result"],
        json!({"decision": "allowed", "reasons": [
            {"kind": "cluster_privilege", "privilege": "monitor", "roles": ["logs_role"]}]})
    );

    let (s, b) = explain(
        &n,
        LOGS_USER,
        json!({"cluster": "cluster:admin/xpack/security/user/put"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["result"]["decision"], json!("denied"));
    let message = b["result"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "action [cluster:admin/xpack/security/user/put] is unauthorized for user [logs_user]"
        ),
        "{message}"
    );
    assert!(
        b["result"]["granted_by"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_security")),
        "{b}"
    );

    // The default role shows up as its own reason.
    let (_, b) = explain(
        &n,
        LOGS_USER,
        json!({"cluster": "cluster:admin/xpack/security/user/authenticate"}),
    )
    .await;
    assert_eq!(b["result"]["reasons"][0]["kind"], json!("default_role"));

    let (_, b) = explain(&n, LOGS_USER, json!({"cluster": "monitor"})).await;
    assert_eq!(b["result"]["decision"], json!("allowed"));
    let (_, b) = explain(&n, LOGS_USER, json!({"cluster": "manage"})).await;
    assert_eq!(b["result"]["decision"], json!("denied"));
}

#[tokio::test]
async fn explains_index_and_application_questions() {
    let n = fixture().await;
    let (s, b) = explain(
        &n,
        LOGS_USER,
        json!({"index": {"action": "indices:data/read/search", "names": ["logs-1"]}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["result"]["decision"], json!("allowed"));
    assert_eq!(b["result"]["reasons"][0]["kind"], json!("index_group"));
    assert_eq!(b["result"]["reasons"][0]["patterns"], json!(["logs-*"]));
    assert_eq!(b["result"]["access"][0]["name"], json!("logs-1"));
    assert_eq!(
        b["result"]["access"][0]["fields"]["sides"][0][0]["grant"],
        json!(["msg"])
    );

    let (_, b) = explain(
        &n,
        LOGS_USER,
        json!({"index": {"action": "indices:data/write/index", "names": ["logs-1"]}}),
    )
    .await;
    assert_eq!(b["result"]["decision"], json!("denied"));
    assert_eq!(b["result"]["indices"], json!(["logs-1"]));

    let (_, b) = explain(
        &n,
        LOGS_USER,
        json!({"application": {"application": "myapp", "privilege": "data:read/x", "resource": "r1"}}),
    )
    .await;
    assert_eq!(b["result"]["decision"], json!("allowed"));
    let (_, b) = explain(
        &n,
        LOGS_USER,
        json!({"application": {"application": "otherapp", "privilege": "read", "resource": "r1"}}),
    )
    .await;
    assert_eq!(b["result"]["decision"], json!("denied"));
}

#[tokio::test]
async fn explaining_others_needs_read_access_to_users() {
    let n = fixture().await;
    let (s, b) = explain(
        &n,
        SUPERUSER,
        json!({"user": "logs_user", "cluster": "cluster:monitor/health"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["username"], json!("logs_user"));
    assert_eq!(b["result"]["reasons"][0]["roles"], json!(["logs_role"]));

    // Reserved users can be explained, too.
    let (_, b) = explain(
        &n,
        SUPERUSER,
        json!({"user": "kibana_system", "cluster": "cluster:admin/xpack/security/user/put"}),
    )
    .await;
    assert_eq!(b["username"], json!("kibana_system"));

    let (s, b) = explain(
        &n,
        LOGS_USER,
        json!({"user": "elastic", "cluster": "cluster:monitor/health"}),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("cluster:admin/xpack/security/user/get"),
        "{b}"
    );
    // Naming oneself is explaining oneself.
    let (s, _) = explain(
        &n,
        LOGS_USER,
        json!({"user": "logs_user", "cluster": "monitor"}),
    )
    .await;
    assert_eq!(s, 200);

    let (s, b) = explain(
        &n,
        SUPERUSER,
        json!({"user": "ghost", "cluster": "monitor"}),
    )
    .await;
    assert_eq!((s, reason(&b)), (404, "user [ghost] not found"));
}

#[tokio::test]
async fn rejects_malformed_questions() {
    let n = fixture().await;
    for body in [
        json!({}),
        json!({"cluster": "monitor", "application": {"application": "a", "privilege": "p", "resource": "r"}}),
        json!({"cluster": 1}),
        json!({"index": {"action": "indices:data/read/search"}}),
        json!({"cluster": "monitor", "bogus": true}),
    ] {
        let (s, b) = explain(&n, LOGS_USER, body.clone()).await;
        assert_eq!(s, 400, "{body} → {b}");
    }
    let (s, _) = n.call("POST", "/_security/_explain", LOGS_USER, None).await;
    assert_eq!(s, 400);
    let (s, b) = explain(&n, LOGS_USER, json!({"cluster": "no_such_privilege"})).await;
    assert_eq!(s, 400, "{b}");
}
