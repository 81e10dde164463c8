#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Remote hits under DLS/FLS, end to end: the embedded upstream has no remote clusters, so a
//! test double in front of it plays Elasticsearch's cross-cluster search for one remote alias
//! `other` that is the upstream itself: a search of `other:logs-1` runs on `logs-1` with the
//! `other:` prefix taken off the query's `_index` clauses (a remote shard compares `_index`
//! with `alias:index`), and its hits, first page and scroll pages alike, come back named
//! `other:logs-1`. The gateway's rewrite (the role query, the cluster scope) and its FLS
//! filtering of remote hits are then what decides what the caller sees.

mod node_harness;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use node_harness::{ADMIN, Node, call, ok, spawn, spawn_with_env};
use serde_json::{Value, json};

const ALIAS: &str = "other";

#[derive(Clone)]
struct RemoteDouble {
    upstream: String,
    http: reqwest::Client,
    remote_scrolls: Arc<Mutex<HashSet<String>>>,
}

/// Takes the `other:` prefix off every name under an `_index` key.
fn strip_index_prefix(value: &mut Value, under_index: bool) {
    match value {
        Value::String(s) if under_index => {
            if let Some(rest) = s.strip_prefix(&format!("{ALIAS}:")) {
                *s = rest.to_owned();
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| strip_index_prefix(v, under_index)),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                strip_index_prefix(v, under_index || key == "_index");
            }
        }
        _ => {}
    }
}

async fn handle(
    State(double): State<RemoteDouble>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().replace("%3A", ":").replace("%3a", ":");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let remote_search = first
        .split(',')
        .any(|t| t.starts_with(&format!("{ALIAS}:")));
    let mut json: Option<Value> = serde_json::from_slice(&body).ok();
    let remote_scroll = path.starts_with("/_search/scroll")
        && json
            .as_ref()
            .and_then(|b| b["scroll_id"].as_str())
            .is_some_and(|id| double.remote_scrolls.lock().unwrap().contains(id));
    let mut target = format!("{path}{query}");
    if remote_search {
        assert!(
            first
                .split(',')
                .all(|t| t.starts_with(&format!("{ALIAS}:"))),
            "the double plays remote-only searches: {path}"
        );
        target = target.replace(&format!("{ALIAS}:"), "");
        if let Some(b) = json.as_mut() {
            strip_index_prefix(b, false);
        }
    }
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut request = double
        .http
        .request(method, format!("{}{target}", double.upstream));
    request = match (&json, remote_search) {
        (Some(b), true) => request.json(b),
        _ => request.body(body.to_vec()),
    };
    if let Some(kind) = headers.get(header::CONTENT_TYPE) {
        if !remote_search {
            request = request.header("content-type", kind.to_str().unwrap());
        }
    }
    let Ok(response) = request.send().await else {
        return (StatusCode::BAD_GATEWAY, "upstream gone").into_response();
    };
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let bytes = response.bytes().await.unwrap();
    if !(remote_search || remote_scroll) {
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            bytes.to_vec(),
        )
            .into_response();
    }
    let mut answer: Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(id) = answer["_scroll_id"].as_str() {
        double.remote_scrolls.lock().unwrap().insert(id.to_owned());
    }
    if let Some(hits) = answer["hits"]["hits"].as_array_mut() {
        for hit in hits {
            let index = hit["_index"].as_str().unwrap().to_owned();
            hit["_index"] = json!(format!("{ALIAS}:{index}"));
        }
    }
    (status, axum::Json(answer)).into_response()
}

/// Starts the double on its own thread and runtime; returns its URL.
fn start_double(upstream: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let double = RemoteDouble {
        upstream,
        http: reqwest::Client::new(),
        remote_scrolls: Arc::default(),
    };
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = Router::new().fallback(handle).with_state(double);
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

fn gateway() -> (Node, Node) {
    let upstream = spawn(&["-E", "xpack.security.enabled=false"]);
    let double = start_double(format!("http://127.0.0.1:{}", upstream.port));
    let node = spawn_with_env(
        &[
            "--upstream",
            double.as_str(),
            "-E",
            "xpack.security.authc.password_hashing.algorithm=bcrypt4",
            "-E",
            "rampart.gateway.remote_clusters=other",
        ],
        &[("NO_COLOR", "1")],
    );
    (upstream, node)
}

fn user(node: &Node, name: &str, role: Value) -> (String, String) {
    ok(node, ADMIN, "PUT", &format!("/_security/role/{name}"), role);
    let password = format!("{name}-password");
    ok(
        node,
        ADMIN,
        "PUT",
        &format!("/_security/user/{name}"),
        json!({"password": password, "roles": [name]}),
    );
    (name.to_owned(), password)
}

fn as_user(u: &(String, String)) -> (&str, &str) {
    (u.0.as_str(), u.1.as_str())
}

fn sources(answer: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = answer["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["_index"].as_str().unwrap().to_owned(),
                h["_source"].clone(),
            )
        })
        .collect();
    out.sort_by_key(|(_, s)| s.to_string());
    out
}

#[test]
fn remote_hits_and_remote_scroll_pages_carry_only_what_the_remote_grant_allows() {
    let (_upstream, gw) = gateway();
    for (id, msg, secret) in [("1", "x", "s1"), ("2", "y", "s2"), ("3", "x", "s3")] {
        ok(
            &gw,
            ADMIN,
            "PUT",
            &format!("/logs-1/_doc/{id}?refresh=true"),
            json!({"msg": msg, "secret": secret}),
        );
    }
    let reader = user(
        &gw,
        "remote_reader",
        json!({"remote_indices": [{"clusters": ["other"], "names": ["logs-*"], "privileges": ["read"]}]}),
    );
    // The local `read` on an unrelated index is for scroll continuations: Rampart asks every
    // scroll for `indices:data/read/scroll` on some local index, also when the scroll holds
    // only remote targets (where Elasticsearch asks nothing locally): stricter, noted.
    let restricted = user(
        &gw,
        "remote_restricted",
        json!({"indices": [{"names": ["unrelated-*"], "privileges": ["read"]}],
            "remote_indices": [{"clusters": ["other"], "names": ["logs-*"],
            "privileges": ["read"], "query": "{\"term\":{\"msg\":\"x\"}}",
            "field_security": {"grant": ["msg"]}}]}),
    );

    // The double plays a remote cluster: an unrestricted remote reader sees every document,
    // named `other:logs-1`.
    let (status, all) = call(
        &gw,
        as_user(&reader),
        "GET",
        "/other:logs-1/_search",
        Value::Null,
    );
    assert_eq!(status, 200, "{all}");
    assert_eq!(sources(&all).len(), 3, "{all}");
    assert!(all.to_string().contains("s2"), "{all}");

    // Under the remote grant's DLS and FLS: the matching documents, their granted field only.
    let (status, seen) = call(
        &gw,
        as_user(&restricted),
        "GET",
        "/other:logs-1/_search",
        Value::Null,
    );
    assert_eq!(status, 200, "{seen}");
    let expected = vec![
        ("other:logs-1".to_owned(), json!({"msg": "x"})),
        ("other:logs-1".to_owned(), json!({"msg": "x"})),
    ];
    assert_eq!(sources(&seen), expected, "{seen}");
    assert_eq!(seen["hits"]["total"]["value"], 2, "{seen}");

    // Scroll pages: each continuation is filtered like the first page.
    let (status, first) = call(
        &gw,
        as_user(&restricted),
        "POST",
        "/other:logs-1/_search?scroll=1m",
        json!({"size": 1, "sort": ["_doc"]}),
    );
    assert_eq!(status, 200, "{first}");
    let mut pages = vec![sources(&first)];
    let mut id = first["_scroll_id"].as_str().unwrap().to_owned();
    loop {
        let (status, page) = call(
            &gw,
            as_user(&restricted),
            "POST",
            "/_search/scroll",
            json!({"scroll": "1m", "scroll_id": id}),
        );
        assert_eq!(status, 200, "{page}");
        let hits = sources(&page);
        if hits.is_empty() {
            break;
        }
        pages.push(hits);
        id = page["_scroll_id"].as_str().unwrap().to_owned();
        assert!(pages.len() < 10, "the scroll never ended");
    }
    let flat: Vec<(String, Value)> = pages.into_iter().flatten().collect();
    assert_eq!(flat, expected, "every page filtered");

    // Another user cannot continue the restricted user's scroll.
    let (status, _) = call(
        &gw,
        as_user(&reader),
        "POST",
        "/_search/scroll",
        json!({"scroll": "1m", "scroll_id": id}),
    );
    assert_ne!(status, 200);
}
