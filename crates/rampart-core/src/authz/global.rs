//! The configurable `global` privileges: `application.manage`, `profile.write`, `role.manage`.

use rampart_automaton::{Automaton, PatternSet};

use super::cluster::{ClusterRequest, RoleManageRequest};
use super::decision::Reason;
use crate::permission::{CompileError, Permission, Sourced, index_privilege};
use crate::role::{RoleDescriptor, RoleManageGroup};

const PRIVILEGE_ACTIONS: &str = "cluster:admin/xpack/security/privilege/";
const PROFILE_PUT_DATA: &str = "cluster:admin/xpack/security/profile/put/data";
const ROLE_PUT: &str = "cluster:admin/xpack/security/role/put";
const ROLE_BULK_PUT: &str = "cluster:admin/xpack/security/role/bulk_put";
const ROLE_DELETE: &str = "cluster:admin/xpack/security/role/delete";
const ROLE_BULK_DELETE: &str = "cluster:admin/xpack/security/role/bulk_delete";

fn reason(privilege: &str, roles: &[String], condition: &str) -> Reason {
    Reason::ConditionalPrivilege {
        privilege: privilege.to_string(),
        roles: roles.to_vec(),
        condition: condition.to_string(),
    }
}

/// The `global` privilege of `p` that grants this request, if any.
pub(crate) fn grant(
    p: &Permission,
    action: &str,
    request: &ClusterRequest<'_>,
) -> Result<Option<Reason>, CompileError> {
    if action.starts_with(PRIVILEGE_ACTIONS) {
        if let Some(Sourced { value, roles }) = p.cluster.application_manage() {
            let ok = match request.applications {
                Some(apps) if !apps.is_empty() => apps.iter().all(|a| value.matches(a)),
                _ => value.patterns().iter().any(|p| p == "*"),
            };
            if ok {
                return Ok(Some(reason(
                    "application.manage",
                    roles,
                    "every application in the request matches",
                )));
            }
        }
        return Ok(None);
    }
    if action == PROFILE_PUT_DATA {
        if let (Some(Sourced { value, roles }), Some(ns)) =
            (p.cluster.profile_write(), request.profile_namespaces)
        {
            if ns.iter().all(|n| value.matches(n)) {
                return Ok(Some(reason(
                    "profile.write",
                    roles,
                    "every data namespace in the request matches",
                )));
            }
        }
        return Ok(None);
    }
    if [ROLE_PUT, ROLE_BULK_PUT, ROLE_DELETE, ROLE_BULK_DELETE].contains(&action) {
        let groups = p.cluster.role_manage();
        if groups.is_empty() {
            return Ok(None);
        }
        let ok = match request.roles {
            Some(RoleManageRequest::Put(roles)) if [ROLE_PUT, ROLE_BULK_PUT].contains(&action) => {
                role_put_covered(groups, roles)?
            }
            Some(RoleManageRequest::Delete(names))
                if [ROLE_DELETE, ROLE_BULK_DELETE].contains(&action) =>
            {
                role_delete_covered(groups, names)?
            }
            _ => false,
        };
        if ok {
            let roles: Vec<String> = groups
                .iter()
                .flat_map(|g| g.roles.iter().cloned())
                .collect();
            return Ok(Some(reason(
                "role.manage",
                &roles,
                "every role in the request is covered",
            )));
        }
    }
    Ok(None)
}

/// Whether the name pattern `name` with privilege `privilege` is covered by the groups, with the
/// pattern-subset semantics of has_privileges.
pub(crate) fn covered(
    groups: &[Sourced<RoleManageGroup>],
    name: &str,
    privilege: &str,
) -> Result<bool, CompileError> {
    let wanted =
        index_privilege(privilege).map_err(|e| CompileError::privilege("global.role.manage", e))?;
    let target = Automaton::from_pattern(name)?;
    let mut granted = Automaton::empty();
    for g in groups {
        let names = PatternSet::new(g.value.names.iter())?.to_automaton()?;
        if !target.is_subset_of(&names) {
            continue;
        }
        for p in &g.value.privileges {
            let c =
                index_privilege(p).map_err(|e| CompileError::privilege("global.role.manage", e))?;
            granted = granted.union(&c.actions)?;
        }
    }
    Ok(wanted.actions.is_subset_of(&granted))
}

fn role_put_covered(
    groups: &[Sourced<RoleManageGroup>],
    roles: &[RoleDescriptor],
) -> Result<bool, CompileError> {
    for role in roles {
        let index_only = role.cluster.is_empty()
            && role.global.is_empty()
            && role.applications.is_empty()
            && role.run_as.is_empty()
            && role.remote_indices.is_empty()
            && role.remote_cluster.is_empty()
            && role.restriction.is_none();
        if !index_only {
            return Ok(false);
        }
        for entry in &role.indices {
            for name in &entry.names {
                for privilege in &entry.privileges {
                    if !covered(groups, name, privilege)? {
                        return Ok(false);
                    }
                }
            }
        }
    }
    Ok(true)
}

fn role_delete_covered(
    groups: &[Sourced<RoleManageGroup>],
    names: &[String],
) -> Result<bool, CompileError> {
    for name in names {
        // Role names are treated as literal index names here.
        let literal = escape_literal(name);
        if !covered(groups, &literal, "delete_index")? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Escape a name so the pattern language reads it literally.
pub(crate) fn escape_literal(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if matches!(c, '*' | '?' | '\\') || (out.is_empty() && c == '/') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
