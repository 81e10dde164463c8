//! A recording test double in front of the upstream: every request the gateway sends is
//! recorded (method, path with query, JSON body; an ndjson body as its lines) and forwarded
//! unchanged, except the APIs the embedded upstream does not execute, which the front
//! answers itself over the real upstream's data: `_delete_by_query`
//! (the query's hits deleted with one refreshed `_bulk`), `_update_by_query` (counts the
//! query's hits) and `_termvectors`.
//! What reaches documents is therefore decided by the query the gateway sent.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One request as the gateway sent it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query string.
    pub target: String,
    pub body: Value,
}

#[derive(Clone)]
pub struct Front {
    inner: Arc<Inner>,
}

struct Inner {
    upstream: String,
    http: reqwest::Client,
    recorded: Mutex<Vec<Recorded>>,
}

impl Front {
    /// Listens on a free loopback port (on the current runtime); returns the front and its
    /// URL.
    pub fn start(upstream: String) -> (Front, String) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let front = Front {
            inner: Arc::new(Inner {
                upstream,
                http: reqwest::Client::new(),
                recorded: Mutex::new(Vec::new()),
            }),
        };
        let app = Router::new().fallback(handle).with_state(front.clone());
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (front, url)
    }

    /// The recorded requests whose path contains `endpoint`, oldest first.
    pub fn recorded(&self, endpoint: &str) -> Vec<Recorded> {
        self.inner
            .recorded
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.target.contains(endpoint))
            .cloned()
            .collect()
    }

    async fn upstream_json(&self, method: &str, target: &str, body: &Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = self
            .inner
            .http
            .request(method, format!("{}{target}", self.inner.upstream))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The `(index, id)` of every document `query` matches in `index`.
    async fn matching(&self, index: &str, query: &Value) -> Vec<(String, String)> {
        let body = json!({"query": query, "size": 10000, "_source": false});
        let (status, answer) = self
            .upstream_json("POST", &format!("/{index}/_search"), &body)
            .await;
        assert_eq!(status, 200, "front search: {answer}");
        answer["hits"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["_index"].as_str().unwrap().to_string(),
                    h["_id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn reply(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

async fn handle(
    State(front): State<Front>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or(uri.path().to_string(), |p| p.to_string());
    // An ndjson body (`_bulk`, `_msearch`) is recorded as the array of its lines.
    let json: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        String::from_utf8_lossy(&body)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
            .collect()
    });
    let segments: Vec<String> = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(String::from)
        .collect();
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let special = matches!(
        (method.as_str(), parts.as_slice()),
        ("POST", [_, "_delete_by_query" | "_update_by_query"]) | (_, [_, "_termvectors", ..])
    );
    front.inner.recorded.lock().unwrap().push(Recorded {
        method: method.to_string(),
        target: target.clone(),
        body: json.clone(),
    });
    if !special {
        return forward(&front, &method, &target, &headers, body).await;
    }
    match (method.as_str(), parts.as_slice()) {
        ("POST", [index, "_delete_by_query"]) => {
            let found = front.matching(index, &json["query"]).await;
            let mut ndjson = String::new();
            for (index, id) in &found {
                ndjson.push_str(&json!({"delete": {"_index": index, "_id": id}}).to_string());
                ndjson.push('\n');
            }
            if !found.is_empty() {
                let response = front
                    .inner
                    .http
                    .post(format!("{}/_bulk?refresh=true", front.inner.upstream))
                    .header("content-type", "application/x-ndjson")
                    .body(ndjson)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status().as_u16(), 200);
            }
            let n = found.len();
            reply(
                200,
                json!({"total": n, "deleted": n, "batches": 1, "failures": []}),
            )
        }
        ("POST", [index, "_update_by_query"]) => {
            let n = front.matching(index, &json["query"]).await.len();
            reply(
                200,
                json!({"total": n, "updated": n, "batches": 1, "failures": []}),
            )
        }
        (_, [index, "_termvectors", rest @ ..]) => reply(
            200,
            json!({"_index": index, "_id": rest.first(), "found": true, "term_vectors": {}}),
        ),
        _ => unreachable!("not a special request: {target}"),
    }
}

async fn forward(
    front: &Front,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut request = front
        .inner
        .http
        .request(method, format!("{}{target}", front.inner.upstream))
        .body(body.to_vec());
    if let Some(kind) = headers.get(header::CONTENT_TYPE) {
        request = request.header("content-type", kind.to_str().unwrap());
    }
    // The upstream is gone once its test ends while the gateway may still poll the store.
    let Ok(response) = request.send().await else {
        return reply(
            502,
            json!({"error": {"type": "status_exception"}, "status": 502}),
        );
    };
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.bytes().await.unwrap();
    let mut out = (StatusCode::from_u16(status).unwrap(), bytes.to_vec()).into_response();
    if let Some(kind) = kind {
        out.headers_mut()
            .insert(header::CONTENT_TYPE, kind.parse().unwrap());
    }
    out
}
