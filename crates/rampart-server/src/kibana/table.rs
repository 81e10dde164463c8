//! The Kibana port's route table: (method, path, required privilege, handler). Every route is
//! also served under the `/s/{space_id}` prefix (the current space).

use axum::http::Method;

use super::pipeline::KHandler;
use super::{capabilities, ml, roles, spaces};

/// What a route requires before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KAuthz {
    /// Any authenticated user; the handler checks what it needs (spaces CRUD answers with the
    /// Spaces plugin's own 403 messages, capabilities and space lists filter per caller, role
    /// writes validate before authorizing as Kibana does).
    Authenticated,
    /// Kibana's `authRequired: 'optional'`: credentials, when sent, must be valid; a request
    /// without any runs as an anonymous caller with no roles (Kibana's capabilities route:
    /// unauthenticated callers get every privilege-governed capability off).
    Optional,
    /// An ES cluster action: Kibana delegates these APIs to Elasticsearch as the user.
    Cluster(&'static str),
    /// A Kibana API privilege: `api:<tag>` at the current space.
    Api(&'static str),
}

/// One Kibana route.
#[derive(Clone)]
pub struct KRoute {
    pub method: Method,
    pub path: &'static str,
    pub authz: KAuthz,
    pub handler: KHandler,
    /// Whether writes need `kbn-xsrf` (Kibana exempts a few POSTs that only read).
    pub xsrf: bool,
}

impl std::fmt::Debug for KRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {:?}", self.method, self.path, self.authz)
    }
}

fn route(method: Method, path: &'static str, authz: KAuthz, handler: KHandler) -> KRoute {
    KRoute {
        method,
        path,
        authz,
        handler,
        xsrf: true,
    }
}

const ROLE_GET: &str = "cluster:admin/xpack/security/role/get";
const ROLE_DELETE: &str = "cluster:admin/xpack/security/role/delete";
const ROLE_QUERY: &str = "cluster:admin/xpack/security/role/query";
const PRIVILEGE_GET: &str = "cluster:admin/xpack/security/privilege/get";

/// Every route of the Kibana port.
pub fn routes() -> Vec<KRoute> {
    use KAuthz::{Api, Authenticated as Authn, Cluster, Optional};
    use Method as M;
    #[rustfmt::skip]
    let table = vec![
        // == features and privileges ==
        route(M::GET, "/api/features", Api("features"), capabilities::features),
        route(M::GET, "/api/security/privileges", Cluster(PRIVILEGE_GET), capabilities::privileges),
        // == roles (delegated to ES as the user) ==
        route(M::GET, "/api/security/role", Cluster(ROLE_GET), roles::list),
        route(M::GET, "/api/security/role/{name}", Cluster(ROLE_GET), roles::get),
        route(M::PUT, "/api/security/role/{name}", Authn, roles::put),
        route(M::DELETE, "/api/security/role/{name}", Cluster(ROLE_DELETE), roles::delete),
        route(M::POST, "/api/security/roles", Authn, roles::bulk_put),
        route(M::POST, "/api/security/role/_query", Cluster(ROLE_QUERY), roles::query),
        route(M::GET, "/internal/security/roles/{role_space}", Api("manage_spaces"), roles::in_space),
        route(M::GET, "/internal/security/role/{name}/privilege_summary", Cluster(ROLE_GET), capabilities::privilege_summary),
        // == spaces ==
        route(M::GET, "/api/spaces/space", Authn, spaces::list),
        route(M::GET, "/api/spaces/space/{id}", Authn, spaces::get),
        route(M::POST, "/api/spaces/space", Authn, spaces::create),
        route(M::PUT, "/api/spaces/space/{id}", Authn, spaces::update),
        route(M::DELETE, "/api/spaces/space/{id}", Authn, spaces::delete),
        // == capabilities ==
        KRoute { xsrf: false, ..route(M::POST, "/api/core/capabilities", Optional, capabilities::capabilities) },
        // == machine learning ==
        route(M::GET, "/internal/rampart/ml_setup_check", Authn, ml::setup_check),
    ];
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_and_path_pairs_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in routes() {
            assert!(seen.insert((r.method.clone(), r.path)), "{r:?}");
            assert!(!r.path.contains("{space_id}"), "{r:?}: reserved parameter");
        }
    }
}
