#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Writes through an alias granted only on the alias, through a gateway (section 6.3, shared
//! with the embedded plane through `data::write::authorize_items`): the write reaches the
//! alias's index upstream; the same write by the index's own name is refused by the gateway.

mod gateway_support;

use gateway_support::Cluster;
use serde_json::json;

const PASSWORD: &str = "password-123";

#[tokio::test]
async fn a_grant_on_an_alias_writes_through_it_and_not_by_index_name() {
    let cluster = Cluster::start().await;
    cluster.seed("PUT", "/idx", None, 200).await;
    let add = json!({"actions": [{"add": {"index": "idx", "alias": "idx-alias"}}]});
    cluster.seed("POST", "/_aliases", Some(&add), 200).await;
    cluster
        .put_roles(vec![(
            "aw".to_string(),
            json!({"indices": [{"names": ["idx-alias"], "privileges": ["write"]}]}),
        )])
        .await;
    cluster.put_users(&[("aw", PASSWORD, &["aw"])]).await;
    let user = Some(("aw", PASSWORD));

    let doc = json!({"title": "through the alias"});
    let r = cluster
        .call(user, "PUT", "/idx-alias/_doc/1", Some(&doc))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = cluster.direct("GET", "/idx/_doc/1", None).await;
    assert_eq!(r.json()["_source"], doc, "{}", r.text());

    let r = cluster.call(user, "PUT", "/idx/_doc/2", Some(&doc)).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.reason()
            .starts_with("action [indices:data/write/bulk[s]] is unauthorized for user [aw]"),
        "{}",
        r.text()
    );
    let r = cluster.direct("GET", "/idx/_doc/2", None).await;
    assert_eq!(r.status, 404, "{}", r.text());
}
