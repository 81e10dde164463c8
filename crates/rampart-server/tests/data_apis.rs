#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The issue-4 APIs beyond search: scroll bound to its owner, `_field_caps` under FLS, alias
//! filters at search time, optimistic concurrency, `_update`, data streams created on write,
//! the resize guard and the alias-change guard under DLS/FLS.

mod common;

use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

async fn node_with_docs() -> TestNode {
    let node = TestNode::new();
    node.admin("PUT", "/logs", None).await;
    for i in 0..5 {
        let doc = json!({"level": if i % 2 == 0 { "info" } else { "error" }, "secret": i, "n": i});
        let (s, b) = node
            .admin("PUT", &format!("/logs/_doc/{i}?refresh=true"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let reader = json!({"indices": [{"names": ["logs", "errors"], "privileges": ["read", "view_index_metadata"],
        "field_security": {"grant": ["level", "n"]}, "query": {"range": {"n": {"lte": 3}}}}]});
    node.admin("PUT", "/_security/role/reader", Some(reader))
        .await;
    node.add_user("ann", PW, &["reader"]);
    node.add_user("bob", PW, &["reader"]);
    node
}

fn ids(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn scroll_pages_restricted_hits_and_is_bound_to_its_owner() {
    let node = node_with_docs().await;
    let (s, first) = node
        .call(
            "POST",
            "/logs/_search?scroll=1m",
            ("ann", PW),
            Some(json!({"size": 2, "sort": ["n"]})),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(
        first["hits"]["total"]["value"], 4,
        "DLS applies to the scroll"
    );
    let id = first["_scroll_id"].as_str().unwrap().to_string();
    let (s, other) = node
        .call(
            "POST",
            "/_search/scroll",
            ("bob", PW),
            Some(json!({"scroll_id": id})),
        )
        .await;
    assert_eq!(
        s, 404,
        "another user may not continue ann's scroll: {other}"
    );
    let (s, second) = node
        .call(
            "POST",
            "/_search/scroll",
            ("ann", PW),
            Some(json!({"scroll_id": id, "scroll": "1m"})),
        )
        .await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(ids(&second), vec!["2", "3"]);
    assert!(second["hits"]["hits"][0]["_source"].get("secret").is_none());
    let (s, cleared) = node
        .call(
            "DELETE",
            "/_search/scroll",
            ("ann", PW),
            Some(json!({"scroll_id": id})),
        )
        .await;
    assert_eq!((s, cleared["num_freed"].clone()), (200, json!(1)));
}

#[tokio::test]
async fn field_caps_hide_fls_fields() {
    let node = node_with_docs().await;
    let (s, b) = node
        .call("GET", "/logs/_field_caps?fields=*", ("ann", PW), None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b["fields"].get("level").is_some(), "{b}");
    assert!(b["fields"].get("secret").is_none(), "{b}");
    let (_, all) = node.admin("GET", "/logs/_field_caps?fields=*", None).await;
    assert!(all["fields"].get("secret").is_some(), "{all}");
}

#[tokio::test]
async fn alias_filters_apply_at_search_time_and_alias_changes_are_refused_under_dls() {
    let node = node_with_docs().await;
    let (s, b) = node
        .admin("POST", "/_aliases", Some(json!({"actions": [{"add": {"index": "logs", "alias": "errors", "filter": {"term": {"level": "error"}}}}]})))
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = node.admin("POST", "/errors/_search", Some(json!({}))).await;
    assert_eq!(ids(&b), vec!["1", "3"]);
    let (_, b) = node
        .call("POST", "/errors/_search", ("ann", PW), Some(json!({})))
        .await;
    assert_eq!(ids(&b), vec!["1", "3"], "alias filter AND role query");
    let manager = json!({"indices": [{"names": ["logs*"], "privileges": ["manage", "read"], "query": {"match_all": {}}}]});
    node.admin("PUT", "/_security/role/manager", Some(manager))
        .await;
    node.add_user("max", PW, &["manager"]);
    let (s, b) = node
        .call(
            "POST",
            "/_aliases",
            ("max", PW),
            Some(json!({"actions": [{"add": {"index": "logs", "alias": "logs-all"}}]})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        common::reason(&b).contains("document level security"),
        "{b}"
    );
    let (s, b) = node
        .call("POST", "/logs/_shrink/logs-small", ("max", PW), None)
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        common::reason(&b).starts_with("Resize requests are not allowed"),
        "{b}"
    );
}

#[tokio::test]
async fn writes_honour_conditions_updates_and_data_streams() {
    let node = TestNode::new();
    let (s, b) = node.admin("PUT", "/t/_doc/1", Some(json!({"a": 1}))).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node
        .admin(
            "PUT",
            "/t/_doc/1?if_seq_no=99&if_primary_term=1",
            Some(json!({"a": 2})),
        )
        .await;
    assert_eq!(
        (s, b["error"]["type"].as_str()),
        (409, Some("version_conflict_engine_exception")),
        "{b}"
    );
    let (s, b) = node
        .admin("POST", "/t/_update/1", Some(json!({"doc": {"b": 2}})))
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = node.admin("GET", "/t/_doc/1", None).await;
    assert_eq!(b["_source"], json!({"a": 1, "b": 2}));
    let (s, b) = node
        .admin(
            "POST",
            "/t/_update/1",
            Some(json!({"script": "ctx._source.a++"})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = node
        .admin(
            "PUT",
            "/_index_template/logs",
            Some(json!({"index_patterns": ["ds-*"], "data_stream": {}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin(
            "POST",
            "/ds-app/_doc?refresh=true",
            Some(json!({"@timestamp": "2024-01-01T00:00:00Z", "m": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node.admin("GET", "/_data_stream/ds-app", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data_streams"][0]["name"], "ds-app");
    let (s, b) = node.admin("POST", "/ds-app/_rollover", None).await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = node.admin("GET", "/_data_stream/ds-app", None).await;
    assert_eq!(b["data_streams"][0]["indices"].as_array().unwrap().len(), 2);
    // auto_configure + create_doc may create the stream on write; plain create_doc may not.
    let ingest =
        json!({"indices": [{"names": ["ds-*"], "privileges": ["create_doc", "auto_configure"]}]});
    node.admin("PUT", "/_security/role/ingest", Some(ingest))
        .await;
    let writer = json!({"indices": [{"names": ["ds-*"], "privileges": ["create_doc"]}]});
    node.admin("PUT", "/_security/role/writer", Some(writer))
        .await;
    node.add_user("ing", PW, &["ingest"]);
    node.add_user("wri", PW, &["writer"]);
    let doc = json!({"@timestamp": "2024-01-01T00:00:00Z"});
    let (s, b) = node
        .call("POST", "/ds-new/_doc", ("wri", PW), Some(doc.clone()))
        .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = node
        .call("POST", "/ds-new/_doc", ("ing", PW), Some(doc))
        .await;
    assert_eq!(s, 201, "{b}");
}
