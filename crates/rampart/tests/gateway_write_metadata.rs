#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A write to an index the gateway's cached metadata does not know yet (created on the
//! upstream by a client or another node within the cache's age) is decided on fresh metadata:
//! it is a write to an existing index, not an auto-create the caller may not be granted.

mod gateway_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gateway_support::Cluster;
use serde_json::json;

const PASSWORD: &str = "password-123";

#[tokio::test]
async fn writes_to_an_index_created_behind_the_gateways_back_are_not_auto_creates() {
    let cluster = Cluster::start().await;
    cluster
        .put_role(
            "writer",
            &json!({"indices": [{"names": ["fresh-*"], "privileges": ["index", "create_doc", "read"]}]}),
        )
        .await;
    cluster.put_user("writer", PASSWORD, &["writer"]).await;
    let user = Some(("writer", PASSWORD));
    // The gateway caches its metadata now, before the indices exist…
    let r = cluster.call(user, "GET", "/fresh-*/_search", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // …then they are created directly on the upstream, and written to at once through the
    // gateway: a single document and a bulk item.
    let mapping = json!({"mappings": {"properties": {"n": {"type": "long"}}}});
    cluster.seed("PUT", "/fresh-1", Some(&mapping), 200).await;
    cluster.seed("PUT", "/fresh-2", Some(&mapping), 200).await;
    let r = cluster
        .call(user, "PUT", "/fresh-1/_doc/1", Some(&json!({"n": 1})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let token = STANDARD.encode(format!("writer:{PASSWORD}"));
    let response = reqwest::Client::new()
        .post(format!("{}/_bulk", cluster.gateway.url))
        .header("authorization", format!("Basic {token}"))
        .header("content-type", "application/x-ndjson")
        .body("{\"create\":{\"_index\":\"fresh-2\",\"_id\":\"1\"}}\n{\"n\":2}\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["items"][0]["create"]["status"], 201, "{answer}");
    // A name nobody created is still an auto-create, which this caller is not granted.
    let r = cluster
        .call(user, "PUT", "/fresh-3/_doc/1", Some(&json!({"n": 3})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.reason()
            .starts_with("action [indices:admin/auto_create] is unauthorized for user [writer]"),
        "{}",
        r.text()
    );
}
