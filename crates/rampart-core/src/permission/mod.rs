//! Compiled permissions: a set of role descriptors turned into one value that answers
//! authorization questions quickly (section 4 of the facts: union semantics, no deny rules).
//!
//! Compile once per role set and cache ([`PermissionCache`]); per-request work then does not
//! grow with the number of roles or indices.

mod application;
mod cache;
mod cluster;
mod indices;
mod patterns;
mod privileges;
mod restricted;

pub use application::{
    ApplicationEntry, ApplicationPermission, ApplicationPrivilegeDescriptor,
    ApplicationPrivilegeStore, is_privilege_name,
};
pub use cache::{PermissionCache, RoleSetKey};
pub use cluster::ClusterPermission;
pub(crate) use indices::{ActionView, GroupIds, IndicesBuilder};
pub use indices::{GroupSummary, IndexGroup, IndicesPermission};
pub(crate) use privileges::granting_tables_ready;
pub use privileges::{
    CompiledPrivilege, PrivilegeError, cluster_privilege, cluster_privileges_granting,
    index_privilege, index_privileges_granting,
};
pub use restricted::RestrictedIndices;

use rampart_automaton::{AutomatonError, PatternSet};
use thiserror::Error;

use crate::error::EsError;
use crate::role::{RemoteClusterPrivileges, RemoteIndicesPrivileges, RoleDescriptor};

/// A value together with the roles that contributed it (for decision reasons).
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub roles: Vec<String>,
}

/// A role set that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CompileError {
    #[error("failed to compile role [{role}]: {source}")]
    Privilege {
        role: String,
        source: PrivilegeError,
    },
    #[error("{0}")]
    Automaton(#[from] AutomatonError),
}

impl CompileError {
    pub(crate) fn privilege(role: &str, source: PrivilegeError) -> Self {
        CompileError::Privilege {
            role: role.to_string(),
            source,
        }
    }

    pub(crate) fn automaton(e: AutomatonError) -> Self {
        CompileError::Automaton(e)
    }
}

impl EsError for CompileError {
    fn es_type(&self) -> &'static str {
        "illegal_argument_exception"
    }
    fn status(&self) -> u16 {
        400
    }
}

/// The compiled union of a subject's role descriptors.
#[derive(Debug, Clone)]
pub struct Permission {
    /// Names of the roles that resolved (sorted).
    role_names: Vec<String>,
    /// Assigned role names that do not exist (sorted); reported in denial messages.
    missing_roles: Vec<String>,
    pub cluster: ClusterPermission,
    pub indices: IndicesPermission,
    pub applications: ApplicationPermission,
    pub run_as: Option<Sourced<PatternSet>>,
    pub remote_indices: Vec<RemoteIndicesPrivileges>,
    pub remote_cluster: Vec<RemoteClusterPrivileges>,
    /// Answers to `_has_privileges` questions already asked of this permission.
    pub(crate) memo: Memo,
}

/// A small answer cache; clones start empty (answers belong to one compiled permission).
#[derive(Debug, Default)]
pub(crate) struct Memo(std::sync::RwLock<std::collections::HashMap<String, bool>>);

impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl Memo {
    const MAX: usize = 4096;

    /// A key from its parts, `\0`-separated. Built with `push_str` rather than `format!`:
    /// keys are made for every check of every request, and formatting cost more than the
    /// lookup.
    pub(crate) fn key(parts: &[&str]) -> String {
        let len = parts.iter().map(|p| p.len() + 1).sum();
        let mut key = String::with_capacity(len);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('\u{0}');
            }
            key.push_str(part);
        }
        key
    }

    /// The remembered answer for `key`, or `compute()` (remembered when it succeeds).
    pub(crate) fn get_or<E>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<bool, E>,
    ) -> Result<bool, E> {
        if let Ok(m) = self.0.read() {
            if let Some(v) = m.get(&key) {
                return Ok(*v);
            }
        }
        let v = compute()?;
        if let Ok(mut m) = self.0.write() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert(key, v);
        }
        Ok(v)
    }
}

impl Permission {
    /// Compile role descriptors into one permission.
    pub fn compile(
        roles: &[RoleDescriptor],
        missing_roles: &[String],
        applications: &ApplicationPrivilegeStore,
        restricted: &RestrictedIndices,
    ) -> Result<Permission, CompileError> {
        let mut cluster = cluster::ClusterBuilder::default();
        let mut indices = indices::IndicesBuilder::default();
        let mut apps = application::ApplicationBuilder::default();
        let mut run_as_patterns: Vec<&str> = Vec::new();
        let mut run_as_roles = Vec::new();
        let mut remote_indices = Vec::new();
        let mut remote_cluster = Vec::new();
        for role in roles {
            cluster.add(&role.name, &role.cluster, &role.global)?;
            indices.add_role(&role.name, &role.indices);
            apps.add(&role.name, &role.applications);
            if !role.run_as.is_empty() {
                run_as_patterns.extend(role.run_as.iter().map(String::as_str));
                run_as_roles.push(role.name.clone());
            }
            remote_indices.extend(role.remote_indices.iter().cloned());
            remote_cluster.extend(role.remote_cluster.iter().cloned());
        }
        let run_as = if run_as_patterns.is_empty() {
            None
        } else {
            Some(Sourced {
                value: PatternSet::new(run_as_patterns)?,
                roles: run_as_roles,
            })
        };
        let mut role_names: Vec<String> = roles.iter().map(|r| r.name.clone()).collect();
        role_names.sort();
        role_names.dedup();
        let mut missing: Vec<String> = missing_roles.to_vec();
        missing.sort();
        missing.dedup();
        Ok(Permission {
            role_names,
            missing_roles: missing,
            cluster: cluster.build()?,
            indices: indices.build(restricted.clone())?,
            applications: apps.build(applications)?,
            run_as,
            remote_indices,
            remote_cluster,
            memo: Memo::default(),
        })
    }

    /// Names of the roles that resolved, sorted.
    pub fn role_names(&self) -> &[String] {
        &self.role_names
    }

    /// Assigned role names that were not found, sorted.
    pub fn missing_roles(&self) -> &[String] {
        &self.missing_roles
    }
}

#[cfg(test)]
mod tests;
