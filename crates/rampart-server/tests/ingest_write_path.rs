#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Where pipelines run on writes (bulk items, request parameter, index settings), simulate,
//! and stored pipelines surviving a node restart.

mod common;

use axum::http::Method;
use common::{ELASTIC_PASSWORD, SUPERUSER, TestNode, reason, test_settings};
use rampart_server::startup::{NodeConfig, build_state};
use serde_json::{Value, json};

async fn put_pipeline(node: &TestNode, id: &str, body: Value) {
    let (s, b) = node
        .admin("PUT", &format!("/_ingest/pipeline/{id}"), Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
}

fn set(field: &str, value: &str) -> Value {
    json!({"processors": [{"set": {"field": field, "value": value}}]})
}

async fn source(node: &TestNode, index: &str, id: &str) -> Value {
    let (s, b) = node
        .admin("GET", &format!("/{index}/_doc/{id}"), None)
        .await;
    assert_eq!(s, 200, "{b}");
    b["_source"].clone()
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

#[tokio::test]
async fn bulk_items_use_their_own_pipeline_or_the_requests() {
    let node = TestNode::new();
    put_pipeline(&node, "a", set("tag", "a")).await;
    put_pipeline(&node, "b", set("tag", "b")).await;
    let b = bulk(
        &node,
        "/_bulk?pipeline=a",
        &[
            json!({"index": {"_index": "docs", "_id": "1"}}),
            json!({"n": 1}),
            json!({"create": {"_index": "docs", "_id": "2", "pipeline": "b"}}),
            json!({"n": 2}),
            json!({"index": {"_index": "docs", "_id": "3", "pipeline": "missing"}}),
            json!({"n": 3}),
            json!({"index": {"_index": "docs", "_id": "4", "pipeline": "_none"}}),
            json!({"n": 4}),
        ],
    )
    .await;
    assert_eq!(b["errors"], true);
    let items = b["items"].as_array().unwrap();
    assert_eq!(items[2]["index"]["status"], 400);
    assert_eq!(
        items[2]["index"]["error"]["reason"],
        "pipeline with id [missing] does not exist"
    );
    assert_eq!(
        source(&node, "docs", "1").await,
        json!({"n": 1, "tag": "a"})
    );
    assert_eq!(
        source(&node, "docs", "2").await,
        json!({"n": 2, "tag": "b"})
    );
    assert_eq!(source(&node, "docs", "4").await, json!({"n": 4}));
    let (s, _) = node.admin("GET", "/docs/_doc/3", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn processor_failures_fail_only_their_document() {
    let node = TestNode::new();
    put_pipeline(
        &node,
        "rename",
        json!({"processors": [{"rename": {"field": "old", "target_field": "new"}}]}),
    )
    .await;
    let (s, b) = node
        .admin("PUT", "/docs/_doc/1?pipeline=rename", Some(json!({"x": 1})))
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(reason(&b), "field [old] doesn't exist");
    let (s, _) = node
        .admin(
            "PUT",
            "/docs/_doc/1?pipeline=rename",
            Some(json!({"old": 1})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(source(&node, "docs", "1").await, json!({"new": 1}));
}

#[tokio::test]
async fn index_settings_name_default_and_final_pipelines() {
    let node = TestNode::new();
    put_pipeline(&node, "dflt", set("from", "default")).await;
    put_pipeline(&node, "req", set("from", "request")).await;
    put_pipeline(
        &node,
        "last",
        json!({"processors": [{"uppercase": {"field": "from"}}]}),
    )
    .await;
    let (s, b) = node
        .admin(
            "PUT",
            "/docs",
            Some(json!({"settings": {"index": {"default_pipeline": "dflt", "final_pipeline": "last"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    node.admin("PUT", "/docs/_doc/1", Some(json!({}))).await;
    node.admin("PUT", "/docs/_doc/2?pipeline=req", Some(json!({})))
        .await;
    node.admin(
        "PUT",
        "/docs/_doc/3?pipeline=_none",
        Some(json!({"from": "x"})),
    )
    .await;
    assert_eq!(source(&node, "docs", "1").await, json!({"from": "DEFAULT"}));
    assert_eq!(source(&node, "docs", "2").await, json!({"from": "REQUEST"}));
    assert_eq!(
        source(&node, "docs", "3").await,
        json!({"from": "X"}),
        "_none skips the default pipeline, not the final one"
    );
    let (s, b) = node.admin("DELETE", "/_ingest/pipeline/dflt", None).await;
    assert_eq!(s, 400);
    assert_eq!(
        reason(&b),
        "pipeline [dflt] cannot be deleted because it is the default pipeline for 1 index(es) including [docs]"
    );
    node.admin("DELETE", "/docs", None).await;
    let (s, _) = node.admin("DELETE", "/_ingest/pipeline/*", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn simulate_runs_given_and_stored_pipelines_as_the_caller() {
    let node = TestNode::new();
    let def = json!({"processors": [
        {"set_security_user": {"field": "u", "properties": ["username"]}},
        {"lowercase": {"field": "name"}}
    ]});
    let docs =
        json!([{"_index": "i", "_id": "1", "_source": {"name": "ABC"}}, {"_source": {"other": 1}}]);
    let (s, b) = node
        .admin(
            "POST",
            "/_ingest/pipeline/_simulate",
            Some(json!({"pipeline": def, "docs": docs})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let first = &b["docs"][0]["doc"];
    assert_eq!(first["_index"], "i");
    assert_eq!(first["_id"], "1");
    assert_eq!(
        first["_source"],
        json!({"name": "abc", "u": {"username": "elastic"}})
    );
    assert!(first["_ingest"]["timestamp"].is_string());
    assert_eq!(
        b["docs"][1]["error"]["reason"],
        "field [name] not present as part of path [name]"
    );
    put_pipeline(&node, "stored", def).await;
    let (s, b) = node
        .admin(
            "POST",
            "/_ingest/pipeline/stored/_simulate",
            Some(json!({"docs": [{"_source": {"name": "Q"}}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["docs"][0]["doc"]["_source"]["name"], "q");
    let (s, _) = node.admin("GET", "/i", None).await;
    assert_eq!(s, 404, "simulate writes no document");
}

#[tokio::test]
async fn pipelines_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || NodeConfig {
        data_dir: dir.path().join("data"),
        config_dir: Some(dir.path().join("config")),
        settings: test_settings(&[]),
        elastic_password: Some(ELASTIC_PASSWORD.to_string()),
    };
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    let def = set("k", "v");
    {
        let (state, _) = build_state(&config()).unwrap();
        let node = TestNode {
            app: rampart_server::app(std::sync::Arc::clone(&state)),
            state,
            dir: tempfile::tempdir().unwrap(),
        };
        put_pipeline(&node, "kept", def.clone()).await;
    }
    let (state, _) = build_state(&config()).unwrap();
    let node = TestNode {
        app: rampart_server::app(std::sync::Arc::clone(&state)),
        state,
        dir: tempfile::tempdir().unwrap(),
    };
    let (s, b) = node.admin("GET", "/_ingest/pipeline/kept", None).await;
    assert_eq!((s, b), (200, json!({"kept": def})));
    node.admin("PUT", "/docs/_doc/1?pipeline=kept", Some(json!({})))
        .await;
    assert_eq!(source(&node, "docs", "1").await, json!({"k": "v"}));
}
