//! A recording test double in front of the upstream: every request the gateway sends is
//! recorded (method, path with query, JSON body; an ndjson body as its lines) and forwarded
//! unchanged to the real upstream, which executes every API the gateway sends (by-query,
//! `_termvectors` and point in time included). What reaches documents is therefore decided
//! by the request the gateway sent.
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
    front.inner.recorded.lock().unwrap().push(Recorded {
        method: method.to_string(),
        target: target.clone(),
        body: json.clone(),
    });
    forward(&front, &method, &target, &headers, body).await
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
