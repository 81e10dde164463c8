#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Application privileges API: put/get/delete, _builtin, cache clear, `global.application.manage`.

mod common;

use common::{TestNode, reason};
use serde_json::{Value, json};

#[tokio::test]
async fn put_get_update_and_list_privileges() {
    let node = TestNode::new();
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/privilege",
            Some(json!({"app": {"p1": {"application": "app", "name": "p1",
            "actions": ["data:read/*", "action:login"], "metadata": {"key1": "val1a"}}}})),
        )
        .await;
    assert_eq!((s, b), (200, json!({"app": {"p1": {"created": true}}})));
    let (s, b) = node
        .admin(
            "POST",
            "/_security/privilege",
            Some(json!({
            "app": {"p2": {"actions": ["data:read/*"]}, "p3": {"actions": ["data:write/*"]}},
            "app2": {"p1": {"actions": ["*"]}}})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"app": {"p2": {"created": true}, "p3": {"created": true}}, "app2": {"p1": {"created": true}}})
    );
    let (_, b) = node
        .admin("PUT", "/_security/privilege?refresh=wait_for", Some(json!({"app": {"p1": {"actions": ["data:read/*", "action:login"], "metadata": {"key3": "val3"}}}})))
        .await;
    assert_eq!(b, json!({"app": {"p1": {"created": false}}}));

    let (s, b) = node.admin("GET", "/_security/privilege/app/p1", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"app": {"p1": {"application": "app", "name": "p1",
        "actions": ["data:read/*", "action:login"], "metadata": {"key3": "val3"}}}})
    );
    let (_, b) = node
        .admin("GET", "/_security/privilege/app/p1,p2", None)
        .await;
    assert_eq!(b["app"].as_object().unwrap().len(), 2);
    let (_, b) = node.admin("GET", "/_security/privilege/app", None).await;
    assert_eq!(b["app"].as_object().unwrap().len(), 3);
    assert!(b.get("app2").is_none());
    let (_, b) = node.admin("GET", "/_security/privilege", None).await;
    assert_eq!(
        b["app2"]["p1"],
        json!({"application": "app2", "name": "p1", "actions": ["*"], "metadata": {}})
    );
    assert_eq!(b["app"].as_object().unwrap().len(), 3);
    let (_, b) = node.admin("GET", "/_security/privilege/app*", None).await;
    assert_eq!(b.as_object().unwrap().len(), 2);

    let (s, b) = node.admin("GET", "/_security/privilege/app/p9", None).await;
    assert_eq!((s, b), (404, json!({})));
    let (s, b) = node
        .admin("GET", "/_security/privilege/nothere", None)
        .await;
    assert_eq!((s, b), (404, json!({})));
}

#[tokio::test]
async fn delete_privileges() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/privilege",
        Some(json!({"app3": {
        "p1": {"actions": ["data:read/*"]}, "p2": {"actions": ["data:write/*"]},
        "p3": {"actions": ["*"]}, "p4": {"actions": ["*"]}}})),
    )
    .await;
    let (s, b) = node
        .admin("DELETE", "/_security/privilege/app3/p1", None)
        .await;
    assert_eq!((s, b), (200, json!({"app3": {"p1": {"found": true}}})));
    let (s, b) = node
        .admin("DELETE", "/_security/privilege/app3/p1,p2,p3,p0", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"app3": {"p1": {"found": false}, "p2": {"found": true}, "p3": {"found": true}, "p0": {"found": false}}})
    );
    let (s, b) = node
        .admin("DELETE", "/_security/privilege/app3/p1", None)
        .await;
    assert_eq!((s, b), (404, json!({"app3": {"p1": {"found": false}}})));
    let (s, _) = node
        .admin("GET", "/_security/privilege/app3/p1,p2,p3", None)
        .await;
    assert_eq!(s, 404);
    let (_, b) = node.admin("GET", "/_security/privilege", None).await;
    assert_eq!(
        b,
        json!({"app3": {"p4": {"application": "app3", "name": "p4", "actions": ["*"], "metadata": {}}}})
    );
}

#[tokio::test]
async fn put_privilege_validation() {
    let node = TestNode::new();
    let put = |body: Value| node.admin("PUT", "/_security/privilege", Some(body));
    let (s, b) = put(json!({})).await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["type"], "action_request_validation_exception");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: At least one application privilege must be provided;"
    );

    let (_, b) = put(json!({"ap": {"Read": {"actions": []}}})).await;
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: An application name prefix must be at least 3 characters long (found 'ap');2: Application privilege names must match the pattern ^[a-z][a-zA-Z0-9_.-]*$ (found 'Read');3: Application privileges must have at least one action;"
    );
    let (_, b) = put(json!({"app*": {"read": {"actions": ["data:read"]}}})).await;
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: Application names may not contain '*' (found 'app*');"
    );
    let (_, b) =
        put(json!({"app": {"read": {"actions": ["login", "data: x"], "metadata": {"_x": 1}}}}))
            .await;
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: action [login] must contain one of [/*:];2: Application privilege names and actions must match the pattern ^\\p{Graph}*$ (found 'data: x');3: metadata keys may not start with [_] (in privilege app read);"
    );
    let (_, b) =
        put(json!({"app-x": {"read": {"actions": ["a:b"], "application": "other"}}})).await;
    assert_eq!(
        reason(&b),
        "privilege application [other] in source does not match the provided application [app-x]"
    );
    let (s, b) = put(json!({"app": {"read": {"actions": ["a:b"], "bogus": true}}})).await;
    assert_eq!(
        (s, reason(&b)),
        (
            400,
            "failed to parse privilege [app/read]. unexpected field [bogus]"
        )
    );
    let (s, b) = node.admin("PUT", "/_security/privilege", None).await;
    assert_eq!((s, reason(&b)), (400, "request body is required"));
    let (s, _) = node.admin("GET", "/_security/privilege", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn builtin_privileges_are_sorted_names() {
    let node = TestNode::new();
    let (s, b) = node
        .admin("GET", "/_security/privilege/_builtin", None)
        .await;
    assert_eq!(s, 200);
    let names = |k: &str| -> Vec<String> {
        b[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let cluster = names("cluster");
    let mut sorted = cluster.clone();
    sorted.sort();
    assert_eq!(cluster, sorted);
    assert!(
        cluster.contains(&"manage_security".to_string()) && cluster.contains(&"all".to_string())
    );
    assert!(names("index").contains(&"read".to_string()));
    assert_eq!(names("remote_cluster"), ["monitor_enrich", "monitor_stats"]);
}

#[tokio::test]
async fn clear_privileges_cache() {
    let node = TestNode::new();
    for app in ["app", "*"] {
        let (s, b) = node
            .admin(
                "POST",
                &format!("/_security/privilege/{app}/_clear_cache"),
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(b["_nodes"]["failed"], 0);
    }
}

#[tokio::test]
async fn application_manage_grants_only_matching_applications() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/app_manage",
        Some(json!({"global": {"application": {"manage": {"applications": ["app", "app-*"]}}}})),
    )
    .await;
    node.add_user("test_user", "x-pack-test-password", &["app_manage"]);
    let user = ("test_user", "x-pack-test-password");
    node.admin(
        "PUT",
        "/_security/privilege",
        Some(json!({"app-allow": {"read": {"actions": ["data:read/*"]}},
        "app_deny": {"read": {"actions": ["data:read/*"]}}})),
    )
    .await;

    let (s, b) = node
        .call_as(
            user,
            "PUT",
            "/_security/privilege",
            Some(json!({"app-1": {"read": {"actions": ["data:read/*"]}}})),
        )
        .await;
    assert_eq!((s, b), (200, json!({"app-1": {"read": {"created": true}}})));
    let (s, _) = node
        .call_as(
            user,
            "PUT",
            "/_security/privilege",
            Some(json!({"app": {"read": {"actions": ["data:read/*"]}}})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = node
        .call_as(
            user,
            "PUT",
            "/_security/privilege",
            Some(json!({"other": {"write": {"actions": ["data:write/*"]}}})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("cluster:admin/xpack/security/privilege/put"),
        "{b}"
    );
    // One unmatched application in the body is enough to deny.
    let (s, _) = node
        .call_as(
            user,
            "PUT",
            "/_security/privilege",
            Some(
                json!({"app-2": {"r": {"actions": ["a:b"]}}, "other": {"r": {"actions": ["a:b"]}}}),
            ),
        )
        .await;
    assert_eq!(s, 403);
    // Validation errors come before the denial.
    let (s, _) = node
        .call_as(
            user,
            "PUT",
            "/_security/privilege",
            Some(json!({"other": {"r": {"actions": []}}})),
        )
        .await;
    assert_eq!(s, 400);

    let (s, b) = node
        .call_as(user, "GET", "/_security/privilege/app-allow/read", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["app-allow"]["read"]["actions"], json!(["data:read/*"]));
    let (s, _) = node
        .call_as(user, "GET", "/_security/privilege/app_deny/read", None)
        .await;
    assert_eq!(s, 403);
    // Listing every application needs a `*` pattern.
    let (s, _) = node
        .call_as(user, "GET", "/_security/privilege", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = node
        .call_as(user, "DELETE", "/_security/privilege/app-1/read", None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(user, "DELETE", "/_security/privilege/app_deny/read", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = node
        .call_as(
            user,
            "POST",
            "/_security/privilege/app-1/_clear_cache",
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(user, "GET", "/_security/privilege/_builtin", None)
        .await;
    assert_eq!(s, 403);
}
