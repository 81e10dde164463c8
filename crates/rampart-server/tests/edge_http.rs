#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The HTTP edge: content negotiation, HEAD, pretty/filter_path/error_trace, the
//! test-harness reset API.

mod common;

use axum::body::Body;
use axum::http::{Method, Request};
use common::{SUPERUSER, TestNode, basic, is_es_error};
use serde_json::json;

fn get(path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("authorization", basic(SUPERUSER.0, SUPERUSER.1))
}

#[tokio::test]
async fn unsupported_body_content_type_is_406() {
    let node = TestNode::new();
    for ct in [
        "text/html",
        "application/x-www-form-urlencoded",
        "application/cbor",
    ] {
        let r = node
            .send(
                Request::builder()
                    .method(Method::GET)
                    .uri("/_security/_authenticate")
                    .header("authorization", basic(SUPERUSER.0, SUPERUSER.1))
                    .header("content-type", ct)
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 406, "{ct}");
        assert_eq!(
            r.json(),
            json!({"error": format!("Content-Type header [{ct}] is not supported"), "status": 406})
        );
    }
}

#[tokio::test]
async fn json_like_content_types_are_read() {
    let node = TestNode::new();
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-ndjson",
        "application/vnd.elasticsearch+json;compatible-with=8",
    ] {
        let r = node
            .send(
                get("/_security/_authenticate")
                    .header("content-type", ct)
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 200, "{ct}: {:?}", r.json());
    }
}

#[tokio::test]
async fn compatible_with_is_echoed_and_validated() {
    let node = TestNode::new();
    for v in ["7", "8", "9"] {
        let accept = format!("application/vnd.elasticsearch+json;compatible-with={v}");
        let r = node
            .send(
                get("/_security/_authenticate")
                    .header("accept", &accept)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some(accept.as_str()));
    }
    let r = node
        .send(
            get("/_security/_authenticate")
                .header(
                    "accept",
                    "application/vnd.elasticsearch+json;compatible-with=6",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(is_es_error(&r.json(), 400));
    assert_eq!(r.json()["error"]["type"], "status_exception");
    let r = node
        .send(
            get("/_security/_authenticate")
                .header(
                    "accept",
                    "application/vnd.elasticsearch+json;compatible-with=8",
                )
                .header(
                    "content-type",
                    "application/vnd.elasticsearch+json;compatible-with=9",
                )
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 400);
    let reason = r.json()["error"]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.starts_with("A compatible version is required"),
        "{reason}"
    );
    // Plain JSON by default.
    let r = node
        .send(get("/_security/_authenticate").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-elastic-product"), Some("Elasticsearch"));
}

#[tokio::test]
async fn head_returns_status_without_body() {
    let node = TestNode::new();
    let head = |path: &str, user: bool| {
        let mut b = Request::builder().method(Method::HEAD).uri(path);
        if user {
            b = b.header("authorization", basic(SUPERUSER.0, SUPERUSER.1));
        }
        b.body(Body::empty()).unwrap()
    };
    let r = node.send(head("/", true)).await;
    assert_eq!(r.status, 200);
    assert!(r.bytes.is_empty());
    let r = node.send(head("/", false)).await;
    assert_eq!(r.status, 401);
    assert!(r.bytes.is_empty());
    let r = node.send(head("/_security/_authenticate", true)).await;
    assert_eq!(r.status, 200);
    assert!(r.bytes.is_empty());
}

#[tokio::test]
async fn pretty_filter_path_and_error_trace() {
    let node = TestNode::new();
    let r = node
        .call_raw(Method::GET, "/?pretty", Some(SUPERUSER), None)
        .await;
    let text = String::from_utf8(r.bytes.clone()).unwrap();
    assert!(text.contains("\n  \"name\""), "{text}");
    let (status, body) = node
        .call(
            Method::GET,
            "/?filter_path=version.number,tagline",
            Some(SUPERUSER),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"version": {"number": rampart_server::ES_COMPAT_VERSION}, "tagline": "You Know, for Search"})
    );
    // filter_path applies to errors too, as in ES.
    let (status, body) = node
        .call(
            Method::GET,
            "/_security/_authenticate?filter_path=status",
            None,
            None,
        )
        .await;
    assert_eq!((status, body), (401, json!({"status": 401})));
    // error_trace is accepted and adds no stack trace.
    let (status, body) = node
        .call(
            Method::GET,
            "/_security/_authenticate?error_trace=true",
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    assert!(body["error"].get("stack_trace").is_none());
    // human is accepted.
    let (status, _) = node
        .call(Method::GET, "/?human=true", Some(SUPERUSER), None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalid_utf8_in_path_params_is_es_400() {
    let node = TestNode::new();
    let (status, body) = node
        .call(
            Method::GET,
            "/_cluster/health/%FF%FE",
            Some(SUPERUSER),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert!(is_es_error(&body, 400), "{body}");
}

#[tokio::test]
async fn reset_route_exists_only_when_enabled() {
    let node = TestNode::new();
    let (status, body) = node
        .call(Method::POST, "/_rampart/_reset", Some(SUPERUSER), None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["reason"],
        "no handler found for uri [/_rampart/_reset] and method [POST]"
    );
}

#[tokio::test]
async fn reset_wipes_the_store_and_keeps_elastic() {
    let node = TestNode::with_settings(&[("rampart.testing.reset_api", "true")]);
    node.add_user("alice", "alice-password", &["superuser"]);
    node.add_user("bob", "bob-password", &["viewer"]);
    // Not a superuser: 403.
    let (status, body) = node
        .call(
            Method::POST,
            "/_rampart/_reset",
            Some(("bob", "bob-password")),
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    // Change elastic's password, then reset restores the startup one.
    let hash = node.state.authn.algorithm.hash("changed-password").unwrap();
    node.state
        .store
        .put_reserved_user(&rampart_store::ReservedUserState {
            username: "elastic".into(),
            password_hash: Some(hash),
            enabled: true,
        })
        .unwrap();
    node.state.authn.clear_cache();
    let (status, body) = node
        .call(
            Method::POST,
            "/_rampart/_reset",
            Some(("alice", "alice-password")),
            None,
        )
        .await;
    assert_eq!((status, body), (200, json!({"acknowledged": true})));
    assert!(node.state.store.get_user("alice").unwrap().is_none());
    // The cached authentication of alice is gone too.
    let (status, _) = node
        .call(
            Method::GET,
            "/_security/_authenticate",
            Some(("alice", "alice-password")),
            None,
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = node
        .call(
            Method::GET,
            "/_security/_authenticate",
            Some(SUPERUSER),
            None,
        )
        .await;
    assert_eq!(status, 200);
}
