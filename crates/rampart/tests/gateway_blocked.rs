#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Strict mode of the gateway, table-driven: every feature it cannot make safe for a caller
//! under DLS/FLS (see `rampart-gateway/src/rewrite/refuse.rs`) is refused to a restricted
//! caller with a 400 `security_exception` naming it, while an unrestricted caller's identical
//! request is forwarded: its status is the upstream's own answer to that request (asked
//! directly), and any error is the upstream's (sanitised), never a refusal made by Rampart.

mod gateway_support;

use gateway_support::{Cluster, Resp};
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
const RESTRICTED: &str = "restricted";
const UNRESTRICTED: &str = "unrestricted";
/// Elasticsearch's refusal of every `_update` under DLS/FLS.
const UPDATE: &str =
    "Can't execute an update request if field or document level security is enabled";

/// What the gateway answers a restricted caller.
#[derive(Debug, Clone)]
enum Expect {
    /// 400 `security_exception` with exactly this reason; the unrestricted caller is
    /// forwarded.
    Refused(String),
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: Value,
    expect: Expect,
}

fn not_allowed(what: &str) -> String {
    format!("{what} is not allowed when document or field level security applies")
}

/// `Refused` with the gateway's generic wording for `what`.
fn refused(what: &str) -> Expect {
    Expect::Refused(not_allowed(what))
}

fn search(name: &'static str, body: Value, expect: Expect) -> Case {
    Case {
        name,
        method: "POST",
        path: "/docs/_search",
        body,
        expect,
    }
}

fn cases() -> Vec<Case> {
    let q = |query: Value| json!({"query": query});
    let script = json!({"source": "doc['n'].value > 1"});
    vec![
        search(
            "script query",
            q(json!({"script": {"script": script}})),
            refused("a [script] query"),
        ),
        search(
            "script query nested in bool",
            q(json!({"bool": {"filter": [{"script": {"script": script}}]}})),
            refused("a [script] query"),
        ),
        search(
            "script_score query",
            q(json!({"script_score": {"query": {"match_all": {}}, "script": {"source": "1"}}})),
            refused("a [script_score] query"),
        ),
        search(
            "function_score query",
            q(json!({"function_score": {"query": {"match_all": {}}}})),
            refused("a [function_score] query"),
        ),
        search(
            "script_fields",
            json!({"script_fields": {"x": {"script": {"source": "1"}}}}),
            refused("[script_fields]"),
        ),
        search(
            "runtime fields",
            json!({"runtime_mappings": {"x": {"type": "long", "script": {"source": "emit(1)"}}}}),
            refused("[runtime_mappings]"),
        ),
        search(
            "terms lookup",
            q(json!({"terms": {"dept": {"index": "docs", "id": "p1", "path": "dept"}}})),
            refused("a [terms] lookup"),
        ),
        search(
            "more_like_this by id",
            q(
                json!({"more_like_this": {"fields": ["title"], "like": [{"_index": "docs", "_id": "p1"}]}}),
            ),
            refused("[more_like_this] on stored documents"),
        ),
        search(
            "percolate",
            q(json!({"percolate": {"field": "query", "document": {"title": "x"}}})),
            refused("a [percolate] query"),
        ),
        search(
            "has_child join",
            q(json!({"has_child": {"type": "c", "query": {"match_all": {}}}})),
            refused("a [has_child] query"),
        ),
        search(
            "global aggregation",
            json!({"aggs": {"all": {"global": {}, "aggs": {"m": {"max": {"field": "n"}}}}}}),
            refused("a [global] aggregation"),
        ),
        search(
            "scripted_metric aggregation",
            json!({"aggs": {"s": {"scripted_metric": {"map_script": "1"}}}}),
            refused("a [scripted_metric] aggregation"),
        ),
        search(
            "script in a metric aggregation",
            json!({"aggs": {"s": {"sum": {"script": {"source": "1"}}}}}),
            refused("a script in a [sum] aggregation"),
        ),
        search(
            "significant_terms aggregation",
            json!({"aggs": {"s": {"significant_terms": {"field": "dept"}}}}),
            refused("a [significant_terms] aggregation"),
        ),
        search(
            "script sort",
            json!({"sort": [{"_script": {"type": "number", "script": {"source": "1"}}}]}),
            refused("a [_script] sort"),
        ),
        search(
            "highlight_query",
            json!({"query": {"match": {"title": "note"}},
                   "highlight": {"fields": {"title": {"highlight_query": {"match_all": {}}}}}}),
            refused("a [highlight_query]"),
        ),
        search(
            "suggest",
            json!({"suggest": {"s": {"text": "note", "term": {"field": "title"}}}}),
            Expect::Refused("Suggest isn't supported if document level security is enabled".into()),
        ),
        search(
            "profile",
            json!({"profile": true}),
            Expect::Refused(
                "A search request cannot be profiled if document level security is enabled".into(),
            ),
        ),
        search(
            "explain in a search",
            json!({"explain": true}),
            refused("[explain]"),
        ),
        search(
            "rescore",
            json!({"rescore": {"query": {"rescore_query": {"match_all": {}}}}}),
            refused("[rescore]"),
        ),
        search(
            "collapse",
            json!({"collapse": {"field": "dept"}}),
            refused("[collapse]"),
        ),
        search(
            "indices_boost",
            json!({"indices_boost": [{"docs": 2.0}]}),
            refused("[indices_boost]"),
        ),
        search(
            "knn without filter",
            json!({"knn": {"field": "v", "query_vector": [1.0, 0.0], "k": 3, "num_candidates": 10}}),
            refused("[knn] search"),
        ),
        search(
            "knn query",
            q(json!({"knn": {"field": "v", "query_vector": [1.0, 0.0], "num_candidates": 10}})),
            refused("a [knn] query"),
        ),
        Case {
            name: "_explain",
            method: "POST",
            path: "/docs/_explain/p1",
            body: q(json!({"match_all": {}})),
            expect: refused("[_explain]"),
        },
        Case {
            name: "_update with a script",
            method: "POST",
            path: "/docs/_update/p1",
            body: json!({"script": {"source": "ctx._source.n += 1"}}),
            expect: Expect::Refused(UPDATE.into()),
        },
        Case {
            name: "_termvectors",
            method: "GET",
            path: "/docs/_termvectors/p1",
            body: json!({"fields": ["salary"]}),
            expect: refused("[_termvectors]"),
        },
        Case {
            name: "_update_by_query under FLS",
            method: "POST",
            // Refreshed, so the direct run's snapshot sees the versions the forwarded run wrote
            // (otherwise it conflicts with them, as in Elasticsearch).
            path: "/docs/_update_by_query?refresh=true",
            body: q(json!({"match_all": {}})),
            expect: refused("[_update_by_query] under field level security"),
        },
        Case {
            name: "_delete_by_query with a script query",
            method: "POST",
            path: "/docs/_delete_by_query",
            body: q(json!({"script": {"script": script}})),
            expect: refused("a [script] query"),
        },
        Case {
            name: "_delete_by_query with an unknown body key",
            method: "POST",
            path: "/docs/_delete_by_query",
            body: json!({"query": {"match_all": {}}, "sort": ["n"]}),
            expect: refused("[sort] in a by-query request"),
        },
        Case {
            name: "_update with a partial document",
            method: "POST",
            path: "/docs/_update/p1",
            body: json!({"doc": {"n": 5}}),
            expect: Expect::Refused(UPDATE.into()),
        },
    ]
}

async fn setup() -> Cluster {
    let cluster = Cluster::start().await;
    cluster.seed("PUT", "/docs", None, 200).await;
    for i in 0..4 {
        let doc = json!({"title": format!("note {i}"), "dept": if i % 2 == 0 { "public" } else { "secret" }, "n": i, "salary": 100 * i});
        cluster
            .seed("PUT", &format!("/docs/_doc/p{i}"), Some(&doc), 201)
            .await;
    }
    cluster.seed("POST", "/docs/_refresh", None, 200).await;
    let privileges = ["read", "write", "view_index_metadata"];
    let restricted = json!({"indices": [{
        "names": ["docs"], "privileges": privileges,
        "query": {"term": {"dept": "public"}},
        "field_security": {"grant": ["title", "dept", "n"]},
    }]});
    let unrestricted = json!({"indices": [{"names": ["docs"], "privileges": privileges}]});
    cluster.put_role(RESTRICTED, &restricted).await;
    cluster.put_role(UNRESTRICTED, &unrestricted).await;
    cluster.put_user(RESTRICTED, PASSWORD, &[RESTRICTED]).await;
    cluster
        .put_user(UNRESTRICTED, PASSWORD, &[UNRESTRICTED])
        .await;
    cluster
}

/// Upstream error types whose reason the gateway passes on (they name only indices or ids).
const SAFE_REASON_TYPES: &[&str] = &[
    "index_not_found_exception",
    "resource_already_exists_exception",
    "version_conflict_engine_exception",
    "document_missing_exception",
    "index_closed_exception",
];

/// Whether an answer through the gateway is the upstream's answer `direct` to the same
/// request: same status, and an error only in the gateway's sanitised form of an upstream
/// error (never a refusal, parse error or gap of Rampart's own).
fn forwarded(through: &Resp, direct: &Resp) -> Result<(), String> {
    if through.status != direct.status {
        return Err(format!(
            "status {} through the gateway, {} from the upstream: {} / {}",
            through.status,
            direct.status,
            through.text(),
            direct.text()
        ));
    }
    if through.status >= 300 {
        // The gateway's sanitised form of the upstream's error: index-naming types keep
        // their reason, all others become a generic `status_exception`.
        let upstream = direct.json();
        let upstream_type = upstream["error"]["type"].as_str().unwrap_or_default();
        let expected = if SAFE_REASON_TYPES.contains(&upstream_type) {
            (upstream_type.to_string(), direct.reason())
        } else {
            (
                "status_exception".to_string(),
                "the upstream cluster rejected the request".to_string(),
            )
        };
        let got = (
            through.json()["error"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            through.reason(),
        );
        if got != expected {
            return Err(format!(
                "not the upstream's error: {} (upstream: {})",
                through.text(),
                direct.text()
            ));
        }
    }
    Ok(())
}

#[tokio::test]
async fn restricted_callers_are_refused_and_unrestricted_ones_forwarded() {
    let cluster = setup().await;
    let mut failures = Vec::new();
    for case in cases() {
        let restricted = cluster
            .call(
                Some((RESTRICTED, PASSWORD)),
                case.method,
                case.path,
                Some(&case.body),
            )
            .await;
        let unrestricted = cluster
            .call(
                Some((UNRESTRICTED, PASSWORD)),
                case.method,
                case.path,
                Some(&case.body),
            )
            .await;
        let body = restricted.json();
        let outcome = match &case.expect {
            Expect::Refused(reason) => {
                if (
                    restricted.status,
                    body["error"]["type"].as_str(),
                    restricted.reason(),
                ) != (400, Some("security_exception"), reason.clone())
                {
                    Err(format!(
                        "restricted: expected 400 [{reason}], got {} {}",
                        restricted.status,
                        restricted.text()
                    ))
                } else {
                    let direct = cluster
                        .direct(case.method, case.path, Some(&case.body))
                        .await;
                    forwarded(&unrestricted, &direct).map_err(|e| format!("unrestricted: {e}"))
                }
            }
        };
        if let Err(message) = outcome {
            failures.push(format!(
                "{} ({} {}): {message}",
                case.name, case.method, case.path
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
