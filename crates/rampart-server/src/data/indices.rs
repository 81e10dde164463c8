//! Index administration: create, delete, get, mappings, settings, maintenance (refresh, flush,
//! forcemerge, cache clear), open/close, stats and aliases. Each resolves and authorizes its
//! names first; mappings are FLS-filtered; adding an alias may not widen access (5.9).

use rampart_core::resolve::{ExpandWildcards, IndicesOptions};
use serde_json::{Map, Value, json};

use super::engine::AliasAction;
use super::{restrict, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

const ALIASES: &str = "indices:admin/aliases";
const NO_ESCALATION: &str =
    "Adding an alias is not allowed when the alias has more permissions than any of the indices";

fn acknowledged() -> Reply {
    Reply::ok(json!({"acknowledged": true}))
}

/// Resolve and authorize the path's expression for the route's action; the concrete indices.
fn concrete(
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
            return Err(super::memory::index_not_found(name));
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

/// `DELETE /{index}`: wildcards are refused (destructive operations need names).
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let exprs = target::expressions(&req);
        if exprs.iter().any(|e| e.contains('*') || e == "_all") {
            return Err(ApiError::bad_request(
                "Wildcard expressions or all indices are not allowed",
            ));
        }
        let defaults = IndicesOptions {
            expand_wildcards: ExpandWildcards::OPEN_CLOSED,
            allow_no_indices: false,
            ..IndicesOptions::strict_expand_open()
        };
        let (names, _) = concrete(&ctx, &req, defaults)?;
        for name in names {
            ctx.state.data.delete_index(&name)?;
        }
        Ok(acknowledged())
    })
}

fn filter_properties(
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
            let mapping = ctx.state.data.get_mapping(&name)?;
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
        for name in names {
            ctx.state.data.put_mapping(&name, &body)?;
        }
        Ok(acknowledged())
    })
}

/// `GET /_settings`, `/{index}/_settings`.
pub fn get_settings(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut out = Map::new();
        for name in names {
            out.insert(
                name.clone(),
                json!({"settings": ctx.state.data.get_settings(&name)?}),
            );
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `PUT /_settings`, `/{index}/_settings`.
pub fn put_settings(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        for name in names {
            ctx.state.data.put_settings(&name, &body)?;
        }
        Ok(acknowledged())
    })
}

/// Refresh, flush, forcemerge and cache clear: maintenance on every resolved index.
pub fn maintenance(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        for name in &names {
            ctx.state.data.refresh(name)?;
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
        for name in &names {
            ctx.state.data.set_open(name, open)?;
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
            let count = ctx.state.data.doc_count(name)?;
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

/// One action per index privilege: comparing them compares the privileges held (5.9).
const ESCALATION_PROBES: &[&str] = &[
    "indices:data/read/search",
    "indices:data/read/get",
    "indices:data/write/index:op_type/create",
    "indices:data/write/index:op_type/index",
    "indices:data/write/update",
    "indices:data/write/delete",
    "indices:admin/create",
    "indices:admin/delete",
    "indices:admin/mapping/put",
    "indices:admin/settings/update",
    "indices:admin/aliases",
    "indices:admin/refresh",
    "indices:monitor/stats",
    "indices:admin/get",
    "indices:admin/auto_create",
];

/// Every action the role allows on `alias` must also be allowed on `index` (section 5.9).
fn check_no_escalation(
    ctx: &Ctx,
    index: &str,
    alias: &str,
    meta: &rampart_core::resolve::IndexMetadata,
) -> Result<(), ApiError> {
    for action in ESCALATION_PROBES {
        if target::allows(ctx, action, alias, meta) && !target::allows(ctx, action, index, meta) {
            return Err(ApiError::forbidden(NO_ESCALATION));
        }
    }
    Ok(())
}

/// `POST /_aliases`.
pub fn update_aliases(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let actions = body
            .get("actions")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::validation(&["At least one action is required".into()]))?;
        let meta = ctx.state.data.metadata();
        let mut parsed = Vec::new();
        for action in actions {
            let (kind, spec) = action
                .as_object()
                .and_then(|o| o.iter().next())
                .ok_or_else(|| ApiError::parse("[aliases] failed to parse field [actions]"))?;
            let index = spec
                .get("index")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let alias = spec
                .get("alias")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            match kind.as_str() {
                "add" => {
                    target::authorize_names(
                        &ctx,
                        &req,
                        ALIASES,
                        &[index.clone(), alias.clone()],
                        &meta,
                    )?;
                    check_no_escalation(&ctx, &index, &alias, &meta)?;
                    parsed.push(AliasAction::Add {
                        index,
                        alias,
                        filter: spec.get("filter").cloned(),
                        is_write_index: spec.get("is_write_index").and_then(Value::as_bool),
                    });
                }
                "remove" => {
                    target::authorize_names(
                        &ctx,
                        &req,
                        ALIASES,
                        &[index.clone(), alias.clone()],
                        &meta,
                    )?;
                    parsed.push(AliasAction::Remove { index, alias });
                }
                "remove_index" => {
                    target::authorize_names(
                        &ctx,
                        &req,
                        "indices:admin/delete",
                        std::slice::from_ref(&index),
                        &meta,
                    )?;
                    parsed.push(AliasAction::RemoveIndex { index });
                }
                other => {
                    return Err(ApiError::parse(format!(
                        "[aliases] unknown field [{other}]"
                    )));
                }
            }
        }
        ctx.state.data.update_aliases(&parsed)?;
        Ok(acknowledged())
    })
}

/// `PUT|POST /{index}/_alias/{name}`.
pub fn put_alias(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let index = req.param_required("index")?.to_string();
        let alias = req.param_required("name")?.to_string();
        let body = req.json()?.unwrap_or_else(|| json!({}));
        let meta = ctx.state.data.metadata();
        target::authorize_names(&ctx, &req, ALIASES, &[index.clone(), alias.clone()], &meta)?;
        check_no_escalation(&ctx, &index, &alias, &meta)?;
        ctx.state.data.update_aliases(&[AliasAction::Add {
            index,
            alias,
            filter: body.get("filter").cloned(),
            is_write_index: body.get("is_write_index").and_then(Value::as_bool),
        }])?;
        Ok(acknowledged())
    })
}

/// `GET /_alias`, `/{index}/_alias`: aliases of the authorized indices.
pub fn get_aliases(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (names, _) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let mut out = Map::new();
        for name in names {
            let info = ctx.state.data.get_index(&name)?;
            out.insert(
                name,
                json!({"aliases": info.get("aliases").cloned().unwrap_or_else(|| json!({}))}),
            );
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}
