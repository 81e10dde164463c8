#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Data streams under security: `_data_stream/_stats` lists only what the caller may monitor,
//! `_resolve/index` lists authorized data streams, and `create_doc` may append documents
//! that fit a data stream's mapping but not ones that add fields (`auto_put` is not granted
//! by `create_doc` on data streams; it is on plain indices, ES's BWC rule).

mod common;

use axum::http::Method;
use common::TestNode;
use serde_json::json;

const PW: &str = "password-123";

async fn node() -> TestNode {
    let node = TestNode::new();
    let template = json!({"index_patterns": ["ds-*"], "data_stream": {},
        "template": {"mappings": {"properties": {
            "@timestamp": {"type": "date"}, "foo": {"type": "keyword"}}}}});
    let (s, b) = node
        .admin("PUT", "/_index_template/ds", Some(template))
        .await;
    assert_eq!(s, 200, "{b}");
    for name in ["ds-zed", "ds-app"] {
        let (s, b) = node
            .admin("PUT", &format!("/_data_stream/{name}"), None)
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let role = json!({"indices": [
        {"names": ["ds-zed*"], "privileges": ["monitor", "view_index_metadata"]},
        {"names": ["ds-*", "plain"], "privileges": ["create_doc"]}]});
    node.admin("PUT", "/_security/role/ingest", Some(role))
        .await;
    node.add_user("ing", PW, &["ingest"]);
    let none = json!({"indices": [{"names": ["nothing"], "privileges": ["monitor"]}]});
    node.admin("PUT", "/_security/role/none", Some(none)).await;
    node.add_user("nobody", PW, &["none"]);
    node
}

#[tokio::test]
async fn stats_list_only_monitored_streams_oldest_first() {
    let node = node().await;
    let (s, b) = node
        .admin(
            "POST",
            "/ds-app/_doc?refresh=true",
            Some(json!({"@timestamp": "2024-01-02T00:00:00Z", "foo": "x"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node.admin("GET", "/_data_stream/_stats", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (&b["data_stream_count"], &b["backing_indices"]),
        (&json!(2), &json!(2)),
        "{b}"
    );
    // Creation order, not name order.
    assert_eq!(b["data_streams"][0]["data_stream"], "ds-zed", "{b}");
    assert_eq!(b["data_streams"][0]["maximum_timestamp"], 0, "{b}");
    assert_eq!(b["data_streams"][1]["data_stream"], "ds-app", "{b}");
    assert_eq!(
        b["data_streams"][1]["maximum_timestamp"], 1_704_153_600_000_i64,
        "{b}"
    );
    assert!(b["total_store_size_bytes"].as_u64().unwrap() > 0, "{b}");

    let (s, b) = node
        .call("GET", "/_data_stream/_stats", ("ing", PW), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data_stream_count"], 1, "{b}");
    assert_eq!(b["data_streams"][0]["data_stream"], "ds-zed", "{b}");
    let (s, b) = node
        .call("GET", "/_data_stream/_stats", ("nobody", PW), None)
        .await;
    assert_eq!((s, &b["data_stream_count"]), (200, &json!(0)), "{b}");
    assert_eq!(b["data_streams"], json!([]), "{b}");
    // A named stream the caller may not monitor is a 403.
    let (s, b) = node
        .call("GET", "/_data_stream/ds-app/_stats", ("ing", PW), None)
        .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = node
        .call("GET", "/_data_stream/ds-zed/_stats", ("ing", PW), None)
        .await;
    assert_eq!((s, &b["data_stream_count"]), (200, &json!(1)), "{b}");
}

#[tokio::test]
async fn resolve_index_lists_authorized_data_streams() {
    let node = node().await;
    let (s, b) = node
        .call("GET", "/_resolve/index/*", ("ing", PW), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["indices"], json!([]), "{b}");
    assert_eq!(b["data_streams"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b["data_streams"][0]["name"], "ds-zed", "{b}");
    assert_eq!(b["data_streams"][0]["timestamp_field"], "@timestamp", "{b}");
    let (_, b) = node.admin("GET", "/_resolve/index/ds-*", None).await;
    assert_eq!(b["data_streams"].as_array().unwrap().len(), 2, "{b}");
}

#[tokio::test]
async fn create_doc_may_not_add_fields_to_a_data_stream() {
    let node = node().await;
    let user = ("ing", PW);
    let fits = json!({"@timestamp": "2024-01-01T00:00:00Z", "foo": "bar"});
    let (s, b) = node
        .call("POST", "/ds-app/_doc", user, Some(fits.clone()))
        .await;
    assert_eq!(s, 201, "{b}");
    let extends = json!({"@timestamp": "2024-01-01T00:00:00Z", "bar": "baz"});
    let (s, b) = node
        .call("POST", "/ds-app/_doc", user, Some(extends.clone()))
        .await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(b["error"]["type"], "security_exception", "{b}");
    let reason = b["error"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("indices:admin/mapping/auto_put") && reason.contains(".ds-ds-app-"),
        "{reason}"
    );
    // In a bulk, only the extending item fails.
    let ndjson = format!(
        "{}\n{}\n{}\n{}\n",
        json!({"create": {"_index": "ds-app"}}),
        fits,
        json!({"create": {"_index": "ds-app"}}),
        extends
    );
    let r = node
        .call_raw(
            Method::POST,
            "/_bulk",
            Some(("ing", PW)),
            Some(ndjson.into_bytes()),
        )
        .await;
    let b = r.json();
    assert_eq!(b["items"][0]["create"]["status"], 201, "{b}");
    assert_eq!(b["items"][1]["create"]["status"], 403, "{b}");
    // The superuser's document extends the mapping; afterwards the field fits.
    let (s, b) = node
        .admin("POST", "/ds-app/_doc", Some(extends.clone()))
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node.call("POST", "/ds-app/_doc", user, Some(extends)).await;
    assert_eq!(s, 201, "{b}");
    // On a plain index `create_doc` still grants mapping updates (ES's BWC rule).
    node.admin("PUT", "/plain", None).await;
    let (s, b) = node
        .call("POST", "/plain/_doc", user, Some(json!({"new": 1})))
        .await;
    assert_eq!(s, 201, "{b}");
}
