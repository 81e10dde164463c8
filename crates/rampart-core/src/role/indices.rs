//! Parsing `indices` and `remote_indices` entries, including field and document level security.

use serde_json::{Map, Value};

use super::error::RoleError;
use super::json::token;
use super::model::{FieldSecurity, IndicesPrivileges, RemoteIndicesPrivileges, RoleDescriptor};
use super::parse::{array_of_objects, role_strings, unexpected_field};
use crate::dls;

const WHAT: &str = "indices privileges";

pub(super) fn parse_indices(
    role: &str,
    field: &str,
    value: &Value,
) -> Result<Vec<IndicesPrivileges>, RoleError> {
    array_of_objects(WHAT, role, field, value)?
        .into_iter()
        .map(|entry| parse_entry(role, entry, false).map(|(indices, _)| indices))
        .collect()
}

pub(super) fn parse_remote_indices(
    role: &str,
    field: &str,
    value: &Value,
) -> Result<Vec<RemoteIndicesPrivileges>, RoleError> {
    array_of_objects(WHAT, role, field, value)?
        .into_iter()
        .map(|entry| {
            let (indices, clusters) = parse_entry(role, entry, true)?;
            let clusters = clusters.ok_or_else(|| {
                RoleError::parse(format!(
                    "failed to parse remote indices privileges for role [{role}]. missing required [clusters] field"
                ))
            })?;
            if clusters.is_empty() {
                return Err(RoleError::IllegalArgument(
                    "the [remote_indices] sub-field [clusters] must refer to at least one cluster alias or cluster alias pattern"
                        .into(),
                ));
            }
            Ok(RemoteIndicesPrivileges { clusters, indices })
        })
        .collect()
}

fn fail(role: &str, message: impl std::fmt::Display) -> RoleError {
    RoleError::parse(format!(
        "failed to parse {WHAT} for role [{role}]. {message}"
    ))
}

/// One entry; `clusters` is only accepted (and returned) for remote entries.
fn parse_entry(
    role: &str,
    entry: &Map<String, Value>,
    remote: bool,
) -> Result<(IndicesPrivileges, Option<Vec<String>>), RoleError> {
    let mut names = None;
    let mut privileges = None;
    let mut clusters = None;
    let mut out = IndicesPrivileges::default();
    for (key, value) in entry {
        match key.as_str() {
            "names" => names = Some(parse_names(role, value)?),
            "privileges" => privileges = role_strings(role, key, value)?,
            "allow_restricted_indices" => match value {
                Value::Bool(b) => out.allow_restricted_indices = *b,
                other => {
                    return Err(fail(
                        role,
                        format_args!(
                            "expected field [allow_restricted_indices] value to be a boolean, but found [{}] instead",
                            token(other)
                        ),
                    ));
                }
            },
            "query" => out.query = parse_query(role, value)?,
            "field_security" => out.field_security = parse_field_security(role, value)?,
            "fields" => {
                return Err(RoleError::parse(format!(
                    "[\"fields\": [...]] format has changed for field permissions in role [{role}], use [\"field_security\": {{\"grant\":[...],\"except\":[...]}}] instead"
                )));
            }
            "clusters" if remote => clusters = role_strings(role, key, value)?,
            _ => return Err(unexpected_field(WHAT, role, key)),
        }
    }
    out.names = names.ok_or_else(|| fail(role, "missing required [names] field"))?;
    out.privileges = privileges.ok_or_else(|| fail(role, "missing required [privileges] field"))?;
    if out.privileges.is_empty() {
        return Err(RoleError::IllegalArgument(
            "Indices privileges must define at least one privilege".into(),
        ));
    }
    if let Some(fls) = &out.field_security {
        super::fls::check_except_is_subset(role, fls)?;
    }
    Ok((out, clusters))
}

fn parse_names(role: &str, value: &Value) -> Result<Vec<String>, RoleError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if items.is_empty() => {
            Err(fail(role, "[names] cannot be an empty array"))
        }
        Value::Array(_) => Ok(role_strings(role, "names", value)?.unwrap_or_default()),
        other => Err(fail(
            role,
            format_args!(
                "expected field [names] value to be a string or an array of strings, but found [{}] instead",
                token(other)
            ),
        )),
    }
}

/// ES keeps the query as a JSON string: objects (and arrays) are serialized compactly.
fn parse_query(role: &str, value: &Value) -> Result<Option<String>, RoleError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Object(_) | Value::Array(_) => Ok(Some(value.to_string())),
        other => Err(fail(
            role,
            format_args!(
                "expected field [query] value to be null, a string, an array, or an object, but found [{}] instead",
                token(other)
            ),
        )),
    }
}

fn parse_field_security(role: &str, value: &Value) -> Result<Option<FieldSecurity>, RoleError> {
    let fields = match value {
        Value::Null => return Ok(None),
        Value::Object(fields) => fields,
        other => {
            return Err(fail(
                role,
                format_args!(
                    "expected field [field_security] value to be an object, but found [{}] instead",
                    token(other)
                ),
            ));
        }
    };
    if fields.is_empty() {
        return Err(fail(role, "\"field_security\" must not be empty."));
    }
    let mut grant = None;
    let mut except = None;
    for (key, value) in fields {
        let list = match (key.as_str(), value) {
            ("grant" | "except", Value::Null) => {
                return Err(fail(role, format_args!("{key} must not be null.")));
            }
            ("grant" | "except", _) => role_strings(role, key, value)?,
            _ => {
                return Err(fail(
                    role,
                    format_args!(
                        "\"field_security\" only accepts options grant and except, but got: {key}"
                    ),
                ));
            }
        };
        if key == "grant" {
            grant = list;
        } else {
            except = list;
        }
    }
    if grant.is_none() && except.is_some() {
        return Err(fail(
            role,
            "field_security requires grant if except is given",
        ));
    }
    Ok(Some(FieldSecurity {
        grant,
        except: except.unwrap_or_default(),
    }))
}

/// Check every DLS query of the role (section 7.3); the position is the entry's index in its list.
pub(super) fn validate_queries(role: &RoleDescriptor) -> Result<(), RoleError> {
    let local = role.indices.iter();
    let remote = role.remote_indices.iter().map(|r| &r.indices);
    for list in [local.collect::<Vec<_>>(), remote.collect()] {
        for (position, entry) in list.into_iter().enumerate() {
            if let Some(query) = &entry.query {
                validate_query(entry, position, query)?;
            }
        }
    }
    Ok(())
}

fn validate_query(
    entry: &IndicesPrivileges,
    position: usize,
    query: &str,
) -> Result<(), RoleError> {
    let wrapper = || {
        format!(
            "failed to parse field 'query' for indices [{}] at index privilege [{position}] of role descriptor",
            entry.names.join(",")
        )
    };
    let parsed: Value = serde_json::from_str(query).map_err(|e| {
        RoleError::parse_caused_by(wrapper(), "x_content_parse_exception", e.to_string())
    })?;
    dls::validate_role_query(&parsed)
        .map_err(|e| RoleError::parse_caused_by(wrapper(), "illegal_argument_exception", e.0))
}
