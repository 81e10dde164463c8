//! Kibana's error shape: `{"statusCode": 400, "error": "Bad Request", "message": "…"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_kibana::KibanaError;
use serde_json::json;

use crate::error::ApiError;

/// An error the Kibana port answers with. Internal detail never reaches the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbnError {
    pub status: u16,
    pub message: String,
}

impl KbnError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        KbnError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// A failure of ours: logged in full, shown generically.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error (kibana API)");
        Self::new(500, "An internal server error occurred.")
    }

    /// Kibana's reason phrase for the status.
    pub fn error_name(&self) -> &'static str {
        match self.status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            409 => "Conflict",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            _ => "Internal Server Error",
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({"statusCode": self.status, "error": self.error_name(), "message": self.message})
    }
}

impl std::fmt::Display for KbnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for KbnError {}

/// Errors of the shared layers (authentication, the store, ES validation) keep their status
/// and reason, as Kibana passes Elasticsearch's errors through. 5xx detail was already logged.
impl From<ApiError> for KbnError {
    fn from(e: ApiError) -> Self {
        if e.status >= 500 {
            return KbnError::new(500, "An internal server error occurred.");
        }
        let message = if e.reason.is_empty() {
            match e.status {
                404 => "Not Found".to_string(),
                _ => e.es_type.clone(),
            }
        } else {
            e.reason.clone()
        };
        KbnError::new(e.status, message)
    }
}

impl From<KibanaError> for KbnError {
    fn from(e: KibanaError) -> Self {
        if e.status >= 500 {
            return KbnError::internal(e.message);
        }
        KbnError::new(e.status, e.message)
    }
}

impl IntoResponse for KbnError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_passthrough() {
        let e = KbnError::bad_request("nope");
        assert_eq!(
            e.body(),
            json!({"statusCode": 400, "error": "Bad Request", "message": "nope"})
        );
        let from_es: KbnError = ApiError::forbidden("action [x] is unauthorized").into();
        assert_eq!(from_es.status, 403);
        assert_eq!(from_es.message, "action [x] is unauthorized");
        let internal: KbnError = ApiError::new(500, "exception", "secret detail").into();
        assert!(!internal.message.contains("secret"));
    }
}
