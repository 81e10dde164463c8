#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_clone`/`_shrink`/`_split` on the embedded plane: a write-blocked source is copied
//! (documents with their versions, mapping, settings with the body's on top) into a target of
//! one shard; ES's validations and the one-shard limit refuse the rest.

mod common;

use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

/// `src` (one shard) with two refreshed documents, `doc 1` updated once (version 2), and a
/// user `mgr` managing and reading `src*`.
async fn node() -> TestNode {
    let node = TestNode::new();
    let body = json!({"settings": {"number_of_replicas": 1},
        "mappings": {"properties": {"tag": {"type": "keyword"}}}});
    let (s, b) = node.admin("PUT", "/src", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    for (id, tag) in [("1", "a"), ("2", "b"), ("1", "c")] {
        let (s, b) = node
            .admin(
                "PUT",
                &format!("/src/_doc/{id}?refresh=true"),
                Some(json!({"tag": tag})),
            )
            .await;
        assert!(s == 200 || s == 201, "{b}");
    }
    let role = json!({"indices": [{"names": ["src*"], "privileges": ["manage", "read"]}]});
    node.admin("PUT", "/_security/role/mgr", Some(role)).await;
    node.add_user("mgr", PW, &["mgr"]);
    node
}

async fn resize(node: &TestNode, path: &str, body: Option<Value>) -> (u16, Value) {
    node.call("POST", path, ("mgr", PW), body).await
}

async fn block_writes(node: &TestNode) {
    let (s, b) = node
        .admin(
            "PUT",
            "/src/_settings",
            Some(json!({"index.blocks.write": true})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn a_clone_copies_documents_mapping_and_settings() {
    let node = node().await;
    let (s, b) = resize(&node, "/src/_clone/src-copy", None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "index src must be read-only to resize index. use \"index.blocks.write=true\""
    );
    block_writes(&node).await;
    let body = json!({"settings": {"index.blocks.write": null, "number_of_replicas": 0}});
    let (s, b) = resize(&node, "/src/_clone/src-copy", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b,
        json!({"acknowledged": true, "shards_acknowledged": true, "index": "src-copy"})
    );
    let (s, doc) = node.admin("GET", "/src-copy/_doc/1", None).await;
    assert_eq!(s, 200, "{doc}");
    assert_eq!(doc["_source"], json!({"tag": "c"}));
    assert_eq!(doc["_version"], 2, "versions are kept: {doc}");
    let (_, count) = node
        .admin(
            "POST",
            "/src-copy/_count",
            Some(json!({"query": {"term": {"tag": "b"}}})),
        )
        .await;
    assert_eq!(count["count"], 1, "{count}");
    let (_, mapping) = node.admin("GET", "/src-copy/_mapping", None).await;
    let (_, original) = node.admin("GET", "/src/_mapping", None).await;
    assert_eq!(mapping["src-copy"]["mappings"], original["src"]["mappings"]);
    let (_, settings) = node.admin("GET", "/src-copy/_settings", None).await;
    let index = &settings["src-copy"]["settings"]["index"];
    assert_eq!(index["number_of_replicas"], "0", "{settings}");
    assert!(
        index.get("blocks").is_none(),
        "the body removed the block: {settings}"
    );
    // The copy takes writes; the source is still blocked by its own setting.
    let (s, b) = node
        .admin("PUT", "/src-copy/_doc/3", Some(json!({"tag": "d"})))
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = resize(&node, "/src/_clone/src-copy", None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "resource_already_exists_exception");
}

#[tokio::test]
async fn shrink_and_split_follow_the_shard_rules_and_the_one_shard_limit() {
    let node = node().await;
    block_writes(&node).await;
    let two = json!({"settings": {"index.number_of_shards": 2}});
    let (s, b) = resize(&node, "/src/_shrink/src-two", Some(two.clone())).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "the number of target shards [2] must be less that the number of source shards [1]"
    );
    let (s, b) = resize(&node, "/src/_split/src-two", Some(two)).await;
    assert_eq!(s, 400, "{b}");
    assert!(
        common::reason(&b).starts_with("this server keeps one shard per index"),
        "{b}"
    );
    let (s, b) = resize(&node, "/src/_shrink/src-one", None).await;
    assert_eq!(s, 200, "{b}");
    let (_, count) = node.admin("GET", "/src-one/_count", None).await;
    assert_eq!(count["count"], 2, "{count}");
    let (s, b) = resize(&node, "/src/_shrink/src-x", Some(json!({"unknown": 1}))).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "[resize_request] unknown field [unknown]"
    );
    let (s, _) = node.admin("HEAD", "/src-two", None).await;
    assert_eq!(s, 404, "refused resizes create nothing");
}

#[tokio::test]
async fn a_target_name_granting_more_than_the_source_is_refused() {
    let node = node().await;
    block_writes(&node).await;
    let role = json!({"indices": [
        {"names": ["src"], "privileges": ["manage"]},
        {"names": ["wide"], "privileges": ["manage", "read"]}]});
    node.admin("PUT", "/_security/role/widener", Some(role))
        .await;
    node.add_user("widener", PW, &["widener"]);
    let (s, b) = node
        .call("POST", "/src/_clone/wide", ("widener", PW), None)
        .await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(
        common::reason(&b),
        "Resizing an index is not allowed when the target index has more permissions than the source index"
    );
    let (s, _) = node.admin("HEAD", "/wide", None).await;
    assert_eq!(s, 404);
}
