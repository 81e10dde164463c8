//! Access analysis (issue 8): `POST /_security/_access/who` (who can reach a target) and
//! `POST /_security/role/{name}/_impact`, `POST /_security/_impact` (what a role change adds
//! or removes, for whom). The analysis itself is `rampart_core::analysis`; this module only
//! gathers the security data from the store, built-in roles and the file realm.

use std::sync::Arc;

use rampart_core::analysis::{
    AccessIndex, AccessInput, AnalysisError, ApiKeyEntry, ImpactInput, ImpactReport, MappingEntry,
    RoleSource, RoleTemplate, Target, UserEntry, analyze_impact,
};
use rampart_core::role::{
    RoleContext, RoleDescriptor, parse_role, parse_role_bytes, validate_role,
};
use rampart_store::ApiKeyFilter;
use serde_json::Value;

use crate::access_cache::AccessKey;
use crate::api::access_kibana::{kibana_privileges, parse_kibana_target, with_kibana_privileges};
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
/// A Kibana target also returns what it resolved to (the registered privilege and resource).
pub fn parse_target(body: &Value) -> Result<(Target, Option<Value>), ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::parse(
            "failed to parse access request. expected an object",
        ));
    };
    let mut target = None;
    let mut resolved = None;
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
            ("kibana", Value::Object(o)) => {
                let k = parse_kibana_target(o, kibana_privileges())?;
                resolved = Some(k.resolved);
                k.target
            }
            ("index" | "application" | "kibana", _) => {
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
    let target = target.ok_or_else(|| {
        ApiError::validation(&[
            "one of [index], [cluster], [application], [kibana] is required".to_string(),
        ])
    })?;
    Ok((target, resolved))
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

/// Active API keys, and the earliest expiry among them (when the set next changes by itself).
fn active_keys(st: &AppState) -> Result<(Vec<ApiKeyEntry>, Option<i64>), ApiError> {
    let filter = ApiKeyFilter {
        active_only: true,
        now_ms: crate::api::api_keys::now_ms(),
        ..Default::default()
    };
    let parse = |v: &Value, ctx| crate::authn::api_key::parse_descriptor_map(v, ctx);
    let records = st
        .store
        .find_api_keys(&filter)
        .map_err(ApiError::internal)?;
    let next_expiry = records.iter().filter_map(|k| k.expiration_ms).min();
    let keys = records
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
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok((keys, next_expiry))
}

/// A mapping's `role_templates`: `template` is a script object (`{"source": …}`) or its
/// JSON text, as stored; `format` defaults to `string`.
fn role_templates(doc: &Value) -> Vec<RoleTemplate> {
    let Some(list) = doc.get("role_templates").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|t| {
            let script = match t.get("template")? {
                Value::String(text) => {
                    serde_json::from_str::<Value>(text).unwrap_or(Value::String(text.clone()))
                }
                other => other.clone(),
            };
            let source = match &script {
                Value::String(s) => s.clone(),
                Value::Object(o) => match o.get("source")? {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                _ => return None,
            };
            let format = t
                .get("format")
                .and_then(Value::as_str)
                .unwrap_or("string")
                .to_string();
            Some(RoleTemplate { source, format })
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
            role_templates: role_templates(&m.doc),
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

fn build_index(st: &AppState) -> Result<(AccessIndex, Option<i64>), ApiError> {
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
    let (api_keys, next_expiry) = active_keys(st)?;
    let stored = st.security.application_privileges(st.store.as_ref())?;
    let input = AccessInput {
        roles,
        users: all_users(st)?,
        mappings: mappings(st)?,
        api_keys,
        applications: with_kibana_privileges(&stored, kibana_privileges()),
        restricted: st.security.restricted.clone(),
    };
    Ok((AccessIndex::build(input)?, next_expiry))
}

/// Fingerprint of the file realm's users and roles (they change without a store write).
fn file_realm_fingerprint(st: &AppState) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for name in st.file_realm.usernames() {
        if let Some((u, _)) = st.file_realm.lookup(&name) {
            (u.username, u.roles, u.enabled).hash(&mut h);
        }
    }
    format!("{:?}", st.security.file_roles()).hash(&mut h);
    h.finish()
}

/// The who-can-reach index, rebuilt only when its inputs changed (see `access_cache`).
pub fn access_index(st: &AppState) -> Result<Arc<AccessIndex>, ApiError> {
    let key = AccessKey {
        store_revision: st.store.revision().map_err(ApiError::internal)?,
        applications: st.security.application_privileges(st.store.as_ref())?.id(),
        file_realm: file_realm_fingerprint(st),
    };
    st.access_cache
        .get_or_build(key, crate::api::api_keys::now_ms(), || build_index(st))
}

/// The who-can-reach answer as the API renders it.
pub fn who_answer(
    st: &AppState,
    target: Target,
    resolved: Option<Value>,
) -> Result<Value, ApiError> {
    let answer = access_index(st)?.who(target)?;
    let mut body = serde_json::to_value(answer).map_err(ApiError::internal)?;
    if let (Some(r), Some(obj)) = (resolved, body.as_object_mut()) {
        obj.insert("kibana".into(), r);
    }
    Ok(body)
}

/// `POST /_security/_access/who`.
pub fn who(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (target, resolved) = parse_target(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        let body = blocking(move || who_answer(&st, target, resolved)).await?;
        Ok(Reply::ok(body))
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
        api_keys: active_keys(st)?.0,
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
