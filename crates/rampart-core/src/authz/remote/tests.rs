use std::sync::Arc;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::permission::{ApplicationPrivilegeStore, RestrictedIndices};
use crate::resolve::{IndexMetadata, IndicesOptions};
use crate::role::{RoleContext, parse_role};

const SEARCH: &str = "indices:data/read/search";

fn perm(body: serde_json::Value) -> Arc<Permission> {
    let role = parse_role("r", &body, RoleContext::RoleApi).unwrap();
    Arc::new(
        Permission::compile(
            &[role],
            &[],
            &ApplicationPrivilegeStore::default(),
            &RestrictedIndices::builtin().unwrap(),
        )
        .unwrap(),
    )
}

fn remote(clusters: &[&str], index: &str) -> RemoteExpression {
    RemoteExpression {
        clusters: clusters.iter().map(|c| c.to_string()).collect(),
        index: index.to_string(),
        original: format!("{}:{index}", clusters.join(",")),
    }
}

fn bob() -> Subject {
    Subject::user("bob", "default_native", "native")
}

fn decide(role: &EffectiveRole, targets: &[RemoteExpression]) -> RemoteDecision {
    role.authorize_remote(&bob(), SEARCH, targets).unwrap()
}

fn logs_grant() -> serde_json::Value {
    json!({"remote_indices": [{"clusters": ["other", "eu-*"], "names": ["logs-*"], "privileges": ["read"]}]})
}

#[test]
fn a_matching_grant_allows_names_and_sub_patterns_unrestricted() {
    let role = EffectiveRole::plain(perm(logs_grant()));
    let RemoteDecision::Allowed(access) = decide(
        &role,
        &[
            remote(&["other"], "logs-1"),
            remote(&["eu-west"], "logs-2*"),
        ],
    ) else {
        panic!("expected allowed");
    };
    assert_eq!(access.len(), 2);
    assert_eq!(access[0].target(), "other:logs-1");
    assert!(access.iter().all(|a| !a.is_restricted()));
}

#[test]
fn names_outside_the_grant_or_clusters_are_denied_with_es_wording() {
    let role = EffectiveRole::plain(perm(logs_grant()));
    for (cluster, index) in [("other", "metrics"), ("other", "*"), ("us", "logs-1")] {
        let RemoteDecision::Denied(d) = decide(&role, &[remote(&[cluster], index)]) else {
            panic!("expected denied for {cluster}:{index}");
        };
        assert_eq!(
            d.message(),
            format!(
                "action [{SEARCH}] is unauthorized for user [bob] with effective roles [r] on indices [{cluster}:{index}], this action is granted by the index privileges [read,all]"
            )
        );
    }
}

#[test]
fn local_index_grants_do_not_reach_remote_clusters() {
    let role = EffectiveRole::plain(perm(
        json!({"indices": [{"names": ["*"], "privileges": ["all"]}]}),
    ));
    assert!(matches!(
        decide(&role, &[remote(&["other"], "logs-1")]),
        RemoteDecision::Denied(_)
    ));
}

#[test]
fn wrong_privilege_and_odd_expressions_are_denied() {
    let role = EffectiveRole::plain(perm(json!({"remote_indices": [
        {"clusters": ["*"], "names": ["*"], "privileges": ["write"]},
        {"clusters": ["other"], "names": ["*"], "privileges": ["read"]}
    ]})));
    assert!(matches!(
        decide(&role, &[remote(&["eu"], "logs")]),
        RemoteDecision::Denied(_)
    ));
    for odd in ["<logs-{now/d}>", "lo?s", ""] {
        assert!(matches!(
            decide(&role, &[remote(&["other"], odd)]),
            RemoteDecision::Denied(_)
        ));
    }
}

#[test]
fn restricted_indices_need_allow_restricted_indices() {
    let plain = EffectiveRole::plain(perm(
        json!({"remote_indices": [{"clusters": ["*"], "names": ["*"], "privileges": ["read"]}]}),
    ));
    assert!(matches!(
        decide(&plain, &[remote(&["other"], ".security-7")]),
        RemoteDecision::Denied(_)
    ));
    let allowed = EffectiveRole::plain(perm(json!({"remote_indices": [{"clusters": ["*"],
        "names": ["*"], "privileges": ["read"], "allow_restricted_indices": true}]})));
    assert!(matches!(
        decide(&allowed, &[remote(&["other"], ".security-7")]),
        RemoteDecision::Allowed(_)
    ));
}

#[test]
fn dls_and_fls_follow_the_covering_entries() {
    let role = EffectiveRole::plain(perm(json!({"remote_indices": [
        {"clusters": ["other"], "names": ["logs-*"], "privileges": ["read"],
         "query": "{\"term\":{\"team\":\"a\"}}", "field_security": {"grant": ["msg"]}},
        {"clusters": ["other"], "names": ["logs-1"], "privileges": ["read"]}
    ]})));
    let RemoteDecision::Allowed(access) = decide(
        &role,
        &[remote(&["other"], "logs-2"), remote(&["other"], "logs-1")],
    ) else {
        panic!("expected allowed");
    };
    let dls = access[0].documents.sides[0].as_ref().unwrap();
    assert_eq!(
        dls.iter().collect::<Vec<_>>(),
        ["{\"term\":{\"team\":\"a\"}}"]
    );
    assert!(access[0].fields.sides[0].is_some());
    // logs-1 is also granted without restrictions: the union is unrestricted.
    assert!(!access[1].is_restricted());
}

#[test]
fn piecewise_grants_with_restrictions_are_denied() {
    let role = EffectiveRole::plain(perm(json!({"remote_indices": [
        {"clusters": ["other"], "names": ["logs-a*"], "privileges": ["read"], "query": "{\"match_all\":{}}"},
        {"clusters": ["other"], "names": ["logs-*"], "privileges": ["read"]}
    ]})));
    // logs-* is covered by the second entry alone: unrestricted.
    assert!(matches!(
        decide(&role, &[remote(&["other"], "logs-*")]),
        RemoteDecision::Allowed(a) if !a[0].is_restricted()
    ));
    // Covered only by the union of a restricted and an unrestricted piece: not exact.
    let pieces = EffectiveRole::plain(perm(json!({"remote_indices": [
        {"clusters": ["other"], "names": ["logs-a*"], "privileges": ["read"], "query": "{\"match_all\":{}}"},
        {"clusters": ["other"], "names": ["logs-", "/logs-[^a].*/"], "privileges": ["read"]}
    ]})));
    assert!(matches!(
        decide(&pieces, &[remote(&["other"], "logs-b1")]),
        RemoteDecision::Allowed(a) if !a[0].is_restricted()
    ));
    assert!(matches!(
        decide(&pieces, &[remote(&["other"], "logs-*")]),
        RemoteDecision::Denied(_)
    ));
}

#[test]
fn api_keys_are_limited_by_their_owner() {
    let key = perm(logs_grant());
    let owner = perm(
        json!({"remote_indices": [{"clusters": ["eu-*"], "names": ["*"], "privileges": ["read"]}]}),
    );
    let role = EffectiveRole::limited(key, owner);
    assert!(matches!(
        decide(&role, &[remote(&["eu-1"], "logs-1")]),
        RemoteDecision::Allowed(_)
    ));
    assert!(matches!(
        decide(&role, &[remote(&["other"], "logs-1")]),
        RemoteDecision::Denied(_)
    ));
}

#[test]
fn expressions_with_only_remote_targets_are_decided_by_remote_indices() {
    let meta = IndexMetadata::builder()
        .remote_cluster("other")
        .remote_cluster("eu")
        .build()
        .unwrap();
    let role = EffectiveRole::plain(perm(
        json!({"remote_indices": [{"clusters": ["other"], "names": ["logs-*"], "privileges": ["read"]}]}),
    ));
    let now = chrono::Utc::now();
    let opts = IndicesOptions::search();
    let ok = role
        .authorize_index_expression(&bob(), SEARCH, &["other:logs-1".into()], &opts, &meta, now)
        .unwrap();
    assert!(ok.decision.is_allowed());
    assert_eq!(ok.remote[0].target(), "other:logs-1");
    // `*:logs-1` expands over both aliases; `eu` is not granted.
    let wide = role
        .authorize_index_expression(&bob(), SEARCH, &["*:logs-1".into()], &opts, &meta, now)
        .unwrap();
    assert!(!wide.decision.is_allowed());
    assert!(wide.remote.is_empty());
}

proptest! {
    /// A remote grant never authorizes a name outside its name patterns or cluster patterns.
    #[test]
    fn grants_never_exceed_their_patterns(
        names in proptest::collection::vec("[ab]{0,2}\\*?", 1..3),
        clusters in proptest::collection::vec("[xy]{0,1}\\*?", 1..3),
        alias in "[xy]{1,2}",
        index in "[ab]{1,3}\\*?",
    ) {
        let role = EffectiveRole::plain(perm(json!({"remote_indices": [
            {"clusters": clusters, "names": names, "privileges": ["read"]}]})));
        if let RemoteDecision::Allowed(_) = decide(&role, &[remote(&[&alias], &index)]) {
            let clusters = PatternSet::new(clusters.iter().map(String::as_str)).unwrap();
            prop_assert!(clusters.matches(&alias));
            let granted = PatternSet::new(names.iter().map(String::as_str)).unwrap();
            // Every concrete name the expression could reach is granted.
            for concrete in [index.replace('*', ""), index.replace('*', "zz")] {
                prop_assert!(granted.matches(&concrete), "{concrete} not in {names:?}");
            }
        }
    }
}
