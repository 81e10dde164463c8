//! The data-plane goal: the same search (term + range + terms aggregation) over generated
//! documents as an unrestricted caller and as one with DLS (a role query) + FLS (half the
//! fields hidden); goal ≤ 1.15x. The `scored` pair puts the term in a scoring clause, so the
//! restricted caller's BM25 statistics are computed over its visible documents. Plus bulk
//! indexing throughput.
//! `RAMPART_BENCH_DOCS` sets the corpus size (default 1,000,000). `RAMPART_BENCH_DIR` keeps the
//! corpus in that directory and reuses it on later runs (loading 1M documents takes minutes).
//!
//! Instruction counts (stable on a shared machine, unlike wall-clock): with
//! `RAMPART_BENCH_CALLGRIND=<variant>` (`unrestricted`, `dls_fls`, `scored_unrestricted`,
//! `scored_dls_fls`) the binary runs that variant's search `RAMPART_BENCH_ITERS` times (default
//! 20, after one warm-up search) instead of criterion. Run it under `valgrind --tool=callgrind`
//! with 10 and 0 iterations; the difference / 10 is one search. See BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
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

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The engine holding the `bench` index of `n` documents: in a temp dir, or in
/// `RAMPART_BENCH_DIR`, loaded there on first use only.
fn corpus(n: u64) -> (Engine, Option<tempfile::TempDir>) {
    let (path, temp) = match std::env::var_os("RAMPART_BENCH_DIR") {
        Some(d) => (std::path::PathBuf::from(d), None),
        None => {
            let t = tempfile::tempdir().unwrap();
            (t.path().to_path_buf(), Some(t))
        }
    };
    let engine = Engine::open(&path).unwrap();
    if !engine.index_exists("bench") {
        load(&engine, "bench", n);
    }
    (engine, temp)
}

/// One search of the bench: its name, the target with the caller's restrictions, the request.
type Variant = (&'static str, [(String, Restrictions); 1], SearchRequest);

/// The four searches.
fn variants() -> Vec<Variant> {
    let open = || [("bench".to_string(), Restrictions::none())];
    let dls_fls = || [("bench".to_string(), restricted())];
    vec![
        ("unrestricted", open(), request(false)),
        ("dls_fls", dls_fls(), request(false)),
        ("scored_unrestricted", open(), request(true)),
        ("scored_dls_fls", dls_fls(), request(true)),
    ]
}

/// Callgrind mode: one variant, a fixed number of searches, no criterion.
fn instruction_run(variant: &str) {
    let (engine, _temp) = corpus(env_u64("RAMPART_BENCH_DOCS", 1_000_000));
    let iters = env_u64("RAMPART_BENCH_ITERS", 20);
    let (_, targets, req) = variants()
        .into_iter()
        .find(|(name, _, _)| *name == variant)
        .unwrap_or_else(|| panic!("unknown variant {variant}"));
    // Warm-up: fills the DLS bitset and statistics caches, as in every criterion sample.
    black_box(engine.search(&targets, &req).unwrap());
    for _ in 0..iters {
        black_box(engine.search(&targets, &req).unwrap());
    }
}

fn bench(c: &mut Criterion) {
    let n = env_u64("RAMPART_BENCH_DOCS", 1_000_000);
    let (engine, _temp) = corpus(n);
    let started = std::time::SystemTime::now();
    let mut g = c.benchmark_group("search_dls_fls");
    g.sample_size(20);
    for (name, targets, req) in variants() {
        g.bench_function(format!("{name}/{n}"), |b| {
            b.iter(|| black_box(engine.search(&targets, &req).unwrap()))
        });
    }
    g.finish();
    report_ratios(n, started);

    // The write benches get their own scratch engine, so a corpus kept in
    // `RAMPART_BENCH_DIR` is never written to (and `single` never exists already).
    let scratch = tempfile::tempdir().unwrap();
    let engine = Engine::open(scratch.path()).unwrap();

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

/// Median of a benchmark measured in this run (criterion's `estimates.json`, looked up where
/// criterion writes it: `$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`, else the
/// workspace's `target/criterion`), in ns.
fn median_ns(id: &str, since: std::time::SystemTime) -> Option<f64> {
    let root = std::env::var_os("CRITERION_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|t| std::path::Path::new(&t).join("criterion"))
        })
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion")
        });
    let file = root
        .join("search_dls_fls")
        .join(id)
        .join("new/estimates.json");
    let fresh = std::fs::metadata(&file).ok()?.modified().ok()? >= since;
    let json: Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
    fresh.then(|| json["median"]["point_estimate"].as_f64())?
}

/// The goal's ratios (restricted / unrestricted median) for the pairs measured in this run.
fn report_ratios(n: u64, since: std::time::SystemTime) {
    for prefix in ["", "scored_"] {
        let open = median_ns(&format!("{prefix}unrestricted_{n}"), since);
        let restricted = median_ns(&format!("{prefix}dls_fls_{n}"), since);
        if let (Some(open), Some(restricted)) = (open, restricted) {
            println!(
                "search_dls_fls {prefix}dls_fls / {prefix}unrestricted: {:.3} ms / {:.3} ms = {:.2}x (goal <= 1.15x)",
                restricted / 1e6,
                open / 1e6,
                restricted / open
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    match std::env::var("RAMPART_BENCH_CALLGRIND") {
        Ok(variant) => instruction_run(&variant),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
