#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_delete_by_query`, `_update_by_query` and `_termvectors` through a gateway in front of a
//! real upstream (the embedded engine executes them), checked against the same expectations
//! as the embedded plane (`rampart-server/tests/data_by_query.rs`): DLS keeps hidden documents
//! untouched, `_update_by_query` is refused under FLS with the shared message, the by-query
//! action plus read and the item writes are required, version conflicts against the
//! snapshot, and a request that reaches or matches nothing answers 200 rather than 403.

mod gateway_support;

use gateway_support::Cluster;
use serde_json::{Value, json};

const PW: &str = "password-123";

fn doc(i: usize) -> Value {
    json!({"title": format!("note {i}"), "dept": if i % 2 == 0 { "public" } else { "secret" },
        "n": i, "salary": 100 * i})
}

async fn setup() -> Cluster {
    let cluster = Cluster::start().await;
    let docs: Vec<(String, Value)> = (0..4).map(|i| (format!("p{i}"), doc(i))).collect();
    cluster.seed_docs("docs", &docs).await;
    cluster
        .seed_docs("docs-other", &[("o1".into(), doc(1))])
        .await;
    let alias = json!({"actions": [{"add": {"index": "docs", "alias": "docs-alias"}}]});
    cluster.seed("POST", "/_aliases", Some(&alias), 200).await;
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
    cluster
        .put_roles(
            roles
                .iter()
                .map(|(n, r)| (n.to_string(), r.clone()))
                .collect(),
        )
        .await;
    let users: Vec<(&str, &str, &[&str])> = vec![
        ("deleter", PW, &["deleter"]),
        ("writer", PW, &["writer"]),
        ("dls", PW, &["dls"]),
        ("fls", PW, &["fls"]),
        ("reader", PW, &["reader"]),
        ("delete_only", PW, &["delete_only"]),
        ("alias_writer", PW, &["alias_writer"]),
    ];
    cluster.put_users(&users).await;
    cluster
}

async fn call(cluster: &Cluster, user: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let r = cluster
        .call(Some((user, PW)), "POST", path, body.as_ref())
        .await;
    (r.status, r.json())
}

async fn ids(cluster: &Cluster, index: &str) -> Vec<String> {
    cluster
        .seed("POST", &format!("/{index}/_refresh"), None, 200)
        .await;
    let found = cluster
        .direct(
            "POST",
            &format!("/{index}/_search"),
            Some(&json!({"size": 100, "query": {"match_all": {}}})),
        )
        .await
        .json();
    let mut ids: Vec<String> = found["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_query_through_the_gateway_decides_as_the_embedded_plane() {
    let cluster = setup().await;
    let all = Some(json!({"query": {"match_all": {}}}));
    let none = Some(json!({"query": {"term": {"dept": "nobody"}}}));
    // Privileges: the by-query action, then read for its search phase.
    let (status, answer) = call(&cluster, "reader", "/docs/_delete_by_query", all.clone()).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"].as_str().unwrap().starts_with(
            "action [indices:data/write/delete/byquery] is unauthorized for user [reader]"
        ),
        "{answer}"
    );
    let (status, answer) = call(
        &cluster,
        "delete_only",
        "/docs/_delete_by_query",
        all.clone(),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("action [indices:data/read/search] is unauthorized"),
        "{answer}"
    );
    // Item writes on the concrete index: refused when something matches, 200 when nothing
    // does (Elasticsearch checks them per batch of hits).
    let (status, answer) = call(
        &cluster,
        "alias_writer",
        "/docs-alias/_delete_by_query",
        all.clone(),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = call(
        &cluster,
        "alias_writer",
        "/docs-alias/_delete_by_query",
        none.clone(),
    )
    .await;
    assert_eq!((status, &answer["total"]), (200, &json!(0)), "{answer}");
    // A wildcard reaching no authorized index: an empty answer.
    let (status, answer) = call(
        &cluster,
        "writer",
        "/nothing-*/_delete_by_query",
        all.clone(),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    // FLS: update refused with the shared message; delete allowed, hidden fields match nothing.
    let (status, answer) = call(&cluster, "fls", "/docs/_update_by_query", None).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["reason"],
        json!(
            "[_update_by_query] under field level security is not allowed when document or field level security applies"
        )
    );
    let salary = Some(json!({"query": {"range": {"salary": {"gte": 0}}}}));
    let (status, answer) = call(&cluster, "fls", "/docs/_delete_by_query", salary).await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    assert_eq!(ids(&cluster, "docs").await.len(), 4);
    // DLS: the hidden documents are untouched by an update and by a wildcard delete.
    let (status, answer) = call(&cluster, "dls", "/docs/_update_by_query?refresh=true", None).await;
    assert_eq!((status, &answer["updated"]), (200, &json!(2)), "{answer}");
    let p1 = cluster.direct("GET", "/docs/_doc/p1", None).await.json();
    assert_eq!(p1["_version"], json!(1), "{p1}");
    let p0 = cluster.direct("GET", "/docs/_doc/p0", None).await.json();
    assert_eq!(p0["_version"], json!(2), "{p0}");
    let (status, answer) = call(&cluster, "dls", "/do*/_delete_by_query", all).await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(2)), "{answer}");
    assert_eq!(ids(&cluster, "docs").await, ["p1", "p3"]);
    assert_eq!(ids(&cluster, "docs-other").await, ["o1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_conflicts_and_termvectors_through_the_gateway() {
    let cluster = setup().await;
    // Changed upstream after the last refresh: the snapshot's `_seq_no` is stale.
    cluster
        .seed(
            "PUT",
            "/docs/_doc/p1",
            Some(&json!({"dept": "secret", "n": 10})),
            200,
        )
        .await;
    let secret = Some(json!({"query": {"term": {"dept": "secret"}}}));
    let (status, answer) = call(
        &cluster,
        "deleter",
        "/docs/_delete_by_query",
        secret.clone(),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(
        (&answer["version_conflicts"], &answer["deleted"]),
        (&json!(1), &json!(1)),
        "{answer}"
    );
    assert_eq!(answer["failures"][0]["id"], json!("p1"));
    // Term vectors: read grants them to an unrestricted caller; a restricted one is refused
    // by the gateway, which cannot scope them.
    let r = cluster
        .call(
            Some(("reader", PW)),
            "GET",
            "/docs/_termvectors/p0?fields=title",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["term_vectors"]["title"]["terms"]["note"]["term_freq"],
        json!(1)
    );
    let r = cluster
        .call(Some(("dls", PW)), "GET", "/docs/_termvectors/p0", None)
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}
