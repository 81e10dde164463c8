//! Section 5.4 of the facts end to end: resolution against authorized names, then decisions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use chrono::Utc;
use rampart_core::authz::{EffectiveRole, ExpressionDecision, Subject};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_core::role::{RoleContext, parse_role};
use serde_json::json;

const SEARCH: &str = "indices:data/read/search";

fn setup() -> (EffectiveRole, IndexMetadata, Subject) {
    let role = parse_role(
        "r",
        &json!({"indices": [{"names": ["logs-*"], "privileges": ["read"]}]}),
        RoleContext::RoleApi,
    )
    .unwrap();
    let p = Permission::compile(
        &[role],
        &[],
        &ApplicationPrivilegeStore::default(),
        &RestrictedIndices::builtin().unwrap(),
    )
    .unwrap();
    let meta = IndexMetadata::builder()
        .index("logs-a")
        .index("logs-b")
        .index("secret")
        .build()
        .unwrap();
    (
        EffectiveRole::plain(Arc::new(p)),
        meta,
        Subject::user("u", "default_native", "native"),
    )
}

fn run(
    expr: &[&str],
    opts: IndicesOptions,
) -> Result<ExpressionDecision, rampart_core::authz::ExpressionError> {
    let (role, meta, subject) = setup();
    let exprs: Vec<String> = expr.iter().map(|s| s.to_string()).collect();
    role.authorize_index_expression(&subject, SEARCH, &exprs, &opts, &meta, Utc::now())
}

#[test]
fn wildcards_shrink_to_authorized_names() {
    let d = run(&["logs-*", "secret*"], IndicesOptions::search()).unwrap();
    assert!(d.decision.is_allowed());
    assert_eq!(d.names, vec!["logs-a", "logs-b"]);
}

#[test]
fn a_wildcard_matching_nothing_visible_is_an_empty_result() {
    let d = run(&["sec*"], IndicesOptions::search()).unwrap();
    assert!(d.decision.is_allowed());
    assert!(d.placeholder && d.names.is_empty());
}

#[test]
fn without_allow_no_indices_it_is_404() {
    let opts = IndicesOptions::search()
        .with_query_params([("allow_no_indices", "false")])
        .unwrap();
    let err = run(&["sec*"], opts).unwrap_err();
    assert_eq!(err.to_string(), "no such index [sec*]");
}

#[test]
fn an_explicit_unauthorized_name_is_403() {
    let d = run(&["secret"], IndicesOptions::search()).unwrap();
    assert_eq!(
        d.decision.decision.denial().unwrap().message(),
        "action [indices:data/read/search] is unauthorized for user [u] with effective roles [r] on indices [secret], this action is granted by the index privileges [read,all]"
    );
    let opts = IndicesOptions::search()
        .with_query_params([("ignore_unavailable", "true")])
        .unwrap();
    let d = run(&["secret"], opts).unwrap();
    assert!(d.decision.is_allowed() && d.names.is_empty());
}

#[test]
fn exclusions_and_literal_dashes() {
    let d = run(&["*", "-logs-b"], IndicesOptions::search()).unwrap();
    assert_eq!(d.names, vec!["logs-a"]);
    let d = run(&["-logs-b"], IndicesOptions::search()).unwrap();
    assert!(
        d.decision
            .decision
            .denial()
            .unwrap()
            .message()
            .contains("on indices [-logs-b]")
    );
}

#[test]
fn a_role_without_any_read_is_denied_before_resolution() {
    let role = parse_role(
        "w",
        &json!({"indices": [{"names": ["logs-*"], "privileges": ["write"]}]}),
        RoleContext::RoleApi,
    )
    .unwrap();
    let p = Permission::compile(
        &[role],
        &[],
        &ApplicationPrivilegeStore::default(),
        &RestrictedIndices::builtin().unwrap(),
    )
    .unwrap();
    let (_, meta, subject) = setup();
    let d = EffectiveRole::plain(Arc::new(p))
        .authorize_index_expression(
            &subject,
            SEARCH,
            &["nothing*".to_string()],
            &IndicesOptions::search(),
            &meta,
            Utc::now(),
        )
        .unwrap();
    assert_eq!(
        d.decision.decision.denial().unwrap().message(),
        "action [indices:data/read/search] is unauthorized for user [u] with effective roles [w] on indices [nothing*], this action is granted by the index privileges [read,all]"
    );
}
