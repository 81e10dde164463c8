use rampart_core::authz::{ClusterRequest, IndexRequest};

use super::*;
use crate::metadata::{ALLOWED_INDEX, DENIED_INDEX, decision_snapshot, team_index_name};

fn search(role: &EffectiveRole, meta: &dyn rampart_core::authz::IndexLookup, name: &str) -> bool {
    let names = [name.to_string()];
    let req = IndexRequest {
        action: SEARCH,
        names: &names,
        data_streams: true,
        lookup: meta,
    };
    role.authorize_index(&bench_user(), &req)
        .unwrap()
        .is_allowed()
}

#[test]
fn custom_role_has_twenty_patterns_including_a_regex() {
    assert_eq!(custom_role_pattern_count(), 20);
    assert!(custom_role_body().to_string().contains("/app-"));
}

#[test]
fn decision_probes_are_allowed_and_denied_at_every_size() {
    let role = decision_role().unwrap();
    for known in [10, 1000] {
        let meta = decision_snapshot(known).unwrap();
        assert!(search(&role, &meta, ALLOWED_INDEX));
        assert!(!search(&role, &meta, DENIED_INDEX));
    }
}

#[test]
fn denied_probe_gets_the_elasticsearch_message() {
    let role = decision_role().unwrap();
    let meta = decision_snapshot(10).unwrap();
    let names = [DENIED_INDEX.to_string()];
    let req = IndexRequest {
        action: SEARCH,
        names: &names,
        data_streams: true,
        lookup: &meta,
    };
    let decision = role.authorize_index(&bench_user(), &req).unwrap();
    let message = decision.decision.denial().unwrap().message().to_string();
    assert!(
        message
            .starts_with("action [indices:data/read/search] is unauthorized for user [bench_user]")
    );
    assert!(message.contains(DENIED_INDEX));
}

#[test]
fn custom_patterns_grant_beyond_viewer() {
    let role = decision_role().unwrap();
    let meta = decision_snapshot(10).unwrap();
    // The regex entry grants write, which viewer never does.
    let names = ["app-billing-2024.06".to_string()];
    let req = IndexRequest {
        action: "indices:data/write/index",
        names: &names,
        data_streams: true,
        lookup: &meta,
    };
    assert!(
        role.authorize_index(&bench_user(), &req)
            .unwrap()
            .is_allowed()
    );
    let names = ["app-billing-24.06".to_string()];
    let req = IndexRequest {
        names: &names,
        ..req
    };
    assert!(
        !role
            .authorize_index(&bench_user(), &req)
            .unwrap()
            .is_allowed()
    );
}

#[test]
fn cluster_health_is_allowed_by_the_custom_role_only() {
    let role = decision_role().unwrap();
    let allowed = role
        .authorize_cluster(&bench_user(), CLUSTER_HEALTH, &ClusterRequest::default())
        .unwrap();
    assert!(allowed.is_allowed());
    let viewer_only = EffectiveRole::plain(compile(&decision_roles().unwrap()[..1]).unwrap());
    let denied = viewer_only
        .authorize_cluster(&bench_user(), CLUSTER_HEALTH, &ClusterRequest::default())
        .unwrap();
    assert!(!denied.is_allowed());
}

#[test]
fn team_role_sees_every_other_team_through_all_pattern_shapes() {
    let role = EffectiveRole::plain(compile(&[team_role(100).unwrap()]).unwrap());
    let meta = rampart_core::authz::NoIndexMetadata;
    // Team 0 (plain), 18 (`?` form, k = 9), 48 (regex, k = 24) are granted; odd teams are not.
    for (team, allowed) in [(0, true), (18, true), (48, true), (1, false), (199, false)] {
        let name = team_index_name(5 * team);
        assert!(name.starts_with(&format!("logs-team{team:03}-")), "{name}");
        assert_eq!(search(&role, &meta, &name), allowed, "{name}");
    }
    assert!(
        !search(&role, &meta, &team_index_name(3)),
        "metrics are not granted"
    );
}
