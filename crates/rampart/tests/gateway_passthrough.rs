#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The gateway's fast search paths keep every security property: an unrestricted search is
//! forwarded byte for byte and its answer passed back byte for byte; a DLS-only answer is
//! passed back unparsed; an FLS answer is still filtered; rewritten searches reused from the
//! plan cache still carry the caller's own (current) role query. A canned upstream double
//! answers `_search` on the index `canned` with fixed bytes and records the bodies the
//! gateway sent; everything else goes to the real upstream.

mod gateway_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use gateway_support::{Cluster, Resp};
use rampart_store::SecurityStore;
use serde_json::{Value, json};

/// A valid answer in a shape the gateway's own serializer would not write (spacing, `1.50`),
/// so passing through is visible in the bytes.
const CANNED: &str = r#"{"took": 1,  "timed_out": false, "hits": {"total": {"value": 1, "relation": "eq"},
 "max_score": 1.50, "hits": [{"_index": "canned", "_id": "1", "_score": 1.50,
 "_source": {"public": "p", "secret": "s", "owner": "alice"}}]}}"#;

#[derive(Clone)]
struct Front {
    upstream: String,
    http: reqwest::Client,
    /// The raw bodies of the `_search` requests the gateway sent to `canned`.
    searches: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Front {
    fn start(upstream: String) -> (Front, String) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let front = Front {
            upstream,
            http: reqwest::Client::new(),
            searches: Arc::default(),
        };
        let app = Router::new().fallback(handle).with_state(front.clone());
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (front, url)
    }

    fn searches(&self) -> Vec<String> {
        self.searches
            .lock()
            .unwrap()
            .iter()
            .map(|b| String::from_utf8(b.clone()).unwrap())
            .collect()
    }
}

async fn handle(State(front): State<Front>, method: Method, uri: Uri, body: Bytes) -> Response {
    let target = uri
        .path_and_query()
        .map_or(uri.path().to_string(), |p| p.to_string());
    if uri.path() == "/canned/_search" {
        front.searches.lock().unwrap().push(body.to_vec());
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            CANNED,
        )
            .into_response();
    }
    if uri.path() == "/garbage/_search" {
        return (StatusCode::OK, "<html>proxy error page</html>").into_response();
    }
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let response = front
        .http
        .request(method, format!("{}{target}", front.upstream))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let bytes = response.bytes().await.unwrap();
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

const PASSWORD: &str = "passthrough-password";

async fn cluster() -> (Cluster, Front) {
    let mut front = None;
    let cluster = Cluster::start_via(|upstream| {
        let (f, url) = Front::start(upstream);
        front = Some(f);
        url
    })
    .await;
    for index in ["canned", "garbage"] {
        cluster.seed("PUT", &format!("/{index}"), None, 200).await;
    }
    let read = |extra: Value| {
        let mut entry = json!({"names": ["canned", "garbage"], "privileges": ["read"]});
        entry
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"indices": [entry]})
    };
    let owner_query =
        json!({"template": {"source": "{\"term\": {\"owner\": \"{{_user.username}}\"}}"}});
    cluster
        .put_roles(vec![
            ("all".into(), read(json!({}))),
            (
                "fls".into(),
                read(json!({"field_security": {"grant": ["public"]}})),
            ),
            ("dls".into(), read(json!({"query": owner_query}))),
            (
                "other".into(),
                json!({"indices": [{"names": ["elsewhere"], "privileges": ["read"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            ("all", PASSWORD, &["all"]),
            ("fls", PASSWORD, &["fls"]),
            ("alice", PASSWORD, &["dls"]),
            ("bob", PASSWORD, &["dls"]),
            ("other", PASSWORD, &["other"]),
        ])
        .await;
    (cluster, front.unwrap())
}

/// A raw request through the gateway (the body as given, not re-serialized).
async fn search(cluster: &Cluster, user: &str, path: &str, body: &str) -> Resp {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", cluster.gateway.url))
        .basic_auth(user, Some(PASSWORD))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap().to_vec();
    Resp { status, bytes }
}

/// A body in a shape the gateway would not write itself.
const BODY: &str = r#"{ "query" : { "match_all" : { } },   "size": 10 }"#;

#[tokio::test]
async fn fast_paths_keep_filtering_and_each_callers_own_restrictions() {
    let (cluster, front) = cluster().await;

    // Unrestricted: the body goes up as sent and the answer comes back as sent.
    let r = search(&cluster, "all", "/canned/_search", BODY).await;
    assert_eq!((r.status, r.text()), (200, CANNED.to_owned()));
    assert_eq!(front.searches().last().unwrap(), BODY);
    // `?pretty` and `filter_path` are still this node's to apply.
    let r = search(
        &cluster,
        "all",
        "/canned/_search?filter_path=hits.total",
        BODY,
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"hits": {"total": {"value": 1, "relation": "eq"}}})
    );

    // FLS: filtered, from a fresh plan and from the cached one alike.
    for _ in 0..2 {
        let r = search(&cluster, "fls", "/canned/_search", BODY).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.json()["hits"]["hits"][0]["_source"],
            json!({"public": "p"}),
            "{}",
            r.text()
        );
    }

    // DLS only: the answer passes unparsed; the query sent is the caller's own, also when the
    // same search was planned for another user just before.
    for user in ["alice", "bob", "alice", "bob"] {
        let r = search(&cluster, user, "/canned/_search", BODY).await;
        assert_eq!((r.status, r.text()), (200, CANNED.to_owned()));
        let sent = front.searches().pop().unwrap();
        let other = if user == "alice" { "bob" } else { "alice" };
        assert!(sent.contains(&format!("\"{user}\"")), "{user}: {sent}");
        assert!(!sent.contains(&format!("\"{other}\"")), "{user}: {sent}");
    }
}

#[tokio::test]
async fn a_changed_role_query_is_not_served_from_an_earlier_plan() {
    let (cluster, front) = cluster().await;
    let r = search(&cluster, "alice", "/canned/_search", BODY).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(front.searches().pop().unwrap().contains("\"owner\""));
    cluster
        .security(|store| {
            let role = json!({"indices": [{"names": ["canned"], "privileges": ["read"],
                "query": {"term": {"team": "blue"}}}]});
            store.put_roles(&[("dls".to_owned(), role)]).unwrap();
        })
        .await;
    // Other nodes' writes reach the gateway through its store poller (within a second).
    let mut sent = String::new();
    for _ in 0..200 {
        let r = search(&cluster, "alice", "/canned/_search", BODY).await;
        assert_eq!(r.status, 200, "{}", r.text());
        sent = front.searches().pop().unwrap();
        if sent.contains("\"team\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        sent.contains("\"team\"") && !sent.contains("\"owner\""),
        "{sent}"
    );
}

#[tokio::test]
async fn bad_bodies_and_bad_answers_are_errors() {
    let (cluster, _front) = cluster().await;
    // Not JSON: 400 before authorization, whoever asks.
    for user in ["all", "other"] {
        let r = search(&cluster, user, "/canned/_search", "{not json").await;
        assert_eq!(r.status, 400, "{user}: {}", r.text());
        assert_eq!(r.json()["error"]["type"], "x_content_parse_exception");
    }
    // An upstream 200 that is not JSON is never passed on as JSON.
    let r = search(&cluster, "all", "/garbage/_search", BODY).await;
    assert!(r.status >= 500, "{} {}", r.status, r.text());
    assert!(!r.text().contains("html"), "{}", r.text());
}
