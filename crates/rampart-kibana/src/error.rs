//! Kibana's HTTP error shape: `{"statusCode", "error", "message"}`.

use rampart_core::error::EsError;
use serde_json::{Value, json};
use thiserror::Error;

/// An error a Kibana API answers with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct KibanaError {
    pub status: u16,
    pub message: String,
}

impl KibanaError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        KibanaError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// The HTTP reason phrase Kibana puts in `error`.
    pub fn error_name(&self) -> &'static str {
        match self.status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            _ => "Internal Server Error",
        }
    }

    /// The response body.
    pub fn to_json(&self) -> Value {
        json!({"statusCode": self.status, "error": self.error_name(), "message": self.message})
    }
}

impl EsError for KibanaError {
    fn es_type(&self) -> &'static str {
        match self.status {
            400 => "kibana_validation_exception",
            403 => "security_exception",
            404 => "resource_not_found_exception",
            409 => "version_conflict_engine_exception",
            _ => "kibana_exception",
        }
    }
    fn status(&self) -> u16 {
        self.status
    }
}
