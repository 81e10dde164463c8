//! The privilege catalog: every named cluster and index privilege, the action classification,
//! denial-message ordering, restricted index patterns and reserved role names.
//!
//! The data lives in `data.rs` (generated from the privilege facts; a drift test compares it
//! with the facts when they are available). This module only answers questions about names;
//! compiling privileges into automata is the job of `permission`.

mod data;

use thiserror::Error;

/// Which components of a data stream an index privilege applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selector {
    /// Regular data (and plain indices).
    Data,
    /// Only the `::failures` component of data streams.
    Failures,
    /// Both data and failures.
    DataAndFailures,
    /// Every selector (only `all`).
    All,
}

impl Selector {
    /// Whether the privilege applies to regular data access.
    pub fn covers_data(self) -> bool {
        !matches!(self, Selector::Failures)
    }
    /// Whether the privilege applies to `::failures` access.
    pub fn covers_failures(self) -> bool {
        !matches!(self, Selector::Data)
    }
}

/// A predefined cluster privilege.
#[derive(Debug, PartialEq, Eq)]
pub struct ClusterPrivilegeDef {
    pub name: &'static str,
    /// Action patterns granted.
    pub actions: &'static [&'static str],
    /// Action patterns removed from `actions`.
    pub excluded: &'static [&'static str],
    /// Other named privileges whose action set is a subset of this one.
    pub implies: &'static [&'static str],
    pub deprecated: bool,
    /// Accepted in serverless custom roles.
    pub serverless: bool,
    /// Request-aware privilege (`manage_own_api_key`).
    pub conditional: bool,
    /// Allowed inside a role's `remote_cluster` section.
    pub remote_cluster: bool,
}

/// A predefined index privilege.
#[derive(Debug, PartialEq, Eq)]
pub struct IndexPrivilegeDef {
    pub name: &'static str,
    pub actions: &'static [&'static str],
    pub selector: Selector,
    pub implies: &'static [&'static str],
    pub deprecated: bool,
    pub serverless: bool,
}

/// How an action name is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Authorized by cluster privileges (includes template actions under `indices:`).
    Cluster,
    /// Authorized against the request's indices.
    Index,
    /// Neither (e.g. `internal:*`): always denied for ordinary subjects.
    Other,
}

/// A cluster privilege string from a role, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterPrivilegeName {
    Named(&'static ClusterPrivilegeDef),
    /// A raw action pattern; grants `<pattern>*` (prefix semantics).
    RawAction(String),
}

/// An index privilege string from a role, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexPrivilegeName {
    Named(&'static IndexPrivilegeDef),
    /// A raw index action pattern; grants `<pattern>*` on the data selector.
    RawAction(String),
}

/// A privilege name that is neither predefined nor a pattern over known actions.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnknownPrivilege {
    #[error(
        "unknown cluster privilege [{0}]. a privilege must be either one of the predefined cluster privilege names [{names}] or a pattern over one of the available cluster actions",
        names = data::CLUSTER_DENIAL_ORDER.join(",")
    )]
    Cluster(String),
    #[error(
        "unknown index privilege [{0}]. a privilege must be either one of the predefined fixed indices privileges [{names}] or a pattern over one of the available index actions",
        names = sorted_index_names().join(",")
    )]
    Index(String),
}

fn sorted_index_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = data::INDEX.iter().map(|p| p.name).collect();
    names.sort_unstable();
    names
}

/// Every `*_action_matcher` entry is `prefix*`; matching is a prefix test.
fn matches_prefix_list(list: &[&str], value: &str) -> bool {
    list.iter()
        .any(|p| value.starts_with(p.strip_suffix('*').unwrap_or(p)))
}

/// Classify an action name (`privileges.json` → `action_classification`).
pub fn classify_action(action: &str) -> ActionKind {
    if matches_prefix_list(data::CLUSTER_ACTION_MATCHER, action) {
        ActionKind::Cluster
    } else if matches_prefix_list(data::INDEX_ACTION_MATCHER, action) {
        ActionKind::Index
    } else {
        ActionKind::Other
    }
}

/// All predefined cluster privileges, in catalog order.
pub fn cluster_privileges() -> &'static [ClusterPrivilegeDef] {
    data::CLUSTER
}

/// All predefined index privileges, in catalog order.
pub fn index_privileges() -> &'static [IndexPrivilegeDef] {
    data::INDEX
}

/// Look up a predefined cluster privilege (case-insensitive).
pub fn cluster_privilege(name: &str) -> Option<&'static ClusterPrivilegeDef> {
    let lower = name.to_lowercase();
    data::CLUSTER.iter().find(|p| p.name == lower)
}

/// Look up a predefined index privilege (case-insensitive).
pub fn index_privilege(name: &str) -> Option<&'static IndexPrivilegeDef> {
    let lower = name.to_lowercase();
    data::INDEX.iter().find(|p| p.name == lower)
}

/// Resolve a cluster privilege string as Elasticsearch does: lower-case it; a pattern over the
/// cluster actions is a raw action privilege, otherwise it must be a predefined name.
pub fn resolve_cluster_privilege(name: &str) -> Result<ClusterPrivilegeName, UnknownPrivilege> {
    let lower = name.to_lowercase();
    if matches_prefix_list(data::CLUSTER_ACTION_MATCHER, &lower) {
        return Ok(ClusterPrivilegeName::RawAction(lower));
    }
    data::CLUSTER
        .iter()
        .find(|p| p.name == lower)
        .map(ClusterPrivilegeName::Named)
        .ok_or_else(|| UnknownPrivilege::Cluster(name.to_string()))
}

/// Resolve an index privilege string (see [`resolve_cluster_privilege`]).
pub fn resolve_index_privilege(name: &str) -> Result<IndexPrivilegeName, UnknownPrivilege> {
    let lower = name.to_lowercase();
    if matches_prefix_list(data::INDEX_ACTION_MATCHER, &lower) {
        return Ok(IndexPrivilegeName::RawAction(lower));
    }
    data::INDEX
        .iter()
        .find(|p| p.name == lower)
        .map(IndexPrivilegeName::Named)
        .ok_or_else(|| UnknownPrivilege::Index(name.to_string()))
}

/// Order of privilege names in cluster denial messages ("this action is granted by ...").
pub fn cluster_denial_order() -> &'static [&'static str] {
    data::CLUSTER_DENIAL_ORDER
}

/// Order of privilege names in index denial messages.
pub fn index_denial_order() -> &'static [&'static str] {
    data::INDEX_DENIAL_ORDER
}

/// The only privileges accepted in a role's `remote_cluster` section.
pub fn remote_cluster_privileges() -> &'static [&'static str] {
    data::REMOTE_CLUSTER_PRIVILEGES
}

/// Default restricted (system) index patterns, in role-pattern syntax.
pub fn restricted_index_patterns() -> &'static [&'static str] {
    data::RESTRICTED_INDEX_PATTERNS
}

/// Names of the built-in roles; they cannot be created, changed or deleted through the API.
pub fn reserved_role_names() -> &'static [&'static str] {
    data::RESERVED_ROLE_NAMES
}

/// Whether `name` is a built-in role name.
pub fn is_reserved_role_name(name: &str) -> bool {
    data::RESERVED_ROLE_NAMES.contains(&name)
}

#[cfg(test)]
mod tests;
