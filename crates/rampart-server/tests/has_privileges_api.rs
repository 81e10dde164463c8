#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_has_privileges` and `_privileges` (get user privileges), driven through the router.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{SUPERUSER, TestNode, basic, reason};
use serde_json::{Value, json};

fn put_role(n: &TestNode, name: &str, body: Value) {
    n.state.store.put_role(name, &body).unwrap();
    n.state.security.clear_cache();
}

fn put_app_privilege(n: &TestNode, application: &str, name: &str, actions: &[&str]) {
    let doc = rampart_store::AppPrivilegeDoc {
        application: application.into(),
        name: name.into(),
        doc: json!({"application": application, "name": name, "actions": actions, "metadata": {}}),
    };
    n.state.store.put_privileges(&[doc]).unwrap();
}

/// Some element of `array` has every field of `expected` with an equal value.
fn contains(array: &Value, expected: &Value) -> bool {
    let fields = expected.as_object().unwrap();
    array
        .as_array()
        .unwrap()
        .iter()
        .any(|item| fields.iter().all(|(k, v)| item.get(k) == Some(v)))
}

async fn logs_user() -> TestNode {
    let n = TestNode::new();
    put_role(
        &n,
        "logs_role",
        json!({"cluster": ["monitor"],
               "indices": [{"names": ["logs-*"], "privileges": ["read"]},
                           {"names": ["logs-a"], "privileges": ["write"]}],
               "applications": [{"application": "myapp", "privileges": ["read"], "resources": ["*"]}]}),
    );
    put_app_privilege(&n, "myapp", "read", &["data:read/*"]);
    put_app_privilege(&n, "myapp", "write", &["data:write/*"]);
    n.put_user("logs_user", "x-pack-test-password", &["logs_role"])
        .await;
    n
}

const LOGS_USER: (&str, &str) = ("logs_user", "x-pack-test-password");

#[tokio::test]
async fn has_privileges_answers_in_es_shape() {
    let n = logs_user().await;
    let body = json!({
        "cluster": ["monitor", "manage_security", "cluster:monitor/health"],
        "index": [{"names": ["logs-a", "logs-*", "*"], "privileges": ["read", "write"]}],
        "application": [{"application": "myapp", "resources": ["*", "some-res"],
                         "privileges": ["read", "write", "data:read/me", "data:write/me"]}]
    });
    let (s, b) = n
        .call(
            "POST",
            "/_security/user/_has_privileges",
            LOGS_USER,
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let app_answers =
        json!({"read": true, "write": false, "data:read/me": true, "data:write/me": false});
    assert_eq!(
        b,
        json!({
            "username": "logs_user",
            "has_all_requested": false,
            "cluster": {"monitor": true, "manage_security": false, "cluster:monitor/health": true},
            "index": {
                "logs-a": {"read": true, "write": true},
                "logs-*": {"read": true, "write": false},
                "*": {"read": false, "write": false}
            },
            "application": {"myapp": {"*": app_answers, "some-res": app_answers}}
        })
    );
    // GET with a body and the own-username form give the same answer.
    let (s, b2) = n
        .call(
            "GET",
            "/_security/user/logs_user/_has_privileges",
            LOGS_USER,
            Some(body),
        )
        .await;
    assert_eq!((s, b2), (200, b));

    let (_, b) = n
        .call("POST", "/_security/user/_has_privileges", LOGS_USER,
              Some(json!({"cluster": ["monitor"], "index": [{"names": ["logs-1"], "privileges": ["indices:data/read/search"]}]})))
        .await;
    assert_eq!(b["has_all_requested"], json!(true));
    assert_eq!(b["application"], json!({}));
}

#[tokio::test]
async fn has_privileges_rejects_bad_requests() {
    let n = logs_user().await;
    let (s, b) = n
        .call(
            "POST",
            "/_security/user/elastic/_has_privileges",
            LOGS_USER,
            Some(json!({"cluster": ["monitor"]})),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (
            400,
            "users may only check the privileges of their own account"
        )
    );
    let (s, b) = n
        .call(
            "POST",
            "/_security/user/_has_privileges",
            LOGS_USER,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        reason(&b).contains("All privilege fields [cluster,index,applications] are missing"),
        "{b}"
    );
    let (s, b) = n
        .call(
            "POST",
            "/_security/user/_has_privileges",
            LOGS_USER,
            Some(json!({"cluster": ["no_such_privilege"]})),
        )
        .await;
    assert_eq!(
        (s, b["error"]["type"].as_str()),
        (400, Some("illegal_argument_exception")),
        "{b}"
    );
    let (s, _) = n
        .call("POST", "/_security/user/_has_privileges", LOGS_USER, None)
        .await;
    assert_eq!(s, 400);
    let (s, b) = n
        .call("POST", "/_security/user/_has_privileges", LOGS_USER,
              Some(json!({"application": [{"application": "*", "resources": ["*"], "privileges": ["read"]}]})))
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn has_privileges_follows_run_as() {
    let n = logs_user().await;
    let req = Request::builder()
        .method("POST")
        .uri("/_security/user/_has_privileges")
        .header("authorization", basic(SUPERUSER.0, SUPERUSER.1))
        .header("es-security-runas-user", "logs_user")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"cluster": ["monitor", "all"]}).to_string(),
        ))
        .unwrap();
    let resp = n.send(req).await;
    assert_eq!(resp.status, 200);
    let b: Value = serde_json::from_slice(&resp.bytes).unwrap();
    assert_eq!(b["username"], json!("logs_user"));
    assert_eq!(b["cluster"], json!({"monitor": true, "all": false}));
}

/// The roles and users of ES's privileges/40_get_user_privs.yml.
async fn get_user_privs_fixture() -> TestNode {
    let n = TestNode::new();
    put_app_privilege(&n, "test-app", "user", &["action:login", "version:1.0.*"]);
    put_app_privilege(&n, "test-app", "read", &["data:read/*"]);
    put_app_privilege(&n, "test-app", "write", &["data:write/*"]);
    put_role(
        &n,
        "test-role-1",
        json!({
            "cluster": ["monitor"],
            "global": {"application": {"manage": {"applications": ["test-*"]}}},
            "indices": [
                {"names": ["test-1-*"], "privileges": ["read"]},
                {"names": ["test-2-*"], "privileges": ["read"],
                 "field_security": {"grant": ["*"], "except": ["secret-*", "private-*"]},
                 "query": {"term": {"test": true}}},
                {"names": ["test-3-*", "test-4-*", "test-5-*"], "privileges": ["read"],
                 "field_security": {"grant": ["test-*"]}},
                {"names": ["test-6-*", "test-7-*"], "privileges": ["read"], "query": {"term": {"test": true}}}
            ],
            "applications": [
                {"application": "test-app", "privileges": ["user"], "resources": ["*"]},
                {"application": "test-app", "privileges": ["read"], "resources": ["object/1"]}
            ],
            "run_as": ["test-*"]
        }),
    );
    put_role(
        &n,
        "test-role-2",
        json!({
            "cluster": ["manage", "manage_security"],
            "global": {"application": {"manage": {"applications": ["apps-*"]}}},
            "indices": [
                {"names": ["test-1-*", "test-9-*"], "privileges": ["all"]},
                {"names": ["test-2-*"], "privileges": ["read"], "field_security": {"grant": ["apps-*"]},
                 "query": {"term": {"apps": true}}},
                {"names": ["test-3-*", "test-6-*"], "privileges": ["read", "write"]},
                {"names": ["test-4-*"], "privileges": ["read"],
                 "field_security": {"grant": ["*"], "except": ["private-*"]}}
            ],
            "applications": [
                {"application": "app-dne", "privileges": ["all"], "resources": ["*"]},
                {"application": "test-app", "privileges": ["dne"], "resources": ["*"]},
                {"application": "test-app", "privileges": ["read"], "resources": ["object/2"]}
            ],
            "run_as": ["app-*"]
        }),
    );
    n.put_user("test-1", "test-user-password", &["test-role-1"])
        .await;
    n.put_user("test-2", "test-user-password", &["test-role-2"])
        .await;
    n.put_user(
        "test-3",
        "test-user-password",
        &["test-role-1", "test-role-2"],
    )
    .await;
    n
}

async fn privileges_of(n: &TestNode, user: &str) -> Value {
    let (s, b) = n
        .call(
            "GET",
            "/_security/user/_privileges",
            (user, "test-user-password"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

#[tokio::test]
async fn user_privileges_single_role() {
    let n = get_user_privs_fixture().await;
    let b = privileges_of(&n, "test-1").await;
    assert_eq!(b["cluster"], json!(["monitor"]));
    assert_eq!(
        b["global"],
        json!([{"application": {"manage": {"applications": ["test-*"]}}}])
    );
    assert_eq!(b["indices"].as_array().unwrap().len(), 4, "{b}");
    for expected in [
        json!({"names": ["test-1-*"], "privileges": ["read"], "allow_restricted_indices": false}),
        json!({"names": ["test-2-*"], "privileges": ["read"],
               "field_security": [{"grant": ["*"], "except": ["secret-*", "private-*"]}],
               "query": ["{\"term\":{\"test\":true}}"]}),
        json!({"names": ["test-3-*", "test-4-*", "test-5-*"], "privileges": ["read"],
               "field_security": [{"grant": ["test-*"]}]}),
        json!({"names": ["test-6-*", "test-7-*"], "privileges": ["read"],
               "query": ["{\"term\":{\"test\":true}}"]}),
    ] {
        assert!(contains(&b["indices"], &expected), "{expected} not in {b}");
    }
    assert_eq!(b["applications"].as_array().unwrap().len(), 2, "{b}");
    assert!(contains(
        &b["applications"],
        &json!({"application": "test-app", "privileges": ["user"], "resources": ["*"]})
    ));
    assert!(contains(
        &b["applications"],
        &json!({"application": "test-app", "privileges": ["read"], "resources": ["object/1"]})
    ));
    assert_eq!(b["run_as"], json!(["test-*"]));

    let b = privileges_of(&n, "test-2").await;
    assert_eq!(b["cluster"], json!(["manage", "manage_security"]));
    assert_eq!(b["indices"].as_array().unwrap().len(), 4, "{b}");
    assert!(contains(
        &b["indices"],
        &json!({"names": ["test-3-*", "test-6-*"], "privileges": ["read", "write"]})
    ));
    assert_eq!(b["applications"].as_array().unwrap().len(), 3, "{b}");
    assert!(contains(
        &b["applications"],
        &json!({"application": "test-app", "privileges": ["dne"], "resources": ["*"]})
    ));
    assert_eq!(b["run_as"], json!(["app-*"]));
}

#[tokio::test]
async fn user_privileges_merged_roles() {
    let n = get_user_privs_fixture().await;
    let b = privileges_of(&n, "test-3").await;
    assert_eq!(
        b["cluster"],
        json!(["manage", "manage_security", "monitor"])
    );
    assert_eq!(b["global"].as_array().unwrap().len(), 2);
    assert!(contains(
        &b["global"],
        &json!({"application": {"manage": {"applications": ["apps-*"]}}})
    ));
    assert_eq!(b["indices"].as_array().unwrap().len(), 7, "{b}");
    assert!(
        contains(
            &b["indices"],
            &json!({"names": ["test-2-*"], "privileges": ["read"],
        "field_security": [{"grant": ["*"], "except": ["secret-*", "private-*"]}, {"grant": ["apps-*"]}]})
        ),
        "{b}"
    );
    // The engine lists merged DLS queries in sorted order (ES's YAML lists them in role order).
    let merged = b["indices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["names"] == json!(["test-2-*"]))
        .unwrap();
    let mut queries: Vec<&str> = merged["query"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap())
        .collect();
    queries.sort_unstable();
    assert_eq!(
        queries,
        ["{\"term\":{\"apps\":true}}", "{\"term\":{\"test\":true}}"]
    );
    assert!(contains(
        &b["indices"],
        &json!({"names": ["test-1-*", "test-9-*"], "privileges": ["all"]})
    ));
    assert_eq!(b["applications"].as_array().unwrap().len(), 3, "{b}");
    assert!(
        contains(
            &b["applications"],
            &json!({"application": "test-app", "privileges": ["user", "dne"], "resources": ["*"]})
        ),
        "{b}"
    );
    assert!(
        contains(
            &b["applications"],
            &json!({"application": "test-app", "privileges": ["read"], "resources": ["object/1", "object/2"]})
        ),
        "{b}"
    );
    assert_eq!(b["run_as"], json!(["app-*", "test-*"]));
}

#[tokio::test]
async fn superuser_privileges() {
    let n = TestNode::new();
    let (s, b) = n.admin("GET", "/_security/user/_privileges", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["cluster"], json!(["all"]));
    assert_eq!(b["run_as"], json!(["*"]));
    assert!(contains(
        &b["indices"],
        &json!({"names": ["*"], "privileges": ["all"], "allow_restricted_indices": false})
    ));
}
