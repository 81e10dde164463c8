#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The availability matrix of kibana.md (d) for every feature of the registry, observed through
//! `POST /s/{space}/api/core/capabilities`: a feature is available only when the space does not
//! hide it AND the caller's privileges grant it.

mod common;
mod kibana_support;

use std::collections::BTreeSet;

use kibana_support::KibanaNode;
use rampart_kibana::{Feature, FeatureRegistry};
use serde_json::{Value, json};

/// The capabilities only this feature owns: `capabilities[<id>].*`, and nav links, catalogue
/// and management entries no other feature declares.
fn own_paths(f: &Feature, registry: &FeatureRegistry) -> Vec<(String, String)> {
    let others: Vec<&Feature> = registry
        .features()
        .iter()
        .filter(|o| o.id != f.id)
        .collect();
    let mut out = BTreeSet::new();
    let mut grants = Vec::new();
    if let Some(p) = &f.privileges {
        grants.extend(p.all.iter().chain(p.read.iter()).map(|p| &p.grants));
    }
    grants.extend(f.reserved_privileges().map(|r| &r.privilege.grants));
    for g in grants {
        for u in &g.ui {
            out.insert((f.id.clone(), u.clone()));
        }
        for a in g
            .app
            .iter()
            .filter(|a| !others.iter().any(|o| o.app.contains(a)))
        {
            out.insert(("navLinks".into(), a.clone()));
        }
        for c in g
            .catalogue
            .iter()
            .filter(|c| !others.iter().any(|o| o.catalogue.contains(c)))
        {
            out.insert(("catalogue".into(), c.clone()));
        }
    }
    out.into_iter().collect()
}

fn enabled(caps: &Value, paths: &[(String, String)]) -> Vec<bool> {
    paths
        .iter()
        .map(|(bucket, key)| {
            caps[bucket][key]
                .as_bool()
                .unwrap_or_else(|| panic!("no capability {bucket}.{key}"))
        })
        .collect()
}

/// The role that grants `f` everywhere: its `all` (or `read`) feature privilege, or for a
/// reserved-only feature its reserved privilege through `kibana-*` as built-in roles do.
async fn grant_role(k: &KibanaNode, f: &Feature) -> String {
    let name = format!("grant_{}", f.id);
    if let Some(p) = &f.privileges {
        let privilege = if p.all.as_ref().is_some_and(|a| !a.disabled) {
            "all"
        } else {
            "read"
        };
        k.put_role(&name, json!({"elasticsearch": {}, "kibana": [{"feature": {f.id.clone(): [privilege]}, "spaces": ["*"]}]}))
            .await;
    } else {
        let reserved: Vec<String> = f
            .reserved_privileges()
            .map(|r| format!("reserved_{}", r.id))
            .collect();
        let (s, b) = k
            .node
            .admin("PUT", &format!("/_security/role/{name}"), Some(json!({"applications": [{"application": "kibana-*", "privileges": reserved, "resources": ["*"]}]})))
            .await;
        assert_eq!(s, 200, "{b}");
    }
    name
}

#[tokio::test]
async fn availability_matrix_for_every_feature() {
    let k = KibanaNode::new();
    let registry = FeatureRegistry::builtin().unwrap();
    let all_ids: Vec<String> = registry.features().iter().map(|f| f.id.clone()).collect();
    k.put_space("visible", &[]).await;
    let hidden: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    k.put_space("hidden", &hidden).await;
    let nobody = k.user("nobody", &[]);
    let mut checked = 0;
    for f in registry.features() {
        let paths = own_paths(f, &registry);
        if paths.is_empty() {
            // Nothing in the capabilities belongs to this feature alone: not observable there.
            continue;
        }
        let role = grant_role(&k, f).await;
        let username = format!("u_{}", f.id);
        k.node.add_user(&username, "user-password", &[&role]);
        let granted = (username.as_str(), "user-password");
        for (space, user, expect_available) in [
            ("visible", granted, true),
            ("hidden", granted, false),
            ("visible", nobody, false),
            ("hidden", nobody, false),
        ] {
            let caps = k.capabilities(user, Some(space)).await;
            let got = enabled(&caps, &paths);
            if expect_available {
                assert!(
                    got.iter().any(|b| *b),
                    "{}: {space} as {}: {paths:?} {got:?}",
                    f.id,
                    user.0
                );
            } else {
                assert!(
                    got.iter().all(|b| !b),
                    "{}: {space} as {}: {paths:?} {got:?}",
                    f.id,
                    user.0
                );
            }
        }
        checked += 1;
    }
    assert!(
        checked >= registry.features().len() - 3,
        "only {checked} features observable"
    );
}

#[tokio::test]
async fn worked_example_availability_and_union_of_entries() {
    let k = KibanaNode::new();
    k.put_space("marketing", &["dashboard"]).await;
    k.put_role(
        "marketing",
        json!({"elasticsearch": {}, "kibana": [
            {"base": ["read"], "spaces": ["*"]},
            {"feature": {"dashboard": ["all"], "discover": ["minimal_read", "url_create"]}, "spaces": ["marketing"]}
        ]}),
    )
    .await;
    let u = k.user("marketer", &["marketing"]);
    let caps = k.capabilities(u, Some("marketing")).await;
    // Dashboard is granted but hidden in marketing.
    assert_eq!(caps["dashboard"]["show"], false);
    assert_eq!(caps["navLinks"]["dashboards"], false);
    // Discover: read from `*`, plus url_create from the space entry (union).
    assert_eq!(caps["discover"]["show"], true);
    assert_eq!(caps["discover"]["save"], false);
    // The default space: only `*: read`, dashboard visible but read-only.
    let caps = k.capabilities(u, None).await;
    assert_eq!(caps["dashboard"]["show"], true);
    assert_eq!(caps["dashboard"]["createNew"], false);
    // Spaces management is global-all only.
    assert_eq!(caps["spaces"]["manage"], false);
    let admin = k.capabilities(common::SUPERUSER, None).await;
    assert_eq!(admin["spaces"]["manage"], true);
    // An unknown space in the prefix.
    let (s, _) = k
        .raw(
            "POST",
            "/s/nowhere/api/core/capabilities",
            Some(u),
            Some(json!({"applications": []})),
            false,
        )
        .await;
    assert_eq!(s, 404);
}

/// Every boolean leaf of a capabilities body.
fn leaves(v: &Value) -> Vec<bool> {
    match v {
        Value::Bool(b) => vec![*b],
        Value::Object(m) => m.values().flat_map(leaves).collect(),
        _ => Vec::new(),
    }
}

/// Kibana's capabilities route has `authRequired: 'optional'`: without credentials it answers
/// 200 with every privilege-governed capability off (the same as a caller with no roles);
/// credentials that are sent must still be valid.
#[tokio::test]
async fn unauthenticated_capabilities_are_all_off() {
    let k = KibanaNode::new();
    k.put_space("ops", &["discover"]).await;
    let nobody = k.user("nobody", &[]);
    for space in [None, Some("ops")] {
        let path = match space {
            Some(s) => format!("/s/{s}/api/core/capabilities"),
            None => "/api/core/capabilities".to_string(),
        };
        let (s, anonymous) = k
            .raw(
                "POST",
                &path,
                None,
                Some(json!({"applications": []})),
                false,
            )
            .await;
        assert_eq!(s, 200, "{anonymous}");
        assert_eq!(anonymous, k.capabilities(nobody, space).await);
        let all = leaves(&anonymous);
        assert!(all.len() > 100, "{anonymous}");
        assert!(all.iter().all(|b| !b), "{anonymous}");
        assert_eq!(anonymous["navLinks"]["discover"], json!(false));
    }
    let (s, b) = k
        .raw(
            "POST",
            "/api/core/capabilities",
            Some(("elastic", "wrong")),
            Some(json!({"applications": []})),
            false,
        )
        .await;
    assert_eq!(s, 401, "{b}");
    // Other routes still need credentials.
    let (s, _) = k.raw("GET", "/api/spaces/space", None, None, false).await;
    assert_eq!(s, 401);
}
