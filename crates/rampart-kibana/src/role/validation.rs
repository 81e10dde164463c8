//! Validation errors of the role API (sections a.3 and a.4) and how Kibana answers them.

use std::fmt;

use crate::error::KibanaError;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// A route-schema error: `[<root>.<path>]: <reason>` (root `request body` or
    /// `request params`).
    Schema {
        root: &'static str,
        path: String,
        reason: String,
    },
    /// A feature-aware error (a.4), reported together in one message.
    Feature(String),
}

impl ValidationError {
    pub fn body(path: impl Into<String>, reason: impl Into<String>) -> Self {
        ValidationError::Schema {
            root: "request body",
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub fn params(path: impl Into<String>, reason: impl Into<String>) -> Self {
        ValidationError::Schema {
            root: "request params",
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::Schema { root, path, reason } if path.is_empty() => {
                write!(f, "[{root}]: {reason}")
            }
            ValidationError::Schema { root, path, reason } => {
                write!(f, "[{root}.{path}]: {reason}")
            }
            ValidationError::Feature(s) => f.write_str(s),
        }
    }
}

/// The 400 Kibana answers: the first schema error as is (the route validator stops at the
/// first), otherwise every feature error in one message.
pub fn validation_response(errors: &[ValidationError]) -> KibanaError {
    if let Some(first) = errors
        .iter()
        .find(|e| matches!(e, ValidationError::Schema { .. }))
    {
        return KibanaError::bad_request(first.to_string());
    }
    KibanaError::bad_request(feature_errors_message(errors))
}

/// `Role cannot be updated due to validation errors: ["…","…"]` (also the bulk route's
/// `kibana_privilege_validation_exception` reason).
pub fn feature_errors_message(errors: &[ValidationError]) -> String {
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "Role cannot be updated due to validation errors: {}",
        serde_json::Value::from(list)
    )
}

/// Standard schema reasons.
pub(crate) fn type_reason(expected: &str, got: &serde_json::Value) -> String {
    let got = match got {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "Array",
        serde_json::Value::Object(_) => "Object",
    };
    format!("expected value of type [{expected}] but got [{got}]")
}

pub(crate) fn min_size_reason(size: usize, min: usize) -> String {
    format!("array size is [{size}], but cannot be smaller than [{min}]")
}

pub(crate) fn max_length_reason(len: usize, max: usize) -> String {
    format!("value has length [{len}] but it must have a maximum length of [{max}].")
}

pub(crate) const UNKNOWN_KEY: &str = "definition for this key is missing";
