#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Role query API: the query DSL subset, paging and sorting.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use http_body_util::BodyExt;
use rampart_server::authn::password::Algorithm;
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};
use rampart_server::state::SharedState;
use rampart_store::UserRecord;
use serde_json::{Value, json};
use tower::ServiceExt;

const ELASTIC: (&str, &str) = ("elastic", "elastic-password");

struct Node {
    app: Router,
    state: SharedState,
    _dir: tempfile::TempDir,
}

impl Node {
    fn new() -> Node {
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
        Node {
            app: rampart_server::app(state.clone()),
            state,
            _dir: dir,
        }
    }

    fn add_user(&self, name: &str, password: &str, roles: &[&str]) {
        let hash = Algorithm::parse("bcrypt4").unwrap().hash(password).unwrap();
        self.state
            .store
            .put_user(&UserRecord {
                username: name.into(),
                password_hash: hash,
                roles: roles.iter().map(|r| r.to_string()).collect(),
                full_name: None,
                email: None,
                metadata: Default::default(),
                enabled: true,
            })
            .unwrap();
    }

    async fn call_as(
        &self,
        user: (&str, &str),
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let auth =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", user.0, user.1));
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Basic {auth}"))
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

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(ELASTIC, method, path, body).await
    }
}

fn reason(v: &Value) -> &str {
    v["error"]["reason"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn query_roles() {
    let node = Node::new();
    let roles = json!({"roles": {
        "admin_role": {"cluster": ["all"], "metadata": {"team": "a", "level": 3}},
        "backwards_role": {"cluster": ["all"], "description": "old one"},
        "role_with_description": {"description": "desc", "metadata": {"team": "b"},
            "applications": [{"application": "kibana-.kibana", "privileges": ["read"], "resources": ["*"]}]}
    }});
    node.call("POST", "/_security/role", Some(roles)).await;

    let (s, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(json!({"query": {"match_all": {}}, "sort": ["name"]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (b["total"].clone(), b["count"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(b["roles"][0]["name"], "admin_role");
    assert_eq!(b["roles"][0]["_sort"], json!(["admin_role"]));

    let (_, b) = node
        .call(
            "GET",
            "/_security/_query/role",
            Some(json!({"sort": [{"name": {"order": "desc"}}], "from": 2})),
        )
        .await;
    assert_eq!(
        (b["total"].clone(), b["count"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(b["roles"][0]["name"], "admin_role");

    let (_, b) = node.call("GET", "/_security/_query/role", None).await;
    assert_eq!(b["total"], 3);
    assert!(b["roles"][0].get("_sort").is_none());

    let q = |query: Value| json!({"query": query});
    let names = |b: &Value| -> Vec<String> {
        b["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(
                json!({"bool": {"must_not": {"term": {"metadata._reserved": true}}}}),
            )),
        )
        .await;
    assert_eq!(b["total"], 3);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"term": {"metadata.team": "a"}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role"]);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"prefix": {"name": "ba"}}))),
        )
        .await;
    assert_eq!(names(&b), ["backwards_role"]);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"wildcard": {"name": "*_role"}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role", "backwards_role"]);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"exists": {"field": "description"}}))),
        )
        .await;
    assert_eq!(names(&b), ["backwards_role", "role_with_description"]);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(
                json!({"terms": {"applications.application": ["kibana-.kibana"]}}),
            )),
        )
        .await;
    assert_eq!(names(&b), ["role_with_description"]);
    let (_, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"ids": {"values": ["admin_role"]}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role"]);
    let (_, b) = node
        .call("POST", "/_security/_query/role", Some(q(json!({"bool": {"should": [{"term": {"name": "admin_role"}}, {"term": {"metadata.team": "b"}}]}}))))
        .await;
    assert_eq!(names(&b), ["admin_role", "role_with_description"]);

    let (s, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"term": {"cluster": "all"}}))),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Field [cluster] is not allowed for querying")
    );
    let (s, b) = node
        .call(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"fuzzy": {"name": "x"}}))),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (
            400,
            "Query type [fuzzy] is not currently supported in this context"
        )
    );
    let (s, _) = node
        .call("POST", "/_security/_query/role", Some(json!({"bogus": 1})))
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn query_roles_needs_read_security() {
    let node = Node::new();
    node.call(
        "PUT",
        "/_security/role/reader",
        Some(json!({"cluster": ["read_security"]})),
    )
    .await;
    node.call("PUT", "/_security/role/nothing", Some(json!({})))
        .await;
    node.add_user("reader", "reader-password", &["reader"]);
    node.add_user("nobody", "nobody-password", &["nothing"]);
    let (s, b) = node
        .call_as(
            ("reader", "reader-password"),
            "POST",
            "/_security/_query/role",
            None,
        )
        .await;
    assert_eq!((s, b["total"].clone()), (200, json!(2)));
    let (s, _) = node
        .call_as(
            ("nobody", "nobody-password"),
            "GET",
            "/_security/_query/role",
            None,
        )
        .await;
    assert_eq!(s, 403);
}
