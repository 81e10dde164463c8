//! Turning handler results into responses: status, JSON body, `?pretty`, `?filter_path`,
//! and the headers every Elasticsearch response carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::filter_path::filter_path;
use super::negotiation::negotiate;
use super::request::Req;
use crate::error::ApiError;

/// A successful handler result.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// A plain-text body sent instead of `body` (the Prometheus exposition format).
    pub text: Option<String>,
    /// The JSON body already serialized compactly, sent instead of `body` (hot handlers that
    /// skip building a `Value`); `?pretty` and `?filter_path` read it back into a value.
    pub serialized: Option<Vec<u8>>,
    /// Deprecation warnings, each sent as an ES `Warning` header.
    pub warnings: Vec<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body,
            text: None,
            serialized: None,
            warnings: Vec::new(),
        }
    }

    pub fn status(status: u16, body: Value) -> Self {
        Reply {
            status,
            body,
            text: None,
            serialized: None,
            warnings: Vec::new(),
        }
    }

    /// A `text/plain` answer.
    pub fn text(status: u16, text: String) -> Self {
        Reply {
            status,
            body: Value::Null,
            text: Some(text),
            serialized: None,
            warnings: Vec::new(),
        }
    }

    /// A JSON answer serialized by the handler (compact, as `serde_json::to_vec` writes it).
    pub fn serialized(status: u16, json: Vec<u8>) -> Self {
        Reply {
            status,
            body: Value::Null,
            text: None,
            serialized: Some(json),
            warnings: Vec::new(),
        }
    }

    /// This reply with a deprecation warning added.
    pub fn with_warning(mut self, text: impl Into<String>) -> Self {
        self.warnings.push(text.into());
        self
    }

    /// The JSON body as a value, reading a serialized one back.
    pub fn into_value(self) -> Value {
        match self.serialized {
            Some(json) => serde_json::from_slice(&json).unwrap_or_else(|e| {
                tracing::error!(error = %e, "a handler serialized invalid JSON");
                Value::Null
            }),
            None => self.body,
        }
    }
}

/// Render a JSON body honouring `pretty` and `filter_path`.
pub fn render(req: Option<&Req>, status: u16, body: Value, error: Option<&ApiError>) -> Response {
    let mut body = body;
    let mut pretty = false;
    let mut content_type = HeaderValue::from_static("application/json");
    if let Some(req) = req {
        // Answer in the compatible media type the client asked for (already validated on
        // the way in; a failure here only means the request never got that far).
        if let Ok(n) = negotiate(&req.headers, false) {
            if let Ok(v) = HeaderValue::from_str(&n.response_content_type()) {
                content_type = v;
            }
        }
        if let Some(paths) = req.query("filter_path") {
            let filtered = filter_path(&body, paths);
            // An error must stay recognisable as one: if the filter removed it entirely, the
            // client gets the whole error rather than an empty object.
            let lost_error = error.is_some() && filtered.as_object().is_some_and(|o| o.is_empty());
            if !lost_error {
                body = filtered;
            }
        }
        pretty = matches!(req.query("pretty"), Some("" | "true"));
    }
    let bytes = if pretty {
        let mut b = serde_json::to_vec_pretty(&body).unwrap_or_default();
        b.push(b'\n');
        b
    } else {
        serde_json::to_vec(&body).unwrap_or_default()
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, bytes).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(e) = error {
        for v in &e.authenticate {
            if let Ok(v) = HeaderValue::from_str(v) {
                headers.append(header::WWW_AUTHENTICATE, v);
            }
        }
    }
    resp
}

/// What rendering needs from a request, taken before the request moves into its handler.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    content_type: HeaderValue,
    filter_path: Option<String>,
    pretty: bool,
}

impl RenderOptions {
    pub fn of(req: &Req) -> Self {
        // Only `Accept` can ask for a compatible media type here; without it (most clients)
        // the answer is plain JSON and there is nothing to parse.
        let content_type = if req.headers.contains_key(header::ACCEPT) {
            negotiate(&req.headers, false)
                .ok()
                .and_then(|n| HeaderValue::from_str(&n.response_content_type()).ok())
                .unwrap_or_else(|| HeaderValue::from_static("application/json"))
        } else {
            HeaderValue::from_static("application/json")
        };
        RenderOptions {
            content_type,
            filter_path: req.query("filter_path").map(String::from),
            pretty: matches!(req.query("pretty"), Some("" | "true")),
        }
    }

    /// Render a handler result with these options.
    pub fn respond(&self, result: Result<Reply, ApiError>) -> Response {
        if let Ok(Reply {
            status,
            text: Some(text),
            ..
        }) = &result
        {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
            let mut resp = (status, text.clone()).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            return resp;
        }
        let result = match result {
            // Sent as serialized unless it must be filtered or re-indented.
            Ok(Reply {
                status,
                serialized: Some(json),
                warnings,
                ..
            }) if self.filter_path.is_none() && !self.pretty => {
                let mut resp = finish_bytes(status, json, self.content_type.clone(), None);
                add_warnings(resp.headers_mut(), &warnings);
                return resp;
            }
            other => other,
        };
        let mut warnings = Vec::new();
        let (status, mut body, error) = match result {
            Ok(mut reply) => {
                warnings = std::mem::take(&mut reply.warnings);
                (reply.status, reply.into_value(), None)
            }
            Err(e) => (e.status, e.body(), Some(e)),
        };
        if let Some(paths) = &self.filter_path {
            let filtered = filter_path(&body, paths);
            let lost_error = error.is_some() && filtered.as_object().is_some_and(|o| o.is_empty());
            if !lost_error {
                body = filtered;
            }
        }
        let mut resp = finish(
            status,
            &body,
            self.pretty,
            self.content_type.clone(),
            error.as_ref(),
        );
        add_warnings(resp.headers_mut(), &warnings);
        resp
    }
}

fn finish(
    status: u16,
    body: &Value,
    pretty: bool,
    content_type: HeaderValue,
    error: Option<&ApiError>,
) -> Response {
    let bytes = if pretty {
        let mut b = serde_json::to_vec_pretty(body).unwrap_or_default();
        b.push(b'\n');
        b
    } else {
        serde_json::to_vec(body).unwrap_or_default()
    };
    finish_bytes(status, bytes, content_type, error)
}

fn finish_bytes(
    status: u16,
    bytes: Vec<u8>,
    content_type: HeaderValue,
    error: Option<&ApiError>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, bytes).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(e) = error {
        for v in &e.authenticate {
            if let Ok(v) = HeaderValue::from_str(v) {
                headers.append(header::WWW_AUTHENTICATE, v);
            }
        }
    }
    resp
}

/// Render a handler result.
pub fn respond(req: &Req, result: Result<Reply, ApiError>) -> Response {
    match result {
        Ok(mut reply) => {
            let warnings = std::mem::take(&mut reply.warnings);
            let mut resp = render(Some(req), reply.status, reply.into_value(), None);
            add_warnings(resp.headers_mut(), &warnings);
            resp
        }
        Err(e) => render(Some(req), e.status, e.body(), Some(&e)),
    }
}

/// Each warning as ES sends it: `299 Elasticsearch-<version>-<build hash> "<text>"`, with the
/// text's quotes and backslashes escaped. Rampart has no ES build hash: ES writes `unknown`
/// then.
fn add_warnings(headers: &mut axum::http::HeaderMap, warnings: &[String]) {
    for text in warnings {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        let value = format!(
            "299 Elasticsearch-{}-unknown \"{escaped}\"",
            crate::ES_COMPAT_VERSION
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(header::WARNING, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_quoted_and_escaped_as_es_sends_them() {
        let mut headers = axum::http::HeaderMap::new();
        add_warnings(&mut headers, &["plain".into(), r#"say "hi" \ bye"#.into()]);
        let values: Vec<&str> = headers
            .get_all(header::WARNING)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        let prefix = format!("299 Elasticsearch-{}-unknown", crate::ES_COMPAT_VERSION);
        assert_eq!(
            values,
            vec![
                format!("{prefix} \"plain\""),
                format!(r#"{prefix} "say \"hi\" \\ bye""#),
            ]
        );
    }

    #[test]
    fn a_reply_without_warnings_sends_no_warning_header() {
        let resp = RenderOptions {
            content_type: HeaderValue::from_static("application/json"),
            filter_path: None,
            pretty: false,
        }
        .respond(Ok(Reply::ok(serde_json::json!({}))));
        assert!(resp.headers().get(header::WARNING).is_none());
        let warned = RenderOptions {
            content_type: HeaderValue::from_static("application/json"),
            filter_path: None,
            pretty: true,
        }
        .respond(Ok(Reply::ok(serde_json::json!({})).with_warning("w")));
        assert_eq!(warned.headers().get_all(header::WARNING).iter().count(), 1);
    }
}
