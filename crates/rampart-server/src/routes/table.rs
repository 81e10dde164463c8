//! The one route table.

use axum::http::Method;
use rampart_core::authz::{ApiKeyRequest, ClusterRequest, RoleManageRequest};
use rampart_core::role::RoleDescriptor;

use super::Handler;
use crate::api;
use crate::error::ApiError;
use crate::http::Req;

/// Request facts that conditional privileges look at, extracted before authorization.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub api_key: Option<ApiKeyRequest>,
    pub applications: Option<Vec<String>>,
    pub profile_namespaces: Option<Vec<String>>,
    pub roles_put: Option<Vec<RoleDescriptor>>,
    pub roles_delete: Option<Vec<String>>,
    pub username: Option<String>,
    /// The action actually performed when it depends on the request (e.g. token refresh).
    pub action: Option<&'static str>,
}

impl Facts {
    /// The engine's borrowed view.
    pub fn as_request(&self) -> ClusterRequest<'_> {
        ClusterRequest {
            api_key: self.api_key.clone(),
            applications: self.applications.as_deref(),
            profile_namespaces: self.profile_namespaces.as_deref(),
            roles: match (&self.roles_put, &self.roles_delete) {
                (Some(r), _) => Some(RoleManageRequest::Put(r)),
                (None, Some(n)) => Some(RoleManageRequest::Delete(n)),
                _ => None,
            },
            username: self.username.as_deref(),
        }
    }
}

/// Extracts (and validates) request facts; errors here are 400s that come before any 403.
pub type FactsFn = fn(&Req, &crate::routes::Ctx) -> Result<Facts, ApiError>;

/// How a route is authorized.
#[derive(Clone, Copy)]
pub enum Authz {
    /// A cluster action, with optional request facts.
    Cluster(Option<FactsFn>),
}

impl std::fmt::Debug for Authz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authz::Cluster(facts) => write!(f, "Cluster(facts: {})", facts.is_some()),
        }
    }
}

/// One route.
#[derive(Clone)]
pub struct Route {
    pub method: Method,
    /// axum path syntax (`/_security/role/{name}`).
    pub path: &'static str,
    /// The transport action name (actions.tsv).
    pub action: &'static str,
    pub authz: Authz,
    pub handler: Handler,
    /// A boolean setting that must be `true` for the route to exist (test-harness routes).
    pub enabled_by: Option<&'static str>,
}

impl Route {
    /// Register the route only when `setting` is `true`.
    pub fn only_if(mut self, setting: &'static str) -> Self {
        self.enabled_by = Some(setting);
        self
    }

    /// Whether the route exists on a node with these settings.
    pub fn enabled(&self, settings: &crate::settings::Settings) -> bool {
        self.enabled_by
            .is_none_or(|s| settings.get_bool(s, false).unwrap_or(false))
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} -> {} {:?}",
            self.method, self.path, self.action, self.authz
        )
    }
}

fn route(
    method: Method,
    path: &'static str,
    action: &'static str,
    authz: Authz,
    handler: Handler,
) -> Route {
    Route {
        method,
        path,
        action,
        authz,
        handler,
        enabled_by: None,
    }
}

/// The routes that exist on a node with these settings.
pub fn routes_for(settings: &crate::settings::Settings) -> Vec<Route> {
    routes()
        .into_iter()
        .filter(|r| r.enabled(settings))
        .collect()
}

/// Every route of the server (including setting-gated ones). Sections by API group; one line per (method, path).
pub fn routes() -> Vec<Route> {
    use Method as M;
    let plain = Authz::Cluster(None);
    #[rustfmt::skip]
    let table = vec![
        // == cluster ==
        route(M::GET, "/", "cluster:monitor/main", plain, api::root::info),
        route(M::GET, "/_cluster/health", "cluster:monitor/health", plain, api::root::health),
        route(M::GET, "/_cluster/health/{index}", "cluster:monitor/health", plain, api::root::health),
        // == authenticate ==
        route(M::GET, "/_security/_authenticate", "cluster:admin/xpack/security/user/authenticate", plain, api::authenticate::authenticate),
        // == roles, role mappings, application privileges ==
        // == end roles ==
        // == users, has_privileges, explain ==
        // == end users ==
        // == api keys, tokens, service accounts, caches ==
        // == end api keys ==
        // == test harness ==
        route(M::POST, "/_rampart/_reset", api::reset::RESET_ACTION, plain, api::reset::reset).only_if(api::reset::RESET_SETTING),
        // == end test harness ==
    ];
    table
}
