#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `xpack.security.enabled: false`: every route is served without credentials and the
//! `_security` APIs do not exist (Elasticsearch registers no security REST handlers then).

mod common;

use common::TestNode;
use serde_json::json;

fn open_node() -> TestNode {
    TestNode::with_settings(&[("xpack.security.enabled", "false")])
}

#[tokio::test]
async fn data_apis_answer_without_credentials() {
    let node = open_node();
    let (status, body) = node
        .call(
            "PUT",
            "/open/_doc/1?refresh=true",
            None,
            Some(json!({"a": 1})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = node.call("GET", "/open/_doc/1", None, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["_source"]["a"], 1);
    let (status, body) = node.call("GET", "/open/_search", None, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"]["total"]["value"], 1);
    let (status, _) = node.call("GET", "/", None, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_credentials_are_ignored_as_elasticsearch_does() {
    let node = open_node();
    let (status, body) = node
        .call("GET", "/", ("nobody", "wrong-password"), None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn security_apis_do_not_exist() {
    let node = open_node();
    for (method, path) in [
        ("GET", "/_security/_authenticate"),
        ("GET", "/_security/user"),
        ("PUT", "/_security/role/r"),
    ] {
        let (status, body) = node.call(method, path, None, Some(json!({}))).await;
        assert_eq!(status, 400, "{method} {path}: {body}");
        assert_eq!(
            common::reason(&body),
            format!("no handler found for uri [{path}] and method [{method}]")
        );
    }
}

#[tokio::test]
async fn security_stays_on_by_default() {
    let node = TestNode::new();
    let (status, _) = node.call("GET", "/open/_search", None, None).await;
    assert_eq!(status, 401);
}

#[test]
fn an_invalid_value_stops_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let config = rampart_server::startup::NodeConfig {
        data_dir: dir.path().join("data"),
        config_dir: None,
        settings: common::test_settings(&[("xpack.security.enabled", "maybe")]),
        elastic_password: Some("x-password".into()),
    };
    assert!(rampart_server::startup::build_state(&config).is_err());
}
