//! The HTTP client for the upstream cluster: a pooled `reqwest` client (rustls), base-URL
//! rotation, per-request timeouts and retries for idempotent requests only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, Method, Url};
use serde_json::Value;

use super::config::{UpstreamAuth, UpstreamConfig};
use super::error::UpstreamError;
use crate::metrics::Metrics;

/// A request body: JSON, JSON already serialized (sent byte for byte), or newline-delimited
/// JSON (`_bulk`).
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    /// A JSON text that needs no rewriting (e.g. an unrestricted caller's search as received):
    /// forwarding the bytes saves parsing and serializing it again.
    JsonBytes(Bytes),
    NdJson(String),
}

/// One request to the upstream. `path` holds raw segments (encoded here), so ids and index
/// names with `/`, `?` or `#` cannot change the target.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamRequest {
    pub method: Method,
    pub path: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Body>,
    /// Whether repeating the request is harmless. GET and HEAD always are; a POST such as
    /// `_search` or `_refresh` may be marked so explicitly.
    pub idempotent: bool,
}

impl UpstreamRequest {
    pub fn new(method: Method, path: &[&str]) -> Self {
        let idempotent = method == Method::GET || method == Method::HEAD;
        Self {
            method,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            idempotent,
        }
    }

    #[must_use]
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// A body that is already JSON text. Only for bytes known to be one JSON value (checked
    /// by the caller): they are sent as `application/json` unchanged.
    #[must_use]
    pub fn json_bytes(mut self, body: Bytes) -> Self {
        self.body = Some(Body::JsonBytes(body));
        self
    }

    #[must_use]
    pub fn ndjson(mut self, body: String) -> Self {
        self.body = Some(Body::NdJson(body));
        self
    }

    /// Marks a non-GET request as safe to repeat (searches, refreshes, counts).
    #[must_use]
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

/// The upstream's answer: any status, with the body parsed as JSON (`Null` when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamResponse {
    pub status: u16,
    pub body: Value,
}

impl UpstreamResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body of a 2xx answer, or the sanitised error of any other.
    pub fn into_success(self) -> Result<Value, UpstreamError> {
        if self.is_success() {
            Ok(self.body)
        } else {
            Err(UpstreamError::from_status(self.status, &self.body))
        }
    }
}

/// The upstream's answer with its body unparsed, for answers passed on as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub body: Bytes,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON (`Null` when empty).
    pub fn parse(self) -> Result<UpstreamResponse, UpstreamError> {
        let body = if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body).map_err(|e| {
                tracing::warn!(error = %e, status = self.status, "upstream sent a non-JSON body");
                UpstreamError::InvalidResponse
            })?
        };
        Ok(UpstreamResponse {
            status: self.status,
            body,
        })
    }
}

/// A connection-pooled client for one upstream cluster. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Upstream {
    client: Client,
    bases: Arc<Vec<Url>>,
    auth: Option<HeaderValue>,
    max_retries: u32,
    next: Arc<AtomicUsize>,
    metrics: Arc<Metrics>,
    /// Kept to build clients with their own connection pool (`with_own_pool`).
    config: Arc<UpstreamConfig>,
}

impl Upstream {
    pub fn new(config: &UpstreamConfig, metrics: Arc<Metrics>) -> Result<Self, UpstreamError> {
        let bases = config
            .urls
            .iter()
            .map(|u| parse_base(u))
            .collect::<Result<Vec<_>, _>>()?;
        if bases.is_empty() {
            return Err(UpstreamError::Config("no upstream URL".into()));
        }
        let mut builder = Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            // The upstream is an API, not a website: a redirect is never followed (it could
            // send the gateway's credentials and callers' queries elsewhere).
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .danger_accept_invalid_certs(!config.tls.verify);
        if let Some(path) = &config.tls.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                UpstreamError::Config(format!("cannot read CA file [{}]: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                UpstreamError::Config(format!("bad CA file [{}]: {e}", path.display()))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| UpstreamError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            bases: Arc::new(bases),
            auth: auth_header(&config.auth)?,
            max_retries: config.max_retries,
            next: Arc::new(AtomicUsize::new(0)),
            metrics,
            config: Arc::new(config.clone()),
        })
    }

    /// The same upstream with a connection pool of its own. A pooled connection is driven
    /// by a task on the runtime that opened it, so a client used from two runtimes can make
    /// one wait on the other's threads; the store's private runtime uses its own pool.
    pub fn with_own_pool(&self) -> Result<Self, UpstreamError> {
        Self::new(&self.config, Arc::clone(&self.metrics))
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Sends the request; retries idempotent ones after transport failures and 502/503/504,
    /// each time on the next base URL. A request that never reached the upstream (connect
    /// failure) is retried whatever its method, since nothing was sent.
    pub async fn send(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        self.send_raw(request).await?.parse()
    }

    /// `send`, with the answer's body left as bytes: for answers passed on unchanged, which
    /// then cost no JSON parsing and serializing.
    pub async fn send_raw(&self, request: &UpstreamRequest) -> Result<RawResponse, UpstreamError> {
        let mut attempt = 0;
        loop {
            let base_index = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(base) = self.bases.get(base_index % self.bases.len()) else {
                return Err(UpstreamError::Config("no upstream URL".into()));
            };
            let started = Instant::now();
            let outcome = self.send_once(base, request).await;
            self.metrics.observe_upstream(started.elapsed());
            let retryable = match &outcome {
                Ok(response) => request.idempotent && matches!(response.status, 502..=504),
                Err(Failure::NotSent) => true,
                Err(Failure::Transport(
                    UpstreamError::Unreachable
                    | UpstreamError::Timeout
                    | UpstreamError::InvalidResponse,
                )) => request.idempotent,
                // Configuration and bad-request errors would fail the same way again.
                Err(Failure::Transport(_)) => false,
            };
            if retryable && attempt < self.max_retries {
                attempt += 1;
                tracing::debug!(attempt, "retrying upstream request");
                continue;
            }
            return match outcome {
                Ok(response) => Ok(response),
                Err(Failure::NotSent) => Err(UpstreamError::Unreachable),
                Err(Failure::Transport(e)) => Err(e),
            };
        }
    }

    async fn send_once(
        &self,
        base: &Url,
        request: &UpstreamRequest,
    ) -> Result<RawResponse, Failure> {
        let url = build_url(base, request).map_err(Failure::Transport)?;
        let mut builder = self.client.request(request.method.clone(), url);
        if let Some(auth) = &self.auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        builder = match &request.body {
            None => builder,
            Some(Body::Json(value)) => builder.header(CONTENT_TYPE, "application/json").body(
                serde_json::to_vec(value).map_err(|_| {
                    Failure::Transport(UpstreamError::BadRequest("unserializable body".into()))
                })?,
            ),
            Some(Body::JsonBytes(bytes)) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Some(Body::NdJson(text)) => builder
                .header(CONTENT_TYPE, "application/x-ndjson")
                .body(text.clone()),
        };
        let response = builder.send().await.map_err(|e| {
            tracing::warn!(error = %e, "upstream request failed");
            if e.is_connect() {
                Failure::NotSent
            } else if e.is_timeout() {
                Failure::Transport(UpstreamError::Timeout)
            } else {
                Failure::Transport(UpstreamError::Unreachable)
            }
        })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| {
            tracing::warn!(error = %e, "upstream response body failed");
            Failure::Transport(if e.is_timeout() {
                UpstreamError::Timeout
            } else {
                UpstreamError::Unreachable
            })
        })?;
        Ok(RawResponse {
            status,
            body: bytes,
        })
    }
}

/// The request's URL: raw path segments percent-encoded one by one, so an id containing
/// `/`, `?` or `#` stays one segment of the intended path. A segment that is exactly `.` or
/// `..` cannot be sent at all: URL normalisation (also of `%2E%2E`) would turn it into a
/// step up the path, e.g. `DELETE idx/_doc/..` into `DELETE idx`.
fn build_url(base: &Url, request: &UpstreamRequest) -> Result<Url, UpstreamError> {
    if let Some(dots) = request.path.iter().find(|s| *s == "." || *s == "..") {
        return Err(UpstreamError::BadRequest(format!(
            "[{dots}] cannot be used as a name or id through the gateway"
        )));
    }
    let mut url = base.clone();
    {
        let Ok(mut segments) = url.path_segments_mut() else {
            return Err(UpstreamError::Config(
                "upstream URL cannot carry a path".into(),
            ));
        };
        segments.pop_if_empty();
        segments.extend(&request.path);
    }
    if !request.query.is_empty() {
        url.query_pairs_mut().extend_pairs(&request.query);
    }
    Ok(url)
}

enum Failure {
    /// The connection was never made: the request did not reach the upstream.
    NotSent,
    Transport(UpstreamError),
}

fn parse_base(text: &str) -> Result<Url, UpstreamError> {
    let url = Url::parse(text)
        .map_err(|e| UpstreamError::Config(format!("bad upstream URL [{text}]: {e}")))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(UpstreamError::Config(format!(
            "bad upstream URL [{text}]: expected http(s)://host:port"
        ))),
    }
}

fn auth_header(auth: &UpstreamAuth) -> Result<Option<HeaderValue>, UpstreamError> {
    let text = match auth {
        UpstreamAuth::None => return Ok(None),
        UpstreamAuth::Basic { username, password } => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
        ),
        UpstreamAuth::ApiKey(encoded) => format!("ApiKey {encoded}"),
    };
    let mut value = HeaderValue::from_str(&text)
        .map_err(|_| UpstreamError::Config("upstream credentials are not a valid header".into()))?;
    value.set_sensitive(true);
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::error::EsError;

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert!(parse_base("http://localhost:9200").is_ok());
        assert!(parse_base("https://es.example:9243/prefix").is_ok());
        assert!(matches!(
            parse_base("ftp://x"),
            Err(UpstreamError::Config(_))
        ));
        assert!(matches!(
            parse_base("not a url"),
            Err(UpstreamError::Config(_))
        ));
    }

    #[test]
    fn auth_headers() {
        let basic = auth_header(&UpstreamAuth::Basic {
            username: "u".into(),
            password: "p".into(),
        })
        .unwrap()
        .unwrap();
        assert_eq!(basic.to_str().unwrap(), "Basic dTpw");
        assert!(basic.is_sensitive());
        let key = auth_header(&UpstreamAuth::ApiKey("abc".into()))
            .unwrap()
            .unwrap();
        assert_eq!(key.to_str().unwrap(), "ApiKey abc");
        assert_eq!(auth_header(&UpstreamAuth::None).unwrap(), None);
    }

    #[test]
    fn gets_are_idempotent_posts_only_when_marked() {
        assert!(UpstreamRequest::new(Method::GET, &["i", "_doc", "1"]).idempotent);
        assert!(!UpstreamRequest::new(Method::POST, &["i", "_doc"]).idempotent);
        assert!(
            UpstreamRequest::new(Method::POST, &["i", "_search"])
                .idempotent()
                .idempotent
        );
    }

    #[test]
    fn path_segments_cannot_escape_their_place() {
        let base = parse_base("http://es:9200/prefix/").unwrap();
        let request = UpstreamRequest::new(Method::GET, &["my-index", "_doc", "../_all?x#y/z"])
            .param("routing", "a&b=c");
        let url = build_url(&base, &request).unwrap();
        assert_eq!(
            url.as_str(),
            "http://es:9200/prefix/my-index/_doc/..%2F_all%3Fx%23y%2Fz?routing=a%26b%3Dc"
        );
        for dots in [".", ".."] {
            let request = UpstreamRequest::new(Method::DELETE, &["idx", "_doc", dots]);
            let err = build_url(&base, &request).unwrap_err();
            assert_eq!(err.status(), 400, "{err:?}");
        }
        let dotted = UpstreamRequest::new(Method::GET, &["idx", "_doc", "...", ".x"]);
        let url = build_url(&base, &dotted).unwrap();
        assert_eq!(url.path(), "/prefix/idx/_doc/.../.x");
        let root = parse_base("http://es:9200").unwrap();
        let url = build_url(&root, &UpstreamRequest::new(Method::POST, &["_bulk"])).unwrap();
        assert_eq!(url.as_str(), "http://es:9200/_bulk");
    }

    #[test]
    fn missing_ca_file_is_a_config_error() {
        let mut config = UpstreamConfig::new("https://localhost:9200");
        config.tls.ca_file = Some("/nonexistent/ca.pem".into());
        let err = Upstream::new(&config, Arc::default()).unwrap_err();
        assert!(matches!(err, UpstreamError::Config(_)), "{err:?}");
    }

    #[tokio::test]
    async fn unreachable_upstream_is_reported_without_detail() {
        // Port 9 (discard) on loopback is closed on test machines: the connect fails.
        let mut config = UpstreamConfig::new("http://127.0.0.1:9");
        config.max_retries = 1;
        let metrics = Arc::new(Metrics::default());
        let upstream = Upstream::new(&config, metrics.clone()).unwrap();
        let err = upstream
            .send(&UpstreamRequest::new(Method::POST, &["i", "_doc"]))
            .await
            .unwrap_err();
        assert_eq!(err, UpstreamError::Unreachable);
        assert_eq!(
            metrics.upstream_requests(),
            2,
            "a connect failure is retried"
        );
    }
}
