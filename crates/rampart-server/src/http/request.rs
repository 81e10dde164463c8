//! A request as handlers see it: path parameters, query parameters, headers and the body,
//! with ES-style parsing helpers that turn bad input into 400s.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;

/// One HTTP request, already read.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    /// Path without the query string.
    pub path: String,
    /// Path and query string, as ES prints it in messages.
    pub uri: String,
    pub params: HashMap<String, String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body parsed as JSON, once: validation before authorization and the handler after
    /// it both read it (see `json_ref`).
    pub parsed: OnceLock<Option<Value>>,
}

impl Req {
    /// A path parameter (`{name}` in the route).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A required path parameter.
    pub fn param_required(&self, name: &str) -> Result<&str, ApiError> {
        self.param(name)
            .ok_or_else(|| ApiError::bad_request(format!("missing path parameter [{name}]")))
    }

    /// A comma-separated path parameter as a list.
    pub fn param_list(&self, name: &str) -> Vec<String> {
        self.param(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The last value of a query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean query parameter; a bare `?flag` means true, as in Elasticsearch.
    pub fn query_bool(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.query(name) {
            None => Ok(default),
            Some("" | "true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "Failed to parse value [{other}] as only [true] or [false] are allowed."
            ))),
        }
    }

    /// A comma-separated query parameter as a list.
    pub fn query_list(&self, name: &str) -> Vec<String> {
        self.query(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A header as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON; `None` when empty.
    pub fn json(&self) -> Result<Option<Value>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&self.body)
            .map(Some)
            .map_err(json_error)
    }

    /// The body parsed as JSON, borrowed; parsed on the first call only. `None` when empty.
    pub fn json_ref(&self) -> Result<Option<&Value>, ApiError> {
        if let Some(parsed) = self.parsed.get() {
            return Ok(parsed.as_ref());
        }
        let parsed = self.json()?;
        Ok(self.parsed.get_or_init(|| parsed).as_ref())
    }

    /// `json_ref`, with an empty body being ES's "request body is required".
    pub fn json_ref_required(&self) -> Result<&Value, ApiError> {
        self.json_ref()?
            .ok_or_else(|| ApiError::parse("request body is required"))
    }

    /// The body parsed as JSON; an empty body is ES's "request body is required".
    pub fn json_required(&self) -> Result<Value, ApiError> {
        self.json()?
            .ok_or_else(|| ApiError::parse("request body is required"))
    }
}

/// ES reports malformed JSON as `x_content_parse_exception` (or `parse_exception` when the
/// bytes are not even JSON text).
pub fn json_error(e: serde_json::Error) -> ApiError {
    let reason = format!(
        "[{}:{}] {}",
        e.line(),
        e.column(),
        strip_position(&e.to_string())
    );
    ApiError::new(400, "x_content_parse_exception", reason)
}

fn strip_position(msg: &str) -> &str {
    msg.find(" at line ")
        .map_or(msg, |i| msg.get(..i).unwrap_or(msg))
}
