#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Point in time on the embedded engine: snapshot isolation, paging with `search_after` and
//! the implicit `_shard_doc` tiebreaker, the searching caller's DLS/FLS on every PIT search,
//! ownership (another user or API key gets ES's 404), authorization at open and at each
//! search, close, expiry through the reaper (driven with a later `now`, no sleeping), the
//! open cap and ES's validation messages.

mod common;
mod data_pit_cases;

use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{TestNode, reason};
use serde_json::{Value, json};

const PW: &str = "pit-password";
const ALICE: (&str, &str) = ("alice", PW);
const BOB: (&str, &str) = ("bob", PW);
const CAROL: (&str, &str) = ("carol", PW);
const DAVE: (&str, &str) = ("dave", PW);

async fn put_role(node: &TestNode, name: &str, index: Value) {
    let (s, b) = node
        .admin(
            "PUT",
            &format!("/_security/role/{name}"),
            Some(json!({"indices": [index]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

/// `docs` with six refreshed documents (`eng`/`hr` alternating) and four users: alice and bob
/// read everything, carol reads `eng` documents without the `secret` field, dave nothing.
async fn node_with(settings: &[(&str, &str)]) -> TestNode {
    let node = TestNode::with_settings(settings);
    let mapping = json!({"mappings": {"properties": {
        "n": {"type": "long"}, "dept": {"type": "keyword"}, "secret": {"type": "keyword"}
    }}});
    let (s, b) = node.admin("PUT", "/docs", Some(mapping)).await;
    assert_eq!(s, 200, "{b}");
    for i in 0..6 {
        let dept = if i % 2 == 0 { "eng" } else { "hr" };
        let doc = json!({"n": i, "dept": dept, "secret": format!("s{i}")});
        let (s, b) = node
            .admin("PUT", &format!("/docs/_doc/d{i}"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = node.admin("POST", "/docs/_refresh", None).await;
    assert_eq!(s, 200, "{b}");
    // The alias is granted by name (ES authorizes aliases as written); API keys are her own.
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role/docs_reader",
            Some(json!({
                "cluster": ["manage_own_api_key"],
                "indices": [{"names": ["docs", "eng_docs"], "privileges": ["read"]}]
            })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    put_role(&node, "eng_reader", eng_only()).await;
    put_role(
        &node,
        "other_reader",
        json!({"names": ["other"], "privileges": ["read"]}),
    )
    .await;
    node.add_user("alice", PW, &["docs_reader"]);
    node.add_user("bob", PW, &["docs_reader"]);
    node.add_user("carol", PW, &["eng_reader"]);
    node.add_user("dave", PW, &["other_reader"]);
    node
}

fn eng_only() -> Value {
    json!({
        "names": ["docs"], "privileges": ["read"],
        "query": {"term": {"dept": "eng"}},
        "field_security": {"grant": ["n", "dept"]}
    })
}

async fn open(node: &TestNode, user: (&str, &str), path: &str) -> String {
    let (s, b) = node.call("POST", path, user, None).await;
    assert_eq!(s, 200, "{b}");
    b["id"].as_str().unwrap().to_string()
}

fn pit_body(id: &str, extra: Value) -> Value {
    let mut body = json!({"pit": {"id": id}, "size": 100});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn pit_search(node: &TestNode, user: (&str, &str), id: &str, extra: Value) -> (u16, Value) {
    node.call("POST", "/_search", user, Some(pit_body(id, extra)))
        .await
}

fn ids(answer: &Value) -> Vec<String> {
    let mut ids: Vec<String> = answer["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn assert_context_missing(status: u16, body: &Value) {
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        body["error"]["type"], "search_context_missing_exception",
        "{body}"
    );
}

#[tokio::test]
async fn writes_after_opening_are_invisible_to_the_pit() {
    let node = node_with(&[]).await;
    let (s, b) = node
        .call("POST", "/docs/_pit?keep_alive=1m", ALICE, None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["_shards"]["total"], 1, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (s, b) = node
        .admin(
            "PUT",
            "/docs/_doc/late?refresh=true",
            Some(json!({"n": 99, "dept": "eng"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node
        .admin("DELETE", "/docs/_doc/d0?refresh=true", None)
        .await;
    assert_eq!(s, 200, "{b}");

    let (s, b) = pit_search(&node, ALICE, &id, json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["pit_id"], id.as_str());
    assert_eq!(ids(&b), ["d0", "d1", "d2", "d3", "d4", "d5"]);
    let (_, now) = node
        .call("POST", "/docs/_search", ALICE, Some(json!({"size": 100})))
        .await;
    assert_eq!(ids(&now), ["d1", "d2", "d3", "d4", "d5", "late"]);
}

#[tokio::test]
async fn search_after_pages_once_through_every_document() {
    let node = node_with(&[]).await;
    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let mut seen = Vec::new();
    let mut after: Option<Value> = None;
    loop {
        let mut extra = json!({"size": 2, "sort": [{"dept": "asc"}]});
        if let Some(a) = &after {
            extra["search_after"] = a.clone();
        }
        let (s, b) = pit_search(&node, ALICE, &id, extra).await;
        assert_eq!(s, 200, "{b}");
        let hits = b["hits"]["hits"].as_array().unwrap().clone();
        if hits.is_empty() {
            break;
        }
        let sort = hits.last().unwrap()["sort"].clone();
        assert_eq!(
            sort.as_array().unwrap().len(),
            2,
            "tiebreaker appended: {sort}"
        );
        seen.extend(hits.iter().map(|h| h["_id"].as_str().unwrap().to_string()));
        after = Some(sort);
    }
    seen.sort();
    assert_eq!(seen, ["d0", "d1", "d2", "d3", "d4", "d5"]);
}

#[tokio::test]
async fn the_searching_callers_dls_and_fls_apply_on_every_search() {
    let node = node_with(&[]).await;
    let id = open(&node, CAROL, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = pit_search(&node, CAROL, &id, json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(ids(&b), ["d0", "d2", "d4"]);
    for hit in b["hits"]["hits"].as_array().unwrap() {
        assert!(hit["_source"].get("secret").is_none(), "{hit}");
        assert!(hit["_source"].get("n").is_some(), "{hit}");
    }
    // A hidden field matches nothing, as in any search.
    let (_, b) = pit_search(
        &node,
        CAROL,
        &id,
        json!({"query": {"exists": {"field": "secret"}}}),
    )
    .await;
    assert_eq!(b["hits"]["total"]["value"], 0, "{b}");
    // The restriction is the caller's at search time, not the one of the opening.
    put_role(
        &node,
        "eng_reader",
        json!({"names": ["docs"], "privileges": ["read"], "query": {"term": {"dept": "hr"}}}),
    )
    .await;
    let (s, b) = pit_search(&node, CAROL, &id, json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(ids(&b), ["d1", "d3", "d5"]);
    assert!(
        b["hits"]["hits"][0]["_source"].get("secret").is_some(),
        "{b}"
    );
}

#[tokio::test]
async fn another_user_or_api_key_finds_no_context() {
    let node = node_with(&[]).await;
    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = pit_search(&node, BOB, &id, json!({})).await;
    assert_context_missing(s, &b);
    let (s, b) = node
        .call("DELETE", "/_pit", BOB, Some(json!({"id": id})))
        .await;
    assert_eq!((s, &b), (200, &json!({"succeeded": true, "num_freed": 0})));

    // Alice's own API key is another owner too.
    let (s, key) = node
        .call(
            "POST",
            "/_security/api_key",
            ALICE,
            Some(json!({"name": "pit-key"})),
        )
        .await;
    assert_eq!(s, 200, "{key}");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        key["id"].as_str().unwrap(),
        key["api_key"].as_str().unwrap()
    ));
    let auth = format!("ApiKey {encoded}");
    let (s, b) = node
        .call_auth("POST", "/_search", &auth, Some(pit_body(&id, json!({}))))
        .await;
    assert_context_missing(s, &b);
    // A PIT the key opens is the key's own.
    let (s, b) = node
        .call_auth("POST", "/docs/_pit?keep_alive=1m", &auth, None)
        .await;
    assert_eq!(s, 200, "{b}");
    let key_pit = b["id"].as_str().unwrap().to_string();
    let (s, b) = node
        .call_auth(
            "POST",
            "/_search",
            &auth,
            Some(pit_body(&key_pit, json!({}))),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = pit_search(&node, ALICE, &key_pit, json!({})).await;
    assert_context_missing(s, &b);

    let (s, b) = pit_search(&node, ALICE, &id, json!({})).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn opening_and_each_search_are_authorized() {
    let node = node_with(&[]).await;
    let (s, b) = node
        .call("POST", "/docs/_pit?keep_alive=1m", DAVE, None)
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("indices:data/read/open_point_in_time"),
        "{b}"
    );

    put_role(
        &node,
        "short_lived",
        json!({"names": ["docs"], "privileges": ["read"]}),
    )
    .await;
    node.add_user("erin", PW, &["short_lived"]);
    let id = open(&node, ("erin", PW), "/docs/_pit?keep_alive=1m").await;
    put_role(
        &node,
        "short_lived",
        json!({"names": ["other"], "privileges": ["read"]}),
    )
    .await;
    let (s, b) = pit_search(&node, ("erin", PW), &id, json!({})).await;
    assert_eq!(s, 403, "{b}");
    assert!(reason(&b).contains("indices:data/read/search"), "{b}");
    assert!(reason(&b).contains("[docs]"), "{b}");
}

#[tokio::test]
async fn a_pit_opened_through_a_filtered_alias_keeps_its_filter() {
    let node = node_with(&[]).await;
    let (s, b) = node
        .admin(
            "POST",
            "/_aliases",
            Some(json!({"actions": [{"add": {
                "index": "docs", "alias": "eng_docs", "filter": {"term": {"dept": "eng"}}
            }}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let id = open(&node, ALICE, "/eng_docs/_pit?keep_alive=1m").await;
    let (s, b) = pit_search(&node, ALICE, &id, json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(ids(&b), ["d0", "d2", "d4"]);
}

#[tokio::test]
async fn close_frees_the_pit() {
    let node = node_with(&[]).await;
    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = node
        .call("DELETE", "/_pit", ALICE, Some(json!({"id": id})))
        .await;
    assert_eq!((s, &b), (200, &json!({"succeeded": true, "num_freed": 1})));
    let (s, b) = pit_search(&node, ALICE, &id, json!({})).await;
    assert_context_missing(s, &b);
    let (s, b) = node
        .call("DELETE", "/_pit", ALICE, Some(json!({"id": id})))
        .await;
    assert_eq!((s, &b), (200, &json!({"succeeded": true, "num_freed": 0})));
}

#[tokio::test]
async fn expired_pits_are_reaped_and_searches_renew_them() {
    let node = node_with(&[]).await;
    let short = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let renewed = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = pit_search(
        &node,
        ALICE,
        &renewed,
        json!({"pit": {"id": renewed, "keep_alive": "10m"}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // The reaper running two minutes from now.
    let later = Instant::now() + Duration::from_secs(120);
    assert_eq!(node.state.data.expire_pits(later), 1);
    let (s, b) = pit_search(&node, ALICE, &short, json!({})).await;
    assert_context_missing(s, &b);
    let (s, b) = pit_search(&node, ALICE, &renewed, json!({})).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn the_number_of_open_pits_is_capped() {
    let node = node_with(&[("search.max_open_pit_context", "1")]).await;
    let first = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = node
        .call("POST", "/docs/_pit?keep_alive=1m", BOB, None)
        .await;
    assert_eq!(s, 429, "{b}");
    assert_eq!(b["error"]["type"], "es_rejected_execution_exception", "{b}");
    assert!(reason(&b).contains("[search.max_open_pit_context]"), "{b}");
    let (s, _) = node
        .call("DELETE", "/_pit", ALICE, Some(json!({"id": first})))
        .await;
    assert_eq!(s, 200);
    open(&node, BOB, "/docs/_pit?keep_alive=1m").await;
}

#[tokio::test]
async fn elasticsearch_validation_messages() {
    let node = node_with(&[]).await;
    let (s, b) = node.call("POST", "/docs/_pit", ALICE, None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [keep_alive] is not specified;"
    );

    let id = open(&node, ALICE, "/docs/_pit?keep_alive=1m").await;
    let (s, b) = node
        .call(
            "POST",
            "/docs/_search",
            ALICE,
            Some(pit_body(&id, json!({}))),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "action_request_validation_exception");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any \
         index with point in time.;"
    );
    let (s, b) = node
        .call(
            "POST",
            "/_search?routing=x",
            ALICE,
            Some(pit_body(&id, json!({}))),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [routing] cannot be used with point in time;"
    );

    let (s, b) = node
        .call(
            "POST",
            "/docs/_search",
            ALICE,
            Some(json!({"sort": ["_shard_doc"]})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [_shard_doc] sort field cannot be used without [point in time];"
    );

    let (s, b) = pit_search(&node, ALICE, "no-such-pit", json!({})).await;
    assert_context_missing(s, &b);
}

#[tokio::test]
async fn index_filter_leaves_out_indices_it_cannot_match() {
    let node = node_with(&[]).await;
    let (s, b) = node
        .admin(
            "PUT",
            "/docs2/_doc/x?refresh=true",
            Some(json!({"dept": "ops"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node
        .admin(
            "POST",
            "/docs,docs2/_pit?keep_alive=1m",
            Some(json!({"index_filter": {"term": {"dept": "eng"}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["_shards"]["total"], 1, "{b}");
    let (s, b) = node
        .admin("POST", "/docs/_pit?keep_alive=1m", Some(json!({"size": 1})))
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        reason(&b),
        "[open_point_in_time_request] unknown field [size]"
    );
}
