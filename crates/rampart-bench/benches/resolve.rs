//! `logs-*` resolved against 100k indices for a user with 100 index patterns, the
//! authorization predicate coming from the engine (`EffectiveRole::name_checker`), compared
//! with slower predicates, the resolver alone, and the end-to-end expression decision.
//!
//! Run: `cargo bench -p rampart-bench --bench resolve`
// Bench setup failures should stop the run loudly; they never see request input.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_bench::metadata::team_snapshot;
use rampart_bench::roles::{SEARCH, bench_user, compile, team_role};
use rampart_core::authz::{EffectiveRole, IndexRequest};
use rampart_core::permission::Permission;
use rampart_core::resolve::{IndexMetadata, IndicesOptions, Resolution, resolve};

const KNOWN_INDICES: usize = 100_000;
const ROLE_PATTERNS: usize = 100;

fn run<'m>(meta: &'m IndexMetadata, authorized: &dyn Fn(&str) -> bool) -> Resolution<'m> {
    let expressions = [String::from("logs-*")];
    // `logs-*` has no date math, so the clock value is irrelevant.
    resolve(
        SEARCH,
        black_box(&expressions),
        &IndicesOptions::search(),
        meta,
        authorized,
        Default::default(),
    )
    .expect("logs-* resolves")
}

/// A full index decision for a one-name request per candidate name (the slow way).
fn decision_predicate<'a>(
    role: &'a EffectiveRole,
    meta: &'a IndexMetadata,
) -> impl Fn(&str) -> bool + 'a {
    let subject = bench_user();
    move |name: &str| {
        let names = [name.to_string()];
        let req = IndexRequest {
            action: SEARCH,
            names: &names,
            data_streams: true,
            lookup: meta,
        };
        role.authorize_index(&subject, &req)
            .is_ok_and(|d| d.is_allowed())
    }
}

/// The same answer assembled from the public group API (no decision, no reasons): the groups
/// granting the action are picked once, then each name is matched against their patterns.
fn group_scan_predicate(permission: &Permission) -> impl Fn(&str) -> bool + '_ {
    let granting: Vec<_> = permission
        .indices
        .groups()
        .iter()
        .filter(|g| g.grants_action(SEARCH, false))
        .collect();
    move |name: &str| {
        let restricted = permission.indices.restricted().matches(name);
        granting
            .iter()
            .any(|g| (g.allow_restricted || !restricted) && g.matches_name(name))
    }
}

fn resolution(c: &mut Criterion) {
    let started = Instant::now();
    let meta = team_snapshot(KNOWN_INDICES).expect("snapshot builds");
    let permission = compile(&[team_role(ROLE_PATTERNS).expect("team role")]).expect("compiles");
    let role = EffectiveRole::plain(permission.clone());
    eprintln!(
        "setup: {KNOWN_INDICES} indices and a {ROLE_PATTERNS}-pattern role in {:?}",
        started.elapsed()
    );

    let checker = role.name_checker(SEARCH).expect("name checker");
    let by_checker = |name: &str| checker.allows(name, &meta);
    let by_decision = decision_predicate(&role, &meta);
    let by_groups = group_scan_predicate(&permission);
    let everything = |_: &str| true;
    let authorized = run(&meta, &by_decision).local.len();
    assert_eq!(authorized, run(&meta, &by_groups).local.len());
    assert_eq!(authorized, run(&meta, &by_checker).local.len());
    let visible = run(&meta, &everything).local.len();
    eprintln!("logs-* matches {visible} names, {authorized} authorized");
    assert!(authorized > 0 && authorized < visible);

    let mut group = c.benchmark_group("resolve");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("logs_100k/name_checker_predicate", |b| {
        b.iter(|| run(&meta, &by_checker))
    });
    let subject = bench_user();
    let expressions = [String::from("logs-*")];
    group.bench_function("logs_100k/authorize_index_expression", |b| {
        b.iter(|| {
            role.authorize_index_expression(
                &subject,
                SEARCH,
                black_box(&expressions),
                &IndicesOptions::search(),
                &meta,
                Default::default(),
            )
        })
    });
    group.bench_function("logs_100k/authorize_index_predicate", |b| {
        b.iter(|| run(&meta, &by_decision))
    });
    group.bench_function("logs_100k/group_scan_predicate", |b| {
        b.iter(|| run(&meta, &by_groups))
    });
    group.bench_function("logs_100k/allow_all_baseline", |b| {
        b.iter(|| run(&meta, &everything))
    });
    group.finish();
}

criterion_group!(benches, resolution);
criterion_main!(benches);
