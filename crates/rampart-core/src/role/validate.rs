//! Validation of a parsed role: every problem is collected into one
//! `action_request_validation_exception`, in the order Elasticsearch checks them.

use super::error::RoleError;
use super::model::RoleDescriptor;
use super::parse::{RoleContext, remote_cluster_privileges_problem};
use crate::catalog;

/// Longest role name accepted by the role API.
pub const MAX_NATIVE_ROLE_NAME_CHARS: usize = 507;
/// Longest role name accepted in roles.yml.
pub const MAX_FILE_ROLE_NAME_CHARS: usize = 1024;
/// Longest role description.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Validate a parsed role for the context it came from.
pub fn validate_role(role: &RoleDescriptor, ctx: RoleContext) -> Result<(), RoleError> {
    let problems = role_problems(role, ctx, ctx == RoleContext::RoleApi);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RoleError::Validation(problems))
    }
}

/// Every problem of the role; `reject_reserved_name` refuses built-in role names.
pub(super) fn role_problems(
    role: &RoleDescriptor,
    ctx: RoleContext,
    reject_reserved_name: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    match ctx {
        RoleContext::RoleApi => {
            name_problem(&role.name, MAX_NATIVE_ROLE_NAME_CHARS, reject_reserved_name)
        }
        RoleContext::File => {
            name_problem(&role.name, MAX_FILE_ROLE_NAME_CHARS, reject_reserved_name)
        }
        // API-key role descriptor names are free-form keys.
        RoleContext::ApiKey => None,
    }
    .into_iter()
    .for_each(|p| problems.push(p));

    for privilege in &role.cluster {
        if let Err(e) = catalog::resolve_cluster_privilege(privilege) {
            problems.push(e.to_string());
        }
    }
    for entry in &role.indices {
        problems.extend(index_privileges_problem(&entry.privileges));
    }
    for group in role.global.role_manage.iter().flatten() {
        problems.extend(index_privileges_problem(&group.privileges));
    }
    for app in &role.applications {
        if let Err(messages) = validate_application_name(&app.application, true) {
            problems.extend(messages);
        }
        for privilege in &app.privileges {
            problems.extend(privilege_or_action_problem(privilege));
        }
    }
    // The API request validator refuses every `_` key, `_reserved` included (a client cannot
    // mark its role built-in); only the built-in definitions, read like a roles file, carry
    // `_reserved: true` legitimately.
    let builtin_definition = ctx == RoleContext::File && role.is_reserved();
    if !builtin_definition && role.metadata.keys().any(|k| k.starts_with('_')) {
        problems.push("role descriptor metadata keys may not start with [_]".to_string());
    }
    for remote in &role.remote_indices {
        if remote.clusters.iter().any(String::is_empty) {
            problems.push("remote index cluster alias cannot be an empty string".to_string());
        }
        problems.extend(index_privileges_problem(&remote.indices.privileges));
    }
    for remote in &role.remote_cluster {
        problems.extend(remote_cluster_privileges_problem(&remote.privileges));
    }
    if role
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        problems.push("Role description must be less than 1000 characters.".to_string());
    }
    problems
}

fn name_problem(name: &str, max_chars: usize, reject_reserved: bool) -> Option<String> {
    if name.is_empty() {
        return Some("role name is missing".to_string());
    }
    let printable = name.chars().all(|c| (' '..='~').contains(&c));
    let trimmed = name.trim() == name;
    if !printable || !trimmed || name.chars().count() > max_chars {
        return Some(format!(
            "Role names must be at least 1 and no more than {max_chars} characters. They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed."
        ));
    }
    (reject_reserved && catalog::is_reserved_role_name(name))
        .then(|| format!("Role [{name}] is reserved and may not be used."))
}

/// ES resolves an entry's privileges as one set and reports the first unknown name.
fn index_privileges_problem(privileges: &[String]) -> Option<String> {
    privileges
        .iter()
        .find_map(|p| catalog::resolve_index_privilege(p).err())
        .map(|e| e.to_string())
}

/// `^\p{Graph}*$`: printable ASCII without space.
fn privilege_or_action_problem(name: &str) -> Option<String> {
    (!name.chars().all(|c| c.is_ascii_graphic())).then(|| {
        format!("Application privilege names and actions must match the pattern ^\\p{{Graph}}*$ (found '{name}')")
    })
}

/// Characters an application name suffix may not contain.
const INVALID_SUFFIX_CHARS: &str = "\\/*?\"<>| ,";

/// Validate an application name (section 11.1). Roles may use `*` or one trailing `*`
/// (`allow_wildcard`); stored privileges may not. Reports the first problem, as ES does.
pub fn validate_application_name(name: &str, allow_wildcard: bool) -> Result<(), Vec<String>> {
    application_name_problem(name, allow_wildcard).map_or(Ok(()), |p| Err(vec![p]))
}

fn application_name_problem(name: &str, allow_wildcard: bool) -> Option<String> {
    if name.is_empty() {
        return Some("Application names cannot be blank".to_string());
    }
    let asterisk = name.find('*');
    if let Some(at) = asterisk {
        if !allow_wildcard {
            return Some(format!(
                "Application names may not contain '*' (found '{name}')"
            ));
        }
        if name == "*" {
            return None;
        }
        if at != name.len() - 1 {
            return Some(format!(
                "Application name patterns only support trailing wildcards (found '{name}')"
            ));
        }
    }
    if name.chars().any(char::is_whitespace) {
        return Some(format!(
            "Application names may not contain whitespace (found '{name}')"
        ));
    }
    let (prefix, suffix) = match name.find(['-', '_']) {
        Some(at) => (name.get(..at).unwrap_or(""), name.get(at + 1..)),
        None => (name, None),
    };
    let prefix = prefix.strip_suffix('*').unwrap_or(prefix);
    if !is_valid_prefix(prefix) {
        return Some(format!(
            "An application name prefix must match the pattern ^[a-z][A-Za-z0-9]*$ (found '{prefix}')"
        ));
    }
    if prefix.len() < 3 && asterisk.is_none() {
        return Some(format!(
            "An application name prefix must be at least 3 characters long (found '{prefix}')"
        ));
    }
    let suffix = suffix?;
    let suffix = if allow_wildcard {
        suffix.strip_suffix('*').unwrap_or(suffix)
    } else {
        suffix
    };
    suffix.chars().any(|c| INVALID_SUFFIX_CHARS.contains(c)).then(|| {
        format!("An application name suffix may not contain any of the characters '{INVALID_SUFFIX_CHARS}' (found '{suffix}')")
    })
}

fn is_valid_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Validate a stored application privilege name: `^[a-z][a-zA-Z0-9_.-]*$`.
pub fn validate_application_privilege_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "Application privilege names must match the pattern ^[a-z][a-zA-Z0-9_.-]*$ (found '{name}')"
        ))
    }
}
