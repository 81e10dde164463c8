//! Index administration: create, delete, get, mappings, settings, maintenance (refresh, flush,
//! forcemerge, cache clear), open/close, stats and aliases. Each resolves and authorizes its
//! names first; mappings are FLS-filtered; adding an alias may not widen access (5.9).

use rampart_core::resolve::{ExpandWildcards, IndicesOptions};
use serde_json::{Map, Value, json};

use super::{engine, restrict, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

pub(super) const ALIASES: &str = "indices:admin/aliases";

pub(super) fn acknowledged() -> Reply {
    Reply::ok(json!({"acknowledged": true}))
}

/// Resolve and authorize the path's expression for the route's action; the concrete indices.
pub(super) fn concrete(
    ctx: &Ctx,
    req: &Req,
    defaults: IndicesOptions,
) -> Result<(Vec<String>, target::Authorized), ApiError> {
    let meta = ctx.state.data.metadata();
    let options = target::options(req, defaults)?;
    let authorized = target::authorize(
        ctx,
        req,
        ctx.action,
        &target::expressions(req),
        &options,
        &meta,
    )?;
    let mut out: Vec<String> = Vec::new();
    for name in &authorized.names {
        let found = meta.concrete_indices(name, None);
        if found.is_empty() {
            return Err(engine::index_not_found(name));
        }
        for c in found {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_string());
            }
        }
    }
    Ok((out, authorized))
}

/// `PUT /{index}`: aliases in the body also need `indices:admin/aliases` on index and aliases.
pub fn create(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let index = req.param_required("index")?.to_string();
        let body = req.json()?.unwrap_or_else(|| json!({}));
        let meta = ctx.state.data.metadata();
        target::authorize_names(&ctx, &req, ctx.action, std::slice::from_ref(&index), &meta)?;
        if let Some(Value::Object(aliases)) = body.get("aliases") {
            let mut names = vec![index.clone()];
            names.extend(aliases.keys().cloned());
            target::authorize_names(&ctx, &req, ALIASES, &names, &meta)?;
        }
        ctx.state.data.create_index(&index, &body)?;
        Ok(Reply::ok(
            json!({"acknowledged": true, "shards_acknowledged": true, "index": index}),
        ))
    })
}

/// How `DELETE /{index}` resolves its path, in both planes: wildcards and `_all` are refused
/// (destructive operations need names); closed indices are included.
pub(crate) fn delete_index_options(req: &Req) -> Result<IndicesOptions, ApiError> {
    let exprs = target::expressions(req);
    if exprs.iter().any(|e| e.contains('*') || e == "_all") {
        return Err(ApiError::bad_request(
            "Wildcard expressions or all indices are not allowed",
        ));
    }
    Ok(IndicesOptions {
        expand_wildcards: ExpandWildcards::OPEN_CLOSED,
        allow_no_indices: false,
        ..IndicesOptions::strict_expand_open()
    })
}

/// `DELETE /{index}`: wildcards are refused (destructive operations need names).
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, delete_index_options(&req)?)?;
        ctx.state.data.delete_index(&names)?;
        Ok(acknowledged())
    })
}

pub(crate) fn filter_properties(
    props: &Map<String, Value>,
    prefix: &str,
    fields: &rampart_core::fls::FieldPermissions,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, spec) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match spec.get("properties").and_then(Value::as_object) {
            Some(children) => {
                let kept = filter_properties(children, &path, fields);
                if !kept.is_empty() {
                    let mut s = spec.clone();
                    if let Some(o) = s.as_object_mut() {
                        o.insert("properties".into(), Value::Object(kept));
                    }
                    out.insert(name.clone(), s);
                }
            }
            None if fields.permits(&path) => {
                out.insert(name.clone(), spec.clone());
            }
            None => {}
        }
    }
    out
}

/// A mapping with the fields the caller may not see removed.
fn visible_mapping(
    ctx: &Ctx,
    authorized: &target::Authorized,
    index: &str,
    mapping: Value,
) -> Result<Value, ApiError> {
    let access = authorized
        .access
        .iter()
        .find(|a| a.name == index)
        .or_else(|| authorized.access.first());
    let Some(fields) = access
        .map(|a| restrict::fields(&a.fields))
        .transpose()?
        .flatten()
    else {
        return Ok(mapping);
    };
    let _ = ctx;
    let props = mapping
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(json!({"properties": filter_properties(&props, "", &fields)}))
}

/// `GET /{index}` (and `HEAD`).
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, authorized) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut out = Map::new();
        for name in names {
            let mut info = ctx.state.data.get_index(&name)?;
            let mapping = info.get("mappings").cloned().unwrap_or_else(|| json!({}));
            let mapping = visible_mapping(&ctx, &authorized, &name, mapping)?;
            if let Some(o) = info.as_object_mut() {
                o.insert("mappings".into(), mapping);
            }
            out.insert(name, info);
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `GET /_mapping`, `/{index}/_mapping`.
pub fn get_mapping(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, authorized) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut out = Map::new();
        for name in names {
            let mapping = ctx
                .state
                .data
                .get_mapping(&name)?
                .get("mappings")
                .cloned()
                .unwrap_or_else(|| json!({}));
            out.insert(
                name.clone(),
                json!({"mappings": visible_mapping(&ctx, &authorized, &name, mapping)?}),
            );
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `PUT|POST /{index}/_mapping`.
pub fn put_mapping(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let (names, _) = concrete(
            &ctx,
            &req,
            IndicesOptions::strict_expand_open_forbid_closed(),
        )?;
        ctx.state.data.put_mapping(&names, &body)?;
        Ok(acknowledged())
    })
}

/// `GET /_settings`, `/{index}/_settings`.
pub fn get_settings(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut out = Map::new();
        for name in names {
            out.insert(name.clone(), ctx.state.data.get_settings(&name)?);
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `PUT /_settings`, `/{index}/_settings`.
pub fn put_settings(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        ctx.state.data.put_settings(&names, &body)?;
        Ok(acknowledged())
    })
}

/// Refresh, flush, forcemerge and cache clear: maintenance on every resolved index.
pub fn maintenance(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let data = &ctx.state.data;
        match ctx.action {
            "indices:admin/flush" => data.flush(&names)?,
            "indices:admin/forcemerge" => data.force_merge(&names)?,
            "indices:admin/cache/clear" => data.clear_cache(&names)?,
            _ => data.refresh(&names)?,
        }
        let n = names.len();
        Ok(Reply::ok(
            json!({"_shards": {"total": n, "successful": n, "failed": 0}}),
        ))
    })
}

/// `POST /{index}/_open` and `/_close`.
pub fn open_close(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let open = ctx.action == "indices:admin/open";
        let defaults = IndicesOptions {
            expand_wildcards: ExpandWildcards::OPEN_CLOSED,
            ..IndicesOptions::strict_expand_open()
        };
        let (names, _) = concrete(&ctx, &req, defaults)?;
        if open {
            ctx.state.data.open_index(&names)?;
        } else {
            ctx.state.data.close_index(&names)?;
        }
        Ok(Reply::ok(
            json!({"acknowledged": true, "shards_acknowledged": true}),
        ))
    })
}

/// `GET /_stats`, `/{index}/_stats`.
pub fn stats(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut indices = Map::new();
        let mut total = 0;
        for name in &names {
            let count = ctx.state.data.stats(name)?.docs;
            total += count;
            indices.insert(name.clone(), json!({"primaries": {"docs": {"count": count}}, "total": {"docs": {"count": count}}}));
        }
        let n = names.len();
        Ok(Reply::ok(json!({
            "_shards": {"total": n, "successful": n, "failed": 0},
            "_all": {"primaries": {"docs": {"count": total}}, "total": {"docs": {"count": total}}},
            "indices": indices,
        })))
    })
}
