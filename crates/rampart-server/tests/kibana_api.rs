#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The Kibana port's plumbing: authentication, `kbn-xsrf`, the error shape, features, the
//! privilege catalogue, privilege registration (checked through ES's `_has_privileges`) and
//! the ML routes of the ES port.

mod common;
mod kibana_support;

use common::{SUPERUSER, TestNode};
use kibana_support::{KibanaNode, is_kibana_error};
use rampart_kibana::APPLICATION;
use serde_json::json;

#[tokio::test]
async fn unauthenticated_and_bad_credentials_get_kibana_401() {
    let k = KibanaNode::new();
    let (s, b) = k.raw("GET", "/api/features", None, None, false).await;
    assert_eq!(s, 401);
    assert!(is_kibana_error(&b, 401), "{b}");
    assert_eq!(b["error"], "Unauthorized");
    let (s, b) = k
        .raw(
            "GET",
            "/api/features",
            Some(("elastic", "wrong")),
            None,
            false,
        )
        .await;
    assert_eq!(s, 401, "{b}");
}

#[tokio::test]
async fn writes_need_kbn_xsrf_reads_and_capabilities_do_not() {
    let k = KibanaNode::new();
    let (s, b) = k
        .raw(
            "PUT",
            "/api/security/role/r1",
            Some(SUPERUSER),
            Some(json!({"elasticsearch": {}})),
            false,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b,
        json!({"statusCode": 400, "error": "Bad Request", "message": "Request must contain a kbn-xsrf header."})
    );
    let (s, _) = k
        .raw("GET", "/api/security/role", Some(SUPERUSER), None, false)
        .await;
    assert_eq!(s, 200);
    let (s, _) = k
        .raw(
            "POST",
            "/api/core/capabilities",
            Some(SUPERUSER),
            Some(json!({"applications": []})),
            false,
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_kibana_404s() {
    let k = KibanaNode::new();
    for (m, p) in [
        ("GET", "/api/nope"),
        ("PATCH", "/api/features"),
        ("GET", "/s/Bad!/api/features"),
    ] {
        let (s, b) = k.admin(m, p, None).await;
        assert_eq!(s, 404, "{m} {p}: {b}");
        assert!(is_kibana_error(&b, 404), "{b}");
    }
}

#[tokio::test]
async fn features_need_the_features_api_privilege() {
    let k = KibanaNode::new();
    let (s, b) = k.admin("GET", "/api/features", None).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"discover") && ids.contains(&"dashboard") && ids.contains(&"ml"));
    // `api:features` is a global-only action: kibana_admin (global all) has it, viewer not.
    let admin = k.user("kadmin", &["kibana_admin"]);
    assert_eq!(k.call(admin, "GET", "/api/features", None).await.0, 200);
    let viewer = k.user("viewer1", &["viewer"]);
    let (s, b) = k.call(viewer, "GET", "/api/features", None).await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(
        b["message"],
        "API [GET /api/features] is unauthorized for user, this action is granted by the Kibana privileges [features]"
    );
}

#[tokio::test]
async fn privilege_catalogue_with_and_without_actions() {
    let k = KibanaNode::new();
    let (s, b) = k.admin("GET", "/api/security/privileges", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["global"], json!(["all", "read"]));
    assert_eq!(b["space"], json!(["all", "read"]));
    let discover: Vec<&str> = b["features"]["discover"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        &discover[..4],
        ["all", "read", "minimal_all", "minimal_read"]
    );
    assert!(
        b["reserved"]
            .as_array()
            .unwrap()
            .contains(&json!("ml_user"))
    );
    let (s, b) = k
        .admin("GET", "/api/security/privileges?includeActions=true", None)
        .await;
    assert_eq!(s, 200);
    let read = b["global"]["read"].as_array().unwrap();
    assert!(read.contains(&json!("login:")));
    assert!(read.contains(&json!("app:discover")));
    for action in read {
        assert!(!action.as_str().unwrap().contains('*'), "{action}");
    }
    // A user without read_security cannot read the catalogue.
    let nobody = k.user("nobody", &[]);
    assert_eq!(
        k.call(nobody, "GET", "/api/security/privileges", None)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn registration_is_stored_and_idempotent() {
    let node = TestNode::new();
    let first = rampart_server::kibana::bootstrap(&node.state).unwrap();
    assert!(first.privileges_written > 100, "{first:?}");
    assert!(first.default_space_created);
    let second = rampart_server::kibana::bootstrap(&node.state).unwrap();
    assert_eq!(second.privileges_written, 0);
    assert!(!second.default_space_created);
    // A stale privilege is removed and the set rewritten.
    node.state
        .store
        .put_privileges(&[rampart_store::AppPrivilegeDoc {
            application: APPLICATION.into(),
            name: "feature_gone.all".into(),
            doc: json!({"application": APPLICATION, "name": "feature_gone.all", "actions": ["login:"], "metadata": {}}),
        }])
        .unwrap();
    let third = rampart_server::kibana::bootstrap(&node.state).unwrap();
    assert_eq!(third.privileges_deleted, 1);
    let (s, b) = node
        .admin(
            "GET",
            "/_security/privilege/kibana-.kibana/space_read",
            None,
        )
        .await;
    assert_eq!(s, 200);
    let actions = b[APPLICATION]["space_read"]["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("login:")));
    let (s, _) = node
        .admin(
            "GET",
            "/_security/privilege/kibana-.kibana/feature_gone.all",
            None,
        )
        .await;
    assert_eq!(s, 404);
}

/// kibana.md (i): opening Discover in marketing asks `app:discover` (and `login:`) on
/// `space:marketing`; granted through the `*` entry's `read`. Asked over the ES port.
#[tokio::test]
async fn es_has_privileges_answers_kibana_actions_for_the_worked_example() {
    let k = KibanaNode::new();
    k.put_role(
        "marketing_role",
        json!({"elasticsearch": {}, "kibana": [
            {"base": ["read"], "spaces": ["*"]},
            {"feature": {"dashboard": ["all"], "discover": ["minimal_read", "url_create"]}, "spaces": ["marketing"]}
        ]}),
    )
    .await;
    k.user("marketer", &["marketing_role"]);
    let (s, b) = k
        .node
        .call(
            "POST",
            "/_security/user/_has_privileges",
            ("marketer", "user-password"),
            Some(json!({"application": [{
                "application": APPLICATION,
                "resources": ["space:marketing", "space:sales"],
                "privileges": ["login:", "app:discover", "ui:dashboard/createNew", "saved_object:dashboard/create", "api:features"]
            }]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let m = &b["application"][APPLICATION]["space:marketing"];
    assert_eq!(m["login:"], true);
    assert_eq!(m["app:discover"], true);
    assert_eq!(m["ui:dashboard/createNew"], true);
    assert_eq!(m["saved_object:dashboard/create"], true);
    assert_eq!(m["api:features"], false);
    let sales = &b["application"][APPLICATION]["space:sales"];
    assert_eq!(sales["app:discover"], true);
    assert_eq!(sales["ui:dashboard/createNew"], false);
    assert_eq!(sales["saved_object:dashboard/create"], false);
    assert_eq!(b["has_all_requested"], false);
}

#[tokio::test]
async fn es_ml_routes_authorize_then_answer_unsupported() {
    let node = TestNode::new();
    node.add_user("mluser", "user-password", &["machine_learning_user"]);
    node.add_user("nobody", "user-password", &[]);
    let ml_user = ("mluser", "user-password");
    let nobody = ("nobody", "user-password");
    let unsupported = "machine learning jobs are not supported by this server";
    for (m, p) in [
        ("GET", "/_ml/info"),
        ("GET", "/_ml/anomaly_detectors/job1"),
        ("GET", "/_ml/datafeeds"),
        ("GET", "/_ml/data_frame/analytics/a1"),
        ("GET", "/_ml/trained_models"),
    ] {
        let (s, b) = node.call(m, p, ml_user, None).await;
        assert_eq!(s, 400, "{m} {p}: {b}");
        assert_eq!(b["error"]["reason"], unsupported);
        let (s, b) = node.call(m, p, nobody, None).await;
        assert_eq!(s, 403, "{m} {p}: {b}");
    }
    // machine_learning_user may read but not create jobs.
    let (s, b) = node
        .call(
            "PUT",
            "/_ml/anomaly_detectors/job1",
            ml_user,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = node
        .admin("PUT", "/_ml/anomaly_detectors/job1", Some(json!({})))
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["reason"], unsupported);
}

#[tokio::test]
async fn ml_setup_check_api_reports_requirements() {
    let k = KibanaNode::new();
    k.put_space("analytics", &["ml"]).await;
    k.put_role(
        "ml_space",
        json!({"elasticsearch": {"indices": [{"names": ["src-*"], "privileges": ["read", "view_index_metadata"]}]},
               "kibana": [{"feature": {"ml": ["all"], "indexPatterns": ["all"]}, "spaces": ["default", "analytics"]}]}),
    )
    .await;
    let u = k.user("mlu", &["ml_space", "machine_learning_admin"]);
    let (s, b) = k
        .call(
            u,
            "GET",
            "/internal/rampart/ml_setup_check?space=default&source=src-1",
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["username"], "mlu");
    let reqs = b["requirements"].as_array().unwrap();
    assert!(!reqs.is_empty());
    let find = |id: &str, body: &serde_json::Value| {
        body["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no requirement {id}: {body}"))
    };
    assert_eq!(find("xpack.ml.enabled", &b)["passed"], true);
    // In `analytics` ML is hidden: that requirement fails with a fix.
    let (s, b2) = k
        .call(
            u,
            "GET",
            "/internal/rampart/ml_setup_check?space=analytics&source=src-1",
            None,
        )
        .await;
    assert_eq!(s, 200, "{b2}");
    assert_eq!(b2["ready"], false);
    let failed: Vec<&serde_json::Value> = b2["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .collect();
    assert!(!failed.is_empty() && failed.iter().all(|r| r["fix"].is_string()));
    // Checking another user needs read_security.
    let other = k.user("other", &[]);
    let (s, _) = k
        .call(
            other,
            "GET",
            "/internal/rampart/ml_setup_check?username=mlu",
            None,
        )
        .await;
    assert_eq!(s, 403);
    let (s, b3) = k
        .admin(
            "GET",
            "/internal/rampart/ml_setup_check?username=mlu&space=default&source=src-1",
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b3["requirements"], b["requirements"]);
    let (s, _) = k
        .admin(
            "GET",
            "/internal/rampart/ml_setup_check?username=ghost",
            None,
        )
        .await;
    assert_eq!(s, 404);
}

/// The superuser with no source or destination indices passes every requirement (what
/// `rampart check ml-setup --user elastic` runs), both through the CLI's code path and the API.
#[tokio::test]
async fn ml_setup_check_superuser_without_indices_is_ready() {
    let k = KibanaNode::new();
    let request = rampart_server::kibana::ml::MlCheckRequest {
        username: "elastic".into(),
        space: "default".into(),
        ..Default::default()
    };
    let report = rampart_server::kibana::ml::check(&k.node.state, &request)
        .await
        .unwrap();
    assert_eq!(report["ready"], true, "{report}");
    let reqs = report["requirements"].as_array().unwrap();
    assert!(
        reqs.iter()
            .all(|r| r["passed"] == true && r["fix"].is_null())
    );
    assert!(reqs.iter().any(|r| r["id"] == "file_upload"));
    let (s, b) = k
        .admin("GET", "/internal/rampart/ml_setup_check", None)
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["ready"], true, "{b}");
    assert_eq!(b["username"], "elastic");
}
