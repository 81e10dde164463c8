//! Kibana at scale: the spaces a caller may use among 1k and 10k spaces (one derivation of the
//! caller's role, then one pattern match per space: no `_has_privileges` round per space,
//! kibana#33352), and capabilities resolution for one request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_core::authz::EffectiveRole;
use rampart_core::permission::{Permission, RestrictedIndices};
use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};
use rampart_kibana::access::{Purpose, RoleOracle, SpaceAccess, resolve_capabilities};
use rampart_kibana::{APPLICATION, FeatureRegistry, KibanaPrivileges, Space};

fn spaces(n: usize) -> Vec<Space> {
    (0..n)
        .map(|i| Space {
            id: format!("space-{i}"),
            name: format!("Space {i}"),
            ..Default::default()
        })
        .collect()
}

/// A role as Kibana writes them: `read` in every 10th space, dashboards in every 7th, a
/// wildcard team prefix, and the marketing feature set in one space.
fn role(n: usize) -> RoleDescriptor {
    let mut r = RoleDescriptor::named("bench");
    r.applications = vec![
        ApplicationPrivileges {
            application: APPLICATION.into(),
            privileges: vec!["space_read".into()],
            resources: (0..n)
                .step_by(10)
                .map(|i| format!("space:space-{i}"))
                .collect(),
        },
        ApplicationPrivileges {
            application: APPLICATION.into(),
            privileges: vec![
                "feature_dashboard.all".into(),
                "feature_discover.minimal_read".into(),
            ],
            resources: (3..n)
                .step_by(7)
                .map(|i| format!("space:space-{i}"))
                .collect(),
        },
        ApplicationPrivileges {
            application: APPLICATION.into(),
            privileges: vec!["feature_savedObjectsManagement.all".into()],
            resources: vec!["space:space-1*".into()],
        },
    ];
    r
}

fn effective(n: usize, privileges: &KibanaPrivileges) -> EffectiveRole {
    let store = privileges.store();
    let restricted = RestrictedIndices::builtin().unwrap();
    let p = Permission::compile(&[role(n)], &[], &store, &restricted).unwrap();
    EffectiveRole::plain(Arc::new(p))
}

fn bench(c: &mut Criterion) {
    let registry = FeatureRegistry::builtin().unwrap();
    let privileges = KibanaPrivileges::build(&registry);
    for n in [1_000usize, 10_000] {
        let all = spaces(n);
        let role = effective(n, &privileges);
        let listed = SpaceAccess::new(&role)
            .unwrap()
            .filter(&all, Purpose::Any)
            .len();
        assert!(listed > n / 10, "{listed}");
        c.bench_function(&format!("kibana/accessible_spaces_{n}"), |b| {
            b.iter(|| {
                let access = SpaceAccess::new(&role).unwrap();
                std::hint::black_box(access.filter(&all, Purpose::Any).len())
            })
        });
    }
    let role = effective(1_000, &privileges);
    let store = privileges.store();
    let space = Space {
        id: "space-3".into(),
        name: "Space 3".into(),
        disabled_features: vec!["ml".into()],
        ..Default::default()
    };
    c.bench_function("kibana/capabilities_resolution", |b| {
        b.iter(|| {
            let oracle = RoleOracle {
                role: &role,
                store: &store,
            };
            std::hint::black_box(resolve_capabilities(&registry, &space, &oracle).unwrap())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
