//! Decision latency on a cached role set (built-in `viewer` + a custom role with 20 index
//! patterns incl. a regex) against metadata snapshots of 10 to 1M known indices, side by side
//! with the same decisions encoded as Cedar policies (`cedar_*` ids).
//!
//! Run: `cargo bench -p rampart-bench --bench decisions`
// Bench setup failures should stop the run loudly; they never see request input.
#![allow(clippy::expect_used)]

#[path = "support/cedar_model.rs"]
mod cedar_model;

use std::hint::black_box;
use std::time::{Duration, Instant};

use cedar_model::CedarModel;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use rampart_bench::metadata::{ALLOWED_INDEX, DENIED_INDEX, decision_snapshot};
use rampart_bench::roles::{CLUSTER_HEALTH, SEARCH, bench_user, decision_role, decision_roles};
use rampart_core::authz::{ClusterRequest, EffectiveRole, IndexRequest, Subject};
use rampart_core::resolve::IndexMetadata;
use rampart_core::role::RoleDescriptor;

const KNOWN_INDICES: [usize; 4] = [10, 1_000, 100_000, 1_000_000];
/// Cedar's entity store at 1M indices takes about half a minute to build: opt in.
const CEDAR_AT_1M: &str = "RAMPART_BENCH_CEDAR_1M";
/// A comma-separated subset of [`KNOWN_INDICES`] (e.g. for profiling one size).
const SIZES: &str = "RAMPART_BENCH_SIZES";

fn sizes() -> Vec<usize> {
    match std::env::var(SIZES) {
        Ok(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) => KNOWN_INDICES.to_vec(),
    }
}

fn cedar_wanted(known: usize) -> bool {
    known < 1_000_000 || std::env::var_os(CEDAR_AT_1M).is_some()
}

fn cedar_setup(roles: &[RoleDescriptor], user: &str, meta: &IndexMetadata) -> CedarModel {
    let started = Instant::now();
    let names: Vec<&str> = meta.iter().map(|(name, _)| name).collect();
    let model = cedar_model::build(roles, user, &[SEARCH], &[CLUSTER_HEALTH], names)
        .expect("Cedar model builds");
    eprintln!(
        "setup: Cedar policies + {} entities in {:?}",
        meta.len(),
        started.elapsed()
    );
    model
}

/// The Cedar side of one decision, next to its Rampart twin.
fn bench_cedar(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    known: usize,
    model: &CedarModel,
    request: &cedar_policy::Request,
    expected: bool,
) {
    assert_eq!(model.is_allowed(request), expected, "Cedar {id}");
    group.bench_with_input(BenchmarkId::new(id, known), &known, |b, _| {
        b.iter(|| {
            model
                .authorizer
                .is_authorized(black_box(request), &model.policies, &model.entities)
        })
    });
}

fn decisions_at(
    group: &mut BenchmarkGroup<'_, WallTime>,
    known: usize,
    role: &EffectiveRole,
    roles: &[RoleDescriptor],
    subject: &Subject,
) {
    let started = Instant::now();
    let meta = decision_snapshot(known).expect("snapshot builds");
    eprintln!(
        "setup: Rampart snapshot of {known} indices in {:?}",
        started.elapsed()
    );
    let cedar = cedar_wanted(known).then(|| cedar_setup(roles, &subject.user, &meta));

    let allowed_names = [ALLOWED_INDEX.to_string()];
    let denied_names = [DENIED_INDEX.to_string()];
    let allowed = IndexRequest {
        action: SEARCH,
        names: &allowed_names,
        data_streams: true,
        lookup: &meta,
    };
    let denied = IndexRequest {
        names: &denied_names,
        ..allowed
    };
    let cluster_request = ClusterRequest::default();

    for (id, req, expected) in [
        ("index_allowed", &allowed, true),
        ("index_denied", &denied, false),
    ] {
        let decision = role.authorize_index(subject, req).expect("decision");
        assert_eq!(decision.is_allowed(), expected, "{id}");
        group.bench_with_input(BenchmarkId::new(id, known), &known, |b, _| {
            b.iter(|| role.authorize_index(subject, black_box(req)))
        });
        if let Some(model) = &cedar {
            let probe = req.names.first().map(String::as_str).unwrap_or_default();
            let request = model.index_request(SEARCH, probe).expect("request");
            bench_cedar(
                group,
                &format!("cedar_{id}"),
                known,
                model,
                &request,
                expected,
            );
        }
    }

    // What the HTTP layer pays for a 403: the decision plus rendering Elasticsearch's message
    // (plain decisions keep the message unrendered until asked).
    group.bench_with_input(
        BenchmarkId::new("index_denied_rendered", known),
        &known,
        |b, _| {
            b.iter(|| {
                let d = role.authorize_index(subject, black_box(&denied));
                d.map(|d| d.decision.denial().map(|x| x.message().len()))
            })
        },
    );

    let decision = role
        .authorize_cluster(subject, CLUSTER_HEALTH, &cluster_request)
        .expect("decision");
    assert!(decision.is_allowed(), "cluster");
    group.bench_with_input(BenchmarkId::new("cluster", known), &known, |b, _| {
        b.iter(|| role.authorize_cluster(subject, black_box(CLUSTER_HEALTH), &cluster_request))
    });
    if let Some(model) = &cedar {
        let request = model.cluster_request(CLUSTER_HEALTH).expect("request");
        bench_cedar(group, "cedar_cluster", known, model, &request, true);
    }
}

fn decisions(c: &mut Criterion) {
    let role = decision_role().expect("decision role set compiles");
    let roles = decision_roles().expect("decision roles load");
    let subject = bench_user();
    let mut group = c.benchmark_group("decision");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
    for known in sizes() {
        decisions_at(&mut group, known, &role, &roles, &subject);
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
