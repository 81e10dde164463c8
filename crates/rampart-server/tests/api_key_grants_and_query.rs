#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! API-key grants (single, bulk, run_as, client authentication) and the query API's
//! `search_after` and aggregations.

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

/// A node with `owner`, `other` (manage_own_api_key + monitor), `admin` (manage_api_key),
/// `granter` (grant_api_key) and `runner` (may run as `owner`).
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
    store
        .put_role("granter", &json!({"cluster": ["grant_api_key"]}))
        .unwrap();
    store
        .put_role("runner", &json!({"run_as": ["owner"]}))
        .unwrap();
    for (user, role) in [
        ("owner", "own_keys"),
        ("other", "own_keys"),
        ("admin", "key_admin"),
        ("granter", "granter"),
        ("runner", "runner"),
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

fn key_auth(created: &Value) -> String {
    format!("ApiKey {}", created["encoded"].as_str().unwrap())
}

async fn whoami(node: &Node, auth: &str) -> Value {
    let (s, b) = call(node, "GET", "/_security/_authenticate", auth, None).await;
    assert_eq!(s, 200, "{b}");
    b
}

#[tokio::test]
async fn bulk_grant_creates_every_key_for_the_grantee() {
    let n = node();
    let granter = basic("granter", "password1");
    let body = json!({
        "grant_type": "password", "username": "owner", "password": "password1",
        "api_keys": [{"name": "b1", "expiration": "1d"}, {"name": "b2"}]
    });
    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/_bulk_grant",
        &granter,
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let created = b["created"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["name"], "b1");
    assert!(created[0]["expiration"].is_i64());
    assert!(created[1].get("expiration").is_none());
    let who = whoami(&n, &key_auth(&created[1])).await;
    assert_eq!(who["username"], "owner");
    assert_eq!(who["api_key"]["name"], "b2");

    let missing = json!({"grant_type": "password", "username": "owner", "password": "password1"});
    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/_bulk_grant",
        &granter,
        Some(missing),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["error"]["reason"],
        "Validation Failed: 1: [api_keys] must not be empty;"
    );

    let body = json!({"grant_type": "password", "username": "granter", "password": "password1",
        "api_keys": [{"name": "nope"}]});
    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/_bulk_grant",
        &basic("owner", "password1"),
        Some(body),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    assert!(b["error"]["reason"].as_str().unwrap().starts_with(
        "action [cluster:admin/xpack/security/api_key/grant/bulk] is unauthorized for user [owner]"
    ));
}

#[tokio::test]
async fn grant_with_run_as_gives_the_key_to_the_run_as_user_only_when_allowed() {
    let n = node();
    let granter = basic("granter", "password1");
    let grant = |run_as: &str| {
        json!({"api_key": {"name": "ra"}, "grant_type": "password", "username": "runner",
            "password": "password1", "run_as": run_as})
    };
    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/grant",
        &granter,
        Some(grant("owner")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let who = whoami(&n, &key_auth(&b)).await;
    assert_eq!(who["username"], "owner");
    assert_eq!(who["authentication_realm"]["name"], "_es_api_key");

    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/grant",
        &granter,
        Some(grant("other")),
    )
    .await;
    assert_eq!(s, 403, "{b}");
}

#[tokio::test]
async fn grant_with_token_and_client_authentication_is_rejected() {
    let n = node();
    let (s, t) = call(
        &n,
        "POST",
        "/_security/oauth2/token",
        &basic("elastic", "elastic-pass"),
        Some(json!({"grant_type": "password", "username": "owner", "password": "password1"})),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let body = json!({"api_key": {"name": "x"}, "grant_type": "access_token",
        "access_token": t["access_token"],
        "client_authentication": {"scheme": "SharedSecret", "value": "whatever"}});
    let (s, b) = call(
        &n,
        "POST",
        "/_security/api_key/grant",
        &basic("granter", "password1"),
        Some(body),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "security_exception");
    assert_eq!(
        b["error"]["reason"],
        "[client_authentication] not supported with the supplied access_token type"
    );
}

async fn three_keys(n: &Node) {
    let owner = basic("owner", "password1");
    for (name, exp) in [("k-a", "1d"), ("k-b", "2d"), ("k-c", "3d")] {
        let (s, b) = call(n, "POST", "/_security/api_key", &owner,
            Some(json!({"name": name, "expiration": exp, "metadata": {"tier": if name == "k-c" { "gold" } else { "free" }}}))).await;
        assert_eq!(s, 200, "{b}");
    }
}

#[tokio::test]
async fn query_pages_with_search_after_including_stringified_sort_values() {
    let n = node();
    three_keys(&n).await;
    let admin = basic("admin", "password1");
    let mut after: Option<Value> = None;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let mut q = json!({"sort": ["expiration", "name"], "size": 1});
        if let Some(a) = &after {
            q["search_after"] = a.clone();
        }
        let (s, b) = call(&n, "POST", "/_security/_query/api_key", &admin, Some(q)).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["total"], 3);
        let k = &b["api_keys"][0];
        seen.push(k["name"].as_str().unwrap().to_string());
        // The YAML tests send the epoch back as a string.
        after = Some(json!([k["_sort"][0].to_string(), k["_sort"][1]]));
    }
    assert_eq!(seen, ["k-a", "k-b", "k-c"]);
    let (s, b) = call(
        &n,
        "POST",
        "/_security/_query/api_key",
        &admin,
        Some(json!({"sort": ["name"], "search_after": ["a", "b"]})),
    )
    .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn query_aggregations_bucket_the_matching_keys() {
    let n = node();
    three_keys(&n).await;
    let admin = basic("admin", "password1");
    let aggs = json!({
        "size": 0,
        "aggs": {
            "names": {"composite": {"sources": [{"n": {"terms": {"field": "name"}}}], "size": 2}},
            "tiers": {"terms": {"field": "metadata.tier"}},
            "by_filter": {"filters": {"filters": {"a": {"term": {"name": "k-a"}}}}},
            "exp": {"range": {"field": "expiration", "ranges": [{"to": 1}, {"from": 1}]}},
            "no_tier": {"missing": {"field": "metadata.nothing"}},
            "users": {"cardinality": {"field": "username"}},
            "count": {"value_count": {"field": "name"}}
        }
    });
    let (s, b) = call(&n, "POST", "/_security/_query/api_key", &admin, Some(aggs)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["total"], 3);
    assert_eq!(b["count"], 0);
    let a = &b["aggregations"];
    assert_eq!(a["names"]["buckets"].as_array().unwrap().len(), 2);
    assert_eq!(a["names"]["buckets"][0]["key"]["n"], "k-a");
    assert_eq!(a["names"]["after_key"], json!({"n": "k-b"}));
    assert_eq!(
        a["tiers"]["buckets"][0],
        json!({"key": "free", "doc_count": 2})
    );
    assert_eq!(a["by_filter"]["buckets"]["a"]["doc_count"], 1);
    assert_eq!(a["exp"]["buckets"][1]["doc_count"], 3);
    assert_eq!(a["no_tier"]["doc_count"], 3);
    assert_eq!(a["users"]["value"], 1);
    assert_eq!(a["count"]["value"], 3);

    let bad = json!({"aggs": {"x": {"max": {"field": "creation"}}}});
    let (s, b) = call(&n, "POST", "/_security/_query/api_key", &admin, Some(bad)).await;
    assert_eq!(s, 400, "{b}");
    let bad = json!({"aggs": {"x": {"terms": {"field": "api_key_hash"}}}});
    let (s, b) = call(&n, "POST", "/_security/_query/api_key", &admin, Some(bad)).await;
    assert_eq!(s, 400, "{b}");
}
