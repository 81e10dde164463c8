//! roles.yml: a YAML map of role name → role descriptor, parsed with the JSON parser.

use serde_json::Value;

use super::error::RoleError;
use super::model::RoleDescriptor;
use super::parse::{RoleContext, parse_role};
use super::validate::role_problems;

/// The outcome of reading a roles file: ES keeps the valid roles and skips (logs) the rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolesFile {
    /// Valid roles, in file order.
    pub roles: Vec<RoleDescriptor>,
    /// Skipped roles with the reason, in file order.
    pub invalid: Vec<(String, RoleError)>,
}

/// Parse a user roles.yml. Built-in role names cannot be redefined there and land in `invalid`.
/// A YAML syntax error (or a top level that is not a map) fails the whole file.
pub fn parse_roles_file(text: &str) -> Result<RolesFile, RoleError> {
    parse_roles_text(text, true)
}

/// Parse roles.yml text; `reject_reserved_names` is off only for the built-in roles file.
pub(crate) fn parse_roles_text(
    text: &str,
    reject_reserved_names: bool,
) -> Result<RolesFile, RoleError> {
    let document: Value = serde_norway::from_str(text)
        .map_err(|e| RoleError::parse(format!("failed to parse roles file: {e}")))?;
    let entries = match document {
        // An empty file (or one holding only comments) defines no roles.
        Value::Null => return Ok(RolesFile::default()),
        Value::Object(entries) => entries,
        other => {
            return Err(RoleError::parse(format!(
                "failed to parse roles file: expected a map of role names to role descriptors but found [{}]",
                super::json::token(&other)
            )));
        }
    };
    let mut out = RolesFile::default();
    for (name, body) in entries {
        let checked = parse_role(&name, &body, RoleContext::File).and_then(|role| {
            let problems = role_problems(&role, RoleContext::File, reject_reserved_names);
            if problems.is_empty() {
                Ok(role)
            } else {
                Err(RoleError::Validation(problems))
            }
        });
        match checked {
            Ok(role) => out.roles.push(role),
            Err(e) => out.invalid.push((name, e)),
        }
    }
    Ok(out)
}
