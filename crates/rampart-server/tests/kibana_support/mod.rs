//! A test node with the Kibana port: Kibana's privileges registered, `kibana_app` routed with
//! `oneshot`, and request helpers that send `kbn-xsrf` like Kibana clients do.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{SUPERUSER, TestNode};

pub struct KibanaNode {
    pub node: TestNode,
    pub kibana: Router,
}

pub fn basic(user: (&str, &str)) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", user.0, user.1))
    )
}

impl KibanaNode {
    pub fn new() -> Self {
        let node = TestNode::new();
        rampart_server::kibana::bootstrap(&node.state).expect("kibana bootstrap");
        let kibana = rampart_server::kibana::kibana_app(std::sync::Arc::clone(&node.state));
        KibanaNode { node, kibana }
    }

    /// A request to the Kibana port; `xsrf` adds `kbn-xsrf: true`.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        user: Option<(&str, &str)>,
        body: Option<Value>,
        xsrf: bool,
    ) -> (u16, Value) {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(u) = user {
            b = b.header("authorization", basic(u));
        }
        if xsrf {
            b = b.header("kbn-xsrf", "true");
        }
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&v).unwrap()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let resp = self.kibana.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// As `user`, with `kbn-xsrf`.
    pub async fn call(
        &self,
        user: (&str, &str),
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.raw(method, path, Some(user), body, true).await
    }

    /// As the superuser, with `kbn-xsrf`.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(SUPERUSER, method, path, body).await
    }

    /// PUT a Kibana role as the superuser; panics unless 204.
    pub async fn put_role(&self, name: &str, body: Value) {
        let (s, b) = self
            .admin("PUT", &format!("/api/security/role/{name}"), Some(body))
            .await;
        assert_eq!(s, 204, "PUT role {name}: {b}");
    }

    /// Create a space as the superuser; panics unless 200.
    pub async fn put_space(&self, id: &str, disabled: &[&str]) {
        let (s, b) = self
            .admin(
                "POST",
                "/api/spaces/space",
                Some(json!({"id": id, "name": id, "disabledFeatures": disabled})),
            )
            .await;
        assert_eq!(s, 200, "create space {id}: {b}");
    }

    /// A native user with these roles; returns its credentials.
    pub fn user<'a>(&self, name: &'a str, roles: &[&str]) -> (&'a str, &'static str) {
        self.node.add_user(name, "user-password", roles);
        (name, "user-password")
    }

    /// The capabilities of `user` in `space` (`None`: the default space, no prefix).
    pub async fn capabilities(&self, user: (&str, &str), space: Option<&str>) -> Value {
        let path = match space {
            Some(s) => format!("/s/{s}/api/core/capabilities"),
            None => "/api/core/capabilities".to_string(),
        };
        let (s, b) = self
            .raw(
                "POST",
                &path,
                Some(user),
                Some(json!({"applications": []})),
                false,
            )
            .await;
        assert_eq!(s, 200, "capabilities: {b}");
        b
    }
}

/// Whether `b` is Kibana's error shape with this status.
pub fn is_kibana_error(b: &Value, status: u16) -> bool {
    b["statusCode"] == json!(status) && b["error"].is_string() && b["message"].is_string()
}
