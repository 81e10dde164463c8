//! The cluster part of a permission: named and raw cluster privileges, the conditional
//! `manage_own_api_key`, and the configurable `global` privileges.

use std::sync::Arc;

use rampart_automaton::{Automaton, PatternSet};

use super::privileges::{CompiledPrivilege, cluster_privilege, cluster_privilege_list};
use super::{CompileError, Sourced};
use crate::role::{GlobalPrivileges, RoleManageGroup};

/// The union of a role set's cluster privileges.
#[derive(Debug, Clone)]
pub struct ClusterPermission {
    /// Unconditional privileges with the roles that contributed them.
    pub(crate) grants: Vec<Sourced<Arc<CompiledPrivilege>>>,
    /// Union of the unconditional grants: one automaton run answers the common case.
    pub(crate) combined: Automaton,
    /// Conditional privileges (`manage_own_api_key`).
    pub(crate) conditional: Vec<Sourced<Arc<CompiledPrivilege>>>,
    /// `global.application.manage` patterns.
    pub(crate) application_manage: Option<Sourced<PatternSet>>,
    /// `global.profile.write` patterns.
    pub(crate) profile_write: Option<Sourced<PatternSet>>,
    /// `global.role.manage` groups.
    pub(crate) role_manage: Vec<Sourced<RoleManageGroup>>,
    /// Privilege strings as given, for rendering (`_privileges`).
    pub(crate) names: Vec<String>,
}

/// Builder accumulating cluster privileges across roles.
#[derive(Debug, Default)]
pub(crate) struct ClusterBuilder {
    grants: Vec<Sourced<Arc<CompiledPrivilege>>>,
    conditional: Vec<Sourced<Arc<CompiledPrivilege>>>,
    application_manage: Vec<(String, Vec<String>)>,
    profile_write: Vec<(String, Vec<String>)>,
    role_manage: Vec<Sourced<RoleManageGroup>>,
}

fn add_sourced<T>(list: &mut Vec<Sourced<T>>, role: &str, value: T, same: impl Fn(&T) -> bool) {
    if let Some(existing) = list.iter_mut().find(|s| same(&s.value)) {
        if !existing.roles.iter().any(|r| r == role) {
            existing.roles.push(role.to_string());
        }
    } else {
        list.push(Sourced {
            value,
            roles: vec![role.to_string()],
        });
    }
}

impl ClusterBuilder {
    pub(crate) fn add(
        &mut self,
        role: &str,
        names: &[String],
        global: &GlobalPrivileges,
    ) -> Result<(), CompileError> {
        for name in names {
            let p = cluster_privilege(name).map_err(|e| CompileError::privilege(role, e))?;
            let list = if p.conditional {
                &mut self.conditional
            } else {
                &mut self.grants
            };
            let key = p.name.clone();
            add_sourced(list, role, p, |q| q.name == key);
        }
        if let Some(apps) = &global.application_manage {
            self.application_manage
                .push((role.to_string(), apps.clone()));
        }
        if let Some(apps) = &global.profile_write {
            self.profile_write.push((role.to_string(), apps.clone()));
        }
        for group in global.role_manage.iter().flatten() {
            self.role_manage.push(Sourced {
                value: group.clone(),
                roles: vec![role.to_string()],
            });
        }
        Ok(())
    }

    pub(crate) fn build(self) -> Result<ClusterPermission, CompileError> {
        let names: Vec<String> = self.grants.iter().map(|g| g.value.name.clone()).collect();
        let role = self
            .grants
            .first()
            .and_then(|g| g.roles.first())
            .cloned()
            .unwrap_or_default();
        let combined =
            cluster_privilege_list(&names).map_err(|e| CompileError::privilege(&role, e))?;
        let mut names: Vec<String> = self
            .grants
            .iter()
            .chain(&self.conditional)
            .map(|g| g.value.name.clone())
            .collect();
        names.sort();
        names.dedup();
        Ok(ClusterPermission {
            grants: self.grants,
            combined,
            conditional: self.conditional,
            application_manage: merge_patterns(self.application_manage)?,
            profile_write: merge_patterns(self.profile_write)?,
            role_manage: self.role_manage,
            names,
        })
    }
}

fn merge_patterns(
    parts: Vec<(String, Vec<String>)>,
) -> Result<Option<Sourced<PatternSet>>, CompileError> {
    if parts.is_empty() {
        return Ok(None);
    }
    let mut roles = Vec::new();
    let mut patterns = Vec::new();
    for (role, p) in parts {
        roles.push(role);
        patterns.extend(p);
    }
    roles.dedup();
    let value = PatternSet::new(patterns.iter()).map_err(CompileError::automaton)?;
    Ok(Some(Sourced { value, roles }))
}

impl ClusterPermission {
    /// Names of the unconditional grants that allow at least one of `actions` (the role
    /// patterns an analysis attributes a cluster action language to).
    pub(crate) fn grant_names_overlapping<'a>(
        &'a self,
        actions: &'a Automaton,
    ) -> impl Iterator<Item = String> + 'a {
        self.grants
            .iter()
            .filter(|g| {
                g.value
                    .actions
                    .intersection(actions)
                    .is_ok_and(|a| !a.is_empty())
            })
            .map(|g| g.value.name.clone())
    }

    /// The unconditional grant that allows `action`, if any.
    pub fn granting(&self, action: &str) -> Option<&Sourced<Arc<CompiledPrivilege>>> {
        if !self.combined.matches(action) {
            return None;
        }
        self.grants.iter().find(|g| g.value.actions.matches(action))
    }

    /// Position of the unconditional grant that allows `action` (a compact reference for
    /// decisions, resolved with [`Self::grant_at`] only when reasons are rendered).
    pub(crate) fn granting_id(&self, action: &str) -> Option<u32> {
        if !self.combined.matches(action) {
            return None;
        }
        let pos = self
            .grants
            .iter()
            .position(|g| g.value.actions.matches(action))?;
        u32::try_from(pos).ok()
    }

    /// The unconditional grant at a position from [`Self::granting_id`].
    pub(crate) fn grant_at(&self, id: u32) -> Option<&Sourced<Arc<CompiledPrivilege>>> {
        self.grants.get(id as usize)
    }

    /// Whether the unconditional privileges cover every action of `other`.
    pub fn implies_actions(&self, other: &Automaton) -> bool {
        other.is_subset_of(&self.combined)
    }

    /// The privilege strings of this permission (sorted, deduplicated).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Conditional privileges whose action pattern matches `action`.
    pub fn conditional_matching<'a>(
        &'a self,
        action: &'a str,
    ) -> impl Iterator<Item = &'a Sourced<Arc<CompiledPrivilege>>> + 'a {
        self.conditional
            .iter()
            .filter(move |g| g.value.actions.matches(action))
    }

    /// Whether the role set holds the conditional privilege `name` itself.
    pub fn holds_conditional(&self, name: &str) -> bool {
        self.conditional.iter().any(|g| g.value.name == name)
    }

    pub fn application_manage(&self) -> Option<&Sourced<PatternSet>> {
        self.application_manage.as_ref()
    }

    pub fn profile_write(&self) -> Option<&Sourced<PatternSet>> {
        self.profile_write.as_ref()
    }

    pub fn role_manage(&self) -> &[Sourced<RoleManageGroup>] {
        &self.role_manage
    }

    /// The combined unconditional action language.
    pub fn action_language(&self) -> &Automaton {
        &self.combined
    }
}
