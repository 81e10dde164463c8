//! Logging in and out: `POST /internal/security/login` (Kibana's body shape) checks Basic
//! credentials through the realm chain and starts a server-side session;
//! `POST /internal/security/logout` ends it; `GET /internal/security/me` names the user.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::WebState;
use super::auth::{authenticate_session, kibana_api_error, kibana_error};
use super::session::COOKIE_NAME;
use crate::settings::Settings;

/// Where the UI starts after logging in.
pub const HOME: &str = "/app/management";

/// Kibana's setting that forces the `Secure` flag (for TLS terminated in front of the node).
pub const SECURE_COOKIES: &str = "xpack.security.secureCookies";

/// Whether session cookies carry `Secure`: when this node serves HTTPS, or when
/// `xpack.security.secureCookies` says TLS is terminated in front of it (as in Kibana). A
/// malformed value counts as true: a cookie refused over plain HTTP is the safe mistake.
pub fn secure_cookies(settings: &Settings) -> bool {
    [crate::tls::SSL_ENABLED, SECURE_COOKIES]
        .iter()
        .any(|name| settings.get_bool(name, false).unwrap_or(true))
}

fn cookie(value: &str, max_age: u64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Only same-origin paths may be redirected to after login (no open redirect).
fn safe_location(url: Option<&str>) -> String {
    match url {
        Some(u) if u.starts_with("/app/") && !u.starts_with("//") && !u.contains('\\') => {
            u.to_string()
        }
        _ => HOME.to_string(),
    }
}

struct Credentials {
    username: String,
    password: String,
    location: String,
}

fn parse_login(body: &[u8]) -> Option<Credentials> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let params = v.get("params")?;
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    Some(Credentials {
        username: text(params, "username")?,
        password: text(params, "password")?,
        location: safe_location(v.get("currentURL").and_then(Value::as_str)),
    })
}

/// `POST /internal/security/login`: `{"providerType":"basic","providerName":"basic",
/// "currentURL", "params":{"username","password"}}` → 200 `{"location"}` and the cookie.
pub async fn login(State(web): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    // Kibana refuses every write without `kbn-xsrf`; a cross-site form cannot set it.
    if !headers.contains_key("kbn-xsrf") {
        return kibana_error(400, "Request must contain a kbn-xsrf header.");
    }
    let Some(creds) = parse_login(&body) else {
        return kibana_error(
            400,
            "[request body.params]: expected an object with [username] and [password]",
        );
    };
    let state = &web.app;
    let uri = "/internal/security/login";
    let auth = match state
        .authn
        .authenticate_password(state, &creds.username, &creds.password, uri)
        .await
    {
        Ok(a) => a,
        Err(e) => {
            tracing::info!(user = %creds.username, reason = %e.reason, "web login failed");
            return kibana_error(401, "Unauthorized");
        }
    };
    let (id, _) = state.web_sessions.create(
        &auth.user.username,
        auth.authentication_realm.clone(),
        Instant::now(),
    );
    let mut resp = axum::Json(json!({"location": creds.location})).into_response();
    let secure = secure_cookies(&state.settings);
    if let Some(c) = cookie(&id, state.web_sessions.idle_seconds(), secure) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// `POST /internal/security/logout` (with the CSRF token): ends the session, clears the cookie.
pub async fn logout(State(web): State<WebState>, headers: HeaderMap) -> Response {
    match authenticate_session(&web.app, &headers, &Method::POST).await {
        Ok(Some(s)) => web.app.web_sessions.remove(&s.id),
        Ok(None) => return kibana_error(401, "Unauthorized"),
        Err(e) => return kibana_api_error(&e),
    }
    let mut resp = axum::Json(json!({"location": "/login"})).into_response();
    if let Some(c) = cookie("", 0, secure_cookies(&web.app.settings)) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// `GET /internal/security/me`: the session's user, as Kibana's route answers it.
pub async fn me(State(web): State<WebState>, headers: HeaderMap) -> Response {
    match authenticate_session(&web.app, &headers, &Method::GET).await {
        Ok(Some(s)) => {
            let mut user = s.auth.user.to_json();
            if let Value::Object(m) = &mut user {
                m.insert(
                    "authentication_realm".into(),
                    s.auth.authentication_realm.to_json(),
                );
                m.insert("lookup_realm".into(), s.auth.lookup_realm.to_json());
                m.insert(
                    "authentication_provider".into(),
                    json!({"type": "basic", "name": "basic"}),
                );
                m.insert("authentication_type".into(), json!("realm"));
            }
            axum::Json(user).into_response()
        }
        Ok(None) => kibana_error(401, "Unauthorized"),
        Err(e) => kibana_api_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_body_and_redirects() {
        let c = parse_login(
            br#"{"providerType":"basic","providerName":"basic","currentURL":"/app/management/roles","params":{"username":"u","password":"p"}}"#,
        )
        .unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "p"));
        assert_eq!(c.location, "/app/management/roles");
        assert!(parse_login(br#"{"params":{"username":"u"}}"#).is_none());
        assert!(parse_login(b"not json").is_none());
        assert_eq!(safe_location(Some("https://evil.example/")), HOME);
        assert_eq!(safe_location(Some("//evil.example/app/")), HOME);
        assert_eq!(safe_location(None), HOME);
    }

    #[test]
    fn session_cookie_is_http_only_and_strict() {
        let c = cookie("abc", 60, false).unwrap();
        let s = c.to_str().unwrap();
        assert!(s.contains("HttpOnly"));
        assert!(s.contains("SameSite=Strict"));
        assert!(s.contains("Max-Age=60"));
        assert!(!s.contains("Secure"));
        let c = cookie("abc", 60, true).unwrap();
        assert!(c.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn cookies_are_secure_under_tls_or_when_asked() {
        let with = |pairs: &[(&str, &str)]| {
            let mut s = Settings::default();
            for (k, v) in pairs {
                s.set(k, *v);
            }
            secure_cookies(&s)
        };
        assert!(!with(&[]));
        assert!(!with(&[(crate::tls::SSL_ENABLED, "false")]));
        assert!(with(&[(crate::tls::SSL_ENABLED, "true")]));
        assert!(with(&[(SECURE_COOKIES, "true")]));
        assert!(!with(&[(SECURE_COOKIES, "false")]));
        // A malformed value fails safe.
        assert!(with(&[(SECURE_COOKIES, "maybe")]));
    }
}
