//! Alias APIs: `_aliases` actions, put/delete/get/exists alias and `_cat/aliases`. Adding or
//! removing needs `indices:admin/aliases` on both the indices and the aliases; adding may not
//! widen access (section 5.9); and callers under DLS/FLS may not change aliases at all (an
//! alias filter could otherwise widen what their role query hides).

use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use serde_json::{Map, Value, json};

use super::cat_table::{Cell, Column, Kind, Table};
use super::indices::{ALIASES, acknowledged, concrete};
use super::{guards, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

const NO_ESCALATION: &str =
    "Adding an alias is not allowed when the alias has more permissions than any of the indices";
pub const DLS_FLS_ALIASES: &str = "Alias requests are not allowed for users who have field or document level security enabled on one of the indices";

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
pub(super) fn check_no_escalation(
    ctx: &Ctx,
    index: &str,
    alias: &str,
    meta: &IndexMetadata,
) -> Result<(), ApiError> {
    for action in ESCALATION_PROBES {
        if target::allows(ctx, action, alias, meta) && !target::allows(ctx, action, index, meta) {
            return Err(ApiError::forbidden(NO_ESCALATION));
        }
    }
    Ok(())
}

fn names_of(spec: &Value, one: &str, many: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in [one, many] {
        match spec.get(key) {
            Some(Value::String(s)) => out.push(s.clone()),
            Some(Value::Array(a)) => {
                out.extend(a.iter().filter_map(Value::as_str).map(String::from));
            }
            _ => {}
        }
    }
    out
}

/// Authorize one (index, alias) change and refuse it under DLS/FLS.
fn authorize_pair(
    ctx: &Ctx,
    req: &Req,
    index: &str,
    alias: &str,
    adding: bool,
    meta: &IndexMetadata,
) -> Result<(), ApiError> {
    let names = [index.to_string(), alias.to_string()];
    let access = target::authorize_names(ctx, req, ALIASES, &names, meta)?;
    if access
        .iter()
        .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted())
    {
        return Err(guards::blocked(DLS_FLS_ALIASES));
    }
    if adding {
        check_no_escalation(ctx, index, alias, meta)?;
    }
    Ok(())
}

/// The concrete indices an action names (wildcards against what exists).
fn action_indices(names: &[String], meta: &IndexMetadata) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let found = meta.concrete_indices(name, None);
        if found.is_empty() || !name.contains('*') {
            if !out.contains(name) {
                out.push(name.clone());
            }
            continue;
        }
        for f in found {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        }
    }
    out
}

/// `POST /_aliases`: every (index, alias) pair is authorized; the engine gets the actions
/// rewritten to those concrete pairs.
pub fn update_aliases(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let meta = ctx.state.data.metadata();
        let rewritten = plan_update_aliases(&ctx, &req, &body, &meta)?;
        ctx.state
            .data
            .update_aliases(&json!({"actions": rewritten}))?;
        Ok(acknowledged())
    })
}

/// The `_aliases` actions of `body`, each (index, alias) pair authorized (and refused under
/// DLS/FLS), rewritten to concrete pairs against `meta`. Shared with the gateway.
pub(crate) fn plan_update_aliases(
    ctx: &Ctx,
    req: &Req,
    body: &Value,
    meta: &IndexMetadata,
) -> Result<Vec<Value>, ApiError> {
    let actions = body
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation(&["At least one action is required".into()]))?;
    let mut rewritten = Vec::new();
    for action in actions {
        let (kind, spec) = action
            .as_object()
            .and_then(|o| o.iter().next())
            .ok_or_else(|| ApiError::parse("[aliases] failed to parse field [actions]"))?;
        let indices = action_indices(&names_of(spec, "index", "indices"), meta);
        let aliases = names_of(spec, "alias", "aliases");
        if indices.is_empty() {
            return Err(ApiError::validation(&[
                "One of [index] or [indices] is required".into(),
            ]));
        }
        let mut rest: Map<String, Value> = spec.as_object().cloned().unwrap_or_default();
        for key in ["index", "indices", "alias", "aliases"] {
            rest.remove(key);
        }
        match kind.as_str() {
            "add" | "remove" => {
                if aliases.is_empty() {
                    return Err(ApiError::validation(&[
                        "One of [alias] or [aliases] is required".into(),
                    ]));
                }
                for index in &indices {
                    for alias in &aliases {
                        authorize_pair(ctx, req, index, alias, kind == "add", meta)?;
                        let mut one = rest.clone();
                        one.insert("index".into(), json!(index));
                        one.insert("alias".into(), json!(alias));
                        rewritten.push(json!({ kind.as_str(): one }));
                    }
                }
            }
            "remove_index" => {
                target::authorize_names(ctx, req, "indices:admin/delete", &indices, meta)?;
                for index in &indices {
                    rewritten.push(json!({"remove_index": {"index": index}}));
                }
            }
            other => {
                return Err(ApiError::parse(format!(
                    "[aliases] unknown field [{other}]"
                )));
            }
        }
    }
    Ok(rewritten)
}

/// `PUT|POST /{index}/_alias/{name}`.
pub fn put_alias(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?.unwrap_or_else(|| json!({}));
        let meta = ctx.state.data.metadata();
        let rewritten = plan_put_alias(&ctx, &req, &body, &meta)?;
        ctx.state
            .data
            .update_aliases(&json!({"actions": rewritten}))?;
        Ok(acknowledged())
    })
}

/// `DELETE /{index}/_alias/{name}`.
pub fn delete_alias(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        let rewritten = plan_delete_alias(&ctx, &req, &meta)?;
        ctx.state
            .data
            .update_aliases(&json!({"actions": rewritten}))?;
        Ok(acknowledged())
    })
}

/// The `_aliases` actions of `PUT|POST /{index}/_alias/{name}`, authorized.
pub(crate) fn plan_put_alias(
    ctx: &Ctx,
    req: &Req,
    body: &Value,
    meta: &IndexMetadata,
) -> Result<Vec<Value>, ApiError> {
    let mut rewritten = Vec::new();
    for index in &action_indices(&req.param_list("index"), meta) {
        for alias in req.param_list("name") {
            authorize_pair(ctx, req, index, &alias, true, meta)?;
            let mut one = body.as_object().cloned().unwrap_or_default();
            one.insert("index".into(), json!(index));
            one.insert("alias".into(), json!(alias));
            rewritten.push(json!({"add": one}));
        }
    }
    Ok(rewritten)
}

/// The `_aliases` actions of `DELETE /{index}/_alias/{name}`, authorized.
pub(crate) fn plan_delete_alias(
    ctx: &Ctx,
    req: &Req,
    meta: &IndexMetadata,
) -> Result<Vec<Value>, ApiError> {
    let mut rewritten = Vec::new();
    for index in &action_indices(&req.param_list("index"), meta) {
        for alias in req.param_list("name") {
            authorize_pair(ctx, req, index, &alias, false, meta)?;
            rewritten.push(json!({"remove": {"index": index, "alias": alias}}));
        }
    }
    Ok(rewritten)
}

/// One (index, alias, alias spec) the caller may see.
pub(crate) type AliasEntry = (String, String, Value);

/// The aliases of `index` matching the path's `{name}` patterns (if any) that the caller
/// may see (section 5.5).
pub(crate) fn select_aliases(
    ctx: &Ctx,
    req: &Req,
    index: &str,
    aliases: &Map<String, Value>,
    meta: &IndexMetadata,
    out: &mut Vec<AliasEntry>,
) {
    let patterns = req.param_list("name");
    for (alias, spec) in aliases {
        let wanted = patterns.is_empty()
            || patterns
                .iter()
                .any(|p| p == "_all" || rampart_core::resolve::simple_match(p, alias));
        if wanted && target::allows(ctx, ctx.action, alias, meta) {
            out.push((index.to_string(), alias.clone(), spec.clone()));
        }
    }
}

/// The aliases (matching the path's `{name}` patterns, if any) of the authorized indices.
fn visible_aliases(ctx: &Ctx, req: &Req) -> Result<Vec<AliasEntry>, ApiError> {
    let (names, _) = concrete(ctx, req, IndicesOptions::lenient_expand_open())?;
    let meta = ctx.state.data.metadata();
    let mut out = Vec::new();
    for index in names {
        let info = ctx.state.data.get_index(&index)?;
        if let Some(aliases) = info.get("aliases").and_then(Value::as_object) {
            select_aliases(ctx, req, &index, aliases, &meta, &mut out);
        }
    }
    Ok(out)
}

/// `GET|HEAD /_alias`, `/_alias/{name}`, `/{index}/_alias`, `/{index}/_alias/{name}`.
pub fn get_aliases(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let found = visible_aliases(&ctx, &req)?;
        render_aliases(&req, &found)
    })
}

/// The `GET _alias` answer listing `found`: a 404 when names were asked for and none is
/// visible.
pub(crate) fn render_aliases(req: &Req, found: &[AliasEntry]) -> Result<Reply, ApiError> {
    let named = !req.param_list("name").is_empty();
    let mut out = Map::new();
    for (index, alias, spec) in found {
        let entry = out
            .entry(index.clone())
            .or_insert_with(|| json!({"aliases": {}}));
        if let Some(a) = entry.get_mut("aliases").and_then(Value::as_object_mut) {
            a.insert(alias.clone(), spec.clone());
        }
    }
    if named && found.is_empty() {
        let missing = req.param_list("name").join(",");
        return Err(ApiError::new(
            404,
            "aliases_not_found_exception",
            format!("aliases [{missing}] missing"),
        )
        .with_meta("resource.type", json!("aliases"))
        .with_meta("resource.id", json!(missing)));
    }
    Ok(Reply::ok(Value::Object(out)))
}

const CAT_ALIAS_COLUMNS: &[Column] = &[
    Column::new("alias", &["a"], Kind::Text, "alias name"),
    Column::new("index", &["i", "idx"], Kind::Text, "index alias points to"),
    Column::new("filter", &["f", "fi"], Kind::Text, "filter"),
    Column::new(
        "routing.index",
        &["ri", "routingIndex"],
        Kind::Text,
        "index routing",
    ),
    Column::new(
        "routing.search",
        &["rs", "routingSearch"],
        Kind::Text,
        "search routing",
    ),
    Column::new(
        "is_write_index",
        &["w", "isWriteIndex"],
        Kind::Text,
        "write index",
    ),
];

/// `GET /_cat/aliases`, `/_cat/aliases/{name}`.
pub fn cat_aliases(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let found = visible_aliases(&ctx, &req)?;
        cat_aliases_reply(&req, found)
    })
}

/// The `_cat/aliases` table of `found`.
pub(crate) fn cat_aliases_reply(req: &Req, found: Vec<AliasEntry>) -> Result<Reply, ApiError> {
    let rows: Vec<Vec<Cell>> = found
        .into_iter()
        .map(|(index, alias, spec)| {
            let flag = |k: &str| Cell::text(spec.get(k).and_then(Value::as_str).unwrap_or("-"));
            vec![
                Cell::text(alias),
                Cell::text(index),
                Cell::text(if spec.get("filter").is_some() {
                    "*"
                } else {
                    "-"
                }),
                flag("index_routing"),
                flag("search_routing"),
                Cell::text(
                    spec.get("is_write_index")
                        .map_or("-".to_string(), Value::to_string),
                ),
            ]
        })
        .collect();
    super::cat::reply(
        req,
        &Table {
            columns: CAT_ALIAS_COLUMNS,
            rows,
        },
    )
}
