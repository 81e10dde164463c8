#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! API keys end to end: create → authenticate → key ∩ owner permissions → invalidate → 401,
//! ownership rules of manage_own_api_key, get/query/update.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{SUPERUSER, TestNode, basic};
use serde_json::{Value, json};

/// A node with `owner` (manage_own_api_key + monitor) and `admin` (manage_api_key).
fn node() -> TestNode {
    let n = TestNode::new();
    let store = n.state.store.clone();
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
        n.add_user(user, "password1", &[role]);
    }
    n
}

async fn create_key(node: &TestNode, auth: &str, body: Value) -> (String, String) {
    let (s, b) = node
        .call_auth("POST", "/_security/api_key", auth, Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
    (
        b["id"].as_str().unwrap().to_string(),
        format!("ApiKey {}", b["encoded"].as_str().unwrap()),
    )
}

#[tokio::test]
async fn key_authenticates_with_key_and_owner_intersection_until_invalidated() {
    let n = node();
    let owner = basic("owner", "password1");
    let (s, b) = n.call_auth("POST",
        "/_security/api_key",
        &owner,
        Some(json!({"name": "k1", "expiration": "1d", "role_descriptors": {"r": {"cluster": ["monitor"]}}})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["name"], "k1");
    assert!(b["expiration"].as_i64().unwrap() > 0);
    let id = b["id"].as_str().unwrap();
    let encoded = STANDARD.encode(format!("{id}:{}", b["api_key"].as_str().unwrap()));
    assert_eq!(b["encoded"], json!(encoded));
    let key = format!("ApiKey {encoded}");

    let (s, who) = n
        .call_auth("GET", "/_security/_authenticate", &key, None)
        .await;
    assert_eq!(s, 200, "{who}");
    assert_eq!(who["username"], "owner");
    assert_eq!(who["authentication_type"], "api_key");
    assert_eq!(who["authentication_realm"]["name"], "_es_api_key");
    assert_eq!(who["api_key"]["name"], "k1");
    assert_eq!(who["roles"], json!([]));

    // Allowed by both sides.
    let (s, _) = n.call_auth("GET", "/_cluster/health", &key, None).await;
    assert_eq!(s, 200);

    // A key that claims more than its owner has gets no more than the owner.
    let (_, greedy) = create_key(
        &n,
        &owner,
        json!({"name": "greedy", "role_descriptors": {"r": {"cluster": ["all"]}}}),
    )
    .await;
    let (s, body) = n
        .call_auth("GET", "/_security/service", &greedy, None)
        .await;
    assert_eq!(s, 403, "{body}");
    assert!(
        body["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("API key id"),
        "{body}"
    );

    // A key narrower than its owner cannot use the owner's other privileges.
    let (_, narrow) = create_key(
        &n,
        &owner,
        json!({"name": "narrow", "role_descriptors": {"r": {"cluster": ["manage_own_api_key"]}}}),
    )
    .await;
    let (s, _) = n.call_auth("GET", "/_cluster/health", &narrow, None).await;
    assert_eq!(s, 403);

    // Invalidate (owner=true with manage_own_api_key) → the key no longer authenticates.
    let (s, inv) = n
        .call_auth(
            "DELETE",
            "/_security/api_key",
            &owner,
            Some(json!({"ids": [id], "owner": true})),
        )
        .await;
    assert_eq!(s, 200, "{inv}");
    assert_eq!(inv["invalidated_api_keys"], json!([id]));
    assert_eq!(inv["error_count"], 0);
    let (s, again) = n
        .call_auth(
            "DELETE",
            "/_security/api_key",
            &owner,
            Some(json!({"ids": [id], "owner": true})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(again["previously_invalidated_api_keys"], json!([id]));
    let (s, body) = n
        .call_auth("GET", "/_security/_authenticate", &key, None)
        .await;
    assert_eq!(s, 401);
    assert_eq!(
        body["error"]["reason"],
        "unable to authenticate with provided credentials and anonymous access is not allowed for this request"
    );
    let (s, _) = n
        .call_auth(
            "GET",
            "/_security/_authenticate",
            "ApiKey Zm9vOmJhcg==",
            None,
        )
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn manage_own_api_key_reaches_only_own_keys() {
    let n = node();
    let owner = basic("owner", "password1");
    let other = basic("other", "password1");
    let (id, _) = create_key(&n, &owner, json!({"name": "mine"})).await;
    create_key(&n, &other, json!({"name": "theirs"})).await;

    // Without owner=true a realm user with manage_own_api_key is denied.
    let (s, body) = n
        .call_auth(
            "DELETE",
            "/_security/api_key",
            &other,
            Some(json!({"ids": [id]})),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(
        body["error"]["reason"],
        "action [cluster:admin/xpack/security/api_key/invalidate] is unauthorized for user [other] with effective roles [own_keys], this action is granted by the cluster privileges [manage_api_key,manage_security,all]"
    );
    // With owner=true the other user's own keys are selected, never the owner's.
    let (s, body) = n
        .call_auth(
            "DELETE",
            "/_security/api_key",
            &other,
            Some(json!({"ids": [id], "owner": true})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["invalidated_api_keys"], json!([]));

    let (s, mine) = n
        .call_auth("GET", "/_security/api_key?owner=true", &owner, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(mine["api_keys"].as_array().unwrap().len(), 1);
    assert_eq!(mine["api_keys"][0]["name"], "mine");
    assert_eq!(mine["api_keys"][0]["realm"], "default_native");
    assert!(mine["api_keys"][0].get("limited_by").is_none());
    let (s, _) = n
        .call_auth("GET", &format!("/_security/api_key?id={id}"), &owner, None)
        .await;
    assert_eq!(s, 403);

    // The query API is restricted to the caller's keys.
    let (s, q) = n
        .call_auth("POST", "/_security/_query/api_key", &owner, Some(json!({})))
        .await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(q["total"], 1);
    assert_eq!(q["api_keys"][0]["name"], "mine");

    // An admin sees everything, by id and by query, and limited_by on request.
    let admin = basic("admin", "password1");
    let (s, got) = n
        .call_auth(
            "GET",
            &format!("/_security/api_key?id={id}&with_limited_by=true"),
            &admin,
            None,
        )
        .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(
        got["api_keys"][0]["limited_by"][0]["own_keys"]["cluster"],
        json!(["manage_own_api_key", "monitor"])
    );
    let (s, q) = n
        .call_auth(
            "POST",
            "/_security/_query/api_key",
            &admin,
            Some(json!({"query": {"prefix": {"name": "th"}}, "sort": ["name"]})),
        )
        .await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(
        (q["total"].clone(), q["api_keys"][0]["name"].clone()),
        (json!(1), json!("theirs"))
    );
    let (s, _) = n
        .call_auth("GET", "/_security/api_key?id=nope", &admin, None)
        .await;
    assert_eq!(s, 404);
    let (s, bad) = n
        .call_auth(
            "POST",
            "/_security/_query/api_key",
            &admin,
            Some(json!({"query": {"term": {"api_key_hash": "x"}}})),
        )
        .await;
    assert_eq!(s, 400, "{bad}");
}

#[tokio::test]
async fn update_derived_keys_and_validation() {
    let n = node();
    let owner = basic("owner", "password1");
    let (id, key) = create_key(&n, &owner, json!({"name": "u"})).await;

    let (s, b) = n
        .call_auth(
            "PUT",
            &format!("/_security/api_key/{id}"),
            &owner,
            Some(json!({"metadata": {"env": "prod"}})),
        )
        .await;
    assert_eq!((s, b.clone()), (200, json!({"updated": true})), "{b}");
    let (_, b) = n
        .call_auth(
            "PUT",
            &format!("/_security/api_key/{id}"),
            &owner,
            Some(json!({"metadata": {"env": "prod"}})),
        )
        .await;
    assert_eq!(b, json!({"updated": false}));
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/api_key/_bulk_update",
            &owner,
            Some(json!({"ids": [id, "missing"], "metadata": {"env": "dev"}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["updated"], json!([id]));
    assert_eq!(b["errors"]["count"], 1);

    // An API key cannot update keys; derived keys need an explicit empty descriptor.
    let (s, _) = n
        .call_auth(
            "PUT",
            &format!("/_security/api_key/{id}"),
            &key,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/api_key",
            &key,
            Some(json!({"name": "d"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["error"]["reason"],
        "creating derived api keys requires an explicit role descriptor that is empty (has no privileges)"
    );
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/api_key",
            &key,
            Some(json!({"name": "d", "role_descriptors": {"none": {}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // Validation comes before authorization.
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/api_key",
            &owner,
            Some(json!({"name": "_x"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["error"]["reason"],
        "Validation Failed: 1: api key name may not begin with an underscore;"
    );
    let (s, _) = n
        .call_auth(
            "POST",
            "/_security/api_key",
            &owner,
            Some(json!({"name": "x", "expiration": "1y"})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/api_key/abc/_clear_cache",
            &basic(SUPERUSER.0, SUPERUSER.1),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["_nodes"]["failed"], 0);
    let (s, _) = n
        .call_auth(
            "POST",
            "/_security/cross_cluster/api_key",
            &basic(SUPERUSER.0, SUPERUSER.1),
            Some(json!({"name": "c"})),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn grant_needs_grant_api_key_and_creates_for_the_grantee() {
    let n = node();
    let (s, b) = n.call_auth("POST",
        "/_security/api_key/grant",
        &basic("owner", "password1"),
        Some(json!({"grant_type": "password", "username": "other", "password": "password1", "api_key": {"name": "g"}})),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let elastic = basic(SUPERUSER.0, SUPERUSER.1);
    let (s, b) = n.call_auth("POST",
        "/_security/api_key/grant",
        &elastic,
        Some(json!({"grant_type": "password", "username": "other", "password": "password1", "api_key": {"name": "g"}})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let key = format!("ApiKey {}", b["encoded"].as_str().unwrap());
    let (_, who) = n
        .call_auth("GET", "/_security/_authenticate", &key, None)
        .await;
    assert_eq!(who["username"], "other");
    let (s, _) = n.call_auth("POST",
        "/_security/api_key/grant",
        &elastic,
        Some(json!({"grant_type": "password", "username": "other", "password": "wrong", "api_key": {"name": "g"}})),
    )
    .await;
    assert_eq!(s, 401);
}
