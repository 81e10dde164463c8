#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The privileges matrix of the embedded data plane (`rampart-server/tests/data_privileges.rs`,
//! cases shared through `data_cases/privileges.rs`) run against a gateway node: for each of
//! the 13 document/index privileges, the requests it allows succeed through the gateway and
//! the neighbouring ones get Elasticsearch's 403, decided by the gateway before anything
//! reaches the upstream.

mod gateway_support;
#[path = "../../rampart-server/tests/data_cases/privileges.rs"]
mod matrix;

use gateway_support::Cluster;

async fn setup() -> Cluster {
    let cluster = Cluster::start().await;
    for (method, path, body, expected) in matrix::seed_requests() {
        cluster.seed(method, &path, body.as_ref(), expected).await;
    }
    let roles = matrix::ALLOWED
        .iter()
        .map(|(privilege, _)| (matrix::role_name(privilege), matrix::role_of(privilege)))
        .collect();
    cluster.put_roles(roles).await;
    let names: Vec<(String, String)> = matrix::ALLOWED
        .iter()
        .map(|(privilege, _)| (matrix::user_of(privilege), matrix::role_name(privilege)))
        .collect();
    let roles: Vec<[&str; 1]> = names.iter().map(|(_, role)| [role.as_str()]).collect();
    let users: Vec<(&str, &str, &[&str])> = names
        .iter()
        .zip(&roles)
        .map(|((user, _), role)| (user.as_str(), matrix::PASSWORD, &role[..]))
        .collect();
    cluster.put_users(&users).await;
    cluster
}

#[tokio::test]
async fn every_privilege_allows_its_requests_and_denies_its_neighbours_through_a_gateway() {
    let cluster = setup().await;
    let mut failures = Vec::new();
    for (privilege, _) in matrix::ALLOWED {
        let user = matrix::user_of(privilege);
        for probe in matrix::PROBES {
            let path = probe.path_for(privilege);
            let body = probe.body();
            let r = cluster
                .call(
                    Some((user.as_str(), matrix::PASSWORD)),
                    probe.method,
                    &path,
                    body.as_ref(),
                )
                .await;
            let json = r.json();
            let outcome = if matrix::allows(privilege, probe) {
                matrix::check_allowed(privilege, probe, r.status, &json)
            } else {
                matrix::check_denied(privilege, probe, r.status, &json)
            };
            if let Err(message) = outcome {
                failures.push(message);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\n--- gateway log:\n{}",
        failures.len(),
        failures.join("\n"),
        cluster.gateway.log()
    );
}

#[tokio::test]
async fn allowed_writes_reach_the_upstream() {
    let cluster = setup().await;
    // `write` indexes and deletes through the gateway; the upstream holds the result.
    let user = (matrix::user_of("write"), matrix::PASSWORD);
    let user = Some((user.0.as_str(), user.1));
    let doc = serde_json::json!({"title": "through the gateway"});
    let r = cluster
        .call(user, "PUT", "/idx/_doc/gw-1", Some(&doc))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = cluster
        .call(user, "DELETE", "/idx/_doc/d-write", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = cluster.direct("GET", "/idx/_doc/gw-1", None).await;
    assert_eq!(r.json()["_source"], doc, "{}", r.text());
    let r = cluster.direct("GET", "/idx/_doc/d-write", None).await;
    assert_eq!(r.status, 404, "{}", r.text());
}
