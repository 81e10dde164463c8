#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The privileges matrix: for each of the 13 document/index privileges, the requests it allows
//! succeed and the neighbouring requests it does not allow get Elasticsearch's 403.

mod common;

use common::TestNode;
use serde_json::{Value, json};

/// The probe requests; `{p}` is replaced by the privilege under test.
const REQUESTS: &[(&str, &str, &str, &str)] = &[
    // (name, method, path, denied action prefix)
    ("search", "GET", "/idx/_search", "indices:data/read/search"),
    ("get", "GET", "/idx/_doc/1", "indices:data/read/get"),
    (
        "index",
        "PUT",
        "/idx/_doc/i-{p}",
        "indices:data/write/index",
    ),
    (
        "create",
        "PUT",
        "/idx/_create/c-{p}",
        "indices:data/write/index",
    ),
    (
        "delete_doc",
        "DELETE",
        "/idx/_doc/d-{p}",
        "indices:data/write/delete",
    ),
    ("create_index", "PUT", "/new-{p}", "indices:admin/create"),
    ("delete_index", "DELETE", "/del-{p}", "indices:admin/delete"),
    (
        "put_mapping",
        "PUT",
        "/idx/_mapping",
        "indices:admin/mapping/put",
    ),
    ("stats", "GET", "/idx/_stats", "indices:monitor/stats"),
    ("refresh", "POST", "/idx/_refresh", "indices:admin/refresh"),
    ("get_index", "GET", "/idx", "indices:admin/get"),
    (
        "get_settings",
        "GET",
        "/idx/_settings",
        "indices:monitor/settings/get",
    ),
];

/// What each privilege allows among the probes (facts: privileges.json and section 6.2; the
/// document-write privileges also put mappings through the BWC rule of section 6.1).
const ALLOWED: &[(&str, &[&str])] = &[
    ("read", &["search", "get"]),
    ("write", &["index", "create", "delete_doc", "put_mapping"]),
    ("index", &["index", "create", "put_mapping"]),
    ("create", &["index", "create", "put_mapping"]),
    ("create_doc", &["create", "put_mapping"]),
    ("delete", &["delete_doc"]),
    ("create_index", &["create_index"]),
    ("delete_index", &["delete_index"]),
    (
        "manage",
        &[
            "create_index",
            "delete_index",
            "put_mapping",
            "stats",
            "refresh",
            "get_index",
            "get_settings",
        ],
    ),
    ("monitor", &["stats", "get_settings"]),
    ("maintenance", &["refresh"]),
    ("view_index_metadata", &["get_index", "get_settings"]),
    ("auto_configure", &[]),
];

fn body_for(name: &str) -> Option<Value> {
    match name {
        "index" | "create" => Some(json!({"title": "new doc", "n": 7})),
        "put_mapping" => Some(json!({"properties": {"tag": {"type": "keyword"}}})),
        _ => None,
    }
}

async fn setup(node: &TestNode) {
    let (s, b) = node.admin("PUT", "/idx", None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .admin(
            "PUT",
            "/idx/_doc/1",
            Some(json!({"title": "hello", "n": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    for (privilege, _) in ALLOWED {
        let (s, b) = node.admin("PUT", &format!("/del-{privilege}"), None).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = node
            .admin(
                "PUT",
                &format!("/idx/_doc/d-{privilege}"),
                Some(json!({"title": "to delete"})),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let role = json!({"indices": [{
            "names": ["idx", format!("new-{privilege}"), format!("del-{privilege}")],
            "privileges": [privilege],
        }]});
        let (s, b) = node
            .admin("PUT", &format!("/_security/role/r-{privilege}"), Some(role))
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(
            &format!("u-{privilege}"),
            "password-123",
            &[&format!("r-{privilege}")],
        );
    }
}

#[tokio::test]
async fn every_privilege_allows_its_requests_and_denies_its_neighbours() {
    let node = TestNode::new();
    setup(&node).await;
    for (privilege, allowed) in ALLOWED {
        let user = format!("u-{privilege}");
        for (name, method, path, action) in REQUESTS {
            let path = path.replace("{p}", privilege);
            let (status, body) = node
                .call(
                    *method,
                    &path,
                    (user.as_str(), "password-123"),
                    body_for(name),
                )
                .await;
            if allowed.contains(name) {
                assert!(
                    (200..300).contains(&status),
                    "{privilege} should allow {name} ({method} {path}): {status} {body}"
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{privilege} should deny {name} ({method} {path}): {body}"
                );
                let reason = body["error"]["reason"].as_str().unwrap_or_default();
                assert!(
                    reason.starts_with(&format!("action [{action}"))
                        && reason.contains(&format!(
                            "is unauthorized for user [{user}] with effective roles [r-{privilege}]"
                        ))
                        && reason.contains("this action is granted by the index privileges ["),
                    "{privilege} / {name}: {reason}"
                );
            }
        }
    }
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
