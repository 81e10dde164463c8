//! Authenticating a request by its session cookie, for the web UI's routes and for the Kibana
//! listener's API routes (`authenticate_session`).

use std::time::Instant;

use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::session::{CSRF_HEADER, Session, constant_time_eq, session_id};
use crate::authn::{Authentication, Credential};
use crate::error::ApiError;
use crate::state::SharedState;

/// A request authenticated by a live session.
#[derive(Debug, Clone)]
pub struct SessionAuth {
    pub id: String,
    pub session: Session,
    pub auth: Authentication,
}

/// Writes must prove they come from our own page: the CSRF token it was rendered with.
fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Authenticate a request by its session cookie.
///
/// `Ok(None)`: no cookie, or a session that expired or whose user can no longer log in (the
/// caller falls back to the `Authorization` header, which answers the usual 401).
/// `Err(403)`: a live session but a write without the session's CSRF token in `x-csrf-token`.
/// The user is re-read through the realm chain on every request, so roles and the enabled
/// flag are always current.
pub async fn authenticate_session(
    state: &SharedState,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Option<SessionAuth>, ApiError> {
    let Some(id) = session_id(headers) else {
        return Ok(None);
    };
    let Some(session) = state.web_sessions.touch(&id, Instant::now()) else {
        return Ok(None);
    };
    if is_write(method) {
        let presented = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !constant_time_eq(presented, &session.csrf_token) {
            return Err(ApiError::new(
                403,
                "security_exception",
                "missing or invalid CSRF token",
            ));
        }
    }
    let found = state.authn.lookup_user(state, &session.username).await?;
    let Some((user, realm)) = found.filter(|(u, r)| u.enabled && *r == session.realm) else {
        state.web_sessions.remove(&id);
        return Ok(None);
    };
    let auth = Authentication {
        user,
        authentication_realm: realm.clone(),
        lookup_realm: realm,
        run_as: None,
        credential: Credential::Password,
    };
    Ok(Some(SessionAuth { id, session, auth }))
}

/// Kibana's error shape: `{"statusCode", "error", "message"}`.
pub fn kibana_error(status: u16, message: &str) -> Response {
    let code =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    let body = json!({
        "statusCode": status,
        "error": code.canonical_reason().unwrap_or("Error"),
        "message": message,
    });
    (code, axum::Json(body)).into_response()
}

/// An `ApiError` in Kibana's shape (internal detail was already logged by `ApiError`).
pub fn kibana_api_error(e: &ApiError) -> Response {
    kibana_error(e.status, &e.reason)
}
