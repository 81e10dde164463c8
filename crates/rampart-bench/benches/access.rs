//! Access analysis at scale: who-can-reach over 10k roles, 100k users and 1M index names,
//! and the impact of one role edit on those users.
//!
//! Needs in crates/rampart-bench/Cargo.toml:
//!   [[bench]]
//!   name = "access"
//!   harness = false
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::analysis::{
    AccessIndex, AccessInput, ImpactInput, RoleSource, Target, UserEntry, analyze_impact,
};
use rampart_core::permission::{ApplicationPrivilegeStore, RestrictedIndices};
use rampart_core::role::{IndicesPrivileges, RoleDescriptor};

const ROLES: usize = 10_000;
const USERS: usize = 100_000;
const NAMES_PER_ROLE: usize = 100; // 10k roles × 100 literal names = 1M index names

/// Deterministic pseudo-random numbers (no dependency, same data every run).
fn lcg(seed: &mut u64) -> usize {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as usize
}

fn role(i: usize) -> RoleDescriptor {
    let literals: Vec<String> = (0..NAMES_PER_ROLE)
        .map(|j| format!("idx-{i}-{j}"))
        .collect();
    let mut indices = vec![IndicesPrivileges {
        names: literals,
        privileges: vec![if i % 2 == 0 { "read" } else { "write" }.to_string()],
        ..Default::default()
    }];
    // Every tenth role also grants a prefix pattern shared by 10 roles.
    if i % 10 == 0 {
        indices.push(IndicesPrivileges {
            names: vec![format!("team-{}-*", i / 100)],
            privileges: vec!["read".into()],
            ..Default::default()
        });
    }
    RoleDescriptor {
        cluster: if i % 100 == 0 {
            vec!["monitor".into()]
        } else {
            Vec::new()
        },
        indices,
        ..RoleDescriptor::named(format!("role-{i}"))
    }
}

fn users() -> Vec<UserEntry> {
    let mut seed = 7;
    (0..USERS)
        .map(|u| UserEntry {
            name: format!("user-{u}"),
            realm: "native".into(),
            roles: (0..3)
                .map(|_| format!("role-{}", lcg(&mut seed) % ROLES))
                .collect(),
            enabled: true,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let roles: Vec<RoleDescriptor> = (0..ROLES).map(role).collect();
    let users = users();
    let index = AccessIndex::build(AccessInput {
        roles: roles
            .iter()
            .cloned()
            .map(|r| (r, RoleSource::Native))
            .collect(),
        users: users.clone(),
        mappings: Vec::new(),
        api_keys: Vec::new(),
        applications: ApplicationPrivilegeStore::default(),
        restricted: RestrictedIndices::builtin().unwrap(),
    })
    .unwrap();
    let mut g = c.benchmark_group("access");
    g.bench_function("who/index-literal-read", |b| {
        b.iter(|| {
            index
                .who(Target::Index {
                    name: "idx-4242-17".into(),
                    privilege: "read".into(),
                })
                .unwrap()
        })
    });
    g.bench_function("who/index-pattern-read", |b| {
        b.iter(|| {
            index
                .who(Target::Index {
                    name: "team-42-*".into(),
                    privilege: "read".into(),
                })
                .unwrap()
        })
    });
    g.bench_function("who/cluster-action", |b| {
        b.iter(|| {
            index
                .who(Target::Cluster {
                    privilege: "cluster:monitor/health".into(),
                })
                .unwrap()
        })
    });
    g.bench_function("who/cluster-privilege-monitor", |b| {
        b.iter(|| {
            index
                .who(Target::Cluster {
                    privilege: "monitor".into(),
                })
                .unwrap()
        })
    });
    let before = roles[4242].clone();
    let mut after = before.clone();
    after.indices[0].names.push("secrets-*".into());
    let input = ImpactInput {
        old: vec![before],
        new: vec![after],
        users,
        api_keys: Vec::new(),
        applications: ApplicationPrivilegeStore::default(),
        restricted: RestrictedIndices::builtin().unwrap(),
    };
    g.bench_function("impact/one-role-100k-users", |b| {
        b.iter(|| analyze_impact(&input).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
