#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Service accounts: listing, token create/list/delete, and Bearer authentication.

mod common;

use common::{SUPERUSER, TestNode, basic};
use serde_json::json;

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

#[tokio::test]
async fn service_tokens_create_authenticate_list_delete() {
    let n = node();
    let elastic = basic(SUPERUSER.0, SUPERUSER.1);
    let (s, all) = n
        .call_auth("GET", "/_security/service", &elastic, None)
        .await;
    assert_eq!(s, 200);
    assert!(
        all["elastic/fleet-server"]["role_descriptor"]["cluster"].is_array(),
        "{all}"
    );
    assert!(all["elastic/kibana"].is_object());
    let (_, one) = n
        .call_auth(
            "GET",
            "/_security/service/elastic/fleet-server",
            &elastic,
            None,
        )
        .await;
    assert_eq!(one.as_object().unwrap().len(), 1);
    let (_, none) = n
        .call_auth("GET", "/_security/service/nope", &elastic, None)
        .await;
    assert_eq!(none, json!({}));

    let (s, t) = n
        .call_auth(
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
    let (s, _) = n
        .call_auth(
            "POST",
            "/_security/service/elastic/fleet-server/credential/token/api-token-1",
            &elastic,
            None,
        )
        .await;
    assert_eq!(s, 409);

    let (s, who) = n
        .call_auth("GET", "/_security/_authenticate", &bearer, None)
        .await;
    assert_eq!(s, 200, "{who}");
    assert_eq!(who["username"], "elastic/fleet-server");
    assert_eq!(who["roles"], json!([]));
    assert_eq!(who["full_name"], "Service account - elastic/fleet-server");
    assert_eq!(who["token"]["name"], "api-token-1");
    // The account's own descriptor applies: monitor yes, user management no.
    let (s, _) = n.call_auth("GET", "/_cluster/health", &bearer, None).await;
    assert_eq!(s, 200);
    let (s, denied) = n
        .call_auth("GET", "/_security/service", &bearer, None)
        .await;
    assert_eq!(s, 403);
    assert!(
        denied["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("elastic/fleet-server"),
        "{denied}"
    );

    let (s, auto) = n
        .call_auth(
            "POST",
            "/_security/service/elastic/fleet-server/credential/token",
            &elastic,
            None,
        )
        .await;
    assert_eq!(s, 200, "{auto}");
    let (s, creds) = n
        .call_auth(
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
    let (s, c) = n
        .call_auth(
            "POST",
            "/_security/service/elastic/fleet-server/credential/token/api-token-1,x/_clear_cache",
            &elastic,
            None,
        )
        .await;
    assert_eq!((s, c["_nodes"]["failed"].clone()), (200, json!(0)));

    let (s, d) = n
        .call_auth(
            "DELETE",
            "/_security/service/elastic/fleet-server/credential/token/api-token-1",
            &elastic,
            None,
        )
        .await;
    assert_eq!((s, d), (200, json!({"found": true})));
    let (s, d) = n
        .call_auth(
            "DELETE",
            "/_security/service/elastic/fleet-server/credential/token/api-token-1",
            &elastic,
            None,
        )
        .await;
    assert_eq!((s, d), (404, json!({"found": false})));
    let (s, _) = n
        .call_auth("GET", "/_security/_authenticate", &bearer, None)
        .await;
    assert_eq!(s, 401);

    let (s, b) = n
        .call_auth(
            "POST",
            "/_security/service/elastic/fleet-server/credential/token/_bad",
            &elastic,
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = n
        .call_auth(
            "POST",
            "/_security/service/elastic/nope/credential/token/t1",
            &elastic,
            None,
        )
        .await;
    assert_eq!(s, 400);
    let (s, r) = n
        .call_auth(
            "POST",
            "/_security/realm/default_native/_clear_cache",
            &elastic,
            None,
        )
        .await;
    assert_eq!((s, r["_nodes"]["successful"].clone()), (200, json!(1)));
}
