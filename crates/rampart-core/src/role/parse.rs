//! Parsing a role descriptor from JSON (role API, API-key role descriptors, roles.yml), with the
//! error messages Elasticsearch gives for each malformed field.

use serde_json::{Map, Value};

use super::error::RoleError;
use super::json::{string_array, token};
use super::model::{ApplicationPrivileges, RemoteClusterPrivileges, Restriction, RoleDescriptor};
use super::{global, indices};
use crate::catalog;

/// Where a role descriptor comes from; decides which optional fields are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleContext {
    /// `PUT /_security/role/{name}` (native roles): `description` allowed, `restriction` not.
    RoleApi,
    /// `role_descriptors` of an API key: `restriction` allowed, `description` not.
    ApiKey,
    /// A roles.yml entry: `description` allowed, `restriction` not.
    File,
}

impl RoleContext {
    fn allows_description(self) -> bool {
        matches!(self, RoleContext::RoleApi | RoleContext::File)
    }
    fn allows_restriction(self) -> bool {
        matches!(self, RoleContext::ApiKey)
    }
}

/// Parse a request body. An empty body and malformed JSON are reported as Elasticsearch does.
pub fn parse_role_bytes(
    name: &str,
    body: &[u8],
    ctx: RoleContext,
) -> Result<RoleDescriptor, RoleError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(RoleError::parse("request body is required"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        // serde_json appends " at line L column C"; ES puts the location first as "[L:C] ".
        let text = e.to_string();
        let message = text.split(" at line ").next().unwrap_or(&text).to_string();
        RoleError::XContent(format!("[{}:{}] {}", e.line(), e.column(), message))
    })?;
    parse_role(name, &value, ctx)
}

/// Parse a role descriptor body. Structural problems, the DLS query check and the FLS subset
/// check fail here; name and privilege-name checks are [`super::validate_role`]'s job.
pub fn parse_role(name: &str, body: &Value, ctx: RoleContext) -> Result<RoleDescriptor, RoleError> {
    let Value::Object(fields) = body else {
        return Err(RoleError::parse(format!(
            "failed to parse role [{name}]. expected an object but found [{}] instead",
            token(body)
        )));
    };
    let mut role = RoleDescriptor::named(name);
    role.transient_metadata = enabled_transient_metadata();
    for (field, value) in fields {
        match field.as_str() {
            "indices" | "index" => role.indices = indices::parse_indices(name, field, value)?,
            "remote_indices" => {
                role.remote_indices = indices::parse_remote_indices(name, field, value)?
            }
            "cluster" => role.cluster = role_strings(name, field, value)?.unwrap_or_default(),
            "run_as" => role.run_as = role_strings(name, field, value)?.unwrap_or_default(),
            "applications" | "application" => {
                role.applications = parse_applications(name, field, value)?
            }
            "global" => role.global = global::parse_global(value)?,
            "metadata" => role.metadata = parse_metadata(value)?,
            "transient_metadata" => {
                let given = expect_object(name, field, value)?;
                // ES drops what clients send and renders {"enabled": true}; only the built-in
                // roles file needs to state it (superuser's is empty).
                if ctx == RoleContext::File {
                    role.transient_metadata = given;
                }
            }
            // Accepted for compatibility, carry nothing.
            "type" | "metadata_flattened" => {}
            "remote_cluster" => role.remote_cluster = parse_remote_cluster(name, field, value)?,
            "restriction" if ctx.allows_restriction() => {
                role.restriction = parse_restriction(name, value)?
            }
            "description" if ctx.allows_description() => {
                role.description = parse_description(name, value)?
            }
            _ => {
                return Err(RoleError::parse(format!(
                    "failed to parse role [{name}]. unexpected field [{field}]"
                )));
            }
        }
    }
    indices::validate_queries(&role)?;
    Ok(role)
}

/// `{"enabled": true}`: the transient metadata of every role that does not say otherwise.
pub(crate) fn enabled_transient_metadata() -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("enabled".to_string(), Value::Bool(true));
    map
}

/// A string array of the role, with ES's wrapping `failed to parse role [<r>]` error.
pub(super) fn role_strings(
    role: &str,
    field: &str,
    value: &Value,
) -> Result<Option<Vec<String>>, RoleError> {
    string_array(field, value).map_err(|cause| {
        RoleError::parse_caused_by(
            format!("failed to parse role [{role}]"),
            "parse_exception",
            cause.0,
        )
    })
}

/// `failed to parse <what> for role [<r>]. unexpected field [<f>]`.
pub(super) fn unexpected_field(what: &str, role: &str, field: &str) -> RoleError {
    RoleError::parse(format!(
        "failed to parse {what} for role [{role}]. unexpected field [{field}]"
    ))
}

fn parse_metadata(value: &Value) -> Result<Map<String, Value>, RoleError> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        other => Err(RoleError::parse(format!(
            "expected field [metadata] to be of type object, but found [{}] instead",
            token(other)
        ))),
    }
}

fn expect_object(role: &str, field: &str, value: &Value) -> Result<Map<String, Value>, RoleError> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        other => Err(RoleError::parse(format!(
            "failed to parse role [{role}]. expected field [{field}] to be an object, but found [{}] instead",
            token(other)
        ))),
    }
}

fn parse_description(role: &str, value: &Value) -> Result<Option<String>, RoleError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(RoleError::parse(format!(
            "failed to parse role [{role}]. expected field [description] value to be a string, but found [{}] instead",
            token(other)
        ))),
    }
}

/// The objects of an array field, with the "array" / "array of objects" errors of `<what>`.
pub(super) fn array_of_objects<'a>(
    what: &str,
    role: &str,
    field: &str,
    value: &'a Value,
) -> Result<Vec<&'a Map<String, Value>>, RoleError> {
    let Value::Array(items) = value else {
        return Err(RoleError::parse(format!(
            "failed to parse {what} for role [{role}]. expected field [{field}] value to be an array, but found [{}] instead",
            token(value)
        )));
    };
    items
        .iter()
        .map(|item| match item {
            Value::Object(map) => Ok(map),
            other => Err(RoleError::parse(format!(
                "failed to parse {what} for role [{role}]. expected field [{field}] value to be an array of objects, but found an array element of type [{}]",
                token(other)
            ))),
        })
        .collect()
}

fn parse_applications(
    role: &str,
    field: &str,
    value: &Value,
) -> Result<Vec<ApplicationPrivileges>, RoleError> {
    const WHAT: &str = "application privileges";
    let mut out = Vec::new();
    for entry in array_of_objects(WHAT, role, field, value)? {
        let (mut application, mut privileges, mut resources) = (None, None, None);
        for (key, value) in entry {
            match key.as_str() {
                "application" => match value {
                    Value::String(s) => application = Some(s.clone()),
                    other => {
                        return Err(RoleError::parse(format!(
                            "failed to parse {WHAT} for role [{role}]. expected field [application] value to be a string, but found [{}] instead",
                            token(other)
                        )));
                    }
                },
                "privileges" => privileges = role_strings(role, key, value)?,
                "resources" => resources = role_strings(role, key, value)?,
                _ => return Err(unexpected_field(WHAT, role, key)),
            }
        }
        let missing = |f: &str| {
            RoleError::parse(format!(
                "failed to parse {WHAT} for role [{role}]. missing required [{f}] field"
            ))
        };
        let resources = resources.ok_or_else(|| missing("resources"))?;
        let privileges = privileges.ok_or_else(|| missing("privileges"))?;
        let application = application.filter(|a| !a.is_empty()).ok_or_else(|| {
            RoleError::IllegalArgument(
                "application privileges must have an application name".into(),
            )
        })?;
        if privileges.is_empty() {
            return Err(RoleError::IllegalArgument(
                "application privileges must define at least one privilege".into(),
            ));
        }
        if resources.is_empty() {
            return Err(RoleError::IllegalArgument(
                "application privileges must refer to at least one resource".into(),
            ));
        }
        out.push(ApplicationPrivileges {
            application,
            privileges,
            resources,
        });
    }
    Ok(out)
}

fn parse_remote_cluster(
    role: &str,
    field: &str,
    value: &Value,
) -> Result<Vec<RemoteClusterPrivileges>, RoleError> {
    const WHAT: &str = "remote_cluster";
    let fail = |message: String| {
        RoleError::parse(format!(
            "failed to parse {WHAT} for role [{role}]. {message}"
        ))
    };
    let mut out = Vec::new();
    for entry in array_of_objects(WHAT, role, field, value)? {
        let (mut privileges, mut clusters) = (None, None);
        for (key, value) in entry {
            match key.as_str() {
                "privileges" => privileges = role_strings(role, key, value)?,
                "clusters" => clusters = role_strings(role, key, value)?,
                _ => return Err(unexpected_field(WHAT, role, key)),
            }
        }
        let (privileges, clusters) = match (privileges, clusters) {
            (Some(p), Some(c)) => (p, c),
            (Some(_), None) => {
                return Err(fail(
                    "[clusters] must be defined when [privileges] are defined ".into(),
                ));
            }
            (None, _) => {
                return Err(fail(
                    "[privileges] must be defined when [clusters] are defined ".into(),
                ));
            }
        };
        if let Some(message) = remote_cluster_privileges_problem(&privileges) {
            return Err(fail(message));
        }
        out.push(RemoteClusterPrivileges {
            privileges,
            clusters,
        });
    }
    Ok(out)
}

/// The complaint about a `remote_cluster` privilege list holding anything but the allowed names.
pub(super) fn remote_cluster_privileges_problem(privileges: &[String]) -> Option<String> {
    let allowed = catalog::remote_cluster_privileges();
    let all_allowed = privileges
        .iter()
        .all(|p| allowed.contains(&p.trim().to_lowercase().as_str()));
    (!all_allowed).then(|| {
        format!(
            "[{}] are the only values allowed for [privileges] within [remote_cluster]. Found [{}]",
            allowed.join(", "),
            privileges.join(", ")
        )
    })
}

fn parse_restriction(role: &str, value: &Value) -> Result<Option<Restriction>, RoleError> {
    const WHAT: &str = "restriction";
    let fail = |message: String| {
        RoleError::parse(format!(
            "failed to parse {WHAT} for role [{role}]. {message}"
        ))
    };
    let fields = match value {
        Value::Null => return Ok(None),
        Value::Object(fields) => fields,
        other => {
            return Err(fail(format!(
                "expected an object but found [{}] instead",
                token(other)
            )));
        }
    };
    let mut workflows = None;
    for (key, value) in fields {
        match key.as_str() {
            "workflows" => workflows = role_strings(role, key, value)?,
            _ => return Err(unexpected_field(WHAT, role, key)),
        }
    }
    let workflows = workflows.ok_or_else(|| fail("missing required [workflows] field".into()))?;
    if workflows.is_empty() {
        return Err(fail("[workflows] cannot be an empty array".into()));
    }
    Ok(Some(Restriction { workflows }))
}
