//! `POST /api/console/proxy?path=<ES path>&method=<verb>`: Kibana's console proxy. The page
//! reaches the Elasticsearch API (users, ES-format roles, `_explain`, `_has_privileges`)
//! through it with its session: the request goes through the same route table, authorization
//! and audit as on the Elasticsearch port, authenticated as the session's user.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower::ServiceExt;

use super::WebState;
use super::auth::{authenticate_session, kibana_api_error, kibana_error};
use crate::routes::PreAuthenticated;

#[derive(Debug, Deserialize)]
pub struct ProxyQuery {
    path: Option<String>,
    method: Option<String>,
}

fn parse_method(m: &str) -> Option<Method> {
    match m.to_ascii_uppercase().as_str() {
        "GET" => Some(Method::GET),
        "POST" => Some(Method::POST),
        "PUT" => Some(Method::PUT),
        "DELETE" => Some(Method::DELETE),
        "HEAD" => Some(Method::HEAD),
        _ => None,
    }
}

/// Only a path on this node: `/` then anything but a second `/` (no scheme or authority).
fn valid_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains(['\r', '\n', ' '])
}

pub async fn console_proxy(
    State(web): State<WebState>,
    Query(q): Query<ProxyQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(path), Some(method)) = (q.path, q.method) else {
        return kibana_error(
            400,
            "[request query.path]: expected value of type [string] but got [undefined]",
        );
    };
    let Some(method) = parse_method(&method) else {
        return kibana_error(400, "[request query.method]: unsupported method");
    };
    if !valid_path(&path) {
        return kibana_error(400, "[request query.path]: must be a path on this node");
    }
    let session = match authenticate_session(&web.app, &headers, &Method::POST).await {
        Ok(s) => s,
        Err(e) => return kibana_api_error(&e),
    };
    let mut builder = Request::builder().method(method).uri(path.as_str());
    if !body.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    match &session {
        Some(_) => {}
        // Without a session the caller's own credentials go through (curl, scripts).
        None => match headers.get(header::AUTHORIZATION) {
            Some(a) => builder = builder.header(header::AUTHORIZATION, a.clone()),
            None => return kibana_error(401, "Unauthorized"),
        },
    }
    let mut request = match builder.body(Body::from(body)) {
        Ok(r) => r,
        Err(_) => return kibana_error(400, "[request query.path]: invalid path"),
    };
    if let Some(s) = session {
        request.extensions_mut().insert(PreAuthenticated(s.auth));
    }
    match web.es.clone().oneshot(request).await {
        Ok(mut resp) => {
            resp.headers_mut()
                .insert("cache-control", HeaderValue::from_static("no-store"));
            resp
        }
        Err(never) => match never {},
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_and_known_methods() {
        assert!(valid_path("/_security/user"));
        assert!(!valid_path("//evil/_security"));
        assert!(!valid_path("http://evil/"));
        assert!(!valid_path("/a b"));
        assert_eq!(parse_method("put"), Some(Method::PUT));
        assert_eq!(parse_method("TRACE"), None);
    }
}
