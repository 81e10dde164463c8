//! Access analysis (issue 8): `POST /_security/_access/who` (who can reach a target) and
//! `POST /_security/role/{name}/_impact`, `POST /_security/_impact` (what a role change adds
//! or removes, for whom). The analysis itself is `rampart_core::analysis`; this module only
//! gathers the security data from the store, built-in roles and the file realm.

use std::sync::Arc;

use rampart_core::analysis::{
    AccessIndex, AccessInput, AnalysisError, ApiKeyEntry, ImpactInput, ImpactReport, MappingEntry,
    RoleSource, Target, UserEntry, analyze_impact,
};
use rampart_core::role::{
    RoleContext, RoleDescriptor, parse_role, parse_role_bytes, validate_role,
};
use rampart_store::ApiKeyFilter;
use serde_json::Value;

use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::{AppState, blocking};

/// Both `read_security` and `manage_security` grant this action, so either may ask "who".
pub const WHO_ACTION: &str = "cluster:admin/xpack/security/role/get";
/// Impact analysis previews a role write: it needs what writing the role needs.
pub const IMPACT_ACTION: &str = "cluster:admin/xpack/security/role/put";

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        match e {
            AnalysisError::Compile(c) => ApiError::from(c),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

fn string_field(
    obj: &serde_json::Map<String, Value>,
    section: &str,
    field: &str,
) -> Result<String, ApiError> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::parse(format!(
            "[{section}.{field}] must be a string"
        ))),
        None => Err(ApiError::validation(&[format!(
            "[{section}.{field}] is required"
        )])),
    }
}

/// Parse the who-can-reach body: exactly one of `index`, `cluster`, `application`, `kibana`.
pub fn parse_target(body: &Value) -> Result<Target, ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::parse(
            "failed to parse access request. expected an object",
        ));
    };
    let mut target = None;
    for (key, value) in fields {
        if target.is_some() {
            return Err(ApiError::parse(format!(
                "failed to parse access request. a request names exactly one target, found another one in [{key}]"
            )));
        }
        target = Some(match (key.as_str(), value) {
            ("index", Value::Object(o)) => Target::Index {
                name: string_field(o, "index", "name")?,
                privilege: string_field(o, "index", "privilege")?,
            },
            ("cluster", Value::String(p)) => Target::Cluster {
                privilege: p.clone(),
            },
            ("application", Value::Object(o)) => Target::Application {
                application: string_field(o, "application", "application")?,
                privilege: string_field(o, "application", "privilege")?,
                resource: string_field(o, "application", "resource")?,
            },
            ("kibana", _) => {
                return Err(ApiError::bad_request(
                    "kibana space and feature targets are not supported yet (they come with the Kibana layer)",
                ));
            }
            ("index" | "application", _) => {
                return Err(ApiError::parse(format!("[{key}] must be an object")));
            }
            ("cluster", _) => return Err(ApiError::parse("[cluster] must be a string")),
            (other, _) => {
                return Err(ApiError::parse(format!(
                    "failed to parse access request. unknown field [{other}]"
                )));
            }
        });
    }
    target.ok_or_else(|| {
        ApiError::validation(&["one of [index], [cluster], [application] is required".to_string()])
    })
}

/// Every user with its realm type and role names: reserved, file, native.
fn all_users(st: &AppState) -> Result<Vec<UserEntry>, ApiError> {
    let mut out: Vec<UserEntry> = crate::api::users::reserved_user_infos(st)?
        .into_iter()
        .map(|u| UserEntry {
            name: u.username,
            realm: "reserved".into(),
            roles: u.roles,
            enabled: u.enabled,
        })
        .collect();
    for name in st.file_realm.usernames() {
        if let Some((u, _)) = st.file_realm.lookup(&name) {
            out.push(UserEntry {
                name: u.username,
                realm: "file".into(),
                roles: u.roles,
                enabled: u.enabled,
            });
        }
    }
    for u in st.store.list_users().map_err(ApiError::internal)? {
        out.push(UserEntry {
            name: u.username,
            realm: "native".into(),
            roles: u.roles,
            enabled: u.enabled,
        });
    }
    Ok(out)
}

fn native_roles(st: &AppState) -> Result<Vec<RoleDescriptor>, ApiError> {
    Ok(st
        .store
        .list_roles()
        .map_err(ApiError::internal)?
        .into_iter()
        // A stored role that no longer parses grants nothing (as in role resolution).
        .filter_map(|d| parse_role(&d.name, &d.doc, RoleContext::RoleApi).ok())
        .collect())
}

fn active_keys(st: &AppState) -> Result<Vec<ApiKeyEntry>, ApiError> {
    let filter = ApiKeyFilter {
        active_only: true,
        now_ms: crate::api::api_keys::now_ms(),
        ..Default::default()
    };
    let parse = |v: &Value, ctx| crate::authn::api_key::parse_descriptor_map(v, ctx);
    st.store
        .find_api_keys(&filter)
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|k| {
            Ok(ApiKeyEntry {
                role_descriptors: parse(&k.role_descriptors, RoleContext::ApiKey)?,
                // The owner snapshot is stored in the role-API shape (as authentication reads it).
                limited_by: parse(&k.limited_by_role_descriptors, RoleContext::RoleApi)?,
                id: k.id,
                name: k.name,
                owner: k.username,
            })
        })
        .collect()
}

fn mappings(st: &AppState) -> Result<Vec<MappingEntry>, ApiError> {
    Ok(st
        .store
        .list_role_mappings()
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|m| MappingEntry {
            roles: m
                .doc
                .get("roles")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            rules: m.doc.get("rules").map(Value::to_string).unwrap_or_default(),
            enabled: m
                .doc
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            name: m.name,
        })
        .collect())
}

fn build_index(st: &AppState) -> Result<AccessIndex, ApiError> {
    let mut roles: Vec<(RoleDescriptor, RoleSource)> = st
        .security
        .builtin
        .iter()
        .cloned()
        .map(|r| (r, RoleSource::Builtin))
        .collect();
    roles.extend(
        st.security
            .file_roles()
            .into_iter()
            .map(|r| (r, RoleSource::File)),
    );
    roles.extend(
        native_roles(st)?
            .into_iter()
            .map(|r| (r, RoleSource::Native)),
    );
    let input = AccessInput {
        roles,
        users: all_users(st)?,
        mappings: mappings(st)?,
        api_keys: active_keys(st)?,
        applications: (*st.security.application_privileges(st.store.as_ref())?).clone(),
        restricted: st.security.restricted.clone(),
    };
    Ok(AccessIndex::build(input)?)
}

/// `POST /_security/_access/who`.
pub fn who(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let target = parse_target(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        let answer = blocking(move || Ok(build_index(&st)?.who(target)?)).await?;
        Ok(Reply::ok(
            serde_json::to_value(answer).map_err(ApiError::internal)?,
        ))
    })
}

fn impact_input(
    st: &AppState,
    old: Vec<RoleDescriptor>,
    new: Vec<RoleDescriptor>,
) -> Result<ImpactInput, ApiError> {
    Ok(ImpactInput {
        old,
        new,
        users: all_users(st)?,
        api_keys: active_keys(st)?,
        applications: (*st.security.application_privileges(st.store.as_ref())?).clone(),
        restricted: st.security.restricted.clone(),
    })
}

/// The impact of replacing the current role `proposed.name` with `proposed` (also the CLI's).
pub fn role_impact_report(
    st: &AppState,
    proposed: RoleDescriptor,
) -> Result<ImpactReport, ApiError> {
    let current = st
        .security
        .resolve_roles(st.store.as_ref(), std::slice::from_ref(&proposed.name))?
        .roles;
    Ok(analyze_impact(&impact_input(st, current, vec![proposed])?)?)
}

/// `POST /_security/role/{name}/_impact`: the body is the proposed role (as for put role).
pub fn role_impact(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let name = req.param_required("name")?.to_string();
        let proposed = parse_role_bytes(&name, &req.body, RoleContext::RoleApi)?;
        validate_role(&proposed, RoleContext::RoleApi)?;
        let st = Arc::clone(&ctx.state);
        let report = blocking(move || role_impact_report(&st, proposed)).await?;
        Ok(Reply::ok(
            serde_json::to_value(report).map_err(ApiError::internal)?,
        ))
    })
}

fn role_set(body: &Value, field: &str) -> Result<Vec<RoleDescriptor>, ApiError> {
    match body.get(field) {
        Some(Value::Object(roles)) => roles
            .iter()
            .map(|(name, doc)| {
                let role = parse_role(name, doc, RoleContext::RoleApi)?;
                validate_role(&role, RoleContext::RoleApi)?;
                Ok(role)
            })
            .collect(),
        Some(_) => Err(ApiError::parse(format!(
            "[{field}] must be an object of roles by name"
        ))),
        None => Err(ApiError::validation(&[format!("[{field}] is required")])),
    }
}

/// `POST /_security/_impact`: `{"old": {name: role}, "new": {name: role}}`.
pub fn roles_impact(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        if let Some(obj) = body.as_object() {
            if let Some(k) = obj.keys().find(|k| *k != "old" && *k != "new") {
                return Err(ApiError::parse(format!(
                    "failed to parse impact request. unknown field [{k}]"
                )));
            }
        }
        let (old, new) = (role_set(&body, "old")?, role_set(&body, "new")?);
        let st = Arc::clone(&ctx.state);
        let report = blocking(move || Ok(analyze_impact(&impact_input(&st, old, new)?)?)).await?;
        Ok(Reply::ok(
            serde_json::to_value(report).map_err(ApiError::internal)?,
        ))
    })
}
