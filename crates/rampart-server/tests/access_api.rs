#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Access analysis API: who can reach a target, and the impact of role changes.

mod common;

use common::{TestNode, reason};
use serde_json::{Value, json};
fn names(v: &Value, section: &str, field: &str) -> Vec<String> {
    v[section]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_string())
        .collect()
}

async fn setup() -> TestNode {
    let node = TestNode::new();
    let roles = [
        (
            "logs_reader",
            json!({"indices": [{"names": ["logs-*"], "privileges": ["read"], "query": "{\"term\":{\"team\":\"a\"}}"}]}),
        ),
        (
            "logs_writer",
            json!({"indices": [{"names": ["logs-*"], "privileges": ["write"]}]}),
        ),
        ("runner", json!({"run_as": ["alice"]})),
        ("auditor", json!({"cluster": ["read_security"]})),
    ];
    for (name, body) in roles {
        let (s, _) = node
            .admin("PUT", &format!("/_security/role/{name}"), Some(body))
            .await;
        assert_eq!(s, 200);
    }
    node.add_user("alice", "alice-password", &["logs_reader"]);
    node.add_user("bob", "bob-password", &["logs_writer"]);
    node.add_user("carol", "carol-password", &["runner"]);
    node.add_user("audrey", "audrey-password", &["auditor"]);
    let mapping = json!({"roles": ["logs_reader"], "enabled": true, "rules": {"field": {"groups": "readers"}}});
    let (s, _) = node
        .admin("PUT", "/_security/role_mapping/ldap_readers", Some(mapping))
        .await;
    assert_eq!(s, 200);
    node
}

#[tokio::test]
async fn who_can_read_an_index() {
    let node = setup().await;
    let body = json!({"index": {"name": "logs-2024", "privilege": "read"}});
    let (s, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
    let roles = names(&b, "roles", "role");
    assert!(roles.contains(&"logs_reader".to_string()), "{roles:?}");
    assert!(roles.contains(&"superuser".to_string()));
    assert!(!roles.contains(&"logs_writer".to_string()));
    let users = names(&b, "users", "username");
    assert!(users.contains(&"alice".to_string()) && users.contains(&"elastic".to_string()));
    assert!(!users.contains(&"bob".to_string()) && !users.contains(&"carol".to_string()));
    let alice = b["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "alice")
        .unwrap();
    assert_eq!(alice["document_level_security"], true);
    assert_eq!(alice["realm"], "native");
    let reader = b["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "logs_reader")
        .unwrap();
    assert_eq!(reader["source"], "native");
    assert_eq!(reader["entries"][0]["names"], json!(["logs-*"]));
    assert_eq!(
        reader["entries"][0]["query"],
        json!(["{\"term\":{\"team\":\"a\"}}"])
    );
    assert_eq!(names(&b, "role_mappings", "mapping"), vec!["ldap_readers"]);
    assert!(
        b["role_mappings"][0]["rules"]
            .as_str()
            .unwrap()
            .contains("readers")
    );
    let paths: Vec<(String, String)> = b["run_as"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["user"].as_str().unwrap().into(),
                p["run_as"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        paths.contains(&("carol".into(), "alice".into())),
        "{paths:?}"
    );
}

#[tokio::test]
async fn who_pattern_requires_the_whole_pattern_and_keys_are_limited_by_their_owner() {
    let node = setup().await;
    let key = json!({"name": "k", "role_descriptors": {"r": {"indices": [{"names": ["logs-*"], "privileges": ["read"]}]}}});
    let (s, k) = node.admin("POST", "/_security/api_key", Some(key)).await;
    assert_eq!(s, 200, "{k}");
    let id = k["id"].as_str().unwrap().to_string();
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_access/who",
            Some(json!({"index": {"name": "logs-*", "privilege": "indices:data/read/search"}})),
        )
        .await;
    assert!(b["api_keys"].is_array(), "{b}");
    assert_eq!(names(&b, "api_keys", "id"), vec![id.clone()]);
    assert!(names(&b, "users", "username").contains(&"alice".to_string()));
    // `*` is wider than the key's `logs-*`: the superuser owner reaches it, the key does not.
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_access/who",
            Some(json!({"index": {"name": "*", "privilege": "read"}})),
        )
        .await;
    assert!(b["api_keys"].as_array().is_some_and(Vec::is_empty), "{b}");
    assert!(!names(&b, "users", "username").contains(&"alice".to_string()));
    assert!(names(&b, "users", "username").contains(&"elastic".to_string()));
}

#[tokio::test]
async fn who_cluster_and_authorization() {
    let node = setup().await;
    let body = json!({"cluster": "read_security"});
    let (s, b) = node
        .call_as(
            ("audrey", "audrey-password"),
            "POST",
            "/_security/_access/who",
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, 200, "read_security may ask: {b}");
    assert!(names(&b, "users", "username").contains(&"audrey".to_string()));
    assert!(names(&b, "roles", "role").contains(&"auditor".to_string()));
    let (s, b) = node
        .call_as(
            ("bob", "bob-password"),
            "POST",
            "/_security/_access/who",
            Some(body),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("cluster:admin/xpack/security/role/get"),
        "{b}"
    );
}

#[tokio::test]
async fn who_rejects_bad_targets_with_400() {
    let node = setup().await;
    let cases = [
        (
            json!({"kibana": {"space": "default", "feature": "discover"}}),
            "[feature] and [privilege]",
        ),
        (
            json!({"index": {"name": "logs", "privilege": "no_such_privilege"}}),
            "no_such_privilege",
        ),
        (
            json!({"cluster": "indices:data/read/search"}),
            "not a cluster action",
        ),
        (
            json!({"index": {"name": "logs"}}),
            "[index.privilege] is required",
        ),
        (json!({"nope": 1}), "unknown field [nope]"),
        (json!({}), "is required"),
    ];
    for (body, want) in cases {
        let (s, b) = node
            .admin("POST", "/_security/_access/who", Some(body.clone()))
            .await;
        assert_eq!(s, 400, "{body} -> {b}");
        assert!(reason(&b).contains(want), "{body} -> {b}");
    }
}

#[tokio::test]
async fn role_impact_reports_widening_and_who_gains() {
    let node = setup().await;
    let proposed = json!({"indices": [{"names": ["logs-*", "metrics-*"], "privileges": ["read"]}]});
    let (s, b) = node
        .admin(
            "POST",
            "/_security/role/logs_reader/_impact",
            Some(proposed),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["widens"], true);
    let change = &b["roles"][0];
    assert_eq!(change["status"], "changed");
    let indices = change["indices"].as_array().unwrap();
    let metrics = indices
        .iter()
        .find(|c| {
            c["example_names"][0]
                .as_str()
                .unwrap()
                .starts_with("metrics-")
        })
        .unwrap();
    assert!(
        metrics["added"]["privileges"]
            .as_array()
            .unwrap()
            .contains(&json!("read")),
        "{metrics}"
    );
    let logs = indices
        .iter()
        .find(|c| c["example_names"][0].as_str().unwrap().starts_with("logs-"))
        .unwrap();
    assert_eq!(logs["document_level_security"], "widened");
    let users = b["users"].as_array().unwrap();
    assert!(
        users
            .iter()
            .any(|u| u["username"] == "alice" && u["gains"] == true),
        "{b}"
    );
    // The same role again: nothing changes.
    let same = json!({"indices": [{"names": ["logs-*"], "privileges": ["read"], "query": "{\"term\":{\"team\":\"a\"}}"}]});
    let (_, b) = node
        .admin("POST", "/_security/role/logs_reader/_impact", Some(same))
        .await;
    assert_eq!(b["widens"], false, "{b}");
    assert_eq!(b["roles"][0]["status"], "unchanged");
    // Needs manage_security, not read_security.
    let (s, _) = node
        .call_as(
            ("audrey", "audrey-password"),
            "POST",
            "/_security/role/logs_reader/_impact",
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn impact_of_two_role_sets() {
    let node = setup().await;
    let old = json!({"ops": {"cluster": ["monitor"], "run_as": ["svc-*"]}});
    let new = json!({"ops": {"cluster": ["monitor", "manage_ilm"], "run_as": ["svc-a"]}});
    let (s, b) = node
        .admin(
            "POST",
            "/_security/_impact",
            Some(json!({"old": old, "new": new})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["widens"], true);
    let ops = &b["roles"][0];
    assert!(
        ops["cluster"]["added"]["privileges"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_ilm")),
        "{ops}"
    );
    assert!(ops["run_as"]["removed"]["examples"].as_array().is_some());
    assert!(ops["run_as"].get("added").is_none());
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_impact",
            Some(json!({"old": new, "new": old})),
        )
        .await;
    assert_eq!(b["widens"], true, "svc-* is wider than svc-a: {b}");
    let narrower = json!({"ops": {"cluster": ["monitor"]}});
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_impact",
            Some(json!({"old": old, "new": narrower})),
        )
        .await;
    assert_eq!(b["widens"], false, "{b}");
    let (s, b) = node
        .admin(
            "POST",
            "/_security/_impact",
            Some(json!({"old": {}, "bogus": {}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
}
