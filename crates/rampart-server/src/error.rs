//! The one error type of the server: Elasticsearch's error envelope.
//!
//! Every failure a client sees is an `ApiError` with an ES `type`, `reason` and HTTP status.
//! Internal failures are logged with their detail and shown to clients only as a generic
//! message: clients see user-facing errors, logs get the rest.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_core::error::EsError;
use serde_json::{Map, Value, json};

/// An error rendered as `{"error":{"root_cause":[…],"type","reason",…},"status"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub es_type: String,
    pub reason: String,
    /// Nested `caused_by` (type, reason).
    pub caused_by: Option<(String, String)>,
    /// Extra fields of the error object (e.g. `index`, `resource.id`).
    pub metadata: Map<String, Value>,
    /// `WWW-Authenticate` values (401 only); also rendered as `error.header`.
    pub authenticate: Vec<String>,
    /// When true the body is ES's bare shape used for some 404s: `{}` or a given value.
    pub bare_body: Option<Value>,
}

impl ApiError {
    pub fn new(status: u16, es_type: &str, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            es_type: es_type.to_string(),
            reason: reason.into(),
            caused_by: None,
            metadata: Map::new(),
            authenticate: Vec::new(),
            bare_body: None,
        }
    }

    /// 400 `illegal_argument_exception`.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(400, "illegal_argument_exception", reason)
    }

    /// 400 `action_request_validation_exception` with ES's numbering.
    pub fn validation(problems: &[String]) -> Self {
        let reason: String = problems
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}: {p};", i + 1))
            .collect();
        Self::new(
            400,
            "action_request_validation_exception",
            format!("Validation Failed: {reason}"),
        )
    }

    /// 400 `parse_exception`.
    pub fn parse(reason: impl Into<String>) -> Self {
        Self::new(400, "parse_exception", reason)
    }

    /// 404 `resource_not_found_exception`.
    pub fn not_found(reason: impl Into<String>) -> Self {
        Self::new(404, "resource_not_found_exception", reason)
    }

    /// 403 `security_exception`.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Self::new(403, "security_exception", reason)
    }

    /// 409 `version_conflict_engine_exception`.
    pub fn conflict(reason: impl Into<String>) -> Self {
        Self::new(409, "version_conflict_engine_exception", reason)
    }

    /// A failure of ours: logged in full, shown as a generic 500.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(500, "exception", "internal error; see the server log")
    }

    /// A response with a fixed body and status (ES answers some misses with `{}`).
    pub fn bare(status: u16, body: Value) -> Self {
        let mut e = Self::new(status, "", "");
        e.bare_body = Some(body);
        e
    }

    pub fn with_caused_by(mut self, es_type: &str, reason: impl Into<String>) -> Self {
        self.caused_by = Some((es_type.to_string(), reason.into()));
        self
    }

    pub fn with_meta(mut self, key: &str, value: Value) -> Self {
        self.metadata.insert(key.to_string(), value);
        self
    }

    /// Convert any engine error that knows its ES presentation.
    pub fn from_es<E: EsError + ?Sized>(e: &E) -> Self {
        let mut out = Self::new(e.status(), e.es_type(), e.reason());
        out.caused_by = e.caused_by().map(|(t, r)| (t.to_string(), r));
        out
    }

    fn error_object(&self, with_root_cause: bool) -> Value {
        let mut m = Map::new();
        if with_root_cause {
            m.insert("root_cause".into(), json!([self.error_object(false)]));
        }
        m.insert("type".into(), json!(self.es_type));
        m.insert("reason".into(), json!(self.reason));
        for (k, v) in &self.metadata {
            m.insert(k.clone(), v.clone());
        }
        if let Some((t, r)) = &self.caused_by {
            m.insert("caused_by".into(), json!({"type": t, "reason": r}));
        }
        if !self.authenticate.is_empty() {
            let header = if self.authenticate.len() == 1 {
                json!(self.authenticate.first())
            } else {
                json!(self.authenticate)
            };
            m.insert("header".into(), json!({"WWW-Authenticate": header}));
        }
        Value::Object(m)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        if let Some(b) = &self.bare_body {
            return b.clone();
        }
        json!({"error": self.error_object(true), "status": self.status})
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.status, self.es_type, self.reason)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for v in &self.authenticate {
            if let Ok(v) = HeaderValue::from_str(v) {
                headers.append(header::WWW_AUTHENTICATE, v);
            }
        }
        resp
    }
}

macro_rules! from_es_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError::from_es(&e)
            }
        })*
    };
}

from_es_error!(
    rampart_core::role::RoleError,
    rampart_core::permission::CompileError,
    rampart_core::has_privileges::HasPrivilegesError,
    rampart_core::authz::Denial,
    rampart_core::resolve::ResolveError,
    rampart_core::dls::DlsError,
);
