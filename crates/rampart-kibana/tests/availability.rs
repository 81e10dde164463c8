//! The availability matrix (space hides × role grants) for every feature of the registry,
//! and the capabilities it yields.
#![allow(clippy::bool_assert_comparison)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};
use rampart_kibana::access::{RoleOracle, feature_available, resolve_capabilities};
use rampart_kibana::{Feature, Space};
use serde_json::json;

/// A role granting `f` in space `s` (through reserved privileges for features without
/// grantable ones).
fn granting_role(k: &common::Kit, f: &Feature) -> RoleDescriptor {
    if f.privileges.is_none() {
        let reserved = f.reserved_privileges().next().unwrap();
        let mut r = RoleDescriptor::named("reserved");
        r.applications = vec![ApplicationPrivileges {
            application: "kibana-*".into(),
            privileges: vec![format!("reserved_{}", reserved.id)],
            resources: vec!["*".into()],
        }];
        return r;
    }
    let top = if f.top_privilege("all").is_some_and(|p| !p.disabled) {
        "all"
    } else {
        "read"
    };
    let spaces = if f.top_privilege(top).unwrap().require_all_spaces {
        json!(["*"])
    } else {
        json!(["s"])
    };
    k.es_role("granting", json!({"elasticsearch": {}, "kibana": [{"feature": {f.id.clone(): [top]}, "spaces": spaces}]}))
}

#[test]
fn matrix_for_every_feature() {
    let k = common::kit();
    let nobody = k.compile(&[]);
    let mut checked = 0;
    for f in k.registry.features() {
        if f.privileges.is_none() && f.reserved.is_none() {
            continue; // Nothing can grant it (e.g. 8.x `reporting`).
        }
        let grants = k.compile(&[granting_role(&k, f)]);
        let visible = Space::from_json(&json!({"id": "s", "name": "S"})).unwrap();
        let hidden =
            Space::from_json(&json!({"id": "s", "name": "S", "disabledFeatures": [f.id]})).unwrap();
        for (space, role, expected) in [
            (&hidden, &nobody, false),
            (&hidden, &grants, false),
            (&visible, &nobody, false),
            (&visible, &grants, true),
        ] {
            let oracle = RoleOracle {
                role,
                store: &k.store,
            };
            let got = feature_available(f, space, &k.registry, &k.privileges, &oracle).unwrap();
            assert_eq!(
                got,
                expected,
                "{} hidden={} granted={}",
                f.id,
                space.disabled_features.len(),
                !std::ptr::eq(role, &nobody)
            );
            // Capabilities agree: the feature's own UI capabilities are on only when available.
            let caps = resolve_capabilities(&k.registry, space, &oracle).unwrap();
            let own = &caps.features[&f.id];
            if !expected {
                assert!(own.values().all(|v| !v), "{} caps", f.id);
            }
            for a in &f.app {
                if !expected
                    && !k
                        .registry
                        .features()
                        .iter()
                        .any(|o| o.id != f.id && o.app.contains(a))
                {
                    assert!(!caps.nav_links[a], "{} navLink {a}", f.id);
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 28);
}

#[test]
fn union_of_roles_and_of_all_spaces_with_space_entries() {
    let k = common::kit();
    let a = k.es_role("a", json!({"elasticsearch": {}, "kibana": [{"base": ["all"]}, {"base": ["read"], "spaces": ["marketing"]}]}));
    let b = k.es_role("b", json!({"elasticsearch": {}, "kibana": [{"feature": {"ml": ["read"]}, "spaces": ["other"]}]}));
    let role = k.compile(&[a, b]);
    let oracle = RoleOracle {
        role: &role,
        store: &k.store,
    };
    let marketing = Space::from_json(&json!({"id": "marketing", "name": "M"})).unwrap();
    let caps = resolve_capabilities(&k.registry, &marketing, &oracle).unwrap();
    // The space entry cannot reduce what `*` grants.
    assert_eq!(caps.features["discover"]["save"], true);
    assert_eq!(caps.features["spaces"]["manage"], true);
    let only_b = k.compile(&[k.es_role("b", json!({"elasticsearch": {}, "kibana": [{"feature": {"ml": ["read"]}, "spaces": ["other"]}]}))]);
    let oracle = RoleOracle {
        role: &only_b,
        store: &k.store,
    };
    let other = Space::from_json(&json!({"id": "other", "name": "O"})).unwrap();
    let caps = resolve_capabilities(&k.registry, &other, &oracle).unwrap();
    assert_eq!(caps.features["ml"]["canGetJobs"], true);
    assert_eq!(caps.features["ml"]["canCreateJob"], false);
    assert_eq!(caps.features["discover"]["show"], false);
    assert_eq!(caps.features["spaces"]["manage"], false);
    let caps = resolve_capabilities(&k.registry, &marketing, &oracle).unwrap();
    assert_eq!(caps.features["ml"]["canGetJobs"], false);
}
