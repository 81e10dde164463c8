#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The privileges matrix: for each of the 13 document/index privileges, the requests it allows
//! succeed and the neighbouring requests it does not allow get Elasticsearch's 403.

mod common;
#[path = "data_cases/privileges.rs"]
mod matrix;

use common::TestNode;
use serde_json::json;

async fn setup(node: &TestNode) {
    for (method, path, body, expected) in matrix::seed_requests() {
        let (s, b) = node.admin(method, &path, body).await;
        assert_eq!(s, expected, "{method} {path}: {b}");
    }
    for (privilege, _) in matrix::ALLOWED {
        let (s, b) = node
            .admin(
                "PUT",
                &format!("/_security/role/{}", matrix::role_name(privilege)),
                Some(matrix::role_of(privilege)),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(
            &matrix::user_of(privilege),
            matrix::PASSWORD,
            &[&matrix::role_name(privilege)],
        );
    }
}

#[tokio::test]
async fn every_privilege_allows_its_requests_and_denies_its_neighbours() {
    let node = TestNode::new();
    setup(&node).await;
    for (privilege, _) in matrix::ALLOWED {
        let user = matrix::user_of(privilege);
        for probe in matrix::PROBES {
            let path = probe.path_for(privilege);
            let (status, body) = node
                .call(
                    probe.method,
                    &path,
                    (user.as_str(), matrix::PASSWORD),
                    probe.body(),
                )
                .await;
            let outcome = if matrix::allows(privilege, probe) {
                matrix::check_allowed(privilege, probe, status, &body)
            } else {
                matrix::check_denied(privilege, probe, status, &body)
            };
            if let Err(message) = outcome {
                panic!("{message}");
            }
        }
    }
}

#[tokio::test]
async fn a_grant_on_an_alias_alone_writes_through_the_alias_and_never_by_index_name() {
    let node = TestNode::new();
    setup(&node).await;
    for (method, path, body, expected) in matrix::alias_seed_requests() {
        let (s, b) = node.admin(method, &path, body).await;
        assert_eq!(s, expected, "{method} {path}: {b}");
    }
    for (privilege, _) in matrix::ALIAS_ALLOWED {
        let role = matrix::alias_role_name(privilege);
        let (s, b) = node
            .admin(
                "PUT",
                &format!("/_security/role/{role}"),
                Some(matrix::alias_role_of(privilege)),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(
            &matrix::alias_user_of(privilege),
            matrix::PASSWORD,
            &[&role],
        );
    }
    let mut failures = Vec::new();
    for (privilege, _) in matrix::ALIAS_ALLOWED {
        let user = matrix::alias_user_of(privilege);
        let role = matrix::alias_role_name(privilege);
        for probe in matrix::ALIAS_PROBES {
            let path = probe.path_for(privilege);
            let (status, body) = node
                .call(
                    probe.method,
                    &path,
                    (user.as_str(), matrix::PASSWORD),
                    probe.body(),
                )
                .await;
            let outcome = if matrix::alias_allows(privilege, probe) {
                matrix::check_allowed(privilege, probe, status, &body)
            } else {
                matrix::check_denied_as(&user, &role, privilege, probe, status, &body)
            };
            if let Err(message) = outcome {
                failures.push(message);
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // What went through the alias landed in the index behind it.
    let (s, b) = node.admin("GET", "/idx/_doc/ac-create_doc", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["_index"], "idx");
}

#[tokio::test]
async fn auto_configure_lets_create_doc_write_to_a_missing_index() {
    let node = TestNode::new();
    for (role, privileges) in [
        ("ingest", json!(["create_doc", "auto_configure"])),
        ("plain", json!(["create_doc"])),
    ] {
        let body = json!({"indices": [{"names": ["logs-*"], "privileges": privileges}]});
        let (s, b) = node
            .admin("PUT", &format!("/_security/role/{role}"), Some(body))
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(role, "password-123", &[role]);
    }
    let (s, b) = node
        .call(
            "POST",
            "/logs-a/_doc",
            ("ingest", "password-123"),
            Some(json!({"m": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = node
        .call(
            "POST",
            "/logs-b/_doc",
            ("plain", "password-123"),
            Some(json!({"m": 1})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        b["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("action [indices:admin/auto_create] is unauthorized for user [plain]"),
        "{b}"
    );
    // The existing index takes the write without auto_create.
    let (s, b) = node
        .call(
            "POST",
            "/logs-a/_doc",
            ("plain", "password-123"),
            Some(json!({"m": 2})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

#[tokio::test]
async fn bulk_items_are_authorized_one_by_one() {
    let node = TestNode::new();
    let (s, _) = node.admin("PUT", "/a", None).await;
    assert_eq!(s, 200);
    let (s, _) = node.admin("PUT", "/b", None).await;
    assert_eq!(s, 200);
    let role = json!({"indices": [{"names": ["a"], "privileges": ["write"]}, {"names": ["b"], "privileges": ["read"]}]});
    node.admin("PUT", "/_security/role/w", Some(role)).await;
    node.add_user("w", "password-123", &["w"]);
    let ndjson = "{\"index\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"x\":1}\n{\"index\":{\"_index\":\"b\",\"_id\":\"1\"}}\n{\"x\":2}\n";
    let r = node
        .call_raw(
            axum::http::Method::POST,
            "/_bulk",
            Some(("w", "password-123")),
            Some(ndjson.as_bytes().to_vec()),
        )
        .await;
    let body = r.json();
    assert_eq!(r.status, 200, "{body}");
    assert_eq!(body["errors"], true);
    assert_eq!(body["items"][0]["index"]["status"], 201);
    assert_eq!(body["items"][1]["index"]["status"], 403);
    assert!(
        body["items"][1]["index"]["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("on indices [b]"),
        "{body}"
    );
}
