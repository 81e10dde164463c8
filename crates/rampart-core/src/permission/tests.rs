use serde_json::json;

use super::*;
use crate::role::{RoleContext, parse_role};

fn role(name: &str, body: serde_json::Value) -> RoleDescriptor {
    parse_role(name, &body, RoleContext::RoleApi).unwrap()
}

fn compile(roles: &[RoleDescriptor]) -> Permission {
    Permission::compile(
        roles,
        &[],
        &ApplicationPrivilegeStore::default(),
        &RestrictedIndices::builtin().unwrap(),
    )
    .unwrap()
}

#[test]
fn entries_with_the_same_names_merge_and_lose_dls() {
    // Section 4 caveat: B's entry without a query lifts A's DLS for the merged group.
    let a = role(
        "a",
        json!({"indices": [{"names": ["idx"], "privileges": ["read"], "query": {"term": {"d": "x"}}}]}),
    );
    let b = role(
        "b",
        json!({"indices": [{"names": ["idx"], "privileges": ["view_index_metadata"]}]}),
    );
    let p = compile(&[a.clone(), b]);
    assert_eq!(p.indices.groups().len(), 1);
    let g = &p.indices.groups()[0];
    assert!(g.queries.is_none());
    assert_eq!(g.privileges, vec!["read", "view_index_metadata"]);
    assert_eq!(g.roles, vec!["a", "b"]);
    // Different name sets stay separate groups.
    let c = role(
        "c",
        json!({"indices": [{"names": ["idx*"], "privileges": ["read"]}]}),
    );
    let p = compile(&[a, c]);
    assert_eq!(p.indices.groups().len(), 2);
}

#[test]
fn a_role_with_only_none_contributes_nothing() {
    let n = role(
        "n",
        json!({"indices": [{"names": ["*"], "privileges": ["none"]}]}),
    );
    assert!(compile(&[n]).indices.groups().is_empty());
}

#[test]
fn grant_star_without_except_is_no_fls() {
    let r = role(
        "r",
        json!({"indices": [{"names": ["i"], "privileges": ["read"], "field_security": {"grant": ["*"]}}]}),
    );
    assert!(compile(&[r]).indices.groups()[0].field_security.is_none());
}

#[test]
fn cluster_grants_name_the_privilege_and_roles() {
    let r = role(
        "ops",
        json!({"cluster": ["monitor", "cluster:admin/xpack/security/*"]}),
    );
    let p = compile(&[r]);
    let g = p.cluster.granting("cluster:monitor/health").unwrap();
    assert_eq!(g.value.name, "monitor");
    assert_eq!(g.roles, vec!["ops"]);
    // Raw action privileges have prefix semantics.
    assert!(
        p.cluster
            .granting("cluster:admin/xpack/security/user/put")
            .is_some()
    );
    assert!(
        p.cluster
            .granting("cluster:admin/settings/update")
            .is_none()
    );
    assert_eq!(
        p.cluster.names(),
        &[
            "cluster:admin/xpack/security/*".to_string(),
            "monitor".to_string()
        ]
    );
}

#[test]
fn manage_excludes_security_actions() {
    let p = compile(&[role("m", json!({"cluster": ["manage"]}))]);
    assert!(
        p.cluster
            .granting("cluster:admin/settings/update")
            .is_some()
    );
    assert!(
        p.cluster
            .granting("cluster:admin/xpack/security/user/put")
            .is_none()
    );
    assert!(
        p.cluster
            .granting("cluster:monitor/xpack/security/saml/metadata")
            .is_some()
    );
}

#[test]
fn restricted_names_need_the_flag() {
    let open = role(
        "o",
        json!({"indices": [{"names": ["*"], "privileges": ["read"]}]}),
    );
    let p = compile(&[open]);
    let view = p.indices.view("indices:data/read/search").unwrap();
    assert!(p.indices.matching_groups(&view, "logs", true).len() == 1);
    assert!(
        p.indices
            .matching_groups(&view, ".security-7", true)
            .is_empty()
    );
    let sys = role(
        "s",
        json!({"indices": [{"names": [".security*"], "privileges": ["read"], "allow_restricted_indices": true}]}),
    );
    let p = compile(&[sys]);
    let view = p.indices.view("indices:data/read/search").unwrap();
    assert_eq!(
        p.indices.matching_groups(&view, ".security-7", true),
        vec![0]
    );
}

#[test]
fn cache_reuses_compiled_permissions_by_role_set() {
    let cache = PermissionCache::new(4);
    let key = RoleSetKey::new(vec![("b".into(), 2), ("a".into(), 1)]);
    let same = RoleSetKey::new(vec![("a".into(), 1), ("b".into(), 2)]);
    let first = cache.get_or_compile(&key, || Ok(compile(&[]))).unwrap();
    let second = cache
        .get_or_compile(&same, || panic!("must be cached"))
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    let changed = RoleSetKey::new(vec![("a".into(), 1), ("b".into(), 3)]);
    let mut compiled = false;
    cache
        .get_or_compile(&changed, || {
            compiled = true;
            Ok(compile(&[]))
        })
        .unwrap();
    assert!(compiled, "a new revision compiles again");
}
