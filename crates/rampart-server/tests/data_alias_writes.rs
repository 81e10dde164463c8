#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Writes through aliases (section 6.3): `bulk[s]` is authorized per shard on the names its
//! items used, so a grant on an alias writes through it; a grant never widens to the index
//! by name; aliases without a write index fail their items; date-math targets are checked on
//! their resolved name; dynamic mapping updates (`auto_put`) fall back to an authorized alias.

mod common;

use common::TestNode;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";

async fn admin_ok(node: &TestNode, method: &str, path: &str, body: Option<Value>) {
    let (s, b) = node.admin(method, path, body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {b}");
}

async fn user_with(node: &TestNode, name: &str, indices: Value) {
    admin_ok(
        node,
        "PUT",
        &format!("/_security/role/{name}"),
        Some(json!({ "indices": indices })),
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
            axum::http::Method::POST,
            "/_bulk?refresh=true",
            Some((user, PASSWORD)),
            Some(ndjson.into_bytes()),
        )
        .await;
    let body = r.json();
    assert_eq!(r.status, 200, "{body}");
    body
}

fn statuses(body: &Value) -> Vec<u64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i.as_object().unwrap().values().next().unwrap()["status"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

fn reason(body: &Value, item: usize) -> String {
    let entry = body["items"][item]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    entry["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `wi1` behind `w1` and `w2`; `wi2` behind `w3`; `ri` behind `r1`; `both` spans `wi1` and
/// `wi2` with no write index.
async fn aliases(node: &TestNode) {
    for index in ["wi1", "wi2", "ri"] {
        admin_ok(node, "PUT", &format!("/{index}"), None).await;
        admin_ok(
            node,
            "PUT",
            &format!("/{index}/_doc/seed"),
            Some(json!({"name": "seed"})),
        )
        .await;
    }
    let add = |index: &str, alias: &str| json!({"add": {"index": index, "alias": alias}});
    admin_ok(
        node,
        "POST",
        "/_aliases",
        Some(json!({"actions": [
            add("wi1", "w1"), add("wi1", "w2"), add("wi2", "w3"), add("ri", "r1"),
            add("wi1", "both"), add("wi2", "both"),
        ]})),
    )
    .await;
}

#[tokio::test]
async fn a_shard_fails_as_a_whole_when_one_of_its_names_is_not_granted() {
    let node = TestNode::new();
    aliases(&node).await;
    user_with(
        &node,
        "aw",
        json!([{"names": ["w1", "w3", "both"], "privileges": ["write"]}, {"names": ["r1"], "privileges": ["read"]}]),
    )
    .await;
    let doc = json!({"name": "x"});
    let body = bulk(
        &node,
        "aw",
        &[
            json!({"index": {"_index": "w1", "_id": "1"}}),
            doc.clone(),
            // Same shard as item 0 (wi1), by the concrete name: fails, and takes item 0 along.
            json!({"index": {"_index": "wi1", "_id": "2"}}),
            doc.clone(),
            json!({"index": {"_index": "w3", "_id": "3"}}),
            doc.clone(),
            json!({"index": {"_index": "r1", "_id": "4"}}),
            doc.clone(),
            json!({"index": {"_index": "both", "_id": "5"}}),
            doc.clone(),
        ],
    )
    .await;
    assert_eq!(statuses(&body), vec![403, 403, 201, 403, 400], "{body}");
    assert!(
        reason(&body, 0)
            .starts_with("action [indices:data/write/bulk[s]] is unauthorized for user [aw]")
    );
    assert!(reason(&body, 0).contains("on indices [wi1]"), "{body}");
    assert!(reason(&body, 3).contains("on indices [r1]"), "{body}");
    assert!(
        reason(&body, 4).starts_with("no write index is defined for alias [both]"),
        "{body}"
    );
    assert_eq!(
        body["items"][4]["index"]["error"]["type"],
        "illegal_argument_exception"
    );
    // Nothing of the failed shard was written; the allowed item landed behind `w3`.
    let (s, _) = node.admin("GET", "/wi1/_doc/1", None).await;
    assert_eq!(s, 404);
    let (s, b) = node.admin("GET", "/wi2/_doc/3", None).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn alias_items_alone_write_and_the_item_action_is_checked_on_the_alias() {
    let node = TestNode::new();
    aliases(&node).await;
    user_with(
        &node,
        "cd",
        json!([{"names": ["w1", "w2"], "privileges": ["create_doc"]}]),
    )
    .await;
    let doc = json!({"name": "x"});
    let body = bulk(
        &node,
        "cd",
        &[
            json!({"create": {"_index": "w1", "_id": "1"}}),
            doc.clone(),
            json!({"create": {"_index": "w2", "_id": "2"}}),
            doc.clone(),
            json!({"index": {"_index": "w2", "_id": "3"}}),
            doc.clone(),
            json!({"delete": {"_index": "w1", "_id": "seed"}}),
        ],
    )
    .await;
    assert_eq!(statuses(&body), vec![201, 201, 403, 403], "{body}");
    assert!(reason(&body, 2).starts_with("action [indices:data/write/index:op_type/index]"));
    assert!(reason(&body, 2).contains("on indices [w2]"), "{body}");
    assert!(reason(&body, 3).starts_with("action [indices:data/write/delete]"));
    let (s, b) = node.admin("GET", "/wi1/_doc/2", None).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn date_math_targets_are_authorized_on_their_resolved_name() {
    let node = TestNode::new();
    user_with(
        &node,
        "dm",
        json!([{"names": ["write-*"], "privileges": ["all"]}, {"names": ["read-*"], "privileges": ["read"]}]),
    )
    .await;
    // The day is read before and after, so a run across midnight still knows the names.
    let day = || chrono::Utc::now().format("%Y.%m.%d").to_string();
    let before = day();
    let (s, b) = node
        .call(
            "PUT",
            "/%3Cwrite-%7Bnow%2Fd%7D%3E/_doc/1",
            ("dm", PASSWORD),
            Some(json!({"a": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let written = b["_index"].as_str().unwrap().to_string();
    assert!(
        written == format!("write-{before}") || written == format!("write-{}", day()),
        "{b}"
    );
    let body = bulk(
        &node,
        "dm",
        &[
            json!({"index": {"_index": "<write-{now/M{yyyy.MM}}>", "_id": "2"}}),
            json!({"a": 2}),
            json!({"index": {"_index": "<read-{now/d}>", "_id": "3"}}),
            json!({"a": 3}),
            json!({"index": {"_index": "<write-{now/d>", "_id": "4"}}),
            json!({"a": 4}),
        ],
    )
    .await;
    let after = day();
    assert_eq!(statuses(&body), vec![201, 403, 400], "{body}");
    let denied = reason(&body, 1);
    assert!(
        denied.contains(&format!("on indices [read-{before}]"))
            || denied.contains(&format!("on indices [read-{after}]")),
        "{body}"
    );
    assert_eq!(
        body["items"][2]["index"]["error"]["type"],
        "parse_exception"
    );
}

#[tokio::test]
async fn mapping_updates_fall_back_to_an_alias_that_writes_only_to_the_index() {
    let node = TestNode::new();
    aliases(&node).await;
    admin_ok(
        &node,
        "PUT",
        "/_index_template/streams",
        Some(json!({"index_patterns": ["ds-*"], "data_stream": {}})),
    )
    .await;
    admin_ok(&node, "PUT", "/_data_stream/ds-a", None).await;
    admin_ok(
        &node,
        "POST",
        "/ds-a/_doc",
        Some(json!({"@timestamp": "2024-01-01T00:00:00Z", "known": 1})),
    )
    .await;
    user_with(
        &node,
        "via",
        json!([{"names": ["w1"], "privileges": ["create_doc"]}]),
    )
    .await;
    user_with(
        &node,
        "ds",
        json!([{"names": ["ds-a"], "privileges": ["create_doc"]}]),
    )
    .await;

    // New field through the alias: the mapping update is authorized on the alias (BWC rule).
    let (s, b) = node
        .call(
            "POST",
            "/w1/_doc",
            ("via", PASSWORD),
            Some(json!({"fresh": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    // On a data stream, create_doc writes mapped fields but may not add one.
    let (s, b) = node
        .call(
            "POST",
            "/ds-a/_doc",
            ("ds", PASSWORD),
            Some(json!({"@timestamp": "2024-01-02T00:00:00Z", "known": 2})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node
        .call(
            "POST",
            "/ds-a/_doc",
            ("ds", PASSWORD),
            Some(json!({"@timestamp": "2024-01-03T00:00:00Z", "unmapped": 3})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    let reason = b["error"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("action [indices:admin/mapping/auto_put] is unauthorized for user [ds]"),
        "{reason}"
    );
    assert!(reason.contains("on indices [.ds-ds-a-"), "{reason}");
}
