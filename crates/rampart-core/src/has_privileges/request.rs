//! Parsing a `_has_privileges` request body (section 14 of the facts).

use serde_json::Value;
use thiserror::Error;

use crate::error::EsError;

/// One `index` item of the request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexCheck {
    pub names: Vec<String>,
    pub privileges: Vec<String>,
    pub allow_restricted_indices: bool,
}

/// One `application` item of the request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplicationCheckItem {
    pub application: String,
    pub privileges: Vec<String>,
    pub resources: Vec<String>,
}

/// A parsed `_has_privileges` request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HasPrivilegesRequest {
    pub cluster: Vec<String>,
    pub index: Vec<IndexCheck>,
    pub application: Vec<ApplicationCheckItem>,
}

/// A bad `_has_privileges` request.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum HasPrivilegesError {
    /// 400 `parse_exception`.
    #[error("{0}")]
    Parse(String),
    /// 400 `action_request_validation_exception`; each entry one problem.
    #[error("Validation Failed: {}", numbered(.0))]
    Validation(Vec<String>),
    /// 400 `illegal_argument_exception` (unknown privileges).
    #[error("{0}")]
    IllegalArgument(String),
}

fn numbered(problems: &[String]) -> String {
    problems
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}: {p};", i + 1))
        .collect()
}

impl EsError for HasPrivilegesError {
    fn es_type(&self) -> &'static str {
        match self {
            HasPrivilegesError::Parse(_) => "parse_exception",
            HasPrivilegesError::Validation(_) => "action_request_validation_exception",
            HasPrivilegesError::IllegalArgument(_) => "illegal_argument_exception",
        }
    }
    fn status(&self) -> u16 {
        400
    }
}

use crate::json_token as type_name;

fn strings(user: &str, field: &str, v: &Value) -> Result<Vec<String>, HasPrivilegesError> {
    let bad = || {
        HasPrivilegesError::Parse(format!(
            "failed to parse privileges check [{user}]. expected field [{field}] value to be a string or an array of strings, but found [{}] instead",
            type_name(v)
        ))
    };
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(String::from).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
}

fn objects<'a>(
    user: &str,
    field: &str,
    v: &'a Value,
) -> Result<Vec<&'a serde_json::Map<String, Value>>, HasPrivilegesError> {
    let Value::Array(items) = v else {
        return Err(HasPrivilegesError::Parse(format!(
            "failed to parse privileges check [{user}]. expected field [{field}] value to be an array, but found [{}] instead",
            type_name(v)
        )));
    };
    items
        .iter()
        .map(|i| {
            i.as_object().ok_or_else(|| {
                HasPrivilegesError::Parse(format!(
                    "failed to parse privileges check [{user}]. expected field [{field}] value to be an array of objects, but found an array element of type [{}]",
                    type_name(i)
                ))
            })
        })
        .collect()
}

impl HasPrivilegesRequest {
    /// Parse and validate a request body for `user`.
    pub fn parse(user: &str, body: &Value) -> Result<Self, HasPrivilegesError> {
        let Some(obj) = body.as_object() else {
            return Err(HasPrivilegesError::Parse(format!(
                "failed to parse privileges check [{user}]. expected an object but found [{}] instead",
                type_name(body)
            )));
        };
        let mut req = HasPrivilegesRequest::default();
        let (mut has_cluster, mut has_index, mut has_app) = (false, false, false);
        for (key, value) in obj {
            match key.as_str() {
                "cluster" => {
                    has_cluster = true;
                    req.cluster = strings(user, key, value)?;
                }
                "index" | "indices" => {
                    has_index = true;
                    for o in objects(user, key, value)? {
                        req.index.push(parse_index(user, o)?);
                    }
                }
                "application" | "applications" => {
                    has_app = true;
                    for o in objects(user, key, value)? {
                        req.application.push(parse_application(user, o)?);
                    }
                }
                other => {
                    return Err(HasPrivilegesError::Parse(format!(
                        "failed to parse privileges check [{user}]. unexpected field [{other}]"
                    )));
                }
            }
        }
        if !has_cluster && !has_index && !has_app {
            return Err(HasPrivilegesError::Parse(format!(
                "failed to parse privileges check [{user}]. All privilege fields [cluster,index,applications] are missing"
            )));
        }
        req.validate()?;
        Ok(req)
    }

    /// The request-level checks of `parse` (ES's `Validation Failed` list), for callers that
    /// build the request themselves.
    pub fn validate(&self) -> Result<(), HasPrivilegesError> {
        let mut problems = Vec::new();
        if self.cluster.is_empty() && self.index.is_empty() && self.application.is_empty() {
            problems.push("must specify at least one privilege".to_string());
        }
        for i in &self.index {
            if i.names.is_empty() {
                problems.push("indices must not be empty".to_string());
            }
            if i.privileges.is_empty() {
                problems.push("privileges must not be empty".to_string());
            }
            for n in &i.names {
                if n.contains("::") {
                    problems.push(format!(
                        "Index name [{n}] contains a selector, but selectors are not supported in a has_privileges request"
                    ));
                }
            }
        }
        for a in &self.application {
            if a.application.contains('*') {
                problems.push(format!(
                    "Application names may not contain '*' (found '{}')",
                    a.application
                ));
            }
            if a.privileges.is_empty() {
                problems.push("privileges must not be empty".to_string());
            }
            if a.resources.is_empty() {
                problems.push("resources must not be empty".to_string());
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(HasPrivilegesError::Validation(problems))
        }
    }
}

fn parse_index(
    user: &str,
    o: &serde_json::Map<String, Value>,
) -> Result<IndexCheck, HasPrivilegesError> {
    let mut check = IndexCheck::default();
    for (key, value) in o {
        match key.as_str() {
            "names" => check.names = strings(user, key, value)?,
            "privileges" => check.privileges = strings(user, key, value)?,
            "allow_restricted_indices" => {
                check.allow_restricted_indices = value.as_bool().ok_or_else(|| {
                    HasPrivilegesError::Parse(format!(
                        "failed to parse indices privileges for role [{user}]. expected field [allow_restricted_indices] value to be a boolean, but found [{}] instead",
                        type_name(value)
                    ))
                })?;
            }
            "field_security" | "query" => {
                return Err(HasPrivilegesError::Parse(format!(
                    "Field [{key}] is not supported in a has_privileges request"
                )));
            }
            other => {
                return Err(HasPrivilegesError::Parse(format!(
                    "failed to parse indices privileges for role [{user}]. unexpected field [{other}]"
                )));
            }
        }
    }
    Ok(check)
}

fn parse_application(
    user: &str,
    o: &serde_json::Map<String, Value>,
) -> Result<ApplicationCheckItem, HasPrivilegesError> {
    let mut item = ApplicationCheckItem::default();
    let mut seen = (false, false, false);
    for (key, value) in o {
        match key.as_str() {
            "application" => {
                seen.0 = true;
                item.application = value.as_str().map(String::from).ok_or_else(|| {
                    HasPrivilegesError::Parse(format!(
                        "failed to parse application privileges for role [{user}]. expected field [application] value to be a string, but found [{}] instead",
                        type_name(value)
                    ))
                })?;
            }
            "privileges" => {
                seen.1 = true;
                item.privileges = strings(user, key, value)?;
            }
            "resources" => {
                seen.2 = true;
                item.resources = strings(user, key, value)?;
            }
            other => {
                return Err(HasPrivilegesError::Parse(format!(
                    "failed to parse application privileges for role [{user}]. unexpected field [{other}]"
                )));
            }
        }
    }
    for (present, field) in [
        (seen.0, "application"),
        (seen.1, "privileges"),
        (seen.2, "resources"),
    ] {
        if !present {
            return Err(HasPrivilegesError::Parse(format!(
                "failed to parse application privileges for role [{user}]. missing required [{field}] field"
            )));
        }
    }
    Ok(item)
}
