#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Dynamic mapping updates (`indices:admin/mapping/auto_put`) where Elasticsearch checks
//! them beyond existing indices: on the index a write just auto-created (its first document
//! creates the root mapping, even `{}`), on an auto-created data stream's backing index
//! (write privileges grant `auto_put` on indices and aliases, never on backing indices), and
//! for update items, on the document the update actually writes (the merged document, the
//! upsert, or the partial `doc` under `doc_as_upsert`). Each row is a privilege set; each
//! column a write; the cell the expected status.

mod common;

use axum::http::Method;
use common::TestNode;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";

/// Raw action names grant the writes but none of the BWC mapping privileges.
const RAW_WRITE: &str = "indices:data/write/*";

async fn admin_ok(node: &TestNode, method: &str, path: &str, body: Option<Value>) {
    let (s, b) = node.admin(method, path, body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {b}");
}

async fn user_with(node: &TestNode, name: &str, names: &[&str], privileges: &[&str]) {
    admin_ok(
        node,
        "PUT",
        &format!("/_security/role/{name}"),
        Some(json!({"indices": [{"names": names, "privileges": privileges}]})),
    )
    .await;
    node.add_user(name, PASSWORD, &[name]);
}

async fn bulk(node: &TestNode, user: &str, lines: &[Value]) -> Value {
    let mut ndjson = String::new();
    for line in lines {
        ndjson.push_str(&line.to_string());
        ndjson.push('\n');
    }
    let r = node
        .call_raw(
            Method::POST,
            "/_bulk",
            Some((user, PASSWORD)),
            Some(ndjson.into_bytes()),
        )
        .await;
    let body = r.json();
    assert_eq!(r.status, 200, "{body}");
    body
}

fn item(body: &Value, i: usize) -> &Value {
    body["items"][i]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
}

fn assert_auto_put_denied(b: &Value, user: &str, index_prefix: &str) {
    let reason = b["error"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(&format!(
            "action [indices:admin/mapping/auto_put] is unauthorized for user [{user}]"
        )),
        "{b}"
    );
    assert!(
        reason.contains(&format!("on indices [{index_prefix}")),
        "{b}"
    );
    assert_eq!(b["error"]["type"], "security_exception", "{b}");
}

#[tokio::test]
async fn auto_created_indices_need_auto_put_for_their_first_document() {
    let node = TestNode::new();
    // (user, privileges, expected status of a first document with a field, and of `{}`)
    let rows: &[(&str, &[&str], u16, u16)] = &[
        ("raw_create_index", &[RAW_WRITE, "create_index"], 403, 403),
        (
            "raw_auto_configure",
            &[RAW_WRITE, "auto_configure"],
            201,
            201,
        ),
        (
            "create_doc_create_index",
            &["create_doc", "create_index"],
            201,
            201,
        ),
        ("index_create_index", &["index", "create_index"], 201, 201),
        (
            "write_auto_configure",
            &["write", "auto_configure"],
            201,
            201,
        ),
    ];
    for (user, privileges, with_field, empty) in rows {
        let names = [format!("{user}-*")];
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        user_with(&node, user, &names, privileges).await;
        for (suffix, doc, expected) in [("a", json!({"f": 1}), with_field), ("b", json!({}), empty)]
        {
            let index = format!("{user}-{suffix}");
            let (s, b) = node
                .call(
                    "PUT",
                    &format!("/{index}/_create/1"),
                    (*user, PASSWORD),
                    Some(doc),
                )
                .await;
            assert_eq!(s, *expected, "{user} {index}: {b}");
            if s == 403 {
                assert_auto_put_denied(&b, user, &index);
            }
            // The index was auto-created either way, as Elasticsearch creates it before the
            // shard applies the mapping update.
            let (s, _) = node.admin("HEAD", &format!("/{index}"), None).await;
            assert_eq!(s, 200, "{index} exists");
        }
    }
    // Once the root mapping exists, a document adding no field needs nothing more.
    admin_ok(
        &node,
        "PUT",
        "/raw_create_index-c",
        Some(json!({"mappings": {"properties": {"f": {"type": "long"}}}})),
    )
    .await;
    let (s, b) = node
        .call(
            "PUT",
            "/raw_create_index-c/_create/1",
            ("raw_create_index", PASSWORD),
            Some(json!({"f": 2})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

#[tokio::test]
async fn auto_created_data_streams_need_auto_put_on_their_backing_index() {
    let node = TestNode::new();
    admin_ok(
        &node,
        "PUT",
        "/_index_template/streams",
        Some(json!({
            "index_patterns": ["logs-*"],
            "data_stream": {},
            "template": {"mappings": {"properties": {"known": {"type": "keyword"}}}},
        })),
    )
    .await;
    user_with(
        &node,
        "ingest",
        &["logs-*"],
        &["create_doc", "create_index"],
    )
    .await;
    user_with(
        &node,
        "configure",
        &["logs-*"],
        &["create_doc", "auto_configure"],
    )
    .await;

    let b = bulk(
        &node,
        "ingest",
        &[
            json!({"create": {"_index": "logs-a"}}),
            json!({"@timestamp": "2024-01-01T00:00:00Z", "known": "x"}),
            json!({"create": {"_index": "logs-a"}}),
            json!({"@timestamp": "2024-01-01T00:00:00Z", "fresh": 1}),
            json!({"create": {"_index": "logs-b"}}),
            json!({"@timestamp": "2024-01-01T00:00:00Z", "fresh": 1}),
        ],
    )
    .await;
    assert_eq!(item(&b, 0)["status"], 201, "{b}");
    assert_eq!(item(&b, 1)["status"], 403, "{b}");
    assert_auto_put_denied(item(&b, 1), "ingest", ".ds-logs-a-");
    assert_eq!(item(&b, 2)["status"], 403, "{b}");
    assert_auto_put_denied(item(&b, 2), "ingest", ".ds-logs-b-");

    let b = bulk(
        &node,
        "configure",
        &[
            json!({"create": {"_index": "logs-c"}}),
            json!({"@timestamp": "2024-01-01T00:00:00Z", "fresh": 1}),
        ],
    )
    .await;
    assert_eq!(item(&b, 0)["status"], 201, "{b}");
}

/// An existing index with one mapped field and one document.
async fn update_fixture(node: &TestNode) {
    admin_ok(
        node,
        "PUT",
        "/u",
        Some(json!({"mappings": {"properties": {"known": {"type": "keyword"}}}})),
    )
    .await;
    admin_ok(
        node,
        "PUT",
        "/u/_doc/1?refresh=true",
        Some(json!({"known": "a"})),
    )
    .await;
    user_with(node, "raw", &["u"], &[RAW_WRITE]).await;
    user_with(node, "indexer", &["u"], &["index"]).await;
}

/// Update bodies and whether each writes a new field (`id` 1 exists, `new-*` do not).
fn update_cases() -> Vec<(&'static str, Value, bool)> {
    vec![
        ("1", json!({"doc": {"known": "b"}}), false),
        ("1", json!({"doc": {"fresh": 1}}), true),
        // The document exists: the upsert is not what gets written.
        (
            "1",
            json!({"doc": {"known": "c"}, "upsert": {"fresh": 1}}),
            false,
        ),
        (
            "new-1",
            json!({"doc": {"fresh": 1}, "upsert": {"known": "d"}}),
            false,
        ),
        (
            "new-2",
            json!({"doc": {"known": "e"}, "upsert": {"fresh": 1}}),
            true,
        ),
        (
            "new-3",
            json!({"doc": {"fresh": 1}, "doc_as_upsert": true}),
            true,
        ),
        (
            "new-4",
            json!({"doc": {"known": "f"}, "doc_as_upsert": true}),
            false,
        ),
    ]
}

#[tokio::test]
async fn updates_need_auto_put_only_for_the_document_they_write() {
    let node = TestNode::new();
    update_fixture(&node).await;
    for (user, bwc) in [("raw", false), ("indexer", true)] {
        for (i, (id, body, adds)) in update_cases().into_iter().enumerate() {
            // Each user updates its own copies, so every case starts from the fixture.
            let id = if id == "1" {
                "1".to_string()
            } else {
                format!("{user}-{id}")
            };
            let (s, b) = node
                .call(
                    "POST",
                    &format!("/u/_update/{id}"),
                    (user, PASSWORD),
                    Some(body.clone()),
                )
                .await;
            let expected = match (adds && !bwc, id == "1") {
                (true, _) => 403,
                (false, true) => 200,
                (false, false) => 201,
            };
            assert_eq!(s, expected, "{user} case {i} {body}: {b}");
            if s == 403 {
                assert_auto_put_denied(&b, user, "u]");
            }
        }
    }
}

#[tokio::test]
async fn bulk_update_items_are_checked_one_by_one() {
    let node = TestNode::new();
    update_fixture(&node).await;
    let mut lines = Vec::new();
    let cases = update_cases();
    for (id, body, _) in &cases {
        let id = if *id == "1" {
            "1".to_string()
        } else {
            format!("bulk-{id}")
        };
        lines.push(json!({"update": {"_index": "u", "_id": id}}));
        lines.push(body.clone());
    }
    let b = bulk(&node, "raw", &lines).await;
    for (i, (_, body, adds)) in cases.iter().enumerate() {
        let status = item(&b, i)["status"].as_u64().unwrap();
        if *adds {
            assert_eq!(status, 403, "item {i} {body}: {b}");
            assert_auto_put_denied(item(&b, i), "raw", "u]");
        } else {
            assert!(status == 200 || status == 201, "item {i} {body}: {b}");
        }
    }
    // Nothing refused reached the document or the mapping.
    let (_, mapping) = node.admin("GET", "/u/_mapping", None).await;
    assert!(
        mapping["u"]["mappings"]["properties"]
            .get("fresh")
            .is_none(),
        "{mapping}"
    );
    let (s, _) = node.admin("GET", "/u/_doc/bulk-new-2", None).await;
    assert_eq!(s, 404);
}
