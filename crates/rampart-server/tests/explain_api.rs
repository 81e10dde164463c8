#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(dead_code)]
//! Rampart's `_security/_explain` API: decisions with reasons for oneself and, with read access to
//! users, for others.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use http_body_util::BodyExt;
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};
use rampart_server::state::SharedState;
use serde_json::{Value, json};
use tower::ServiceExt;

const ELASTIC: (&str, &str) = ("elastic", "elastic-password");

struct Node {
    _dir: tempfile::TempDir,
    state: SharedState,
    app: Router,
}

fn node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.set("xpack.security.authc.password_hashing.algorithm", "bcrypt4");
    let (state, _) = build_state(&NodeConfig {
        data_dir: dir.path().to_path_buf(),
        config_dir: None,
        settings,
        elastic_password: Some(ELASTIC.1.into()),
    })
    .unwrap();
    let app = rampart_server::app(state.clone());
    Node {
        _dir: dir,
        state,
        app,
    }
}

impl Node {
    async fn call(
        &self,
        method: &str,
        path: &str,
        auth: (&str, &str),
        body: Option<Value>,
    ) -> (u16, Value) {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", auth.0, auth.1));
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, path, ELASTIC, body).await
    }

    async fn put_user(&self, name: &str, password: &str, roles: &[&str]) {
        let (s, b) = self
            .admin(
                "PUT",
                &format!("/_security/user/{name}"),
                Some(json!({"password": password, "roles": roles})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }

    async fn health_status(&self, auth: (&str, &str)) -> u16 {
        self.call("GET", "/_cluster/health", auth, None).await.0
    }
}

fn reason(body: &Value) -> &str {
    body["error"]["reason"].as_str().unwrap_or_default()
}

const LOGS_USER: (&str, &str) = ("logs_user", "x-pack-test-password");

async fn fixture() -> Node {
    let n = node();
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

async fn explain(n: &Node, auth: (&str, &str), body: Value) -> (u16, Value) {
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
        ELASTIC,
        json!({"user": "logs_user", "cluster": "cluster:monitor/health"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["username"], json!("logs_user"));
    assert_eq!(b["result"]["reasons"][0]["roles"], json!(["logs_role"]));

    // Reserved users can be explained, too.
    let (_, b) = explain(
        &n,
        ELASTIC,
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

    let (s, b) = explain(&n, ELASTIC, json!({"user": "ghost", "cluster": "monitor"})).await;
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
