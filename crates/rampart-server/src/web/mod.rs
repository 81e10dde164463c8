//! The web UI served by the Kibana listener: login with a server-side session, the role, user
//! and space management pages (embedded static files from `web/src`), and the few routes the
//! pages need beyond Kibana's APIs.
//!
//! Routes (`router`):
//! * `GET /login`, `GET /app/management[/{*rest}]` (shell; redirects to `/login` without a
//!   session), `GET /ui/{file}` (embedded scripts and styles);
//! * `POST /internal/security/login` (Kibana's body; needs `kbn-xsrf`), `POST
//!   /internal/security/logout`, `GET /internal/security/me`;
//! * `POST /api/console/proxy?path=&method=`: the Elasticsearch API with the session's identity;
//! * `POST /internal/rampart/privilege_summary`: the summary of unsaved Kibana privileges.
//!
//! Every write authenticated by the cookie must carry the session's CSRF token
//! (`x-csrf-token`). The Kibana listener authenticates its own API routes by cookie with
//! [`authenticate_session`], falling back to the `Authorization` header when it answers `None`.

mod assets;
mod auth;
mod login;
mod proxy;
pub mod session;
mod summary;

use axum::Router;
use axum::routing::{get, post};

pub use auth::{SessionAuth, authenticate_session, kibana_error};
pub use session::{COOKIE_NAME, CSRF_HEADER, SessionStore};
pub use summary::summarize;

use crate::state::SharedState;

/// What the web routes share: the node, and the Elasticsearch router the console proxy uses
/// (built once, not per request).
#[derive(Clone)]
pub struct WebState {
    pub app: SharedState,
    es: Router,
}

impl std::fmt::Debug for WebState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebState").finish_non_exhaustive()
    }
}

/// The web UI's routes, to merge into the Kibana listener's router.
pub fn router(state: SharedState) -> Router {
    let web = WebState {
        es: crate::app(state.clone()),
        app: state,
    };
    Router::new()
        .route("/login", get(assets::login_page))
        .route("/app/management", get(assets::shell))
        .route("/app/management/{*rest}", get(assets::shell))
        .route("/ui/{file}", get(assets::static_file))
        .route("/internal/security/login", post(login::login))
        .route("/internal/security/logout", post(login::logout))
        .route("/internal/security/me", get(login::me))
        .route("/api/console/proxy", post(proxy::console_proxy))
        .route(
            "/internal/rampart/privilege_summary",
            post(summary::privilege_summary_route),
        )
        .with_state(web)
}
