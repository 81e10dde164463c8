#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_delete_by_query` and `_update_by_query` on the embedded engine: the response shape,
//! `max_docs`, `q`, `refresh`, version conflicts against the search snapshot (abort and
//! proceed), the ingest pipeline of an update, and the security model: the by-query action
//! plus read and the item writes on the concrete indices, DLS (hidden documents untouched),
//! FLS (update refused, delete allowed with hidden fields matching nothing), and a wildcard
//! reaching nothing answering 200.

mod common;

use axum::http::Method;
use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

fn doc(i: usize) -> Value {
    json!({"title": format!("note {i}"), "dept": if i % 2 == 0 { "public" } else { "secret" },
        "n": i, "salary": 100 * i})
}

/// `docs` (p0..p3: p0, p2 public) and `docs-other` (o1), refreshed; roles and users:
/// `deleter` (read + delete on docs*), `writer` (read + write on docs), `dls` (read + write on
/// docs, DLS dept:public), `fls` (read + write on docs, FLS title/dept/n), `reader` (read on
/// docs), `delete_only` (delete on docs, no read), `alias_writer` (read + write on the alias
/// docs-alias only).
async fn node() -> TestNode {
    let node = TestNode::new();
    for i in 0..4 {
        let (s, b) = node
            .admin("PUT", &format!("/docs/_doc/p{i}"), Some(doc(i)))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = node.admin("PUT", "/docs-other/_doc/o1", Some(doc(1))).await;
    assert_eq!(s, 201, "{b}");
    let alias = json!({"actions": [{"add": {"index": "docs", "alias": "docs-alias"}}]});
    assert_eq!(node.admin("POST", "/_aliases", Some(alias)).await.0, 200);
    assert_eq!(node.admin("POST", "/_refresh", None).await.0, 200);
    let dls = json!({"term": {"dept": "public"}});
    let roles = [
        (
            "deleter",
            json!({"indices": [{"names": ["docs*"], "privileges": ["read", "delete"]}]}),
        ),
        (
            "writer",
            json!({"indices": [{"names": ["docs"], "privileges": ["read", "write"]}]}),
        ),
        (
            "dls",
            json!({"indices": [{"names": ["docs"], "privileges": ["read", "write"], "query": dls}]}),
        ),
        (
            "fls",
            json!({"indices": [{"names": ["docs"], "privileges": ["read", "write"],
            "field_security": {"grant": ["title", "dept", "n"]}}]}),
        ),
        (
            "reader",
            json!({"indices": [{"names": ["docs"], "privileges": ["read"]}]}),
        ),
        (
            "delete_only",
            json!({"indices": [{"names": ["docs"], "privileges": ["delete"]}]}),
        ),
        (
            "alias_writer",
            json!({"indices": [{"names": ["docs-alias"], "privileges": ["read", "write"]}]}),
        ),
    ];
    for (name, role) in roles {
        let (s, b) = node
            .admin("PUT", &format!("/_security/role/{name}"), Some(role))
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(name, PW, &[name]);
    }
    node
}

async fn call(node: &TestNode, user: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    node.call(Method::POST, path, Some((user, PW)), body).await
}

async fn ids(node: &TestNode, index: &str) -> Vec<String> {
    node.admin("POST", &format!("/{index}/_refresh"), None)
        .await;
    let (_, found) = node
        .admin(
            "POST",
            &format!("/{index}/_search"),
            Some(json!({"size": 100, "query": {"match_all": {}}})),
        )
        .await;
    let mut ids: Vec<String> = found["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn delete_by_query_deletes_the_matches_in_es_shape() {
    let node = node().await;
    let (status, answer) = call(
        &node,
        "deleter",
        "/docs/_delete_by_query?refresh=true",
        Some(json!({"query": {"term": {"dept": "secret"}}})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    for (key, value) in [
        ("total", json!(2)),
        ("deleted", json!(2)),
        ("batches", json!(1)),
        ("version_conflicts", json!(0)),
        ("noops", json!(0)),
        ("failures", json!([])),
        ("timed_out", json!(false)),
        ("requests_per_second", json!(-1.0)),
        ("retries", json!({"bulk": 0, "search": 0})),
    ] {
        assert_eq!(answer[key], value, "{key}: {answer}");
    }
    assert!(answer.get("updated").is_none(), "{answer}");
    assert_eq!(ids(&node, "docs").await, ["p0", "p2"]);
    // `q`, `max_docs` and `scroll_size` (batches of one).
    let (status, answer) = call(
        &node,
        "deleter",
        "/docs/_delete_by_query?q=dept:public&max_docs=1&scroll_size=1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["total"], &answer["deleted"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(ids(&node, "docs").await.len(), 1);
    // Nothing matched: 200, nothing done, no batch.
    let (status, answer) = call(
        &node,
        "deleter",
        "/docs/_delete_by_query",
        Some(json!({"query": {"term": {"dept": "nobody"}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    assert_eq!(answer["batches"], json!(0));
}

#[tokio::test]
async fn refused_options_are_clear_400s() {
    let node = node().await;
    for (path, body, needle) in [
        (
            "/docs/_update_by_query",
            json!({"script": {"source": "ctx._source.n = 0"}}),
            "scripts are not supported",
        ),
        ("/docs/_delete_by_query", json!({"sort": ["n"]}), "[sort]"),
        (
            "/docs/_delete_by_query?wait_for_completion=false",
            json!({}),
            "wait_for_completion",
        ),
        ("/docs/_delete_by_query?slices=4", json!({}), "[slices]"),
        (
            "/docs/_delete_by_query",
            json!({"conflicts": "skip"}),
            "[skip]",
        ),
        ("/docs/_delete_by_query", json!({"max_docs": 0}), "max_docs"),
    ] {
        let (status, answer) = call(&node, "writer", path, Some(body)).await;
        assert_eq!(status, 400, "{path}: {answer}");
        let reason = answer["error"]["reason"].as_str().unwrap();
        assert!(reason.contains(needle), "{path}: {answer}");
    }
    for slices in ["auto", "1"] {
        let path = format!("/docs/_delete_by_query?slices={slices}");
        let body = json!({"query": {"term": {"dept": "nobody"}}});
        assert_eq!(call(&node, "writer", &path, Some(body)).await.0, 200);
    }
    assert_eq!(ids(&node, "docs").await.len(), 4);
}

#[tokio::test]
async fn update_by_query_rewrites_documents_and_runs_the_pipeline() {
    let node = node().await;
    let pipeline = json!({"processors": [{"set": {"field": "touched", "value": true}}]});
    let (s, b) = node
        .admin("PUT", "/_ingest/pipeline/touch", Some(pipeline))
        .await;
    assert_eq!(s, 200, "{b}");
    let (status, answer) = call(
        &node,
        "writer",
        "/docs/_update_by_query?pipeline=touch&refresh",
        Some(json!({"query": {"term": {"dept": "public"}}})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["total"], &answer["updated"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(answer["deleted"], json!(0), "{answer}");
    let (_, p0) = node.admin("GET", "/docs/_doc/p0", None).await;
    assert_eq!(p0["_version"], json!(2), "{p0}");
    assert_eq!(p0["_source"]["touched"], json!(true), "{p0}");
    assert_eq!(p0["_source"]["title"], json!("note 0"), "{p0}");
    let (_, p1) = node.admin("GET", "/docs/_doc/p1", None).await;
    assert_eq!(p1["_version"], json!(1), "{p1}");
}

#[tokio::test]
async fn a_document_changed_after_the_snapshot_is_a_version_conflict() {
    let node = node().await;
    // Written but not refreshed: the by-query's search still sees the old p1 with its old
    // `_seq_no`, so its delete conflicts as Elasticsearch's would.
    let (s, _) = node
        .admin(
            "PUT",
            "/docs/_doc/p1",
            Some(json!({"dept": "secret", "n": 10})),
        )
        .await;
    assert_eq!(s, 200);
    let secret = json!({"query": {"term": {"dept": "secret"}}});
    let (status, answer) = call(
        &node,
        "deleter",
        "/docs/_delete_by_query",
        Some(secret.clone()),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["version_conflicts"], json!(1), "{answer}");
    assert_eq!(answer["deleted"], json!(1), "{answer}");
    let failure = &answer["failures"][0];
    assert_eq!(
        (&failure["id"], &failure["status"]),
        (&json!("p1"), &json!(409)),
        "{answer}"
    );
    assert_eq!(
        failure["cause"]["type"],
        json!("version_conflict_engine_exception")
    );
    // Changed again without refresh; with `conflicts=proceed` it is counted, not a failure.
    node.admin(
        "PUT",
        "/docs/_doc/p1",
        Some(json!({"dept": "secret", "n": 11})),
    )
    .await;
    node.admin("POST", "/docs/_refresh", None).await;
    node.admin(
        "PUT",
        "/docs/_doc/p1",
        Some(json!({"dept": "secret", "n": 12})),
    )
    .await;
    let (status, answer) = call(
        &node,
        "deleter",
        "/docs/_delete_by_query?conflicts=proceed",
        Some(secret),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["version_conflicts"], json!(1), "{answer}");
    assert_eq!(answer["failures"], json!([]), "{answer}");
    assert_eq!(ids(&node, "docs").await, ["p0", "p1", "p2"]);
}

#[tokio::test]
async fn privileges_are_the_action_read_and_the_item_writes() {
    let node = node().await;
    let all = Some(json!({"query": {"match_all": {}}}));
    // Read alone: the by-query action is refused.
    let (status, answer) = call(&node, "reader", "/docs/_delete_by_query", all.clone()).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"].as_str().unwrap().starts_with(
            "action [indices:data/write/delete/byquery] is unauthorized for user [reader]"
        ),
        "{answer}"
    );
    // `delete` without read: its search phase is refused.
    let (status, answer) = call(&node, "delete_only", "/docs/_delete_by_query", all.clone()).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("action [indices:data/read/search] is unauthorized"),
        "{answer}"
    );
    // `delete` grants delete-by-query but not update-by-query.
    let (status, _) = call(&node, "deleter", "/docs/_update_by_query", all.clone()).await;
    assert_eq!(status, 403);
    // A grant on the alias alone: the deletes on the concrete index are refused...
    let (status, answer) = call(&node, "alias_writer", "/docs-alias/_delete_by_query", all).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"].as_str().unwrap().starts_with(
            "action [indices:data/write/delete] is unauthorized for user [alias_writer]"
        ),
        "{answer}"
    );
    // ...but a query matching nothing answers 200, as Elasticsearch checks writes per batch.
    let none = Some(json!({"query": {"term": {"dept": "nobody"}}}));
    let (status, answer) = call(&node, "alias_writer", "/docs-alias/_delete_by_query", none).await;
    assert_eq!((status, &answer["total"]), (200, &json!(0)), "{answer}");
    // A wildcard reaching no authorized index is an empty answer, not a 403.
    let (status, answer) = call(
        &node,
        "writer",
        "/nothing-*/_delete_by_query",
        Some(json!({"query": {"match_all": {}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    assert_eq!(ids(&node, "docs").await.len(), 4);
    assert_eq!(ids(&node, "docs-other").await, ["o1"]);
}

#[tokio::test]
async fn dls_hides_documents_from_by_query_writes() {
    let node = node().await;
    let (status, answer) = call(&node, "dls", "/docs/_update_by_query?refresh=true", None).await;
    assert_eq!((status, &answer["updated"]), (200, &json!(2)), "{answer}");
    let (_, p1) = node.admin("GET", "/docs/_doc/p1", None).await;
    assert_eq!(
        p1["_version"],
        json!(1),
        "a hidden document is untouched: {p1}"
    );
    // A URL query is scoped by the engine like a body query: the hidden documents it names
    // are not found. (A gateway cannot scope it and refuses `q` to restricted callers.)
    let (status, answer) = call(&node, "dls", "/docs/_delete_by_query?q=dept:secret", None).await;
    assert_eq!((status, &answer["total"]), (200, &json!(0)), "{answer}");
    let (status, answer) = call(
        &node,
        "dls",
        "/do*/_delete_by_query",
        Some(json!({"query": {"match_all": {}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(2)), "{answer}");
    assert_eq!(ids(&node, "docs").await, ["p1", "p3"]);
    assert_eq!(ids(&node, "docs-other").await, ["o1"]);
}

#[tokio::test]
async fn fls_refuses_update_by_query_and_hides_fields_from_delete_queries() {
    let node = node().await;
    let (status, answer) = call(&node, "fls", "/docs/_update_by_query", None).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["type"], json!("security_exception"));
    assert_eq!(
        answer["error"]["reason"],
        json!(
            "[_update_by_query] under field level security is not allowed when document or field level security applies"
        )
    );
    // A hidden field matches nothing.
    let (status, answer) = call(
        &node,
        "fls",
        "/docs/_delete_by_query",
        Some(json!({"query": {"range": {"salary": {"gte": 0}}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    let (status, answer) = call(
        &node,
        "fls",
        "/docs/_delete_by_query",
        Some(json!({"query": {"range": {"n": {"gte": 2}}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(2)), "{answer}");
    assert_eq!(ids(&node, "docs").await, ["p0", "p1"]);
}
