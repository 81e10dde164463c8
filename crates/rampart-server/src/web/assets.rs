//! The front end (`web/src` at the repository root), embedded in the binary: no CDN, no build
//! step. The login page is static; the application shell is rendered per request with the
//! session's CSRF token and what the user may do, so the first paint needs no extra request.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rampart_core::authz::ClusterRequest;
use rampart_kibana::access::{ActionOracle, RoleOracle};

use super::WebState;
use super::auth::{SessionAuth, authenticate_session, kibana_api_error};

const LOGIN_HTML: &str = include_str!("../../../../web/src/login.html");
const SHELL_HTML: &str = include_str!("../../../../web/src/index.html");

/// Static files under `/ui/`: name, content type, bytes.
const FILES: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../../../web/src/style.css"),
    ),
    ("login.js", JS, include_str!("../../../../web/src/login.js")),
    ("app.js", JS, include_str!("../../../../web/src/app.js")),
    ("api.js", JS, include_str!("../../../../web/src/api.js")),
    ("dom.js", JS, include_str!("../../../../web/src/dom.js")),
    (
        "role-model.js",
        JS,
        include_str!("../../../../web/src/role-model.js"),
    ),
    ("roles.js", JS, include_str!("../../../../web/src/roles.js")),
    (
        "role-form.js",
        JS,
        include_str!("../../../../web/src/role-form.js"),
    ),
    (
        "kibana-privileges.js",
        JS,
        include_str!("../../../../web/src/kibana-privileges.js"),
    ),
    ("users.js", JS, include_str!("../../../../web/src/users.js")),
    (
        "spaces.js",
        JS,
        include_str!("../../../../web/src/spaces.js"),
    ),
    (
        "explain.js",
        JS,
        include_str!("../../../../web/src/explain.js"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";

/// Pages are never framed by other sites, and only load our own scripts.
fn harden(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

fn html(body: String) -> Response {
    let mut resp = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    harden(&mut resp);
    resp
}

pub async fn static_file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => {
            let mut resp = (
                [
                    (header::CONTENT_TYPE, *content_type),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                *body,
            )
                .into_response();
            harden(&mut resp);
            resp
        }
        None => super::auth::kibana_error(404, "Not Found"),
    }
}

pub async fn login_page() -> Response {
    html(LOGIN_HTML.to_string())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Whether the session's user may run a cluster action (drives read-only vs editable views;
/// the APIs check again on every call).
fn may(web: &WebState, s: &SessionAuth, action: &str) -> bool {
    let state = &web.app;
    let Ok(role) = state.security.effective_role(state.store.as_ref(), &s.auth) else {
        return false;
    };
    role.authorize_cluster(&s.auth.subject(), action, &ClusterRequest::default())
        .is_ok_and(|d| d.denial().is_none())
}

/// Whether the session's user holds Kibana's global `space:manage` action (what creating,
/// updating and deleting spaces require; the spaces API checks again on every call).
fn may_manage_spaces(web: &WebState, s: &SessionAuth) -> bool {
    let state = &web.app;
    let Ok(role) = state.security.effective_role(state.store.as_ref(), &s.auth) else {
        return false;
    };
    let Ok(store) = state.security.application_privileges(state.store.as_ref()) else {
        return false;
    };
    let oracle = RoleOracle {
        role: &role,
        store: &store,
    };
    oracle.granted("*", "space:manage").unwrap_or(false)
}

pub fn render_shell(web: &WebState, s: &SessionAuth) -> String {
    let can = |a| if may(web, s, a) { "true" } else { "false" };
    let manage_spaces = if may_manage_spaces(web, s) {
        "true"
    } else {
        "false"
    };
    SHELL_HTML
        .replace("{{csrf}}", &s.session.csrf_token)
        .replace("{{username}}", &escape(&s.auth.user.username))
        .replace(
            "{{can_read_security}}",
            can("cluster:admin/xpack/security/role/get"),
        )
        .replace(
            "{{can_manage_security}}",
            can("cluster:admin/xpack/security/role/put"),
        )
        .replace("{{can_manage_spaces}}", manage_spaces)
}

/// `GET /app/management[/…]`: the application shell, or a redirect to the login page.
pub async fn shell(State(web): State<WebState>, uri: Uri, headers: HeaderMap) -> Response {
    match authenticate_session(&web.app, &headers, &Method::GET).await {
        Ok(Some(s)) => html(render_shell(&web, &s)),
        Ok(None) => {
            let next: String = uri
                .path()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
                .collect();
            let mut resp = StatusCode::FOUND.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/login?next={next}")) {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
        Err(e) => kibana_api_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_script_is_referenced_by_name_once() {
        let mut names: Vec<&str> = FILES.iter().map(|(n, _, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FILES.len());
        assert!(SHELL_HTML.contains("/ui/app.js"));
        assert!(LOGIN_HTML.contains("/ui/login.js"));
    }

    #[test]
    fn usernames_are_escaped_in_html() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
