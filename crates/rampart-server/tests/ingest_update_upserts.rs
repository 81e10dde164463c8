#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Pipelines on update requests, as Elasticsearch runs them: on the `upsert` document (with
//! the bulk item's or request's pipeline, else the index's default, then its final one), or
//! under `doc_as_upsert` on the partial `doc` (index pipelines only), whether or not the
//! document then exists. Plain partial updates run nothing.

mod common;

use axum::http::Method;
use common::{SUPERUSER, TestNode};
use serde_json::{Value, json};

async fn put_pipeline(node: &TestNode, id: &str, field: &str, value: &str) {
    let body = json!({"processors": [{"set": {"field": field, "value": value}}]});
    let (s, b) = node
        .admin("PUT", &format!("/_ingest/pipeline/{id}"), Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn source(node: &TestNode, id: &str) -> Value {
    let (s, b) = node.admin("GET", &format!("/docs/_doc/{id}"), None).await;
    assert_eq!(s, 200, "{b}");
    b["_source"].clone()
}

async fn update(node: &TestNode, id: &str, body: Value) -> u16 {
    let (s, b) = node
        .admin("POST", &format!("/docs/_update/{id}"), Some(body))
        .await;
    assert!(s == 200 || s == 201, "{s} {b}");
    s
}

async fn bulk(node: &TestNode, path: &str, lines: &[Value]) -> Value {
    let mut body = String::new();
    for l in lines {
        body.push_str(&l.to_string());
        body.push('\n');
    }
    let r = node
        .call_raw(Method::POST, path, Some(SUPERUSER), Some(body.into_bytes()))
        .await;
    assert_eq!(r.status, 200, "{}", r.json());
    r.json()
}

/// `docs` with a default and a final pipeline; `req` is a pipeline a request may name.
async fn fixture() -> TestNode {
    let node = TestNode::new();
    put_pipeline(&node, "dflt", "by_default", "yes").await;
    put_pipeline(&node, "last", "by_final", "yes").await;
    put_pipeline(&node, "req", "by_request", "yes").await;
    let (s, b) = node
        .admin(
            "PUT",
            "/docs",
            Some(json!({"settings": {"index": {"default_pipeline": "dflt", "final_pipeline": "last"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    node
}

#[tokio::test]
async fn single_updates_run_the_index_pipelines_on_the_upsert_document() {
    let node = fixture().await;
    assert_eq!(
        update(&node, "1", json!({"doc": {"n": 1}, "upsert": {"n": 0}})).await,
        201
    );
    assert_eq!(
        source(&node, "1").await,
        json!({"n": 0, "by_default": "yes", "by_final": "yes"})
    );
    // The document exists now: the partial doc is merged as it is.
    assert_eq!(
        update(&node, "1", json!({"doc": {"n": 2}, "upsert": {"n": 0}})).await,
        200
    );
    assert_eq!(
        source(&node, "1").await,
        json!({"n": 2, "by_default": "yes", "by_final": "yes"})
    );
    // doc_as_upsert: the partial doc is the document to index, processed either way.
    assert_eq!(
        update(&node, "2", json!({"doc": {"m": 1}, "doc_as_upsert": true})).await,
        201
    );
    assert_eq!(
        source(&node, "2").await,
        json!({"m": 1, "by_default": "yes", "by_final": "yes"})
    );
    let (s, b) = node
        .admin("PUT", "/docs/_doc/3?pipeline=_none", Some(json!({"k": 1})))
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(source(&node, "3").await, json!({"k": 1, "by_final": "yes"}));
    assert_eq!(
        update(&node, "3", json!({"doc": {"k": 2}, "doc_as_upsert": true})).await,
        200
    );
    assert_eq!(
        source(&node, "3").await,
        json!({"k": 2, "by_default": "yes", "by_final": "yes"})
    );
    // A plain partial update indexes no document of its own: nothing runs.
    assert_eq!(update(&node, "3", json!({"doc": {"k": 3}})).await, 200);
    let doc = source(&node, "3").await;
    assert_eq!(doc["k"], 3);
}

#[tokio::test]
async fn bulk_update_items_pass_their_pipeline_to_the_upsert_only() {
    let node = fixture().await;
    let b = bulk(
        &node,
        "/_bulk",
        &[
            json!({"update": {"_index": "docs", "_id": "a", "pipeline": "req"}}),
            json!({"doc": {"n": 1}, "upsert": {"n": 0}}),
            json!({"update": {"_index": "docs", "_id": "b", "pipeline": "req"}}),
            json!({"doc": {"n": 1}, "doc_as_upsert": true}),
            json!({"update": {"_index": "docs", "_id": "c", "pipeline": "missing"}}),
            json!({"doc": {"n": 1}, "upsert": {"n": 0}}),
        ],
    )
    .await;
    let items = b["items"].as_array().unwrap();
    assert_eq!(items[0]["update"]["status"], 201, "{b}");
    assert_eq!(items[1]["update"]["status"], 201, "{b}");
    assert_eq!(items[2]["update"]["status"], 400, "{b}");
    assert_eq!(
        items[2]["update"]["error"]["reason"],
        "pipeline with id [missing] does not exist"
    );
    // The item's pipeline replaces the default one; the final one still runs.
    assert_eq!(
        source(&node, "a").await,
        json!({"n": 0, "by_request": "yes", "by_final": "yes"})
    );
    // Under doc_as_upsert the item's pipeline is not attached to the partial doc.
    assert_eq!(
        source(&node, "b").await,
        json!({"n": 1, "by_default": "yes", "by_final": "yes"})
    );
    let (s, _) = node.admin("GET", "/docs/_doc/c", None).await;
    assert_eq!(s, 404);

    // The request's `?pipeline=` reaches update items' upserts too.
    let b = bulk(
        &node,
        "/_bulk?pipeline=req",
        &[
            json!({"update": {"_index": "docs", "_id": "d"}}),
            json!({"doc": {"n": 1}, "upsert": {"n": 0}}),
        ],
    )
    .await;
    assert_eq!(b["items"][0]["update"]["status"], 201, "{b}");
    assert_eq!(
        source(&node, "d").await,
        json!({"n": 0, "by_request": "yes", "by_final": "yes"})
    );
}

#[tokio::test]
async fn a_write_that_auto_creates_its_index_runs_the_templates_pipelines() {
    let node = fixture().await;
    let (s, b) = node
        .admin(
            "PUT",
            "/_index_template/auto",
            Some(json!({
                "index_patterns": ["auto-*"],
                "template": {"settings": {"index.default_pipeline": "dflt", "index.final_pipeline": "last"}},
            })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin("PUT", "/auto-1/_doc/1", Some(json!({"n": 1})))
        .await;
    assert_eq!(s, 201, "{b}");
    let b = bulk(
        &node,
        "/_bulk",
        &[
            json!({"update": {"_index": "auto-2", "_id": "1"}}),
            json!({"doc": {"n": 1}, "upsert": {"n": 0}}),
            json!({"index": {"_index": "auto-3", "_id": "1", "pipeline": "req"}}),
            json!({"n": 3}),
        ],
    )
    .await;
    assert_eq!(b["errors"], false, "{b}");
    let expected = json!({"by_default": "yes", "by_final": "yes"});
    for (index, n) in [("auto-1", 1), ("auto-2", 0)] {
        let (s, b) = node.admin("GET", &format!("/{index}/_doc/1"), None).await;
        assert_eq!(s, 200, "{b}");
        let mut want = expected.clone();
        want["n"] = json!(n);
        assert_eq!(b["_source"], want, "{index}");
    }
    let (_, b) = node.admin("GET", "/auto-3/_doc/1", None).await;
    assert_eq!(
        b["_source"],
        json!({"n": 3, "by_request": "yes", "by_final": "yes"})
    );
}
