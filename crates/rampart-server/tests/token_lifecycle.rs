#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! OAuth2 tokens: password grant → Bearer → single-use refresh → invalidate → 401.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_server::authn::password::Algorithm;
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};
use rampart_store::UserRecord;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Node {
    app: Router,
    _dir: tempfile::TempDir,
}

fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

/// A node with `owner` (manage_own_api_key + monitor) and `admin` (manage_api_key).
fn node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.set("xpack.security.authc.password_hashing.algorithm", "bcrypt4");
    let (state, _) = build_state(&NodeConfig {
        data_dir: dir.path().to_path_buf(),
        config_dir: None,
        settings,
        elastic_password: Some("elastic-pass".into()),
    })
    .unwrap();
    let store = state.store.clone();
    store
        .put_role("own_keys", &json!({"cluster": ["manage_token", "monitor"]}))
        .unwrap();
    store
        .put_role("key_admin", &json!({"cluster": ["manage_api_key"]}))
        .unwrap();
    for (user, role) in [
        ("owner", "own_keys"),
        ("other", "own_keys"),
        ("admin", "key_admin"),
    ] {
        store
            .put_user(&UserRecord {
                username: user.into(),
                password_hash: Algorithm::Bcrypt { cost: 4 }.hash("password1").unwrap(),
                roles: vec![role.into()],
                full_name: None,
                email: None,
                metadata: Default::default(),
                enabled: true,
            })
            .unwrap();
    }
    Node {
        app: rampart_server::app(state),
        _dir: dir,
    }
}

async fn call(
    node: &Node,
    method: &str,
    uri: &str,
    auth: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let resp = node.app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn bearer(t: &Value) -> String {
    format!("Bearer {}", t.as_str().unwrap())
}

#[tokio::test]
async fn password_grant_bearer_refresh_once_and_invalidate() {
    let n = node();
    let owner = basic("owner", "password1");
    let (s, t) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &owner,
        Some(json!({"grant_type": "password", "username": "other", "password": "password1"})),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["type"], "Bearer");
    assert_eq!(t["expires_in"], 1200);
    assert!(t.get("scope").is_none());
    assert_eq!(t["authentication"]["username"], "other");
    let access = bearer(&t["access_token"]);

    let (s, who) = call(&n, "GET", "/_security/_authenticate", &access, None).await;
    assert_eq!(s, 200, "{who}");
    assert_eq!(who["username"], "other");
    assert_eq!(who["authentication_type"], "token");
    assert_eq!(who["authentication_realm"]["name"], "default_native");

    // Refresh works once, by the user the token was issued to.
    let refresh = json!({"grant_type": "refresh_token", "refresh_token": t["refresh_token"]});
    let (s, r) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &access,
        Some(refresh.clone()),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_ne!(r["access_token"], t["access_token"]);
    let (s, again) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &access,
        Some(refresh),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(again["error"], "invalid_grant");

    // Invalidate the new access token: it stops authenticating; the old one still works.
    let (s, inv) = call(
        &n,
        "DELETE",
        "/_security/oauth2/token",
        &owner,
        Some(json!({"token": r["access_token"]})),
    )
    .await;
    assert_eq!(s, 200, "{inv}");
    assert_eq!(
        inv,
        json!({"invalidated_tokens": 1, "previously_invalidated_tokens": 0, "error_count": 0})
    );
    let (s, _) = call(
        &n,
        "GET",
        "/_security/_authenticate",
        &bearer(&r["access_token"]),
        None,
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = call(&n, "GET", "/_security/_authenticate", &access, None).await;
    assert_eq!(s, 200);
    let (s, inv) = call(
        &n,
        "DELETE",
        "/_security/oauth2/token",
        &owner,
        Some(json!({"username": "other"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(inv["invalidated_tokens"], 1);
    let (s, _) = call(&n, "GET", "/_security/_authenticate", &access, None).await;
    assert_eq!(s, 401);
    let (s, _) = call(
        &n,
        "GET",
        "/_security/_authenticate",
        "Bearer not-a-token",
        None,
    )
    .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn token_requests_are_validated_and_authorized() {
    let n = node();
    let (s, b) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &basic("owner", "password1"),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["error"]["reason"],
        "Validation Failed: 1: grant_type is missing;"
    );
    let (s, _) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &basic("owner", "password1"),
        Some(json!({"grant_type": "password", "username": "other", "password": "bad"})),
    )
    .await;
    assert_eq!(s, 401);
    // Without manage_token the token APIs are denied.
    let (s, b) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &basic("admin", "password1"),
        Some(json!({"grant_type": "client_credentials"})),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let (s, c) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &basic("owner", "password1"),
        Some(json!({"grant_type": "client_credentials"})),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    assert!(c.get("refresh_token").is_none());
}
