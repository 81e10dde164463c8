#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The Cedar encoding used by the decision benches answers like Rampart on the bench's names,
//! so the side-by-side numbers compare the same decisions.

#[path = "../benches/support/cedar_model.rs"]
mod cedar_model;

use rampart_bench::metadata::{ALLOWED_INDEX, DENIED_INDEX, decision_snapshot, index_name};
use rampart_bench::roles::{CLUSTER_HEALTH, SEARCH, bench_user, decision_role, decision_roles};
use rampart_core::authz::{ClusterRequest, IndexRequest};

const OTHER_CLUSTER_ACTION: &str = "cluster:admin/settings/update";

fn names() -> Vec<String> {
    let mut names: Vec<String> = (0..40).map(index_name).collect();
    for extra in [
        ALLOWED_INDEX,
        DENIED_INDEX,
        "ilm-history-7",
        ".security-7",
        ".kibana_1",
        ".alerts-default",
        "customers",
        "customers-archive-2020",
        "kpi-dashboard",
        "kpi-dashboard-2",
        "web-1-access-2024",
    ] {
        names.push(extra.to_string());
    }
    names
}

#[test]
fn cedar_and_rampart_agree_on_index_and_cluster_decisions() {
    let roles = decision_roles().unwrap();
    let names = names();
    let meta = decision_snapshot(10).unwrap();
    let model = cedar_model::build(
        &roles,
        "bench_user",
        &[SEARCH],
        &[CLUSTER_HEALTH, OTHER_CLUSTER_ACTION],
        names.iter().map(String::as_str),
    )
    .unwrap();
    let role = decision_role().unwrap();
    let mut allowed = 0;
    for name in &names {
        let one = [name.clone()];
        let req = IndexRequest {
            action: SEARCH,
            names: &one,
            data_streams: true,
            lookup: &meta,
        };
        let rampart = role
            .authorize_index(&bench_user(), &req)
            .unwrap()
            .is_allowed();
        let cedar = model.is_allowed(&model.index_request(SEARCH, name).unwrap());
        assert_eq!(rampart, cedar, "{name}");
        allowed += usize::from(rampart);
    }
    assert!(allowed > 10 && allowed < names.len(), "{allowed}");
    for (action, expected) in [(CLUSTER_HEALTH, true), (OTHER_CLUSTER_ACTION, false)] {
        let rampart = role
            .authorize_cluster(&bench_user(), action, &ClusterRequest::default())
            .unwrap()
            .is_allowed();
        let cedar = model.is_allowed(&model.cluster_request(action).unwrap());
        assert_eq!((rampart, cedar), (expected, expected), "{action}");
    }
}

#[test]
fn unknown_index_entities_are_denied_by_cedar() {
    let roles = decision_roles().unwrap();
    let model = cedar_model::build(&roles, "bench_user", &[SEARCH], &[], []).unwrap();
    assert!(!model.is_allowed(&model.index_request(SEARCH, ALLOWED_INDEX).unwrap()));
}
