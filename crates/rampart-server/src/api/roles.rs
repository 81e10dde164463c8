//! Native roles: `PUT|POST|GET|DELETE /_security/role[/{name}]`, the bulk variants, and the
//! role cache clear. Built-in and file roles are readable here but never writable.

use std::sync::Arc;

use rampart_core::catalog;
use rampart_core::role::{
    RoleContext, RoleDescriptor, parse_role, parse_role_bytes, validate_role,
};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::{AppState, blocking};

/// `?refresh` accepts `true`, `false`, `wait_for` (and bare `?refresh`); our writes are always
/// visible at once, so the value only needs to be valid.
pub(crate) fn check_refresh(req: &Req) -> Result<(), ApiError> {
    match req.query("refresh") {
        None | Some("" | "true" | "false" | "wait_for") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "Unknown value for refresh: [{other}]."
        ))),
    }
}

/// The single-node `_nodes` answer of the cache-clearing APIs.
pub(crate) fn nodes_response(state: &AppState) -> Value {
    let node = &state.node;
    let mut nodes = Map::new();
    nodes.insert(node.node_name.clone(), json!({"name": node.node_name}));
    json!({
        "_nodes": {"total": 1, "successful": 1, "failed": 0},
        "cluster_name": node.cluster_name,
        "nodes": nodes,
    })
}

/// Parse and validate the body of a single-role put; shared by the facts fn and the handler.
fn parse_put(req: &Req) -> Result<RoleDescriptor, ApiError> {
    let name = req.param_required("name")?;
    check_refresh(req)?;
    let role = parse_role_bytes(name, &req.body, RoleContext::RoleApi)?;
    validate_role(&role, RoleContext::RoleApi)?;
    Ok(role)
}

/// The roles of a bulk put, parsed (a descriptor that does not parse fails the whole request,
/// as in ES; validation problems are reported per role by the handler).
fn parse_bulk(req: &Req) -> Result<Vec<RoleDescriptor>, ApiError> {
    check_refresh(req)?;
    let body = req.json_required()?;
    let Value::Object(fields) = &body else {
        return Err(ApiError::parse(
            "failed to parse bulk roles request. expected an object",
        ));
    };
    let mut roles = None;
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("roles", Value::Object(map)) => roles = Some(map),
            ("roles", _) => {
                return Err(ApiError::parse(
                    "failed to parse bulk roles request. expected field [roles] to be an object",
                ));
            }
            (other, _) => {
                return Err(ApiError::parse(format!(
                    "failed to parse bulk roles request. unexpected field [{other}]"
                )));
            }
        }
    }
    let roles = roles.filter(|r| !r.is_empty()).ok_or_else(|| {
        ApiError::validation(&["At least one role must be specified".to_string()])
    })?;
    roles
        .iter()
        .map(|(name, doc)| parse_role(name, doc, RoleContext::RoleApi).map_err(ApiError::from))
        .collect()
}

fn parse_bulk_delete(req: &Req) -> Result<Vec<String>, ApiError> {
    check_refresh(req)?;
    let body = req.json_required()?;
    let names = match body.get("names") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(String::from).ok_or_else(|| {
                    ApiError::parse("failed to parse bulk delete roles request. [names] must be an array of strings")
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::String(s)) => vec![s.clone()],
        Some(_) => {
            return Err(ApiError::parse(
                "failed to parse bulk delete roles request. [names] must be an array of strings",
            ));
        }
        None => Vec::new(),
    };
    if let Some(other) = body
        .as_object()
        .and_then(|m| m.keys().find(|k| k.as_str() != "names"))
    {
        return Err(ApiError::parse(format!(
            "failed to parse bulk delete roles request. unexpected field [{other}]"
        )));
    }
    if names.is_empty() {
        return Err(ApiError::validation(
            &["role names are missing".to_string()],
        ));
    }
    Ok(names)
}

/// Facts of `PUT /_security/role/{name}` for `global.role.manage`.
pub fn put_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    Ok(Facts {
        roles_put: Some(vec![parse_put(req)?]),
        ..Facts::default()
    })
}

/// Facts of the bulk put.
pub fn bulk_put_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    Ok(Facts {
        roles_put: Some(parse_bulk(req)?),
        ..Facts::default()
    })
}

/// Facts of `DELETE /_security/role/{name}`.
pub fn delete_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    check_refresh(req)?;
    Ok(Facts {
        roles_delete: Some(vec![req.param_required("name")?.to_string()]),
        ..Facts::default()
    })
}

/// Facts of the bulk delete.
pub fn bulk_delete_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    Ok(Facts {
        roles_delete: Some(parse_bulk_delete(req)?),
        ..Facts::default()
    })
}

/// `PUT|POST /_security/role/{name}`.
pub fn put(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let role = parse_put(&req)?;
        let st = Arc::clone(&ctx.state);
        let created = blocking(move || {
            st.store
                .put_role(&role.name, &role.to_json())
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.security.clear_cache();
        Ok(Reply::ok(json!({"role": {"created": created}})))
    })
}

/// `GET /_security/role[/{names}]`: built-in, file and native roles; none found → bare 404.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let names = req.param_list("name");
        let st = Arc::clone(&ctx.state);
        let out = blocking(move || collect_roles(&st, &names)).await?;
        if out.is_empty() && req.param("name").is_some() {
            return Err(ApiError::bare(404, json!({})));
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

fn collect_roles(state: &AppState, names: &[String]) -> Result<Map<String, Value>, ApiError> {
    let security = &state.security;
    let mut out = Map::new();
    if names.is_empty() {
        for role in security.builtin.iter() {
            out.insert(role.name.clone(), role.to_json());
        }
        for role in security.file_roles() {
            out.entry(role.name.clone())
                .or_insert_with(|| role.to_json());
        }
        for doc in state.store.list_roles().map_err(ApiError::internal)? {
            if !out.contains_key(&doc.name) {
                if let Some(json) = native_json(&doc.name, &doc.doc) {
                    out.insert(doc.name, json);
                }
            }
        }
        return Ok(out);
    }
    let resolved = security.resolve_roles(state.store.as_ref(), names)?;
    for role in resolved.roles {
        out.insert(role.name.clone(), role.to_json());
    }
    Ok(out)
}

/// A stored role as GET shows it; a document that no longer parses is skipped (and logged).
fn native_json(name: &str, doc: &Value) -> Option<Value> {
    match parse_role(name, doc, RoleContext::RoleApi) {
        Ok(role) => Some(role.to_json()),
        Err(e) => {
            tracing::warn!(role = %name, error = %e, "stored role is invalid; not listing it");
            None
        }
    }
}

fn reserved_delete_error(name: &str) -> ApiError {
    ApiError::bad_request(format!("role [{name}] is reserved and cannot be deleted"))
}

/// `DELETE /_security/role/{name}`: `{"found":bool}`, 404 when absent.
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let name = req.param_required("name")?.to_string();
        if catalog::is_reserved_role_name(&name) {
            return Err(reserved_delete_error(&name));
        }
        let st = Arc::clone(&ctx.state);
        let found =
            blocking(move || st.store.delete_role(&name).map_err(ApiError::internal)).await?;
        ctx.state.security.clear_cache();
        if found {
            Ok(Reply::ok(json!({"found": true})))
        } else {
            Err(ApiError::bare(404, json!({"found": false})))
        }
    })
}

fn error_detail(e: &ApiError) -> Value {
    json!({"type": e.es_type, "reason": e.reason})
}

/// `{"count": n, "details": {name: {type, reason}}}`, or nothing when there were no errors.
fn errors_section(errors: Vec<(String, ApiError)>) -> Option<Value> {
    if errors.is_empty() {
        return None;
    }
    let count = errors.len();
    let details: Map<String, Value> = errors
        .into_iter()
        .map(|(name, e)| (name, error_detail(&e)))
        .collect();
    Some(json!({"count": count, "details": details}))
}

/// ES lists only the non-empty result groups.
fn bulk_response(groups: &[(&str, Vec<String>)], errors: Vec<(String, ApiError)>) -> Value {
    let mut out = Map::new();
    for (key, names) in groups {
        if !names.is_empty() {
            out.insert((*key).to_string(), json!(names));
        }
    }
    if let Some(errors) = errors_section(errors) {
        out.insert("errors".into(), errors);
    }
    Value::Object(out)
}

/// `POST /_security/role` with `{"roles": {...}}`.
pub fn bulk_put(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let roles = parse_bulk(&req)?;
        let mut errors = Vec::new();
        let mut valid = Vec::new();
        for role in roles {
            match validate_role(&role, RoleContext::RoleApi) {
                Ok(()) => valid.push((role.name.clone(), role.to_json())),
                Err(e) => errors.push((role.name.clone(), ApiError::from(e))),
            }
        }
        let st = Arc::clone(&ctx.state);
        let (created, updated, noop) = blocking(move || {
            let names: Vec<String> = valid.iter().map(|(n, _)| n.clone()).collect();
            let existing = st.store.get_roles(&names).map_err(ApiError::internal)?;
            let (mut created, mut updated, mut noop, mut writes) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (name, doc) in valid {
                match existing.iter().find(|d| d.name == name) {
                    Some(old) if old.doc == doc => noop.push(name),
                    Some(_) => {
                        updated.push(name.clone());
                        writes.push((name, doc));
                    }
                    None => {
                        created.push(name.clone());
                        writes.push((name, doc));
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
        Ok(Reply::ok(bulk_response(
            &[("created", created), ("updated", updated), ("noop", noop)],
            errors,
        )))
    })
}

/// `DELETE /_security/role` with `{"names": [...]}`.
pub fn bulk_delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let names = parse_bulk_delete(&req)?;
        let (reserved, deletable): (Vec<String>, Vec<String>) = names
            .into_iter()
            .partition(|n| catalog::is_reserved_role_name(n));
        let errors = reserved
            .into_iter()
            .map(|n| {
                let e = reserved_delete_error(&n);
                (n, e)
            })
            .collect();
        let st = Arc::clone(&ctx.state);
        let (deleted, not_found) = blocking(move || {
            let deleted = if deletable.is_empty() {
                Vec::new()
            } else {
                st.store
                    .delete_roles(&deletable)
                    .map_err(ApiError::internal)?
            };
            let not_found = deletable
                .into_iter()
                .filter(|n| !deleted.contains(n))
                .collect::<Vec<_>>();
            Ok((deleted, not_found))
        })
        .await?;
        ctx.state.security.clear_cache();
        Ok(Reply::ok(bulk_response(
            &[("deleted", deleted), ("not_found", not_found)],
            errors,
        )))
    })
}

/// `POST /_security/role/{name}/_clear_cache`.
pub fn clear_cache(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        ctx.state.security.clear_cache();
        Ok(Reply::ok(nodes_response(&ctx.state)))
    })
}
