#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! OAuth2 tokens: password grant → Bearer → single-use refresh → invalidate → 401.

mod common;

use common::{TestNode, basic};
use serde_json::{Value, json};

/// A node with `owner` (manage_own_api_key + monitor) and `admin` (manage_api_key).
fn node() -> TestNode {
    let n = TestNode::new();
    let store = n.state.store.clone();
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
        n.add_user(user, "password1", &[role]);
    }
    n
}

fn bearer(t: &Value) -> String {
    format!("Bearer {}", t.as_str().unwrap())
}

#[tokio::test]
async fn password_grant_bearer_refresh_once_and_invalidate() {
    let n = node();
    let owner = basic("owner", "password1");
    let (s, t) = n
        .call_auth(
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

    let (s, who) = n
        .call_auth("GET", "/_security/_authenticate", &access, None)
        .await;
    assert_eq!(s, 200, "{who}");
    assert_eq!(who["username"], "other");
    assert_eq!(who["authentication_type"], "token");
    assert_eq!(who["authentication_realm"]["name"], "default_native");

    // Refresh works once, by the user the token was issued to.
    let refresh = json!({"grant_type": "refresh_token", "refresh_token": t["refresh_token"]});
    let (s, r) = n
        .call_auth(
            "POST",
            "/_security/oauth2/token",
            &access,
            Some(refresh.clone()),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_ne!(r["access_token"], t["access_token"]);
    let (s, again) = n
        .call_auth("POST", "/_security/oauth2/token", &access, Some(refresh))
        .await;
    assert_eq!(s, 400);
    assert_eq!(again["error"], "invalid_grant");

    // Invalidate the new access token: it stops authenticating; the old one still works.
    let (s, inv) = n
        .call_auth(
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
    let (s, _) = n
        .call_auth(
            "GET",
            "/_security/_authenticate",
            &bearer(&r["access_token"]),
            None,
        )
        .await;
    assert_eq!(s, 401);
    let (s, _) = n
        .call_auth("GET", "/_security/_authenticate", &access, None)
        .await;
    assert_eq!(s, 200);
    let (s, inv) = n
        .call_auth(
            "DELETE",
            "/_security/oauth2/token",
            &owner,
            Some(json!({"username": "other"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(inv["invalidated_tokens"], 1);
    let (s, _) = n
        .call_auth("GET", "/_security/_authenticate", &access, None)
        .await;
    assert_eq!(s, 401);
    let (s, _) = n
        .call_auth(
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
    let (s, b) = n
        .call_auth(
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
    let (s, _) = n
        .call_auth(
            "POST",
            "/_security/oauth2/token",
            &basic("owner", "password1"),
            Some(json!({"grant_type": "password", "username": "other", "password": "bad"})),
        )
        .await;
    assert_eq!(s, 401);
    // Without manage_token the token APIs are denied.
    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/oauth2/token",
            &basic("admin", "password1"),
            Some(json!({"grant_type": "client_credentials"})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    let (s, c) = n
        .call_auth(
            "POST",
            "/_security/oauth2/token",
            &basic("owner", "password1"),
            Some(json!({"grant_type": "client_credentials"})),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert!(c.get("refresh_token").is_none());
}
