#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_rollover` on the embedded plane: conditions evaluated on the write index (ES's labels and
//! its "all min, one max" rule), `dry_run`, the new index's body, strict parsing with ES's
//! nested causes (400 before 403), authorization of the alias and of a named new index, and `lazy` on data
//! streams (rolled over by the next write).

mod common;

use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

/// `logs-000001` behind the write alias `logs` holding two refreshed documents, and a user
/// `mgr` with `write`+`manage` on the alias only.
async fn node() -> TestNode {
    let node = TestNode::new();
    let (s, b) = node
        .admin(
            "PUT",
            "/logs-000001",
            Some(json!({"aliases": {"logs": {"is_write_index": true}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    for id in ["1", "2"] {
        let (s, b) = node
            .admin(
                "PUT",
                &format!("/logs/_doc/{id}?refresh=true"),
                Some(json!({"n": id})),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let role = json!({"indices": [{"names": ["logs"], "privileges": ["write", "manage"]}]});
    node.admin("PUT", "/_security/role/mgr", Some(role)).await;
    node.add_user("mgr", PW, &["mgr"]);
    node
}

async fn rollover(node: &TestNode, path: &str, body: Value) -> (u16, Value) {
    node.call("POST", path, ("mgr", PW), Some(body)).await
}

#[tokio::test]
async fn unmet_conditions_and_dry_runs_change_nothing() {
    let node = node().await;
    let (s, b) = rollover(
        &node,
        "/logs/_rollover",
        json!({"conditions": {"max_docs": 3, "max_age": "90m", "max_size": "1536kb"}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b,
        json!({"acknowledged": false, "shards_acknowledged": false,
            "old_index": "logs-000001", "new_index": "logs-000002", "rolled_over": false,
            "dry_run": false, "lazy": false, "conditions": {
                "[max_docs: 3]": false, "[max_age: 1.5h]": false, "[max_size: 1.5mb]": false}})
    );
    let (s, b) = rollover(
        &node,
        "/logs/_rollover?dry_run",
        json!({"conditions": {"max_docs": 2}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["dry_run"], true);
    assert_eq!(b["rolled_over"], false);
    assert_eq!(b["conditions"], json!({"[max_docs: 2]": true}));
    let (s, _) = node.admin("HEAD", "/logs-000002", None).await;
    assert_eq!(s, 404, "neither call created the new index");
}

#[tokio::test]
async fn met_conditions_roll_the_alias_over_with_the_new_index_body() {
    let node = node().await;
    let body = json!({
        "conditions": {"max_docs": 1, "min_docs": 2},
        "settings": {"index": {"number_of_replicas": 0}},
        "mappings": {"properties": {"n": {"type": "keyword"}}},
    });
    let (s, b) = rollover(&node, "/logs/_rollover", body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rolled_over"], true, "{b}");
    assert_eq!(b["acknowledged"], true, "{b}");
    assert_eq!(
        b["conditions"],
        json!({"[max_docs: 1]": true, "[min_docs: 2]": true})
    );
    assert_eq!(b["new_index"], "logs-000002");
    let (_, settings) = node.admin("GET", "/logs-000002/_settings", None).await;
    assert_eq!(
        settings["logs-000002"]["settings"]["index"]["number_of_replicas"],
        "0"
    );
    let (_, mapping) = node.admin("GET", "/logs-000002/_mapping", None).await;
    assert_eq!(
        mapping["logs-000002"]["mappings"]["properties"]["n"]["type"],
        "keyword"
    );
    // The explicit write alias stays on the old index as a read alias.
    let (_, aliases) = node.admin("GET", "/_alias/logs", None).await;
    assert_eq!(
        aliases,
        json!({"logs-000001": {"aliases": {"logs": {"is_write_index": false}}},
            "logs-000002": {"aliases": {"logs": {"is_write_index": true}}}})
    );
    let (s, b) = node
        .call(
            "PUT",
            "/logs/_doc/3?refresh=true",
            ("mgr", PW),
            Some(json!({"n": "3"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["_index"], "logs-000002");
}

#[tokio::test]
async fn min_conditions_hold_a_rollover_back() {
    let node = node().await;
    let (s, b) = rollover(
        &node,
        "/logs/_rollover",
        json!({"conditions": {"max_docs": 1, "min_docs": 5}}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rolled_over"], false, "{b}");
    assert_eq!(
        b["conditions"],
        json!({"[max_docs: 1]": true, "[min_docs: 5]": false})
    );
}

#[tokio::test]
async fn bad_bodies_are_elasticsearchs_parse_errors_before_authorization() {
    let node = node().await;
    node.add_user("nobody", PW, &[]);
    let (s, b) = node
        .call(
            "POST",
            "/logs/_rollover",
            ("nobody", PW),
            Some(json!({"conditions": {"max_doc": 1}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "x_content_parse_exception", "{b}");
    assert_eq!(
        b["error"]["reason"],
        "[rollover] failed to parse field [conditions]"
    );
    assert_eq!(
        b["error"]["caused_by"]["reason"],
        "[rollover_conditions] unknown field [max_doc]"
    );
    let (s, b) = rollover(
        &node,
        "/logs/_rollover",
        json!({"conditions": {"min_docs": 1}}),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["error"]["type"], "action_request_validation_exception",
        "{b}"
    );
    let (s, b) = rollover(
        &node,
        "/logs/_rollover",
        json!({"conditions": {"max_age": "5x"}}),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["error"]["caused_by"]["caused_by"]["reason"],
        "failed to parse setting [max_age] with value [5x] as a time value: unit is missing or unrecognized"
    );
    let (s, b) = rollover(&node, "/logs/_rollover?dry_run=maybe", json!({})).await;
    assert_eq!(s, 400, "{b}");
    // A well-formed request from a caller without the privilege is a 403.
    let (s, b) = node
        .call(
            "POST",
            "/logs/_rollover",
            ("nobody", PW),
            Some(json!({"conditions": {"max_docs": 1}})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
}

#[tokio::test]
async fn a_named_new_index_is_authorized_and_targets_are_validated() {
    let node = node().await;
    let (s, b) = rollover(&node, "/logs/_rollover/elsewhere", json!({})).await;
    assert_eq!(s, 403, "{b}");
    assert!(common::reason(&b).contains("indices:admin/rollover"), "{b}");
    let (s, b) = node
        .admin("POST", "/logs-000001/_rollover", Some(json!({})))
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "rollover target is a [concrete index] but one of [alias,data_stream] was expected"
    );
    let (s, b) = node.admin("POST", "/missing/_rollover", None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "rollover target [missing] does not exist"
    );
    let (s, b) = node.admin("POST", "/logs/_rollover?lazy", None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "Lazy rollover can be applied only on a data stream. Please remove the query parameter 'lazy'."
    );
    let (s, b) = node.admin("PUT", "/logs-000002", None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin("POST", "/logs/_rollover?dry_run", Some(json!({})))
        .await;
    assert_eq!(s, 400, "the new index exists: {b}");
    assert_eq!(b["error"]["type"], "resource_already_exists_exception");
}

#[tokio::test]
async fn lazy_rollover_of_a_data_stream_happens_on_the_next_write() {
    let node = TestNode::new();
    let template = json!({"index_patterns": ["ds-*"], "data_stream": {},
        "template": {"mappings": {"properties": {"@timestamp": {"type": "date"}}}}});
    node.admin("PUT", "/_index_template/ds", Some(template))
        .await;
    let (s, b) = node.admin("PUT", "/_data_stream/ds-app", None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin(
            "POST",
            "/ds-app/_rollover?lazy",
            Some(json!({"conditions": {"max_docs": 1}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = node.admin("POST", "/ds-app/_rollover?lazy", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["lazy"], true, "{b}");
    assert_eq!(b["rolled_over"], false, "{b}");
    assert_eq!(b["acknowledged"], true, "{b}");
    let backing = |b: &Value| b["data_streams"][0]["indices"].as_array().unwrap().len();
    let (_, streams) = node.admin("GET", "/_data_stream/ds-app", None).await;
    assert_eq!(backing(&streams), 1);
    assert_eq!(streams["data_streams"][0]["rollover_on_write"], true);
    let doc = json!({"@timestamp": "2024-01-01T00:00:00Z"});
    let (s, b) = node.admin("POST", "/ds-app/_doc", Some(doc)).await;
    assert_eq!(s, 201, "{b}");
    let (_, streams) = node.admin("GET", "/_data_stream/ds-app", None).await;
    assert_eq!(backing(&streams), 2, "{streams}");
    assert_eq!(streams["data_streams"][0]["rollover_on_write"], false);
    assert!(
        b["_index"].as_str().unwrap().ends_with("-000002"),
        "the write went to the new backing index: {b}"
    );
    let (s, b) = node.admin("POST", "/ds-app/_rollover/named", None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        common::reason(&b),
        "new index name may not be specified when rolling over a data stream"
    );
}
