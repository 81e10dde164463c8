//! The DLS/FLS leak test as data, shared by the embedded data plane's test
//! (`rampart-server/tests/data_dls_fls.rs`) and the gateway's (`rampart/tests/gateway_leaks.rs`):
//! two datasets that differ only in documents and fields the restricted reader may not see,
//! the reader's role, and the generated probes (queries, sorts and aggregations, many on the
//! hidden field or hidden documents) whose answers must be byte-identical on both datasets.
#![allow(dead_code)]

use serde_json::{Value, json};

/// The reader's password.
pub const PASSWORD: &str = "password-123";
/// The restricted reader and its role.
pub const READER: &str = "reader";
pub const ROLE: &str = "restricted";
/// The one index of the datasets.
pub const INDEX: &str = "docs";

/// The documents (id, source). `with_hidden` adds the `salary` field to the visible
/// documents and the `secret` documents the reader's DLS query excludes.
pub fn dataset(with_hidden: bool) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for i in 0..12 {
        let mut doc = json!({"title": format!("public note {i}"), "dept": "public", "n": i});
        if with_hidden {
            doc["salary"] = json!(1000 + i * 17);
        }
        out.push((format!("p{i}"), doc));
    }
    if with_hidden {
        for i in 0..7 {
            let doc = json!({"title": format!("secret note {i}"), "dept": "secret", "n": i * 3, "salary": 9000 + i});
            out.push((format!("s{i}"), doc));
        }
    }
    out
}

/// Read access to the public documents' `title`, `dept` and `n` only.
pub fn role() -> Value {
    json!({"indices": [{
        "names": [INDEX], "privileges": ["read", "view_index_metadata"],
        "query": {"term": {"dept": "public"}},
        "field_security": {"grant": ["title", "dept", "n"]},
    }]})
}

/// One probe: method, path, body.
pub type Probe = (&'static str, String, Option<Value>);

/// Queries, sorts and aggregations, many of them on the hidden field or hidden documents.
/// Aggregations name aggregatable fields only (`dept` is dynamically mapped as text, whose
/// aggregation is a 400 on both datasets and would prove nothing).
pub fn probes() -> Vec<Probe> {
    let mut out: Vec<Probe> = Vec::new();
    let queries = [
        json!({"match_all": {}}),
        json!({"term": {"salary": 1017}}),
        json!({"term": {"dept": "secret"}}),
        json!({"range": {"salary": {"gte": 0}}}),
        json!({"exists": {"field": "salary"}}),
        json!({"bool": {"must_not": [{"exists": {"field": "salary"}}]}}),
        json!({"bool": {"should": [{"term": {"dept": "secret"}}, {"range": {"n": {"gte": 5}}}]}}),
        json!({"match": {"title": "secret"}}),
        json!({"match": {"title": "note"}}),
        json!({"prefix": {"dept": "sec"}}),
        json!({"ids": {"values": ["s1", "p1", "s3"]}}),
    ];
    for q in &queries {
        out.push((
            "POST",
            "/docs/_search".into(),
            Some(json!({"query": q, "size": 50})),
        ));
        out.push(("POST", "/docs/_count".into(), Some(json!({"query": q}))));
        out.push((
            "POST",
            "/docs/_search".into(),
            Some(json!({"query": q, "size": 5, "sort": [{"salary": "desc"}, {"n": "asc"}],
                "aggs": {"by_salary": {"terms": {"field": "salary"}}, "by_dept": {"terms": {"field": "dept.keyword"}},
                         "by_n": {"terms": {"field": "n", "size": 50}},
                         "max_salary": {"max": {"field": "salary"}}, "avg_n": {"avg": {"field": "n"}}}})),
        ));
        // Filter buckets count visible documents only; a filter on the hidden field matches
        // nothing, so the other bucket takes every visible document.
        out.push((
            "POST",
            "/docs/_search".into(),
            Some(json!({"query": q, "size": 0, "aggs": {
                "named": {"filters": {"other_bucket": true, "filters": {
                    "secret": {"term": {"dept": "secret"}}, "paid": {"exists": {"field": "salary"}},
                    "high": {"range": {"salary": {"gte": 5000}}}, "all": {"match_all": {}}}},
                    "aggs": {"sum_n": {"sum": {"field": "n"}}, "by_salary": {"terms": {"field": "salary"}}}},
                "anonymous": {"filters": {"filters": [{"match_all": {}}, {"exists": {"field": "salary"}}]}},
                "one": {"filter": {"term": {"salary": 1017}}, "aggs": {"max_n": {"max": {"field": "n"}}}}}})),
        ));
    }
    for id in ["p1", "s1", "p5", "s6", "nope"] {
        out.push(("GET", format!("/docs/_doc/{id}"), None));
        out.push(("GET", format!("/docs/_source/{id}"), None));
    }
    out.push((
        "POST",
        "/_mget".into(),
        Some(json!({"docs": [{"_index": "docs", "_id": "s2"}, {"_index": "docs", "_id": "p2"}]})),
    ));
    out.push(("GET", "/docs/_mapping".into(), None));
    out.push((
        "POST",
        "/docs/_search".into(),
        Some(json!({"query": {"term": {"salary": {"bad": 1}}}})),
    ));
    out.push((
        "POST",
        "/docs/_search".into(),
        Some(json!({"suggest": {"s": {"text": "x", "term": {"field": "salary"}}}})),
    ));
    out
}

/// Probes whose answers depend on relevance scores: match queries, `min_score`, a sort on
/// `_score`, and `_explain` (whose text prints the statistics). The embedded engine computes
/// a restricted caller's statistics from visible documents only, so these are byte-identical
/// there; a gateway forwards to an upstream that scores over every document (as Elasticsearch
/// does under DLS), so its suite leaves them out.
pub fn score_probes() -> Vec<Probe> {
    let mut out: Vec<Probe> = [
        json!({"query": {"match": {"title": "note 3"}}, "size": 50}),
        json!({"query": {"bool": {"should": [{"match": {"title": "secret"}}, {"match": {"title": "note"}}]}}, "size": 50, "min_score": 0.01}),
        json!({"query": {"match": {"title": "public note"}}, "sort": ["_score", {"n": "asc"}], "size": 5}),
    ]
    .into_iter()
    .map(|body| ("POST", "/docs/_search".to_string(), Some(body)))
    .collect();
    for id in ["p1", "s1", "p5", "s6", "nope"] {
        out.push((
            "POST",
            format!("/docs/_explain/{id}"),
            Some(json!({"query": {"match": {"title": "note secret 1"}}})),
        ));
    }
    out
}

/// The response with `took` (elapsed time) blanked; everything else, relevance scores
/// included, must be byte-identical.
pub fn without_took(text: &str) -> String {
    normalized(text, &["took"])
}

/// The response with `took` and relevance scores blanked: for a gateway, whose upstream
/// scores with whole-index statistics (the documented gateway-mode channel, docs/dls-fls.md).
pub fn without_took_and_scores(text: &str) -> String {
    normalized(text, &["took", "_score", "max_score"])
}

fn normalized(text: &str, blanked: &[&str]) -> String {
    fn blank(v: &mut Value, blanked: &[&str]) {
        match v {
            Value::Object(o) => {
                for (k, child) in o.iter_mut() {
                    if blanked.contains(&k.as_str()) && !child.is_null() {
                        *child = json!("_");
                    } else {
                        blank(child, blanked);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| blank(c, blanked)),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            blank(&mut v, blanked);
            v.to_string()
        }
        Err(_) => text.to_string(),
    }
}
