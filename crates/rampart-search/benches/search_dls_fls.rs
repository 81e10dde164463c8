//! The data-plane goal: the same search (term + range + terms aggregation) over generated
//! documents as an unrestricted caller and as one with DLS (a role query) + FLS (half the
//! fields hidden); goal ≤ 1.15x. The `scored` pair puts the term in a scoring clause, so the
//! restricted caller's BM25 statistics are computed over its visible documents. Plus bulk
//! indexing throughput.
//! `RAMPART_BENCH_DOCS` sets the corpus size (default 1,000,000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_core::fls::FieldSecurityDef;
use rampart_query::ast::Bound;
use rampart_query::{BoolQuery, Query, Scalar, SearchRequest};
use rampart_search::{Engine, OpType, Refresh, Restrictions, WriteConditions};
use serde_json::{Value, json};

const FIELDS: usize = 8;
/// Documents per simulated `_bulk` request.
const BULK_REQUEST: u64 = 1_000;

fn doc(i: u64) -> Value {
    let mut d = serde_json::Map::new();
    d.insert("owner".into(), json!(format!("o{}", i % 10)));
    d.insert("category".into(), json!(format!("c{}", (i * 7) % 50)));
    d.insert("price".into(), json!((i * 37) % 10_000));
    for f in 0..FIELDS {
        d.insert(format!("f{f}"), json!(format!("v{}", (i + f as u64) % 100)));
    }
    Value::Object(d)
}

fn mappings() -> Value {
    let mut props = serde_json::Map::new();
    props.insert("owner".into(), json!({"type": "keyword"}));
    props.insert("category".into(), json!({"type": "keyword"}));
    props.insert("price".into(), json!({"type": "long"}));
    for f in 0..FIELDS {
        props.insert(format!("f{f}"), json!({"type": "keyword"}));
    }
    json!({"properties": props})
}

/// Bulk-style load: `_bulk` requests of [`BULK_REQUEST`] documents, each acknowledged after
/// one translog fsync ([`Engine::write_batch`]), then a refresh.
fn load(engine: &Engine, index: &str, n: u64) {
    engine
        .create_index(index, &json!({"mappings": mappings()}))
        .unwrap();
    let mut start = 0;
    while start < n {
        let end = (start + BULK_REQUEST).min(n);
        let mut batch = engine.write_batch();
        for i in start..end {
            batch
                .index_doc(
                    index,
                    Some(&i.to_string()),
                    &doc(i),
                    OpType::Index,
                    WriteConditions::default(),
                    Refresh::False,
                )
                .unwrap();
        }
        batch.finish().unwrap();
        start = end;
    }
    engine.refresh(&[index.to_string()]).unwrap();
}

fn term(field: &str, v: &str) -> Query {
    Query::Term {
        field: field.into(),
        value: Scalar::Str(v.into()),
        case_insensitive: false,
        boost: None,
    }
}

fn request(scored: bool) -> SearchRequest {
    let category = term("category", "c7");
    let (must, mut filter) = if scored {
        (vec![category], vec![])
    } else {
        (vec![], vec![category])
    };
    filter.push(Query::Range {
        field: "price".into(),
        lower: Some(Bound {
            value: Scalar::Int(100),
            inclusive: true,
        }),
        upper: Some(Bound {
            value: Scalar::Int(8000),
            inclusive: false,
        }),
        format: None,
        boost: None,
    });
    let query = Query::Bool(BoolQuery {
        must,
        filter,
        ..BoolQuery::default()
    });
    SearchRequest {
        query,
        size: 10,
        aggs: json!({"owners": {"terms": {"field": "owner"}}})
            .as_object()
            .cloned(),
        ..SearchRequest::default()
    }
}

fn restricted() -> Restrictions {
    let role = Query::Terms {
        field: "owner".into(),
        values: (0..5).map(|i| Scalar::Str(format!("o{i}"))).collect(),
        boost: None,
    };
    let grant = ["owner", "category", "price", "f0", "f1", "f2"];
    Restrictions {
        documents: Some(role),
        fields: Some(
            FieldSecurityDef::new(grant, Vec::<String>::new())
                .compile()
                .unwrap(),
        ),
    }
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("RAMPART_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    load(&engine, "bench", n);
    let open = [("bench".to_string(), Restrictions::none())];
    let dls_fls = [("bench".to_string(), restricted())];
    let mut g = c.benchmark_group("search_dls_fls");
    g.sample_size(20);
    for (name, req) in [("", request(false)), ("scored_", request(true))] {
        g.bench_function(format!("{name}unrestricted/{n}"), |b| {
            b.iter(|| black_box(engine.search(&open, &req).unwrap()))
        });
        g.bench_function(format!("{name}dls_fls/{n}"), |b| {
            b.iter(|| black_box(engine.search(&dls_fls, &req).unwrap()))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("bulk_index");
    g.sample_size(10);
    const BATCH: u64 = 10_000;
    g.throughput(Throughput::Elements(BATCH));
    let mut round = 0u64;
    g.bench_function("engine/10k_docs", |b| {
        b.iter(|| {
            round += 1;
            let index = format!("bulk-{round}");
            load(&engine, &index, BATCH);
        })
    });
    g.finish();

    // One acknowledged (translog-fsynced) single-document write: the latency floor of
    // `durability: request` on this disk.
    let mut g = c.benchmark_group("durable_write");
    g.sample_size(20);
    engine
        .create_index("single", &json!({"mappings": mappings()}))
        .unwrap();
    let mut i = 0u64;
    g.bench_function("engine/index_doc", |b| {
        b.iter(|| {
            i += 1;
            engine
                .index_doc(
                    "single",
                    Some(&i.to_string()),
                    &doc(i),
                    OpType::Index,
                    WriteConditions::default(),
                    Refresh::False,
                )
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
