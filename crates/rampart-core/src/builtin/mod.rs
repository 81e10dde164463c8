//! The built-in (reserved) roles and the reserved users, from embedded data files.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::role::{RoleDescriptor, RoleError, parse_roles_text};

const BUILTIN_ROLES_YML: &str = include_str!("../../data/builtin-roles.yml");
const RESERVED_USERS_YML: &str = include_str!("../../data/reserved-users.yml");

/// The built-in roles, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinRoles {
    roles: Vec<RoleDescriptor>,
}

impl BuiltinRoles {
    /// Parse the embedded built-in roles file; any invalid role there is an error (a bug in the
    /// data, which the tests catch).
    pub fn load() -> Result<Self, RoleError> {
        let file = parse_roles_text(BUILTIN_ROLES_YML, false)?;
        if let Some((name, error)) = file.invalid.into_iter().next() {
            return Err(RoleError::parse(format!(
                "invalid built-in role [{name}]: {error}"
            )));
        }
        Ok(BuiltinRoles { roles: file.roles })
    }

    /// The built-in role called `name`.
    pub fn get(&self, name: &str) -> Option<&RoleDescriptor> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// All built-in roles, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &RoleDescriptor> {
        self.roles.iter()
    }

    /// All built-in role names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|r| r.name.as_str())
    }
}

/// A user of the reserved realm (`elastic`, `kibana_system`, ...), as GET user shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservedUser {
    pub username: String,
    pub roles: Vec<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Map<String, Value>,
    /// The default; the stored state can disable the user.
    pub enabled: bool,
}

impl ReservedUser {
    /// The GET-user JSON of this user.
    pub fn to_json(&self) -> Value {
        json!({
            "username": self.username,
            "roles": self.roles,
            "full_name": self.full_name,
            "email": self.email,
            "metadata": self.metadata,
            "enabled": self.enabled,
        })
    }
}

/// The shape of one entry of the embedded reserved-users file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReservedUserEntry {
    roles: Vec<String>,
    full_name: Option<String>,
    email: Option<String>,
    metadata: Map<String, Value>,
    enabled: bool,
}

/// The reserved users, in Elasticsearch's listing order.
pub fn reserved_users() -> Result<Vec<ReservedUser>, RoleError> {
    let entries: serde_json::Map<String, Value> = serde_norway::from_str(RESERVED_USERS_YML)
        .map_err(|e| RoleError::parse(format!("failed to parse the reserved users file: {e}")))?;
    entries
        .into_iter()
        .map(|(username, body)| {
            let entry: ReservedUserEntry = serde_json::from_value(body).map_err(|e| {
                RoleError::parse(format!("invalid reserved user [{username}]: {e}"))
            })?;
            Ok(ReservedUser {
                username,
                roles: entry.roles,
                full_name: entry.full_name,
                email: entry.email,
                metadata: entry.metadata,
                enabled: entry.enabled,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
