//! The gateway's own CPU cost per restricted search: planning the upstream body (refusal
//! check, DLS scoping, FLS hiding, rendering) and filtering a 10-hit answer. Parsing the
//! body is the query crate's and is timed separately for comparison. The answer is also
//! timed from bytes to bytes, parsed whole and on the byte-level path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::fls::FieldSecurityDef;
use rampart_gateway::rewrite::{
    IndexRestrictions, Target, filter_search_response, filter_search_response_bytes, plan_search,
};
use rampart_query::{parse_query, parse_search_request};
use serde_json::{Value, json};
use std::hint::black_box;

fn body() -> Value {
    json!({
        "query": {"bool": {
            "must": [{"match": {"title": "security gateway"}}],
            "filter": [{"range": {"ts": {"gte": "2026-01-01"}}}, {"term": {"status": "open"}}]
        }},
        "sort": [{"ts": "desc"}],
        "size": 10,
        "aggs": {"by_team": {"terms": {"field": "team"}}}
    })
}

fn targets() -> Vec<Target> {
    let fields = FieldSecurityDef::new(["title", "ts", "status", "team", "body"], ["body"])
        .compile()
        .unwrap();
    (0..3)
        .map(|i| Target {
            index: format!("logs-{i}"),
            restrictions: IndexRestrictions {
                documents: Some(parse_query(&json!({"term": {"dept": "eng"}})).unwrap()),
                fields: Some(fields.clone()),
            },
        })
        .collect()
}

fn answer() -> Value {
    let hits: Vec<Value> = (0..10)
        .map(|i| {
            json!({"_index": format!("logs-{}", i % 3), "_id": i.to_string(), "_score": 1.0,
                "_source": {"title": "t", "ts": "2026-02-01", "status": "open", "team": "a",
                    "body": "long text", "secret": {"ssn": "x", "salary": 1}}})
        })
        .collect();
    json!({"hits": {"total": {"value": 10, "relation": "eq"}, "hits": hits},
        "aggregations": {"by_team": {"buckets": [{"key": "a", "doc_count": 10}]}}})
}

fn bench(c: &mut Criterion) {
    let raw = body();
    let targets = targets();
    let request = parse_search_request(&raw).unwrap();
    c.bench_function("gateway/parse_search_request", |b| {
        b.iter(|| parse_search_request(black_box(&raw)).unwrap())
    });
    c.bench_function("gateway/plan_search_dls_fls_3_indices", |b| {
        b.iter(|| plan_search(black_box(&raw), black_box(&request), &targets).unwrap())
    });
    let plan = plan_search(&raw, &request, &targets).unwrap();
    let filter = plan.response.unwrap();
    let upstream_answer = answer();
    c.bench_function("gateway/filter_response_10_hits", |b| {
        b.iter(|| {
            let mut answer = upstream_answer.clone();
            filter_search_response(&mut answer, black_box(&filter));
            answer
        })
    });
    // From the upstream's bytes to the client's: parsed whole, filtered, serialized (the
    // gateway's path before), and the byte-level path it takes now.
    let bytes = serde_json::to_vec(&upstream_answer).unwrap();
    c.bench_function("gateway/answer_parse_filter_serialize_10_hits", |b| {
        b.iter(|| {
            let mut answer: Value = serde_json::from_slice(black_box(&bytes)).unwrap();
            filter_search_response(&mut answer, &filter);
            serde_json::to_vec(&answer).unwrap()
        })
    });
    c.bench_function("gateway/answer_filter_bytes_10_hits", |b| {
        b.iter(|| filter_search_response_bytes(black_box(&bytes), &filter).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
