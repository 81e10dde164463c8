//! Upstream failures, sanitised: they carry a status and an Elasticsearch error type, never
//! the upstream's reason text or body (which may echo role queries or documents).

use rampart_core::error::EsError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// Bad configuration (URL, CA file); found at startup.
    #[error("invalid upstream configuration: {0}")]
    Config(String),
    /// No connection could be made, or it broke before an answer.
    #[error("the upstream cluster is unreachable")]
    Unreachable,
    #[error("the upstream cluster did not answer in time")]
    Timeout,
    /// The upstream answered with an error status. `reason` is only kept for error types
    /// known to carry no request content (see `SAFE_REASON_TYPES`).
    #[error("{}", reason.as_deref().unwrap_or("the upstream cluster rejected the request"))]
    Status {
        status: u16,
        es_type: String,
        reason: Option<String>,
    },
    /// The request cannot be expressed to the upstream (a client error, found before sending).
    #[error("{0}")]
    BadRequest(String),
    /// The upstream's answer was not the JSON expected.
    #[error("the upstream cluster sent an unexpected response")]
    InvalidResponse,
}

/// Error types whose reason names only indices, ids or versions, never query content.
const SAFE_REASON_TYPES: &[&str] = &[
    "index_not_found_exception",
    "resource_already_exists_exception",
    "version_conflict_engine_exception",
    "document_missing_exception",
    "index_closed_exception",
];

impl UpstreamError {
    /// Builds the sanitised error from an upstream error response body.
    pub fn from_status(status: u16, body: &serde_json::Value) -> Self {
        let error = body.get("error");
        let es_type = error
            .and_then(|e| e.get("type"))
            .and_then(|t| t.as_str())
            .unwrap_or("status_exception")
            .to_owned();
        let reason = if SAFE_REASON_TYPES.contains(&es_type.as_str()) {
            error
                .and_then(|e| e.get("reason"))
                .and_then(|r| r.as_str())
                .map(str::to_owned)
        } else {
            None
        };
        Self::Status {
            status,
            es_type,
            reason,
        }
    }

    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl EsError for UpstreamError {
    fn es_type(&self) -> &'static str {
        match self {
            Self::Config(_) | Self::Unreachable | Self::Timeout | Self::InvalidResponse => {
                "status_exception"
            }
            Self::BadRequest(_) => "illegal_argument_exception",
            // The upstream's own type is kept in `Status` for logs; clients see a fixed type
            // from a closed set so no upstream text reaches them through it.
            Self::Status { es_type, .. } => match es_type.as_str() {
                "index_not_found_exception" => "index_not_found_exception",
                "resource_already_exists_exception" => "resource_already_exists_exception",
                "version_conflict_engine_exception" => "version_conflict_engine_exception",
                "document_missing_exception" => "document_missing_exception",
                "index_closed_exception" => "index_closed_exception",
                "search_context_missing_exception" => "search_context_missing_exception",
                _ => "status_exception",
            },
        }
    }

    fn status(&self) -> u16 {
        match self {
            Self::Config(_) | Self::InvalidResponse => 502,
            Self::Unreachable => 503,
            Self::BadRequest(_) => 400,
            Self::Timeout => 504,
            Self::Status { status, .. } => *status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_echoing_reasons_are_dropped() {
        let body = json!({"error": {"type": "search_phase_execution_exception",
            "reason": "failed to parse {\"term\":{\"secret_dept\":\"x\"}}"}, "status": 400});
        let err = UpstreamError::from_status(400, &body);
        assert_eq!(err.reason(), "the upstream cluster rejected the request");
        assert_eq!(err.es_type(), "status_exception");
        assert_eq!(err.status(), 400);
        assert!(!format!("{err:?}").contains("secret_dept"));
    }

    #[test]
    fn index_not_found_keeps_its_reason() {
        let body = json!({"error": {"type": "index_not_found_exception",
            "reason": "no such index [logs]"}, "status": 404});
        let err = UpstreamError::from_status(404, &body);
        assert_eq!(err.reason(), "no such index [logs]");
        assert_eq!(err.es_type(), "index_not_found_exception");
        assert_eq!(err.status(), 404);
    }

    #[test]
    fn bodies_without_an_error_object_are_generic() {
        let err = UpstreamError::from_status(500, &json!("boom"));
        assert_eq!(err.es_type(), "status_exception");
        assert_eq!(err.reason(), "the upstream cluster rejected the request");
    }
}
