//! Shared helpers for the server's integration tests: a node on a temp data dir with a known
//! `elastic` password and cheap hashing, and one-call request helpers.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt;
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};
use rampart_server::state::SharedState;
use rampart_store::UserRecord;
use serde_json::Value;
use tower::ServiceExt;

/// The `elastic` password of every test node.
pub const ELASTIC_PASSWORD: &str = "elastic-test-password";
/// The superuser credentials.
pub const SUPERUSER: (&str, &str) = ("elastic", ELASTIC_PASSWORD);

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The body as JSON (`Value::Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A test node: state, router and the temp directory that backs it.
pub struct TestNode {
    pub state: SharedState,
    pub app: Router,
    pub dir: tempfile::TempDir,
}

/// Settings every test node uses (bcrypt cost 4 keeps hashing cheap).
pub fn test_settings(extra: &[(&str, &str)]) -> Settings {
    let mut s = Settings::default();
    s.set("xpack.security.authc.password_hashing.algorithm", "bcrypt4");
    for (k, v) in extra {
        s.set(k, *v);
    }
    s
}

impl TestNode {
    pub fn new() -> Self {
        Self::with_settings(&[])
    }

    pub fn with_settings(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = NodeConfig {
            data_dir: dir.path().join("data"),
            config_dir: Some(dir.path().join("config")),
            settings: test_settings(extra),
            elastic_password: Some(ELASTIC_PASSWORD.to_string()),
        };
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        let (state, _) = build_state(&config).expect("node starts");
        let app = rampart_server::app(std::sync::Arc::clone(&state));
        TestNode { state, app, dir }
    }

    /// A native user written straight to the store (independent of the user API).
    pub fn add_user(&self, name: &str, password: &str, roles: &[&str]) {
        let hash = self
            .state
            .authn
            .algorithm
            .hash(password)
            .expect("hash password");
        self.state
            .store
            .put_user(&UserRecord {
                username: name.to_string(),
                password_hash: hash,
                roles: roles.iter().map(|r| r.to_string()).collect(),
                full_name: None,
                email: None,
                metadata: Default::default(),
                enabled: true,
            })
            .expect("store user");
    }

    /// Send a request as built.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            bytes,
        }
    }

    /// `method path` as `user` (Basic auth) with an optional JSON body; status and JSON.
    /// `method` is a `Method` or a `&str`; `user` a `(name, password)` pair or an `Option` of one.
    pub async fn call<'a>(
        &self,
        method: impl IntoMethod,
        path: &str,
        user: impl Into<Option<(&'a str, &'a str)>>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let auth = user.into().map(|(u, p)| basic(u, p));
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("json"));
        let r = self
            .call_raw_auth(method.into_method(), path, auth.as_deref(), bytes)
            .await;
        (r.status, r.json())
    }

    /// `call` as the superuser.
    pub async fn admin(
        &self,
        method: impl IntoMethod,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call(method, path, SUPERUSER, body).await
    }

    /// A native user created through the user API as the superuser.
    pub async fn put_user(&self, name: &str, password: &str, roles: &[&str]) {
        let (s, b) = self
            .admin(
                "PUT",
                &format!("/_security/user/{name}"),
                Some(serde_json::json!({"password": password, "roles": roles})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }

    /// The status of `GET /_cluster/health` as `user`: 200 when the credentials authenticate.
    pub async fn health_status(&self, user: (&str, &str)) -> u16 {
        self.call("GET", "/_cluster/health", user, None).await.0
    }

    /// `call` with the user first.
    pub async fn call_as(
        &self,
        user: (&str, &str),
        method: impl IntoMethod,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call(method, path, user, body).await
    }

    /// `call` with a whole `Authorization` header value (`Basic …`, `Bearer …`, `ApiKey …`).
    pub async fn call_auth(
        &self,
        method: impl IntoMethod,
        path: &str,
        authorization: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("json"));
        let r = self
            .call_raw_auth(method.into_method(), path, Some(authorization), bytes)
            .await;
        (r.status, r.json())
    }

    /// Like `call` with raw body bytes, returning the whole response.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        user: Option<(&str, &str)>,
        body: Option<Vec<u8>>,
    ) -> Resp {
        let auth = user.map(|(u, p)| basic(u, p));
        self.call_raw_auth(method, path, auth.as_deref(), body)
            .await
    }

    /// Like `call_raw` with a whole `Authorization` header value.
    pub async fn call_raw_auth(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(auth) = authorization {
            b = b.header("authorization", auth);
        }
        let req = match body {
            Some(bytes) => b
                .header("content-type", "application/json")
                .body(Body::from(bytes)),
            None => b.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }
}

impl Default for TestNode {
    fn default() -> Self {
        Self::new()
    }
}

/// A request method given as `Method` or as its name.
pub trait IntoMethod {
    fn into_method(self) -> Method;
}

impl IntoMethod for Method {
    fn into_method(self) -> Method {
        self
    }
}

impl IntoMethod for &str {
    fn into_method(self) -> Method {
        Method::from_bytes(self.as_bytes()).expect("method name")
    }
}

/// The `reason` of an ES error body (`""` when absent).
pub fn reason(body: &Value) -> &str {
    body["error"]["reason"].as_str().unwrap_or_default()
}

/// A `Basic` Authorization header value.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// Whether a body is ES's error envelope for `status`.
pub fn is_es_error(body: &Value, status: u16) -> bool {
    body["status"] == status
        && body["error"]["type"].is_string()
        && body["error"]["reason"].is_string()
        && body["error"]["root_cause"].is_array()
}
