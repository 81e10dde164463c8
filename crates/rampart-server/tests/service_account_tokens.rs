#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Service accounts: listing, token create/list/delete, and Bearer authentication.

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
        .put_role(
            "own_keys",
            &json!({"cluster": ["manage_own_api_key", "monitor"]}),
        )
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

#[tokio::test]
async fn service_tokens_create_authenticate_list_delete() {
    let n = node();
    let elastic = basic("elastic", "elastic-pass");
    let (s, all) = call(&n, "GET", "/_security/service", &elastic, None).await;
    assert_eq!(s, 200);
    assert!(
        all["elastic/fleet-server"]["role_descriptor"]["cluster"].is_array(),
        "{all}"
    );
    assert!(all["elastic/kibana"].is_object());
    let (_, one) = call(
        &n,
        "GET",
        "/_security/service/elastic/fleet-server",
        &elastic,
        None,
    )
    .await;
    assert_eq!(one.as_object().unwrap().len(), 1);
    let (_, none) = call(&n, "GET", "/_security/service/nope", &elastic, None).await;
    assert_eq!(none, json!({}));

    let (s, t) = call(
        &n,
        "POST",
        "/_security/service/elastic/fleet-server/credential/token/api-token-1",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["created"], true);
    assert_eq!(t["token"]["name"], "api-token-1");
    let bearer = format!("Bearer {}", t["token"]["value"].as_str().unwrap());
    let (s, _) = call(
        &n,
        "POST",
        "/_security/service/elastic/fleet-server/credential/token/api-token-1",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 409);

    let (s, who) = call(&n, "GET", "/_security/_authenticate", &bearer, None).await;
    assert_eq!(s, 200, "{who}");
    assert_eq!(who["username"], "elastic/fleet-server");
    assert_eq!(who["roles"], json!([]));
    assert_eq!(who["full_name"], "Service account - elastic/fleet-server");
    assert_eq!(who["token"]["name"], "api-token-1");
    // The account's own descriptor applies: monitor yes, user management no.
    let (s, _) = call(&n, "GET", "/_cluster/health", &bearer, None).await;
    assert_eq!(s, 200);
    let (s, denied) = call(&n, "GET", "/_security/service", &bearer, None).await;
    assert_eq!(s, 403);
    assert!(
        denied["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("elastic/fleet-server"),
        "{denied}"
    );

    let (s, auto) = call(
        &n,
        "POST",
        "/_security/service/elastic/fleet-server/credential/token",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 200, "{auto}");
    let (s, creds) = call(
        &n,
        "GET",
        "/_security/service/elastic/fleet-server/credential",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(creds["service_account"], "elastic/fleet-server");
    assert_eq!(creds["count"], 2);
    assert_eq!(creds["tokens"]["api-token-1"], json!({}));
    assert_eq!(creds["nodes_credentials"]["_nodes"]["failed"], 0);
    let (s, c) = call(
        &n,
        "POST",
        "/_security/service/elastic/fleet-server/credential/token/api-token-1,x/_clear_cache",
        &elastic,
        None,
    )
    .await;
    assert_eq!((s, c["_nodes"]["failed"].clone()), (200, json!(0)));

    let (s, d) = call(
        &n,
        "DELETE",
        "/_security/service/elastic/fleet-server/credential/token/api-token-1",
        &elastic,
        None,
    )
    .await;
    assert_eq!((s, d), (200, json!({"found": true})));
    let (s, d) = call(
        &n,
        "DELETE",
        "/_security/service/elastic/fleet-server/credential/token/api-token-1",
        &elastic,
        None,
    )
    .await;
    assert_eq!((s, d), (404, json!({"found": false})));
    let (s, _) = call(&n, "GET", "/_security/_authenticate", &bearer, None).await;
    assert_eq!(s, 401);

    let (s, b) = call(
        &n,
        "POST",
        "/_security/service/elastic/fleet-server/credential/token/_bad",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = call(
        &n,
        "POST",
        "/_security/service/elastic/nope/credential/token/t1",
        &elastic,
        None,
    )
    .await;
    assert_eq!(s, 400);
    let (s, r) = call(
        &n,
        "POST",
        "/_security/realm/default_native/_clear_cache",
        &elastic,
        None,
    )
    .await;
    assert_eq!((s, r["_nodes"]["successful"].clone()), (200, json!(1)));
}
