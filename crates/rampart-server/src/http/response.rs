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
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply { status: 200, body }
    }

    pub fn status(status: u16, body: Value) -> Self {
        Reply { status, body }
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

/// Render a handler result.
pub fn respond(req: &Req, result: Result<Reply, ApiError>) -> Response {
    match result {
        Ok(reply) => render(Some(req), reply.status, reply.body, None),
        Err(e) => render(Some(req), e.status, e.body(), Some(&e)),
    }
}
