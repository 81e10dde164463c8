//! `POST /_pit` without an index is ES's request validation error (before authorization, so
//! for every authenticated caller), and with security disabled a PIT belongs to no one: it
//! is opened, searched (also in `_msearch`) and closed without credentials.

use serde_json::json;

use super::super::common::{TestNode, reason};
use super::super::{ALICE, DAVE, ids, node_with};

#[tokio::test]
async fn opening_without_an_index_is_a_validation_error() {
    let node = node_with(&[]).await;
    let (s, b) = node.call("POST", "/_pit?keep_alive=1m", ALICE, None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["type"], "action_request_validation_exception");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [index] is not specified;"
    );
    let (s, b) = node.call("POST", "/_pit", ALICE, None).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: [index] is not specified;2: [keep_alive] is not specified;"
    );
    // Validation comes before authorization: a caller without privileges gets the same.
    let (s, b) = node.call("POST", "/_pit?keep_alive=1m", DAVE, None).await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Validation Failed: 1: [index] is not specified;")
    );
    // An unparsable keep-alive fails its parsing first.
    let (s, b) = node
        .call("POST", "/_pit?keep_alive=soon", ALICE, None)
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(reason(&b).contains("keep_alive"), "{b}");
    // Credentials are still checked first.
    let (s, _) = node.call("POST", "/_pit?keep_alive=1m", None, None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn with_security_disabled_a_pit_needs_no_user() {
    let node = TestNode::with_settings(&[("xpack.security.enabled", "false")]);
    for i in 0..3 {
        let (s, b) = node
            .call(
                "PUT",
                &format!("/open/_doc/o{i}"),
                None,
                Some(json!({"n": i})),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = node.call("POST", "/open/_refresh", None, None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = node
        .call("POST", "/open/_pit?keep_alive=1m", None, None)
        .await;
    assert_eq!(s, 200, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (s, b) = node
        .call(
            "PUT",
            "/open/_doc/late?refresh=true",
            None,
            Some(json!({"n": 9})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    // Credentials are ignored when security is off: any caller reaches the same PIT.
    let body = json!({"pit": {"id": id, "keep_alive": "1m"}, "size": 10});
    for user in [None, Some(("whoever", "anything"))] {
        let (s, b) = node
            .call("POST", "/_search", user, Some(body.clone()))
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(ids(&b), ["o0", "o1", "o2"]);
        assert_eq!(b["pit_id"], json!(id));
    }
    let ndjson = format!("{{}}\n{body}\n");
    let r = node
        .call_raw(
            axum::http::Method::POST,
            "/_msearch",
            None,
            Some(ndjson.into_bytes()),
        )
        .await;
    let b = r.json();
    assert_eq!(r.status, 200, "{b}");
    assert_eq!(ids(&b["responses"][0]), ["o0", "o1", "o2"]);
    let (s, b) = node.call("POST", "/_pit", None, None).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = node
        .call("DELETE", "/_pit", None, Some(json!({"id": id})))
        .await;
    assert_eq!((s, b), (200, json!({"succeeded": true, "num_freed": 1})));
    let (s, b) = node.call("POST", "/_search", None, Some(body)).await;
    assert_eq!(s, 404, "{b}");
}
