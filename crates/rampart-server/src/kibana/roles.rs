//! The Kibana role API (kibana.md a.1–a.6): Kibana's role format over the ES roles, with the
//! transforms of `rampart_kibana::role` both ways. Kibana delegates these calls to ES as the
//! user, so authorization is ES's: the role actions of the caller's cluster privileges.

use std::sync::Arc;

use rampart_core::authz::{ClusterRequest, RoleManageRequest};
use rampart_core::catalog;
use rampart_core::role::{RoleContext, RoleDescriptor, RoleError, parse_role, validate_role};
use rampart_kibana::FeatureRegistry;
use rampart_kibana::role::{
    KibanaRole, ValidationError, feature_errors_message, from_es, parse_put_body, sort_roles,
    to_es, validate_features, validate_schema, validation_response,
};
use serde_json::{Map, Value, json};

use super::error::KbnError;
use super::pipeline::{KCtx, KFut, KReply};
use crate::error::ApiError;
use crate::http::Req;
use crate::state::{AppState, blocking};

const METADATA_UNDERSCORE: &str = "role descriptor metadata keys may not start with [_]";
const ROLE_PUT: &str = "cluster:admin/xpack/security/role/put";
const ROLE_BULK_PUT: &str = "cluster:admin/xpack/security/role/bulk_put";

/// Every role ES knows: built-in, then file, then native (a name shadows later sources).
fn es_roles(state: &AppState) -> Result<Vec<RoleDescriptor>, KbnError> {
    let security = &state.security;
    let mut out: Vec<RoleDescriptor> = security.builtin.iter().cloned().collect();
    for role in security.file_roles() {
        if !out.iter().any(|r| r.name == role.name) {
            out.push(role);
        }
    }
    for doc in state.store.list_roles().map_err(KbnError::internal)? {
        if out.iter().any(|r| r.name == doc.name) {
            continue;
        }
        match parse_role(&doc.name, &doc.doc, RoleContext::RoleApi) {
            Ok(role) => out.push(role),
            Err(e) => {
                tracing::warn!(role = %doc.name, error = %e, "stored role is invalid; not listing it")
            }
        }
    }
    Ok(out)
}

/// One role by name (any source).
pub(crate) fn es_role(state: &AppState, name: &str) -> Result<Option<RoleDescriptor>, KbnError> {
    let resolved = state
        .security
        .resolve_roles(state.store.as_ref(), &[name.to_string()])?;
    Ok(resolved.roles.into_iter().next())
}

/// The stored native role (the one a PUT replaces).
fn native_role(state: &AppState, name: &str) -> Result<Option<RoleDescriptor>, KbnError> {
    let Some(doc) = state.store.get_role(name).map_err(KbnError::internal)? else {
        return Ok(None);
    };
    Ok(parse_role(name, &doc.doc, RoleContext::RoleApi).ok())
}

pub(crate) fn to_kibana(
    role: &RoleDescriptor,
    registry: &FeatureRegistry,
) -> Result<KibanaRole, KbnError> {
    from_es(role, registry).map_err(KbnError::internal)
}

fn kibana_roles(ctx: &KCtx) -> Result<Vec<KibanaRole>, KbnError> {
    let mut roles = es_roles(&ctx.state)?
        .iter()
        .map(|r| to_kibana(r, &ctx.model.registry))
        .collect::<Result<Vec<_>, _>>()?;
    sort_roles(&mut roles);
    Ok(roles)
}

fn role_name(req: &Req) -> String {
    req.param("name").unwrap_or_default().to_string()
}

/// The message of `?replaceDeprecatedPrivileges=true`.
pub const REPLACE_DEPRECATED_UNSUPPORTED: &str = "[request query.replaceDeprecatedPrivileges]: replacing deprecated privileges is not supported by this server: its feature registry (Kibana 8.17) does not register the replacement features (such as discover_v2), so deprecated feature privileges have no replacement to map to";

/// Kibana 9.x rewrites privileges of deprecated features into their `replacedBy` targets
/// when asked. Our registry names the replacing features but does not register them, so
/// there is nothing faithful to rewrite into: refuse clearly rather than answer unchanged.
fn reject_replace_deprecated(req: &Req) -> Result<(), KbnError> {
    if req.query_bool("replaceDeprecatedPrivileges", false)? {
        return Err(KbnError::bad_request(REPLACE_DEPRECATED_UNSUPPORTED));
    }
    Ok(())
}

/// `GET /api/security/role`.
pub fn list(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        reject_replace_deprecated(&req)?;
        let roles = kibana_roles(&ctx)?;
        Ok(KReply::ok(Value::Array(
            roles.iter().map(KibanaRole::to_json).collect(),
        )))
    })
}

/// `GET /api/security/role/{name}`.
pub fn get(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        reject_replace_deprecated(&req)?;
        let name = role_name(&req);
        let role = es_role(&ctx.state, &name)?.ok_or_else(|| KbnError::not_found("Not Found"))?;
        Ok(KReply::ok(to_kibana(&role, &ctx.model.registry)?.to_json()))
    })
}

/// Validate a Kibana-format body into the ES role to write (a.3, a.4, then ES's own rules).
fn prepare(
    state: &AppState,
    registry: &FeatureRegistry,
    name: &str,
    body: &Value,
) -> Result<RoleDescriptor, KbnError> {
    let role = parse_put_body(name, body).map_err(|e| KbnError::from(validation_response(&e)))?;
    let existing = native_role(state, name)?;
    let es = to_es(&role, existing.as_ref(), registry)
        .map_err(|e| KbnError::from(validation_response(&e)))?;
    validate_es_role(&es)?;
    Ok(es)
}

/// ES's validation of a role write, as ES runs it on the role Kibana sends.
fn validate_es_role(es: &RoleDescriptor) -> Result<(), ApiError> {
    let mut problems = match validate_role(es, RoleContext::RoleApi) {
        Ok(()) => Vec::new(),
        Err(RoleError::Validation(problems)) => problems,
        Err(other) => return Err(ApiError::from(other)),
    };
    // ES refuses every `_`-prefixed metadata key on a role write, `_reserved` included: a role
    // cannot make itself reserved. The shared validator exempts roles already marked reserved
    // (it also checks the built-in roles), so the write path adds the refusal itself.
    if es.is_reserved() {
        problems.push(METADATA_UNDERSCORE.to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::from(RoleError::Validation(problems)))
    }
}

/// `PUT /api/security/role/{name}[?createOnly=true]`: 204.
pub fn put(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let name = role_name(&req);
        let body = req.json()?.unwrap_or(Value::Null);
        let create_only = req.query_bool("createOnly", false)?;
        let role = prepare(&ctx.state, &ctx.model.registry, &name, &body)?;
        let facts = ClusterRequest {
            roles: Some(RoleManageRequest::Put(std::slice::from_ref(&role))),
            ..ClusterRequest::default()
        };
        ctx.authorize_cluster(ROLE_PUT, &facts, &req)?;
        if create_only && es_role(&ctx.state, &name)?.is_some() {
            return Err(KbnError::new(
                409,
                format!("Role already exists and cannot be created: {name}"),
            ));
        }
        let st = Arc::clone(&ctx.state);
        blocking(move || {
            st.store
                .put_role(&role.name, &role.to_json())
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.security.clear_cache();
        Ok(KReply::no_content())
    })
}

/// `DELETE /api/security/role/{name}`: 204, or ES's 404.
pub fn delete(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let name = role_name(&req);
        if catalog::is_reserved_role_name(&name) {
            return Err(KbnError::bad_request(format!(
                "role [{name}] is reserved and cannot be deleted"
            )));
        }
        let st = Arc::clone(&ctx.state);
        let found =
            blocking(move || st.store.delete_role(&name).map_err(ApiError::internal)).await?;
        ctx.state.security.clear_cache();
        if found {
            Ok(KReply::no_content())
        } else {
            Err(KbnError::not_found("Not Found"))
        }
    })
}

/// A schema error of one role of a bulk body, at its place in the whole body.
fn bulk_schema_error(name: &str, errors: &[ValidationError]) -> Option<KbnError> {
    errors.iter().find_map(|e| match e {
        ValidationError::Schema { root, path, reason } => {
            let at = if path.is_empty() {
                format!("roles.{name}")
            } else {
                format!("roles.{name}.{path}")
            };
            Some(KbnError::bad_request(format!("[{root}.{at}]: {reason}")))
        }
        ValidationError::Feature(_) => None,
    })
}

fn bulk_roles(req: &Req) -> Result<Map<String, Value>, KbnError> {
    let body = req.json()?.unwrap_or(Value::Null);
    match body.get("roles") {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(KbnError::bad_request(
            "[request body.roles]: expected value of type [object]",
        )),
        None => Err(KbnError::bad_request(
            "[request body.roles]: expected value of type [object] but got [undefined]",
        )),
    }
}

/// `POST /api/security/roles` with `{"roles": {name: body}}`: `{created, updated, noop,
/// errors?}`; a role failing feature or ES validation is reported and skipped.
pub fn bulk_put(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let bodies = bulk_roles(&req)?;
        let registry = &ctx.model.registry;
        let mut parsed = Vec::new();
        for (name, body) in &bodies {
            match parse_put_body(name, body).and_then(|role| {
                let schema = validate_schema(&role);
                if schema.is_empty() {
                    Ok(role)
                } else {
                    Err(schema)
                }
            }) {
                Ok(role) => parsed.push(role),
                Err(errors) => {
                    return Err(bulk_schema_error(name, &errors)
                        .unwrap_or_else(|| KbnError::from(validation_response(&errors))));
                }
            }
        }
        let mut errors = Map::new();
        let mut valid: Vec<RoleDescriptor> = Vec::new();
        for role in parsed {
            let feature = validate_features(&role, registry);
            if !feature.is_empty() {
                errors.insert(
                    role.name.clone(),
                    json!({"type": "kibana_privilege_validation_exception",
                           "reason": feature_errors_message(&feature)}),
                );
                continue;
            }
            let existing = native_role(&ctx.state, &role.name)?;
            let es = match to_es(&role, existing.as_ref(), registry) {
                Ok(es) => es,
                Err(e) => {
                    let e = validation_response(&e);
                    errors.insert(
                        role.name.clone(),
                        json!({"type": "kibana_privilege_validation_exception", "reason": e.message}),
                    );
                    continue;
                }
            };
            match validate_es_role(&es) {
                Ok(()) => valid.push(es),
                Err(e) => {
                    errors.insert(
                        role.name.clone(),
                        json!({"type": e.es_type, "reason": e.reason}),
                    );
                }
            }
        }
        let facts = ClusterRequest {
            roles: Some(RoleManageRequest::Put(&valid)),
            ..ClusterRequest::default()
        };
        ctx.authorize_cluster(ROLE_BULK_PUT, &facts, &req)?;
        let st = Arc::clone(&ctx.state);
        let (created, updated, noop) = blocking(move || {
            let names: Vec<String> = valid.iter().map(|r| r.name.clone()).collect();
            let existing = st.store.get_roles(&names).map_err(ApiError::internal)?;
            let (mut created, mut updated, mut noop, mut writes) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for role in valid {
                let doc = role.to_json();
                match existing.iter().find(|d| d.name == role.name) {
                    Some(old) if old.doc == doc => noop.push(role.name),
                    Some(_) => {
                        updated.push(role.name.clone());
                        writes.push((role.name, doc));
                    }
                    None => {
                        created.push(role.name.clone());
                        writes.push((role.name, doc));
                    }
                }
            }
            if !writes.is_empty() {
                st.store.put_roles(&writes).map_err(ApiError::internal)?;
            }
            Ok((created, updated, noop))
        })
        .await?;
        ctx.state.security.clear_cache();
        let mut out = json!({"created": created, "updated": updated, "noop": noop});
        if !errors.is_empty() {
            if let Some(o) = out.as_object_mut() {
                o.insert("errors".into(), Value::Object(errors));
            }
        }
        Ok(KReply::ok(out))
    })
}

fn usize_field(body: &Value, key: &str, default: usize) -> Result<usize, KbnError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                KbnError::bad_request(format!(
                    "[request body.{key}]: expected value of type [number]"
                ))
            }),
    }
}

/// `POST /api/security/role/_query`: `{query?, from?, size?, sort?, filters?}` →
/// `{roles, count, total}`; `query` is a case-insensitive substring of the role name.
pub fn query(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let body = req.json()?.unwrap_or_else(|| json!({}));
        if !body.is_object() {
            return Err(KbnError::bad_request(
                "[request body]: expected a plain object value",
            ));
        }
        let needle = body
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase();
        let from = usize_field(&body, "from", 0)?;
        let size = usize_field(&body, "size", 1000)?;
        let descending = body.pointer("/sort/direction").and_then(Value::as_str) == Some("desc");
        let show_reserved = body
            .pointer("/filters/showReservedRoles")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let mut roles: Vec<KibanaRole> = kibana_roles(&ctx)?
            .into_iter()
            .filter(|r| r.name.to_lowercase().contains(&needle))
            .filter(|r| {
                show_reserved || r.metadata.get("_reserved").and_then(Value::as_bool) != Some(true)
            })
            .collect();
        if descending {
            roles.reverse();
        }
        let total = roles.len();
        let page: Vec<Value> = roles
            .iter()
            .skip(from)
            .take(size)
            .map(KibanaRole::to_json)
            .collect();
        Ok(KReply::ok(
            json!({"count": page.len(), "total": total, "roles": page}),
        ))
    })
}

/// `GET /internal/security/roles/{spaceId}`: roles granting anything in the space.
pub fn in_space(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let space = req.param("role_space").unwrap_or_default().to_string();
        let roles: Vec<Value> = kibana_roles(&ctx)?
            .iter()
            .filter(|r| r.grants_in_space(&space))
            .map(KibanaRole::to_json)
            .collect();
        Ok(KReply::ok(Value::Array(roles)))
    })
}
