//! `pit` inside `_msearch` items: each item is a PIT search of its own (the snapshot, the
//! searching caller's DLS/FLS, ownership, authorization), and ES's validation of a PIT
//! search refuses an index (header or URL), indices options, routing and preference in the
//! item only.

use serde_json::{Value, json};

use super::super::common::{SUPERUSER, TestNode, basic};
use super::super::{ALICE, BOB, CAROL, ids, node_with, open, put_role};

/// `_msearch` as `user`: the ndjson of `(header, body)` pairs.
async fn msearch(
    node: &TestNode,
    user: (&str, &str),
    path: &str,
    items: &[(Value, Value)],
) -> (u16, Value) {
    let mut ndjson = String::new();
    for (header, body) in items {
        ndjson.push_str(&format!("{header}\n{body}\n"));
    }
    let r = node
        .call_raw_auth(
            axum::http::Method::POST,
            path,
            Some(&basic(user.0, user.1)),
            Some(ndjson.into_bytes()),
        )
        .await;
    (r.status, r.json())
}

fn pit_item(id: &str) -> (Value, Value) {
    (
        json!({}),
        json!({"pit": {"id": id, "keep_alive": "1m"}, "size": 100}),
    )
}

fn error_of(item: &Value) -> (u64, &str, &str) {
    (
        item["status"].as_u64().unwrap(),
        item["error"]["type"].as_str().unwrap(),
        item["error"]["reason"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn each_pit_item_searches_its_snapshot_beside_ordinary_items() {
    let node = node_with(&[]).await;
    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = node
        .admin("PUT", "/docs/_doc/late?refresh=true", Some(json!({"n": 9})))
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = msearch(
        &node,
        ALICE,
        "/_msearch",
        &[
            pit_item(&id),
            (json!({"index": "docs"}), json!({"size": 100})),
        ],
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let pit = &b["responses"][0];
    assert_eq!(pit["status"], 200, "{b}");
    assert_eq!(pit["pit_id"], json!(id));
    assert_eq!(ids(pit), ["d0", "d1", "d2", "d3", "d4", "d5"]);
    let now = &b["responses"][1];
    assert_eq!(now["status"], 200, "{b}");
    assert_eq!(ids(now).len(), 7);
}

#[tokio::test]
async fn pit_items_are_restricted_and_bound_to_the_searching_caller() {
    let node = node_with(&[]).await;
    let carols = open(&node, CAROL, "/docs/_pit?keep_alive=1m").await;
    let alices = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    // Carol's own PIT under her DLS/FLS; Alice's PIT is no context of hers.
    let (s, b) = msearch(
        &node,
        CAROL,
        "/_msearch",
        &[pit_item(&carols), pit_item(&alices)],
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let own = &b["responses"][0];
    assert_eq!(ids(own), ["d0", "d2", "d4"]);
    for hit in own["hits"]["hits"].as_array().unwrap() {
        assert!(hit["_source"].get("secret").is_none(), "{hit}");
    }
    let (status, kind, _) = error_of(&b["responses"][1]);
    assert_eq!((status, kind), (404, "search_context_missing_exception"));
    // Bob reads the same index as Alice, but her PIT is hers.
    let (_, b) = msearch(&node, BOB, "/_msearch", &[pit_item(&alices)]).await;
    assert_eq!(error_of(&b["responses"][0]).0, 404, "{b}");

    // Each item is authorized for search on the PIT's indices when it runs.
    put_role(
        &node,
        "eng_reader",
        json!({"names": ["other"], "privileges": ["read"]}),
    )
    .await;
    let (s, b) = msearch(&node, CAROL, "/_msearch", &[pit_item(&carols)]).await;
    assert_eq!(s, 200, "{b}");
    let (status, kind, reason) = error_of(&b["responses"][0]);
    assert_eq!((status, kind), (403, "security_exception"), "{b}");
    assert!(
        reason.contains("indices:data/read/search") && reason.contains("[docs]"),
        "{reason}"
    );
}

#[tokio::test]
async fn elasticsearch_validation_of_pit_items() {
    let node = node_with(&[]).await;
    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let body = json!({"pit": {"id": id}});
    let indices = "Validation Failed: 1: [indices] cannot be used with point in time. Do not \
                   specify any index with point in time.;";
    let (s, b) = msearch(
        &node,
        ALICE,
        "/_msearch",
        &[
            (json!({"index": "docs"}), body.clone()),
            (
                json!({"routing": "r", "preference": "_local"}),
                body.clone(),
            ),
            (json!({"ignore_unavailable": true}), body.clone()),
            (json!({}), json!({"pit": {"keep_alive": "1m"}})),
            pit_item(&id),
        ],
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let r = &b["responses"];
    assert_eq!(
        error_of(&r[0]),
        (400, "action_request_validation_exception", indices)
    );
    assert_eq!(
        error_of(&r[1]).2,
        "Validation Failed: 1: [routing] cannot be used with point in time;2: [preference] \
         cannot be used with point in time;"
    );
    assert_eq!(
        error_of(&r[2]).2,
        "Validation Failed: 1: [indicesOptions] cannot be used with point in time;"
    );
    assert_eq!(error_of(&r[3]).0, 400, "{b}");
    // The valid item still runs.
    assert_eq!(r[4]["status"], 200, "{b}");

    // The URL's index is every header's default.
    let (s, b) = msearch(&node, ALICE, "/docs/_msearch", &[pit_item(&id)]).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(error_of(&b["responses"][0]).2, indices);
    // Unknown ids are missing contexts, as in `_search`.
    let (_, b) = msearch(&node, SUPERUSER, "/_msearch", &[pit_item("nope")]).await;
    assert_eq!(
        error_of(&b["responses"][0]).1,
        "search_context_missing_exception"
    );
}
