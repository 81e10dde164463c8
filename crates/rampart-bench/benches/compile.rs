//! Compiling Kibana's role set (`kibana_system` + `kibana_admin`) against Kibana-sized stored
//! application privileges, and Kibana-style `_has_privileges` application checks.
//!
//! Run: `cargo bench -p rampart-bench --bench compile`
// Bench setup failures should stop the run loudly; they never see request input.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_bench::kibana::{KIBANA_APP, kibana_privileges, load_features, total_actions};
use rampart_bench::roles::decision_roles;
use rampart_core::authz::EffectiveRole;
use rampart_core::builtin::BuiltinRoles;
use rampart_core::has_privileges::{ApplicationCheckItem, HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use serde_json::json;

fn builtin(names: &[&str]) -> Vec<RoleDescriptor> {
    let roles = BuiltinRoles::load().expect("built-in roles load");
    names
        .iter()
        .map(|n| roles.get(n).cloned().expect("built-in role exists"))
        .collect()
}

/// A Kibana user with feature privileges in one space (what the Kibana role UI writes).
fn space_role() -> RoleDescriptor {
    let body = json!({"applications": [
        {"application": KIBANA_APP, "privileges": ["read"], "resources": ["*"]},
        {"application": KIBANA_APP,
         "privileges": ["feature_dashboard.all", "feature_discover.minimal_read", "feature_discover.url_create"],
         "resources": ["space:marketing", "space:sales"]}
    ]});
    parse_role("marketing_analyst", &body, RoleContext::RoleApi).expect("role parses")
}

fn application_check(actions: Vec<String>, space: &str) -> HasPrivilegesRequest {
    HasPrivilegesRequest {
        application: vec![ApplicationCheckItem {
            application: KIBANA_APP.to_string(),
            privileges: actions,
            resources: vec![format!("space:{space}")],
        }],
        ..Default::default()
    }
}

fn compile_benches(c: &mut Criterion) {
    let (features, source) = load_features();
    let privileges = kibana_privileges(&features);
    eprintln!(
        "setup: {} Kibana privileges with {} actions in total (features from {source:?})",
        privileges.len(),
        total_actions(&privileges)
    );
    let ui_actions: Vec<String> = privileges
        .iter()
        .find(|p| p.name == "all")
        .map(|p| {
            p.actions
                .iter()
                .filter(|a| a.starts_with("ui:"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let store = ApplicationPrivilegeStore::new(privileges);
    let restricted = RestrictedIndices::builtin().expect("restricted indices");
    let kibana = builtin(&["kibana_system", "kibana_admin"]);
    let kibana_admin = builtin(&["kibana_admin"]);
    let decision = decision_roles().expect("decision roles");
    let compile = |roles: &[RoleDescriptor]| Permission::compile(roles, &[], &store, &restricted);

    let mut group = c.benchmark_group("compile");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("kibana_system+kibana_admin", |b| {
        b.iter(|| compile(black_box(&kibana)))
    });
    group.bench_function("kibana_admin", |b| {
        b.iter(|| compile(black_box(&kibana_admin)))
    });
    group.bench_function("viewer+custom", |b| {
        b.iter(|| compile(black_box(&decision)))
    });
    group.finish();

    let admin = EffectiveRole::plain(Arc::new(compile(&kibana).expect("compiles")));
    let analyst = EffectiveRole::plain(Arc::new(compile(&[space_role()]).expect("compiles")));
    let open_app = application_check(
        ["login:", "app:discover", "ui:navLinks/discover"]
            .map(String::from)
            .to_vec(),
        "marketing",
    );
    let capabilities = application_check(ui_actions.clone(), "marketing");
    eprintln!(
        "setup: capability check asks {} ui: actions",
        ui_actions.len()
    );
    for (role, req) in [
        (&admin, &open_app),
        (&analyst, &open_app),
        (&analyst, &capabilities),
    ] {
        let resp = has_privileges(role, "bench_user", req, &store).expect("has_privileges");
        assert!(!resp.application.is_empty());
    }
    let granted_all = |role: &EffectiveRole| {
        has_privileges(role, "bench_user", &open_app, &store)
            .expect("has_privileges")
            .has_all_requested()
    };
    assert!(granted_all(&admin) && granted_all(&analyst));

    let mut group = c.benchmark_group("has_privileges");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("open_app/kibana_admin", |b| {
        b.iter(|| has_privileges(&admin, "bench_user", black_box(&open_app), &store))
    });
    group.bench_function("open_app/space_feature_role", |b| {
        b.iter(|| has_privileges(&analyst, "bench_user", black_box(&open_app), &store))
    });
    group.bench_function("all_ui_capabilities/space_feature_role", |b| {
        b.iter(|| has_privileges(&analyst, "bench_user", black_box(&capabilities), &store))
    });
    group.finish();
}

criterion_group!(benches, compile_benches);
criterion_main!(benches);
