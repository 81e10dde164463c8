#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The route table is the server's whole surface: every route is reachable, unique, names a
//! known action, and is closed to the unauthenticated and to users without privileges.

mod common;

use std::collections::HashSet;

use axum::http::Method;
use common::{SUPERUSER, TestNode, is_es_error};
use rampart_server::routes::{Authz, Route, routes};

/// Actions Rampart adds that Elasticsearch does not have.
const RAMPART_ACTIONS: &[&str] = &[
    rampart_server::api::reset::RESET_ACTION,
    rampart_server::gateway::HEALTH_ACTION,
    rampart_server::gateway::METRICS_ACTION,
];

/// ES actions that spec/actions.tsv does not list yet; each is named by ES's own YAML tests
/// (bulk grant: the 403 of api_key/13_bulk_grant.yml).
/// (security stats: ES's GetSecurityStatsAction of `GET /_security/stats`).
const ES_ACTIONS_MISSING_FROM_TSV: &[&str] = &[
    "cluster:admin/xpack/security/api_key/grant/bulk",
    rampart_server::api::stats::STATS_ACTION,
    // ML data frame analytics and trained models (ES's ml privileges cover them).
    "cluster:admin/xpack/ml/data_frame/analytics/put",
    "cluster:monitor/xpack/ml/data_frame/analytics/get",
    "cluster:admin/xpack/ml/inference/put",
    "cluster:monitor/xpack/ml/inference/get",
];

/// Actions every authenticated user may perform on itself (ES's default role), when the
/// route does not name another user.
const SELF_ACTIONS: &[&str] = &[
    "cluster:admin/xpack/security/user/authenticate",
    "cluster:admin/xpack/security/user/has_privileges",
    "cluster:admin/xpack/security/user/list_privileges",
    "cluster:admin/xpack/security/user/change_password",
];

fn all_settings_on() -> Vec<(&'static str, &'static str)> {
    routes()
        .iter()
        .filter_map(|r| r.enabled_by)
        .map(|s| (s, "true"))
        .collect()
}

/// A concrete path for a route: every `{param}` becomes `sample`.
fn sample_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str("sample");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn known_actions() -> Option<HashSet<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/spec/actions.tsv"
    );
    let text = std::fs::read_to_string(path)
        .or_else(|_| std::fs::read_to_string("/work/shared/spec/actions.tsv"))
        .ok()?;
    Some(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').nth(2))
            .map(|a| a.trim().to_string())
            .collect(),
    )
}

fn no_handler(body: &serde_json::Value) -> bool {
    body["error"]["reason"]
        .as_str()
        .is_some_and(|r| r.starts_with("no handler found"))
}

#[test]
fn method_and_path_pairs_are_unique() {
    let mut seen = HashSet::new();
    for r in routes() {
        assert!(
            seen.insert((r.method.clone(), r.path)),
            "duplicate route {} {}",
            r.method,
            r.path
        );
    }
}

#[test]
fn every_action_is_known() {
    let known = known_actions();
    for r in routes() {
        if RAMPART_ACTIONS.contains(&r.action) {
            continue;
        }
        assert!(
            r.action.starts_with("cluster:") || r.action.starts_with("indices:"),
            "{r:?}: not an action name"
        );
        if let Some(known) = &known {
            assert!(
                known.contains(r.action) || ES_ACTIONS_MISSING_FROM_TSV.contains(&r.action),
                "{r:?}: action not in actions.tsv"
            );
        }
    }
}

#[tokio::test]
async fn every_route_is_reachable() {
    let node = TestNode::with_settings(&all_settings_on());
    for r in routes() {
        let path = sample_path(r.path);
        let (status, body) = node
            .call(r.method.clone(), &path, Some(SUPERUSER), None)
            .await;
        assert!(
            !(status == 400 && no_handler(&body)) && status != 405,
            "{r:?} ({path}) is not routed: {status} {body}"
        );
        assert!(status < 500, "{r:?}: {status} {body}");
    }
}

#[tokio::test]
async fn gated_routes_do_not_exist_without_their_setting() {
    let node = TestNode::new();
    let gated: Vec<Route> = routes()
        .into_iter()
        .filter(|r| r.enabled_by.is_some())
        .collect();
    assert!(!gated.is_empty(), "the reset route is gated");
    for r in gated {
        let (status, body) = node
            .call(
                r.method.clone(),
                &sample_path(r.path),
                Some(SUPERUSER),
                None,
            )
            .await;
        assert!(status == 400 && no_handler(&body), "{r:?}: {status} {body}");
    }
}

#[tokio::test]
async fn unauthenticated_requests_get_401_everywhere() {
    let node = TestNode::with_settings(&all_settings_on());
    for r in routes() {
        let (status, body) = node
            .call(r.method.clone(), &sample_path(r.path), None, None)
            .await;
        if r.method == Method::HEAD {
            assert_eq!(status, 401, "{r:?}");
            continue;
        }
        assert_eq!(status, 401, "{r:?}: {body}");
        assert!(is_es_error(&body, 401), "{r:?}: {body}");
        assert_eq!(
            body["error"]["reason"],
            format!(
                "missing authentication credentials for REST request [{}]",
                sample_path(r.path)
            )
        );
    }
}

#[tokio::test]
async fn users_without_privileges_get_403() {
    let node = TestNode::with_settings(&all_settings_on());
    node.add_user("nopriv", "nopriv-password", &[]);
    let user = Some(("nopriv", "nopriv-password"));
    let mut checked = 0;
    for r in routes() {
        let names_another_user = r.path.contains("{username}") || r.path.contains("{user}");
        if SELF_ACTIONS.contains(&r.action) && !names_another_user {
            continue;
        }
        let (status, body) = node
            .call(r.method.clone(), &sample_path(r.path), user, None)
            .await;
        let has_facts = matches!(r.authz, Authz::Cluster(Some(_)));
        if has_facts && status == 400 {
            // Request validation comes before authorization, as in ES: an empty body may be
            // refused first. It must still be refused, never served.
            assert!(is_es_error(&body, 400), "{r:?}: {body}");
            continue;
        }
        assert_eq!(status, 403, "{r:?}: {body}");
        if r.method != Method::HEAD {
            assert!(is_es_error(&body, 403), "{r:?}: {body}");
            let reason = body["error"]["reason"].as_str().unwrap();
            assert!(
                reason.starts_with("action [")
                    && reason.contains("is unauthorized for user [nopriv]"),
                "{r:?}: {reason}"
            );
        }
        checked += 1;
    }
    assert!(checked > 0);
}
