//! The one route table.

use axum::http::Method;
use rampart_core::authz::{ApiKeyRequest, ClusterRequest, RoleManageRequest};
use rampart_core::role::RoleDescriptor;

use super::Handler;
use crate::api;
use crate::data;
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
    /// An index action: the pipeline runs the name-only pre-check (does any group grant the
    /// action at all, section 5.4) on the path's `{index}` names; the handler then resolves
    /// and authorizes the concrete names through `crate::data::target`.
    Index,
}

impl std::fmt::Debug for Authz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authz::Cluster(facts) => write!(f, "Cluster(facts: {})", facts.is_some()),
            Authz::Index => f.write_str("Index"),
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
    let secured = crate::security_disabled::security_enabled(settings).unwrap_or(true);
    routes()
        .into_iter()
        .filter(|r| r.enabled(settings))
        .filter(|r| secured || crate::security_disabled::route_exists(r.path))
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
        // == gateway monitoring (Rampart's own) ==
        route(M::GET, "/_rampart/health", crate::gateway::HEALTH_ACTION, plain, crate::gateway::health),
        route(M::GET, "/_rampart/metrics", crate::gateway::METRICS_ACTION, plain, crate::gateway::metrics),
        // == authenticate ==
        route(M::GET, "/_security/_authenticate", "cluster:admin/xpack/security/user/authenticate", plain, api::authenticate::authenticate),
        // == roles, role mappings, application privileges ==
        route(M::PUT, "/_security/role/{name}", "cluster:admin/xpack/security/role/put", Authz::Cluster(Some(api::roles::put_facts)), api::roles::put),
        route(M::POST, "/_security/role/{name}", "cluster:admin/xpack/security/role/put", Authz::Cluster(Some(api::roles::put_facts)), api::roles::put),
        route(M::GET, "/_security/role", "cluster:admin/xpack/security/role/get", plain, api::roles::get),
        route(M::GET, "/_security/role/{name}", "cluster:admin/xpack/security/role/get", plain, api::roles::get),
        route(M::DELETE, "/_security/role/{name}", "cluster:admin/xpack/security/role/delete", Authz::Cluster(Some(api::roles::delete_facts)), api::roles::delete),
        route(M::POST, "/_security/role", "cluster:admin/xpack/security/role/bulk_put", Authz::Cluster(Some(api::roles::bulk_put_facts)), api::roles::bulk_put),
        route(M::DELETE, "/_security/role", "cluster:admin/xpack/security/role/bulk_delete", Authz::Cluster(Some(api::roles::bulk_delete_facts)), api::roles::bulk_delete),
        route(M::GET, "/_security/_query/role", "cluster:admin/xpack/security/role/query", plain, api::roles_query::query),
        route(M::POST, "/_security/_query/role", "cluster:admin/xpack/security/role/query", plain, api::roles_query::query),
        route(M::POST, "/_security/role/{name}/_clear_cache", "cluster:admin/xpack/security/roles/cache/clear", plain, api::roles::clear_cache),
        route(M::PUT, "/_security/role_mapping/{name}", "cluster:admin/xpack/security/role_mapping/put", Authz::Cluster(Some(api::role_mappings::put_facts)), api::role_mappings::put),
        route(M::POST, "/_security/role_mapping/{name}", "cluster:admin/xpack/security/role_mapping/put", Authz::Cluster(Some(api::role_mappings::put_facts)), api::role_mappings::put),
        route(M::GET, "/_security/role_mapping", "cluster:admin/xpack/security/role_mapping/get", plain, api::role_mappings::get),
        route(M::GET, "/_security/role_mapping/{name}", "cluster:admin/xpack/security/role_mapping/get", plain, api::role_mappings::get),
        route(M::DELETE, "/_security/role_mapping/{name}", "cluster:admin/xpack/security/role_mapping/delete", plain, api::role_mappings::delete),
        route(M::PUT, "/_security/privilege", "cluster:admin/xpack/security/privilege/put", Authz::Cluster(Some(api::privileges::put_facts)), api::privileges::put),
        route(M::POST, "/_security/privilege", "cluster:admin/xpack/security/privilege/put", Authz::Cluster(Some(api::privileges::put_facts)), api::privileges::put),
        route(M::GET, "/_security/privilege", "cluster:admin/xpack/security/privilege/get", plain, api::privileges::get),
        route(M::GET, "/_security/privilege/_builtin", "cluster:admin/xpack/security/privilege/builtin/get", plain, api::privileges::builtin),
        route(M::GET, "/_security/privilege/{application}", "cluster:admin/xpack/security/privilege/get", Authz::Cluster(Some(api::privileges::path_facts)), api::privileges::get),
        route(M::GET, "/_security/privilege/{application}/{name}", "cluster:admin/xpack/security/privilege/get", Authz::Cluster(Some(api::privileges::path_facts)), api::privileges::get),
        route(M::DELETE, "/_security/privilege/{application}/{name}", "cluster:admin/xpack/security/privilege/delete", Authz::Cluster(Some(api::privileges::path_facts)), api::privileges::delete),
        route(M::POST, "/_security/privilege/{application}/_clear_cache", "cluster:admin/xpack/security/privilege/cache/clear", Authz::Cluster(Some(api::privileges::path_facts)), api::privileges::clear_cache),
        // == end roles ==
        // == users, has_privileges, explain ==
        route(M::GET, "/_security/user", "cluster:admin/xpack/security/user/get", plain, api::users::get_users),
        route(M::GET, "/_security/user/{username}", "cluster:admin/xpack/security/user/get", plain, api::users::get_users),
        route(M::PUT, "/_security/user/{username}", "cluster:admin/xpack/security/user/put", Authz::Cluster(Some(api::users::put_user_facts)), api::users::put_user),
        route(M::POST, "/_security/user/{username}", "cluster:admin/xpack/security/user/put", Authz::Cluster(Some(api::users::put_user_facts)), api::users::put_user),
        route(M::DELETE, "/_security/user/{username}", "cluster:admin/xpack/security/user/delete", plain, api::users::delete_user),
        route(M::PUT, "/_security/user/{username}/_enable", "cluster:admin/xpack/security/user/set_enabled", plain, api::users::enable_user),
        route(M::POST, "/_security/user/{username}/_enable", "cluster:admin/xpack/security/user/set_enabled", plain, api::users::enable_user),
        route(M::PUT, "/_security/user/{username}/_disable", "cluster:admin/xpack/security/user/set_enabled", plain, api::users::disable_user),
        route(M::POST, "/_security/user/{username}/_disable", "cluster:admin/xpack/security/user/set_enabled", plain, api::users::disable_user),
        route(M::PUT, "/_security/user/_password", "cluster:admin/xpack/security/user/change_password", Authz::Cluster(Some(api::users::change_password_facts)), api::users::change_password),
        route(M::POST, "/_security/user/_password", "cluster:admin/xpack/security/user/change_password", Authz::Cluster(Some(api::users::change_password_facts)), api::users::change_password),
        route(M::PUT, "/_security/user/{username}/_password", "cluster:admin/xpack/security/user/change_password", Authz::Cluster(Some(api::users::change_password_facts)), api::users::change_password),
        route(M::POST, "/_security/user/{username}/_password", "cluster:admin/xpack/security/user/change_password", Authz::Cluster(Some(api::users::change_password_facts)), api::users::change_password),
        route(M::GET, "/_security/_query/user", "cluster:admin/xpack/security/user/query", plain, api::user_query::query_users),
        route(M::POST, "/_security/_query/user", "cluster:admin/xpack/security/user/query", plain, api::user_query::query_users),
        route(M::GET, "/_security/user/_has_privileges", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::has_privileges::has_privileges_facts)), api::has_privileges::has_privileges),
        route(M::POST, "/_security/user/_has_privileges", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::has_privileges::has_privileges_facts)), api::has_privileges::has_privileges),
        route(M::GET, "/_security/user/{username}/_has_privileges", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::has_privileges::has_privileges_facts)), api::has_privileges::has_privileges),
        route(M::POST, "/_security/user/{username}/_has_privileges", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::has_privileges::has_privileges_facts)), api::has_privileges::has_privileges),
        route(M::GET, "/_security/user/_privileges", "cluster:admin/xpack/security/user/list_privileges", Authz::Cluster(Some(api::has_privileges::user_privileges_facts)), api::has_privileges::user_privileges),
        route(M::GET, "/_security/_explain", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::explain::explain_facts)), api::explain::explain),
        route(M::POST, "/_security/_explain", "cluster:admin/xpack/security/user/has_privileges", Authz::Cluster(Some(api::explain::explain_facts)), api::explain::explain),
        // == end users ==
        // == api keys, tokens, service accounts, caches ==
        route(M::PUT, "/_security/api_key", "cluster:admin/xpack/security/api_key/create", Authz::Cluster(Some(api::api_keys::create_facts)), api::api_keys::create),
        route(M::POST, "/_security/api_key", "cluster:admin/xpack/security/api_key/create", Authz::Cluster(Some(api::api_keys::create_facts)), api::api_keys::create),
        route(M::GET, "/_security/api_key", "cluster:admin/xpack/security/api_key/get", Authz::Cluster(Some(api::api_key_query::get_facts)), api::api_key_query::get),
        route(M::DELETE, "/_security/api_key", "cluster:admin/xpack/security/api_key/invalidate", Authz::Cluster(Some(api::api_key_query::invalidate_facts)), api::api_key_query::invalidate),
        route(M::POST, "/_security/api_key/grant", "cluster:admin/xpack/security/api_key/grant", Authz::Cluster(Some(api::api_key_grant::grant_facts)), api::api_key_grant::grant),
        route(M::POST, "/_security/api_key/_bulk_grant", "cluster:admin/xpack/security/api_key/grant/bulk", Authz::Cluster(Some(api::api_key_grant::bulk_grant_facts)), api::api_key_grant::bulk_grant),
        route(M::POST, "/_security/api_key/_bulk_update", "cluster:admin/xpack/security/api_key/bulk_update", Authz::Cluster(Some(api::api_keys::bulk_update_facts)), api::api_keys::bulk_update),
        route(M::PUT, "/_security/api_key/{id}", "cluster:admin/xpack/security/api_key/update", Authz::Cluster(Some(api::api_keys::update_facts)), api::api_keys::update),
        route(M::POST, "/_security/api_key/{ids}/_clear_cache", "cluster:admin/xpack/security/cache/clear", plain, api::api_keys::clear_cache),
        route(M::GET, "/_security/_query/api_key", "cluster:admin/xpack/security/api_key/query", Authz::Cluster(Some(api::api_key_query::query_facts)), api::api_key_query::query),
        route(M::POST, "/_security/_query/api_key", "cluster:admin/xpack/security/api_key/query", Authz::Cluster(Some(api::api_key_query::query_facts)), api::api_key_query::query),
        route(M::POST, "/_security/cross_cluster/api_key", "cluster:admin/xpack/security/cross_cluster/api_key/create", plain, api::api_keys::cross_cluster_unsupported),
        route(M::PUT, "/_security/cross_cluster/api_key/{id}", "cluster:admin/xpack/security/cross_cluster/api_key/update", plain, api::api_keys::cross_cluster_unsupported),
        route(M::POST, "/_security/oauth2/token", "cluster:admin/xpack/security/token/create", Authz::Cluster(Some(api::tokens::create_facts)), api::tokens::create),
        route(M::DELETE, "/_security/oauth2/token", "cluster:admin/xpack/security/token/invalidate", Authz::Cluster(Some(api::tokens::invalidate_facts)), api::tokens::invalidate),
        route(M::GET, "/_security/service", "cluster:admin/xpack/security/service_account/get", plain, api::service_accounts::get),
        route(M::GET, "/_security/service/{namespace}", "cluster:admin/xpack/security/service_account/get", plain, api::service_accounts::get),
        route(M::GET, "/_security/service/{namespace}/{service}", "cluster:admin/xpack/security/service_account/get", plain, api::service_accounts::get),
        route(M::POST, "/_security/service/{namespace}/{service}/credential/token", "cluster:admin/xpack/security/service_account/token/create", plain, api::service_accounts::create_token),
        route(M::PUT, "/_security/service/{namespace}/{service}/credential/token", "cluster:admin/xpack/security/service_account/token/create", plain, api::service_accounts::create_token),
        route(M::POST, "/_security/service/{namespace}/{service}/credential/token/{name}", "cluster:admin/xpack/security/service_account/token/create", plain, api::service_accounts::create_token),
        route(M::PUT, "/_security/service/{namespace}/{service}/credential/token/{name}", "cluster:admin/xpack/security/service_account/token/create", plain, api::service_accounts::create_token),
        route(M::DELETE, "/_security/service/{namespace}/{service}/credential/token/{name}", "cluster:admin/xpack/security/service_account/token/delete", plain, api::service_accounts::delete_token),
        route(M::GET, "/_security/service/{namespace}/{service}/credential", "cluster:admin/xpack/security/service_account/credential/get", plain, api::service_accounts::get_credentials),
        route(M::POST, "/_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache", "cluster:admin/xpack/security/cache/clear", plain, api::service_accounts::clear_cache),
        route(M::POST, "/_security/realm/{realms}/_clear_cache", "cluster:admin/xpack/security/realm/cache/clear", plain, api::caches::clear_realm_cache),
        // == end api keys ==
        // == user profiles, security settings, stats ==
        route(M::POST, "/_security/profile/_activate", "cluster:admin/xpack/security/profile/activate", Authz::Cluster(Some(api::profiles::activate_facts)), api::profiles::activate),
        route(M::GET, "/_security/profile/{uid}", "cluster:admin/xpack/security/profile/get", plain, api::profiles::get),
        route(M::GET, "/_security/profile/_suggest", "cluster:admin/xpack/security/profile/suggest", plain, api::profiles_search::suggest),
        route(M::POST, "/_security/profile/_suggest", "cluster:admin/xpack/security/profile/suggest", plain, api::profiles_search::suggest),
        route(M::PUT, "/_security/profile/{uid}/_data", "cluster:admin/xpack/security/profile/put/data", Authz::Cluster(Some(api::profiles::update_data_facts)), api::profiles::update_data),
        route(M::POST, "/_security/profile/{uid}/_data", "cluster:admin/xpack/security/profile/put/data", Authz::Cluster(Some(api::profiles::update_data_facts)), api::profiles::update_data),
        route(M::PUT, "/_security/profile/{uid}/_enable", "cluster:admin/xpack/security/profile/set_enabled", plain, api::profiles::enable),
        route(M::POST, "/_security/profile/{uid}/_enable", "cluster:admin/xpack/security/profile/set_enabled", plain, api::profiles::enable),
        route(M::PUT, "/_security/profile/{uid}/_disable", "cluster:admin/xpack/security/profile/set_enabled", plain, api::profiles::disable),
        route(M::POST, "/_security/profile/{uid}/_disable", "cluster:admin/xpack/security/profile/set_enabled", plain, api::profiles::disable),
        route(M::GET, "/_security/profile/_has_privileges", "cluster:admin/xpack/security/profile/has_privileges", Authz::Cluster(Some(api::profiles_privileges::has_privileges_facts)), api::profiles_privileges::has_privileges),
        route(M::POST, "/_security/profile/_has_privileges", "cluster:admin/xpack/security/profile/has_privileges", Authz::Cluster(Some(api::profiles_privileges::has_privileges_facts)), api::profiles_privileges::has_privileges),
        route(M::GET, "/_security/settings", "cluster:admin/xpack/security/settings/get", plain, api::security_settings::get),
        route(M::PUT, "/_security/settings", "cluster:admin/xpack/security/settings/update", Authz::Cluster(Some(api::security_settings::update_facts)), api::security_settings::update),
        route(M::GET, "/_security/stats", api::stats::STATS_ACTION, plain, api::stats::stats),
        // == end user profiles ==
        // == access analysis ==
        route(M::POST, "/_security/_access/who", api::access::WHO_ACTION, plain, api::access::who),
        route(M::POST, "/_security/role/{name}/_impact", api::access::IMPACT_ACTION, plain, api::access::role_impact),
        route(M::POST, "/_security/_impact", api::access::IMPACT_ACTION, plain, api::access::roles_impact),
        // == end access analysis ==
        // == data plane (handlers in crate::data; per-index authorization there) ==
        route(M::PUT, "/{index}/_doc/{id}", "indices:data/write/index", Authz::Index, data::docs::index_doc),
        route(M::POST, "/{index}/_doc/{id}", "indices:data/write/index", Authz::Index, data::docs::index_doc),
        route(M::POST, "/{index}/_doc", "indices:data/write/index", Authz::Index, data::docs::index_doc),
        route(M::PUT, "/{index}/_create/{id}", "indices:data/write/index", Authz::Index, data::docs::create_doc),
        route(M::POST, "/{index}/_create/{id}", "indices:data/write/index", Authz::Index, data::docs::create_doc),
        route(M::POST, "/{index}/_update/{id}", "indices:data/write/update", Authz::Index, data::docs::update_doc),
        route(M::DELETE, "/{index}/_doc/{id}", "indices:data/write/delete", Authz::Index, data::docs::delete_doc),
        route(M::GET, "/{index}/_doc/{id}", "indices:data/read/get", Authz::Index, data::docs::get_doc),
        route(M::GET, "/{index}/_source/{id}", "indices:data/read/get", Authz::Index, data::docs::get_source),
        route(M::GET, "/_mget", "indices:data/read/mget", Authz::Index, data::docs::mget),
        route(M::POST, "/_mget", "indices:data/read/mget", Authz::Index, data::docs::mget),
        route(M::GET, "/{index}/_mget", "indices:data/read/mget", Authz::Index, data::docs::mget),
        route(M::POST, "/{index}/_mget", "indices:data/read/mget", Authz::Index, data::docs::mget),
        route(M::POST, "/_bulk", "indices:data/write/bulk", Authz::Index, data::write::bulk),
        route(M::PUT, "/_bulk", "indices:data/write/bulk", Authz::Index, data::write::bulk),
        route(M::POST, "/{index}/_bulk", "indices:data/write/bulk", Authz::Index, data::write::bulk),
        route(M::PUT, "/{index}/_bulk", "indices:data/write/bulk", Authz::Index, data::write::bulk),
        route(M::GET, "/_search", "indices:data/read/search", Authz::Index, data::search::search),
        route(M::POST, "/_search", "indices:data/read/search", Authz::Index, data::search::search),
        route(M::GET, "/{index}/_search", "indices:data/read/search", Authz::Index, data::search::search),
        route(M::POST, "/{index}/_search", "indices:data/read/search", Authz::Index, data::search::search),
        route(M::GET, "/_count", "indices:data/read/search", Authz::Index, data::search::count),
        route(M::POST, "/_count", "indices:data/read/search", Authz::Index, data::search::count),
        route(M::GET, "/{index}/_count", "indices:data/read/search", Authz::Index, data::search::count),
        route(M::POST, "/{index}/_count", "indices:data/read/search", Authz::Index, data::search::count),
        route(M::GET, "/_msearch", "indices:data/read/msearch", Authz::Index, data::search::msearch),
        route(M::POST, "/_msearch", "indices:data/read/msearch", Authz::Index, data::search::msearch),
        route(M::GET, "/{index}/_msearch", "indices:data/read/msearch", Authz::Index, data::search::msearch),
        route(M::POST, "/{index}/_msearch", "indices:data/read/msearch", Authz::Index, data::search::msearch),
        route(M::PUT, "/{index}", "indices:admin/create", Authz::Index, data::indices::create),
        route(M::DELETE, "/{index}", "indices:admin/delete", Authz::Index, data::indices::delete),
        route(M::GET, "/{index}", "indices:admin/get", Authz::Index, data::indices::get),
        route(M::POST, "/{index}/_open", "indices:admin/open", Authz::Index, data::indices::open_close),
        route(M::POST, "/{index}/_close", "indices:admin/close", Authz::Index, data::indices::open_close),
        route(M::GET, "/_refresh", "indices:admin/refresh", Authz::Index, data::indices::maintenance),
        route(M::POST, "/_refresh", "indices:admin/refresh", Authz::Index, data::indices::maintenance),
        route(M::GET, "/{index}/_refresh", "indices:admin/refresh", Authz::Index, data::indices::maintenance),
        route(M::POST, "/{index}/_refresh", "indices:admin/refresh", Authz::Index, data::indices::maintenance),
        route(M::POST, "/_flush", "indices:admin/flush", Authz::Index, data::indices::maintenance),
        route(M::POST, "/{index}/_flush", "indices:admin/flush", Authz::Index, data::indices::maintenance),
        route(M::POST, "/_forcemerge", "indices:admin/forcemerge", Authz::Index, data::indices::maintenance),
        route(M::POST, "/{index}/_forcemerge", "indices:admin/forcemerge", Authz::Index, data::indices::maintenance),
        route(M::POST, "/_cache/clear", "indices:admin/cache/clear", Authz::Index, data::indices::maintenance),
        route(M::POST, "/{index}/_cache/clear", "indices:admin/cache/clear", Authz::Index, data::indices::maintenance),
        route(M::PUT, "/{index}/_mapping", "indices:admin/mapping/put", Authz::Index, data::indices::put_mapping),
        route(M::POST, "/{index}/_mapping", "indices:admin/mapping/put", Authz::Index, data::indices::put_mapping),
        route(M::GET, "/_mapping", "indices:admin/mappings/get", Authz::Index, data::indices::get_mapping),
        route(M::GET, "/{index}/_mapping", "indices:admin/mappings/get", Authz::Index, data::indices::get_mapping),
        route(M::GET, "/_settings", "indices:monitor/settings/get", Authz::Index, data::indices::get_settings),
        route(M::GET, "/{index}/_settings", "indices:monitor/settings/get", Authz::Index, data::indices::get_settings),
        route(M::PUT, "/_settings", "indices:admin/settings/update", Authz::Index, data::indices::put_settings),
        route(M::PUT, "/{index}/_settings", "indices:admin/settings/update", Authz::Index, data::indices::put_settings),
        route(M::GET, "/_stats", "indices:monitor/stats", Authz::Index, data::indices::stats),
        route(M::GET, "/{index}/_stats", "indices:monitor/stats", Authz::Index, data::indices::stats),
        route(M::POST, "/_aliases", "indices:admin/aliases", Authz::Index, data::aliases::update_aliases),
        route(M::PUT, "/{index}/_alias/{name}", "indices:admin/aliases", Authz::Index, data::aliases::put_alias),
        route(M::POST, "/{index}/_alias/{name}", "indices:admin/aliases", Authz::Index, data::aliases::put_alias),
        route(M::GET, "/_alias", "indices:admin/aliases/get", Authz::Index, data::aliases::get_aliases),
        route(M::GET, "/{index}/_alias", "indices:admin/aliases/get", Authz::Index, data::aliases::get_aliases),
        route(M::GET, "/_alias/{name}", "indices:admin/aliases/get", Authz::Index, data::aliases::get_aliases),
        route(M::GET, "/{index}/_alias/{name}", "indices:admin/aliases/get", Authz::Index, data::aliases::get_aliases),
        route(M::DELETE, "/{index}/_alias/{name}", "indices:admin/aliases", Authz::Index, data::aliases::delete_alias),
        route(M::GET, "/_cat/aliases", "indices:admin/aliases/get", Authz::Index, data::aliases::cat_aliases),
        route(M::GET, "/_cat/aliases/{name}", "indices:admin/aliases/get", Authz::Index, data::aliases::cat_aliases),
        route(M::GET, "/_cat/count", "indices:data/read/search", Authz::Index, data::cat::cat_count),
        route(M::GET, "/_cat/count/{index}", "indices:data/read/search", Authz::Index, data::cat::cat_count),
        route(M::GET, "/_cat/indices", "indices:monitor/settings/get", Authz::Index, data::cat::cat_indices),
        route(M::GET, "/_cat/indices/{index}", "indices:monitor/settings/get", Authz::Index, data::cat::cat_indices),
        route(M::GET, "/_resolve/index/{name}", "indices:admin/resolve/index", Authz::Index, data::cat::resolve_index),
        route(M::GET, "/_search/scroll", "indices:data/read/scroll", Authz::Index, data::scroll::next),
        route(M::POST, "/_search/scroll", "indices:data/read/scroll", Authz::Index, data::scroll::next),
        route(M::GET, "/_search/scroll/{scroll_id}", "indices:data/read/scroll", Authz::Index, data::scroll::next),
        route(M::POST, "/_search/scroll/{scroll_id}", "indices:data/read/scroll", Authz::Index, data::scroll::next),
        route(M::DELETE, "/_search/scroll", "indices:data/read/scroll/clear", Authz::Index, data::scroll::clear),
        route(M::DELETE, "/_search/scroll/{scroll_id}", "indices:data/read/scroll/clear", Authz::Index, data::scroll::clear),
        route(M::GET, "/{index}/_explain/{id}", "indices:data/read/explain", Authz::Index, data::explain::explain),
        route(M::POST, "/{index}/_explain/{id}", "indices:data/read/explain", Authz::Index, data::explain::explain),
        route(M::GET, "/{index}/_termvectors", "indices:data/read/tv", Authz::Index, data::termvectors::termvectors),
        route(M::POST, "/{index}/_termvectors", "indices:data/read/tv", Authz::Index, data::termvectors::termvectors),
        route(M::GET, "/{index}/_termvectors/{id}", "indices:data/read/tv", Authz::Index, data::termvectors::termvectors),
        route(M::POST, "/{index}/_termvectors/{id}", "indices:data/read/tv", Authz::Index, data::termvectors::termvectors),
        route(M::POST, "/{index}/_update_by_query", "indices:data/write/update/byquery", Authz::Index, data::by_query::by_query),
        route(M::POST, "/{index}/_delete_by_query", "indices:data/write/delete/byquery", Authz::Index, data::by_query::by_query),
        route(M::POST, "/{index}/_pit", "indices:data/read/open_point_in_time", Authz::Index, data::pit::open),
        route(M::POST, "/_pit", "indices:data/read/open_point_in_time", Authz::Cluster(Some(data::pit::open_without_index_facts)), data::pit::open_without_index),
        route(M::DELETE, "/_pit", "indices:data/read/close_point_in_time", Authz::Index, data::pit::close),
        route(M::GET, "/_field_caps", "indices:data/read/field_caps", Authz::Index, data::explain::field_caps),
        route(M::POST, "/_field_caps", "indices:data/read/field_caps", Authz::Index, data::explain::field_caps),
        route(M::GET, "/{index}/_field_caps", "indices:data/read/field_caps", Authz::Index, data::explain::field_caps),
        route(M::POST, "/{index}/_field_caps", "indices:data/read/field_caps", Authz::Index, data::explain::field_caps),
        route(M::PUT, "/_index_template/{name}", "indices:admin/index_template/put", plain, data::streams::put_template),
        route(M::POST, "/_index_template/{name}", "indices:admin/index_template/put", plain, data::streams::put_template),
        route(M::GET, "/_index_template", "indices:admin/index_template/get", plain, data::streams::get_templates),
        route(M::GET, "/_index_template/{name}", "indices:admin/index_template/get", plain, data::streams::get_templates),
        route(M::DELETE, "/_index_template/{name}", "indices:admin/index_template/delete", plain, data::streams::delete_template),
        route(M::PUT, "/_data_stream/{name}", "indices:admin/data_stream/create", Authz::Index, data::streams::create_data_stream),
        route(M::GET, "/_data_stream", "indices:admin/data_stream/get", Authz::Index, data::streams::get_data_streams),
        route(M::GET, "/_data_stream/{name}", "indices:admin/data_stream/get", Authz::Index, data::streams::get_data_streams),
        route(M::DELETE, "/_data_stream/{name}", "indices:admin/data_stream/delete", Authz::Index, data::streams::delete_data_streams),
        route(M::GET, "/_data_stream/_stats", "indices:monitor/data_stream/stats", Authz::Index, data::streams::data_stream_stats),
        route(M::GET, "/_data_stream/{name}/_stats", "indices:monitor/data_stream/stats", Authz::Index, data::streams::data_stream_stats),
        route(M::POST, "/{index}/_rollover", "indices:admin/rollover", Authz::Index, data::streams::rollover),
        route(M::POST, "/{index}/_rollover/{new_index}", "indices:admin/rollover", Authz::Index, data::streams::rollover),
        route(M::POST, "/{index}/_shrink/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        route(M::PUT, "/{index}/_shrink/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        route(M::POST, "/{index}/_split/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        route(M::PUT, "/{index}/_split/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        route(M::POST, "/{index}/_clone/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        route(M::PUT, "/{index}/_clone/{target}", "indices:admin/resize", Authz::Index, data::streams::resize),
        // == ingest pipelines (handlers in crate::data::ingest) ==
        route(M::PUT, "/_ingest/pipeline/{id}", "cluster:admin/ingest/pipeline/put", plain, data::ingest::api::put),
        route(M::GET, "/_ingest/pipeline", "cluster:admin/ingest/pipeline/get", plain, data::ingest::api::get),
        route(M::GET, "/_ingest/pipeline/{id}", "cluster:admin/ingest/pipeline/get", plain, data::ingest::api::get),
        route(M::DELETE, "/_ingest/pipeline/{id}", "cluster:admin/ingest/pipeline/delete", plain, data::ingest::api::delete),
        route(M::GET, "/_ingest/pipeline/_simulate", "cluster:admin/ingest/pipeline/simulate", plain, data::ingest::api::simulate),
        route(M::POST, "/_ingest/pipeline/_simulate", "cluster:admin/ingest/pipeline/simulate", plain, data::ingest::api::simulate),
        route(M::GET, "/_ingest/pipeline/{id}/_simulate", "cluster:admin/ingest/pipeline/simulate", plain, data::ingest::api::simulate),
        route(M::POST, "/_ingest/pipeline/{id}/_simulate", "cluster:admin/ingest/pipeline/simulate", plain, data::ingest::api::simulate),
        // == end ingest pipelines ==
        // == end data plane ==
        // == machine learning (authorized, then 400: no ML engine here) ==
        route(M::PUT, "/_ml/anomaly_detectors/{job_id}", "cluster:admin/xpack/ml/job/put", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/anomaly_detectors", "cluster:monitor/xpack/ml/job/get", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/anomaly_detectors/{job_id}", "cluster:monitor/xpack/ml/job/get", plain, crate::kibana::ml::unsupported),
        route(M::PUT, "/_ml/datafeeds/{datafeed_id}", "cluster:admin/xpack/ml/datafeeds/put", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/datafeeds", "cluster:monitor/xpack/ml/datafeeds/get", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/datafeeds/{datafeed_id}", "cluster:monitor/xpack/ml/datafeeds/get", plain, crate::kibana::ml::unsupported),
        route(M::PUT, "/_ml/data_frame/analytics/{id}", "cluster:admin/xpack/ml/data_frame/analytics/put", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/data_frame/analytics", "cluster:monitor/xpack/ml/data_frame/analytics/get", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/data_frame/analytics/{id}", "cluster:monitor/xpack/ml/data_frame/analytics/get", plain, crate::kibana::ml::unsupported),
        route(M::PUT, "/_ml/trained_models/{model_id}", "cluster:admin/xpack/ml/inference/put", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/trained_models", "cluster:monitor/xpack/ml/inference/get", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/trained_models/{model_id}", "cluster:monitor/xpack/ml/inference/get", plain, crate::kibana::ml::unsupported),
        route(M::GET, "/_ml/info", "cluster:monitor/xpack/ml/info/get", plain, crate::kibana::ml::unsupported),
        // == end machine learning ==
        // == test harness ==
        route(M::POST, "/_rampart/_reset", api::reset::RESET_ACTION, plain, api::reset::reset).only_if(api::reset::RESET_SETTING),
        // == end test harness ==
    ];
    table
}
