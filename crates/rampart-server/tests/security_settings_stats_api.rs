#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_security/settings`, `_security/stats`, and OAuth2 tokens minted by service accounts.

mod common;

use common::TestNode;
use serde_json::{Value, json};

#[tokio::test]
async fn security_index_settings_round_trip() {
    let node = TestNode::new();
    let (s, b) = node.admin("GET", "/_security/settings", None).await;
    assert_eq!(s, 200, "{b}");
    for index in ["security", "security-tokens", "security-profile"] {
        assert_eq!(b[index]["index"]["number_of_replicas"], "0", "{b}");
        assert_eq!(b[index]["index"]["auto_expand_replicas"], "0-1", "{b}");
    }
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/settings",
            Some(json!({"security": {"index.auto_expand_replicas": "0-all"},
                        "security-profile": {"index": {"auto_expand_replicas": "0-all"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b, json!({"acknowledged": true}));
    let (_, b) = node.admin("GET", "/_security/settings", None).await;
    assert_eq!(b["security"]["index"]["auto_expand_replicas"], "0-all");
    assert_eq!(
        b["security-profile"]["index"]["auto_expand_replicas"],
        "0-all"
    );
    assert_eq!(b["security-tokens"]["index"]["auto_expand_replicas"], "0-1");

    // null resets a setting; numbers are kept as ES strings.
    node.admin(
        "PUT",
        "/_security/settings",
        Some(json!({"security": {"index.auto_expand_replicas": null, "index.number_of_replicas": 1}})),
    )
    .await;
    let (_, b) = node.admin("GET", "/_security/settings", None).await;
    assert_eq!(b["security"]["index"]["number_of_replicas"], "1");
    assert!(
        b["security"]["index"].get("auto_expand_replicas").is_none(),
        "{b}"
    );

    let (s, b) = node
        .admin(
            "PUT",
            "/_security/settings",
            Some(json!({"security": {"index.max_ngram_diff": 0}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(b["error"]["reason"].as_str().unwrap().contains(
        "illegal settings for index [security]: [index.max_ngram_diff], these settings may not be configured."
    ));
    let (s, _) = node
        .admin("PUT", "/_security/settings", Some(json!({})))
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn settings_need_security_privileges() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/reader",
        Some(json!({"cluster": ["read_security"]})),
    )
    .await;
    node.put_user("reader", "reader-password", &["reader"])
        .await;
    let user = ("reader", "reader-password");
    let (s, _) = node.call_as(user, "GET", "/_security/settings", None).await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(
            user,
            "PUT",
            "/_security/settings",
            Some(json!({"security": {"index.number_of_replicas": 1}})),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn stats_count_roles_per_store() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/dls_role",
        Some(json!({"indices": [{"names": ["a"], "privileges": ["read"], "query": "{\"match_all\":{}}"}]})),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/plain",
        Some(json!({"cluster": ["monitor"]})),
    )
    .await;
    let (s, b) = node.admin("GET", "/_security/stats", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["_nodes"]["total"], 1);
    let nodes = b["nodes"].as_object().unwrap();
    assert_eq!(nodes.len(), 1);
    let roles = &nodes.values().next().unwrap()["roles"];
    assert_eq!(roles["native"], json!({"size": 2, "dls": 1, "fls": 0}));
    assert_eq!(roles["dls"]["bit_set_cache"]["count"], 0);
}

/// Creates a token for the `elastic/{account}` service account and asks for an OAuth2 token
/// with it (`client_credentials`); the status and body of that request.
async fn client_credentials_token(node: &TestNode, account: &str, name: &str) -> (u16, Value) {
    let (s, t) = node
        .admin(
            "POST",
            &format!("/_security/service/elastic/{account}/credential/token/{name}"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let bearer = format!("Bearer {}", t["token"]["value"].as_str().unwrap());
    node.call_auth(
        "POST",
        "/_security/oauth2/token",
        &bearer,
        Some(json!({"grant_type": "client_credentials"})),
    )
    .await
}

#[tokio::test]
async fn kibana_service_account_mints_oauth_tokens() {
    let node = TestNode::new();
    let (s, tok) = client_credentials_token(&node, "kibana", "oauth-token-kibana").await;
    assert_eq!(s, 200, "{tok}");
    assert_eq!(tok["type"], "Bearer");
    assert_eq!(tok["expires_in"], 1200);
    assert!(tok.get("refresh_token").is_none());

    let access = format!("Bearer {}", tok["access_token"].as_str().unwrap());
    let (s, me) = node
        .call_auth("GET", "/_security/_authenticate", &access, None)
        .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["username"], "elastic/kibana");
    assert_eq!(me["authentication_type"], "token");
    assert_eq!(me["metadata"]["_elastic_service_account"], true);
    assert_eq!(me["token"]["name"], "oauth-token-kibana");
    assert_eq!(me["token"]["type"], "_service_account_index");

    // The token carries the account's permissions, not a user's stored roles.
    let (s, _) = node
        .call_auth("GET", "/_security/user", &access, None)
        .await;
    assert_eq!(s, 403);

    // A profile is only for users.
    let (s, b) = node
        .admin(
            "POST",
            "/_security/profile/_activate",
            Some(json!({"grant_type": "access_token", "access_token": tok["access_token"]})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("subject is a [service_account]")
    );
}

#[tokio::test]
async fn fleet_server_cannot_mint_oauth_tokens() {
    let node = TestNode::new();
    let (s, b) = client_credentials_token(&node, "fleet-server", "oauth-token-fleet").await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(b["error"]["type"], "security_exception");
}
