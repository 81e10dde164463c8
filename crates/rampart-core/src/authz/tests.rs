use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use crate::role::{RoleContext, parse_role};

fn perm(roles: &[(&str, serde_json::Value)], missing: &[&str]) -> Arc<Permission> {
    let roles: Vec<_> = roles
        .iter()
        .map(|(n, b)| parse_role(n, b, RoleContext::RoleApi).unwrap())
        .collect();
    let missing: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
    Arc::new(
        Permission::compile(
            &roles,
            &missing,
            &ApplicationPrivilegeStore::default(),
            &RestrictedIndices::builtin().unwrap(),
        )
        .unwrap(),
    )
}

fn index(role: &EffectiveRole, subject: &Subject, action: &str, names: &[&str]) -> IndexDecision {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let req = IndexRequest {
        action,
        names: &names,
        data_streams: true,
        lookup: &NoIndexMetadata,
    };
    role.authorize_index(subject, &req).unwrap()
}

#[test]
fn denial_lists_missing_roles_and_granting_privileges() {
    let role = EffectiveRole::plain(perm(&[], &["typo_role"]));
    let bob = Subject::user("bob", "default_native", "native");
    let d = index(&role, &bob, "indices:data/read/search", &["logs"]);
    assert_eq!(
        d.decision.denial().unwrap().message(),
        "action [indices:data/read/search] is unauthorized for user [bob] with effective roles [] (assigned roles [typo_role] were not found) on indices [logs], this action is granted by the index privileges [read,all]"
    );
}

#[test]
fn restricted_and_plain_names_are_listed_separately() {
    let role = EffectiveRole::plain(perm(
        &[(
            "r",
            json!({"indices": [{"names": ["ok"], "privileges": ["read"]}]}),
        )],
        &[],
    ));
    let bob = Subject::user("bob", "default_native", "native");
    let d = index(
        &role,
        &bob,
        "indices:data/read/search",
        &["ok", "a", ".security-7"],
    );
    let msg = d.decision.denial().unwrap().message();
    assert!(
        msg.contains(" on indices [a] and restricted indices [.security-7], "),
        "{msg}"
    );
}

#[test]
fn api_key_is_limited_by_its_owner() {
    let key = perm(
        &[(
            "k",
            json!({"indices": [{"names": ["logs-*", "secret"], "privileges": ["read"]}]}),
        )],
        &[],
    );
    let owner = perm(
        &[(
            "o",
            json!({"indices": [{"names": ["logs-*"], "privileges": ["all"]}]}),
        )],
        &[],
    );
    let role = EffectiveRole::limited(key, owner);
    let subject = Subject::api_key("abc", "alice", "default_native", "native");
    assert!(index(&role, &subject, "indices:data/read/search", &["logs-1"]).is_allowed());
    // The owner cannot read `secret`; the key cannot write logs.
    let d = index(&role, &subject, "indices:data/read/search", &["secret"]);
    assert_eq!(
        d.decision.denial().unwrap().message(),
        "action [indices:data/read/search] is unauthorized for API key id [abc] of user [alice] on indices [secret], this action is granted by the index privileges [read,all]"
    );
    assert!(!index(&role, &subject, "indices:data/write/delete", &["logs-1"]).is_allowed());
}

#[test]
fn dls_sides_combine_per_index() {
    let p = perm(
        &[
            (
                "a",
                json!({"indices": [{"names": ["idx"], "privileges": ["read"], "query": {"term": {"d": "x"}}}]}),
            ),
            (
                "c",
                json!({"indices": [{"names": ["idx*"], "privileges": ["read"], "query": {"term": {"d": "y"}}}]}),
            ),
        ],
        &[],
    );
    let role = EffectiveRole::plain(p);
    let d = index(
        &role,
        &Subject::user("u", "r", "native"),
        "indices:data/read/search",
        &["idx"],
    );
    let docs = &d.access()[0].documents.sides[0];
    assert_eq!(docs.as_ref().unwrap().len(), 2, "dept x OR y");
}

#[test]
fn run_as_names_the_authenticating_user() {
    let admin = EffectiveRole::plain(perm(&[("admin", json!({"run_as": ["bob*"]}))], &[]));
    let subject = Subject::user("alice", "default_native", "native").running_as(
        "carol",
        "default_native",
        "native",
    );
    let d = admin.authorize_run_as(&subject, "cluster:monitor/main", "carol", true);
    assert_eq!(
        d.denial().unwrap().message(),
        "action [cluster:monitor/main] is unauthorized for user [alice] with effective roles [admin], because user [alice] is unauthorized to run as [carol]"
    );
    assert!(
        admin
            .authorize_run_as(&subject, "cluster:monitor/main", "bobby", true)
            .is_allowed()
    );
    // A target that does not exist is denied the same way (existence is not leaked).
    assert!(
        !admin
            .authorize_run_as(&subject, "cluster:monitor/main", "bobby", false)
            .is_allowed()
    );
}

#[test]
fn internal_actions_are_denied_without_suffix() {
    let role = EffectiveRole::plain(perm(&[("all", json!({"cluster": ["all"]}))], &[]));
    let d = role
        .authorize_cluster(
            &Subject::user("u", "r", "native"),
            "internal:admin/tasks/ban",
            &ClusterRequest::default(),
        )
        .unwrap();
    assert_eq!(
        d.denial().unwrap().message(),
        "action [internal:admin/tasks/ban] is unauthorized for user [u] with effective roles [all]"
    );
}

#[test]
fn index_reasons_render_on_demand_per_side() {
    let key = perm(
        &[(
            "key",
            json!({"indices": [{"names": ["logs-*"], "privileges": ["read"]}]}),
        )],
        &[],
    );
    let owner = perm(
        &[(
            "owner",
            json!({"indices": [{"names": ["logs-a"], "privileges": ["all"]}]}),
        )],
        &[],
    );
    let role = EffectiveRole::limited(key, owner);
    let subject = Subject::api_key("k1", "alice", "native1", "native");
    let d = index(
        &role,
        &subject,
        "indices:data/read/search",
        &["logs-a::data"],
    );
    let v = serde_json::to_value(&d.decision).unwrap();
    assert_eq!(v["decision"], "allowed");
    let reasons = v["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 2);
    assert_eq!(reasons[0]["kind"], "index_group");
    assert_eq!(
        reasons[0]["name"], "logs-a",
        "the selector is not part of the name"
    );
    assert_eq!(reasons[0]["patterns"], json!(["logs-*"]));
    assert_eq!(reasons[0]["roles"], json!(["key"]));
    assert_eq!(reasons[1]["kind"], "limited_by");
    assert_eq!(reasons[1]["reason"]["patterns"], json!(["logs-a"]));
    assert_eq!(d.access()[0].name, "logs-a::data");
    assert_eq!(d.access()[0].documents.sides, vec![None, None]);
    // Rendering twice gives the same value (the first rendering is kept).
    assert_eq!(d.decision.reasons(), d.decision.reasons());
    assert_eq!(d.decision.clone().into_result().unwrap().len(), 2);
}

#[test]
fn cluster_and_default_role_reasons() {
    let role = EffectiveRole::plain(perm(&[("ops", json!({"cluster": ["monitor"]}))], &[]));
    let alice = Subject::user("alice", "native1", "native");
    let health = role
        .authorize_cluster(&alice, "cluster:monitor/health", &ClusterRequest::default())
        .unwrap();
    assert_eq!(
        serde_json::to_value(&health).unwrap(),
        json!({"decision": "allowed", "reasons": [
            {"kind": "cluster_privilege", "privilege": "monitor", "roles": ["ops"]}
        ]})
    );
    let authenticate = role
        .authorize_cluster(
            &alice,
            "cluster:admin/xpack/security/user/authenticate",
            &ClusterRequest::default(),
        )
        .unwrap();
    assert_eq!(
        authenticate.reasons(),
        &[Reason::DefaultRole {
            rule: "every subject may authenticate".into()
        }]
    );
}

#[test]
fn denial_serializes_with_every_field() {
    let role = EffectiveRole::plain(perm(
        &[(
            "r",
            json!({"indices": [{"names": ["logs-*"], "privileges": ["read"]}]}),
        )],
        &[],
    ));
    let alice = Subject::user("alice", "native1", "native");
    let d = index(
        &role,
        &alice,
        "indices:data/read/search",
        &["secret", ".security-7"],
    );
    let denial = d.decision.denial().unwrap();
    assert_eq!(denial.indices(), vec!["secret"]);
    assert_eq!(denial.restricted_indices(), vec![".security-7"]);
    assert_eq!(
        serde_json::to_value(&d.decision).unwrap(),
        json!({
            "decision": "denied",
            "action": "indices:data/read/search",
            "message": "action [indices:data/read/search] is unauthorized for user [alice] with effective roles [r] on indices [secret] and restricted indices [.security-7], this action is granted by the index privileges [read,all]",
            "granted_by": ["read", "all"],
            "indices": ["secret"],
            "restricted_indices": [".security-7"],
        })
    );
    assert!(d.access().is_empty());
    let err = d.decision.clone().into_result().unwrap_err();
    assert_eq!(err.to_string(), denial.message());
    // A long name (beyond the inline text size) is kept whole.
    let long = "x".repeat(100);
    let d = index(&role, &alice, "indices:data/read/search", &[long.as_str()]);
    assert_eq!(d.decision.denial().unwrap().indices(), vec![long.as_str()]);
}
