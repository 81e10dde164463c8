//! Parsing the `global` object (configurable, request-aware cluster privileges).

use serde_json::{Map, Value};

use super::error::RoleError;
use super::json::{string_array, token};
use super::model::{GlobalPrivileges, RoleManageGroup};

fn expected_token(expected: &str, found: &Value) -> RoleError {
    RoleError::XContent(format!(
        "failed to parse privilege. expected [{expected}] but found [{}] instead",
        token(found)
    ))
}

fn expected_field(expected: &str, found: &str) -> RoleError {
    RoleError::XContent(format!(
        "failed to parse privilege. expected field name [{expected}] but found [{found}] instead"
    ))
}

fn object(value: &Value) -> Result<&Map<String, Value>, RoleError> {
    value
        .as_object()
        .ok_or_else(|| expected_token("START_OBJECT", value))
}

/// Walk `{"<outer>": {"<inner>": <value>}}`-shaped levels, returning the values under `inner`.
fn single_key_object<'a>(value: &'a Value, key: &str) -> Result<Vec<&'a Value>, RoleError> {
    object(value)?
        .iter()
        .map(|(k, v)| {
            if k == key {
                Ok(v)
            } else {
                Err(expected_field(key, k))
            }
        })
        .collect()
}

fn strings(field: &str, value: &Value) -> Result<Vec<String>, RoleError> {
    match value {
        Value::Array(_) | Value::String(_) => string_array(field, value)
            .map(Option::unwrap_or_default)
            .map_err(|e| RoleError::parse(e.0)),
        other => Err(expected_token("START_ARRAY", other)),
    }
}

/// Parse `global`: categories `application.manage`, `profile.write`, `role.manage`.
pub(super) fn parse_global(value: &Value) -> Result<GlobalPrivileges, RoleError> {
    let mut global = GlobalPrivileges::default();
    for (category, body) in object(value)? {
        match category.as_str() {
            "application" => {
                for manage in single_key_object(body, "manage")? {
                    for apps in single_key_object(manage, "applications")? {
                        global
                            .application_manage
                            .get_or_insert_with(Vec::new)
                            .extend(strings("applications", apps)?);
                    }
                }
            }
            "profile" => {
                for write in single_key_object(body, "write")? {
                    for apps in single_key_object(write, "applications")? {
                        global
                            .profile_write
                            .get_or_insert_with(Vec::new)
                            .extend(strings("applications", apps)?);
                    }
                }
            }
            "role" => {
                for manage in single_key_object(body, "manage")? {
                    for groups in single_key_object(manage, "indices")? {
                        let parsed = parse_role_manage_groups(groups)?;
                        global
                            .role_manage
                            .get_or_insert_with(Vec::new)
                            .extend(parsed);
                    }
                }
            }
            other => {
                return Err(RoleError::XContent(format!(
                    "failed to parse privilege. expected one of [application, profile, role] but found [{other}] instead"
                )));
            }
        }
    }
    Ok(global)
}

fn parse_role_manage_groups(value: &Value) -> Result<Vec<RoleManageGroup>, RoleError> {
    let Value::Array(items) = value else {
        return Err(expected_token("START_ARRAY", value));
    };
    items
        .iter()
        .map(|item| {
            let mut group = RoleManageGroup::default();
            for (key, value) in object(item)? {
                match key.as_str() {
                    "names" => group.names = strings(key, value)?,
                    "privileges" => group.privileges = strings(key, value)?,
                    other => {
                        return Err(RoleError::XContent(format!(
                            "failed to parse privilege. expected one of [names, privileges] but found [{other}] instead"
                        )));
                    }
                }
            }
            if group.names.is_empty() {
                return Err(RoleError::IllegalArgument(
                    "Indices privileges must refer to at least one index name or index name pattern".into(),
                ));
            }
            if group.privileges.is_empty() {
                return Err(RoleError::IllegalArgument("Indices privileges must define at least one privilege".into()));
            }
            Ok(group)
        })
        .collect()
}
