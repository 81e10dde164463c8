//! `_cat/indices` and `_resolve/index`: listings resolved against what the caller may see.
//! `_cat` answers in the JSON row format (`format=json`); `h` selects columns.

use rampart_core::resolve::IndicesOptions;
use serde_json::{Map, Value, json};

use super::target;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// Rows as `_cat?format=json` renders them, restricted to the `h` columns when given.
pub fn reply(req: &Req, columns: &[&str], rows: Vec<Value>) -> Result<Reply, ApiError> {
    if let Some(format) = req.query("format")
        && !matches!(format, "json" | "txt" | "text")
    {
        return Err(ApiError::bad_request(format!(
            "this server renders _cat responses as [json] only, not [{format}]"
        )));
    }
    let wanted = req.query_list("h");
    for w in &wanted {
        if !columns.contains(&w.as_str()) {
            return Err(ApiError::bad_request(format!(
                "header name [{w}] does not exist in cat API"
            )));
        }
    }
    if wanted.is_empty() {
        return Ok(Reply::ok(Value::Array(rows)));
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut out = Map::new();
            for w in &wanted {
                out.insert(w.clone(), row.get(w).cloned().unwrap_or(Value::Null));
            }
            Value::Object(out)
        })
        .collect();
    Ok(Reply::ok(Value::Array(rows)))
}

/// `GET /_cat/indices`, `/_cat/indices/{index}`.
pub fn cat_indices(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        let options = target::options(&req, IndicesOptions::lenient_expand_open())?;
        let mut expressions = target::expressions(&req);
        if expressions.is_empty() {
            expressions.push("*".into());
        }
        let authorized = target::authorize(&ctx, &req, ctx.action, &expressions, &options, &meta)?;
        let state = ctx.state.data.cluster_state();
        let mut rows = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for name in &authorized.names {
            for index in meta.concrete_indices(name, None) {
                if seen.iter().any(|s| s == index) {
                    continue;
                }
                seen.push(index.to_string());
                let Some(im) = state.indices.get(index) else {
                    continue;
                };
                let (docs, deleted) = if im.closed {
                    (Value::Null, Value::Null)
                } else {
                    let stats = ctx.state.data.stats(index)?;
                    (
                        json!(stats.docs.to_string()),
                        json!(stats.deleted.to_string()),
                    )
                };
                rows.push(json!({
                    "health": if im.closed { Value::Null } else { json!("green") },
                    "status": if im.closed { "close" } else { "open" },
                    "index": index,
                    "uuid": im.uuid,
                    "pri": im.settings.get("index.number_of_shards").cloned().unwrap_or_else(|| "1".into()),
                    "rep": im.settings.get("index.number_of_replicas").cloned().unwrap_or_else(|| "0".into()),
                    "docs.count": docs,
                    "docs.deleted": deleted,
                }));
            }
        }
        rows.sort_by(|a, b| a["index"].as_str().cmp(&b["index"].as_str()));
        reply(
            &req,
            &[
                "health",
                "status",
                "index",
                "uuid",
                "pri",
                "rep",
                "docs.count",
                "docs.deleted",
            ],
            rows,
        )
    })
}

/// `GET /_resolve/index/{name}`: the indices, aliases and data streams the expression
/// reaches among those the caller is authorized for.
pub fn resolve_index(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        let options = target::options(&req, IndicesOptions::lenient_expand_open())?;
        let expressions = req.param_list("name");
        let authorized = target::authorize(&ctx, &req, ctx.action, &expressions, &options, &meta)?;
        let state = ctx.state.data.cluster_state();
        let aliases_by_name = state.aliases();
        let mut indices = Vec::new();
        let mut aliases = Vec::new();
        let mut streams = Vec::new();
        let names = if authorized.placeholder {
            Vec::new()
        } else {
            authorized.names.clone()
        };
        for name in names {
            if let Some(im) = state.indices.get(&name) {
                let mut attrs = vec![if im.closed { "closed" } else { "open" }];
                if im.hidden() {
                    attrs.insert(0, "hidden");
                }
                let mut entry = json!({
                    "name": name,
                    "aliases": im.aliases.keys().collect::<Vec<_>>(),
                    "attributes": attrs,
                });
                if let (Some(ds), Value::Object(o)) = (&im.data_stream, &mut entry) {
                    o.insert("data_stream".into(), json!(ds));
                }
                if im.aliases.is_empty()
                    && let Value::Object(o) = &mut entry
                {
                    o.remove("aliases");
                }
                indices.push(entry);
            } else if let Some(ds) = state.data_streams.get(&name) {
                streams.push(json!({
                    "name": name,
                    "backing_indices": ds.indices,
                    "timestamp_field": "@timestamp",
                }));
            } else if let Some(members) = aliases_by_name.get(name.as_str()) {
                let mut targets: Vec<&str> = members.iter().map(|(i, _)| *i).collect();
                targets.sort_unstable();
                aliases.push(json!({"name": name, "indices": targets}));
            }
        }
        let by_name =
            |v: &mut Vec<Value>| v.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        by_name(&mut indices);
        by_name(&mut aliases);
        by_name(&mut streams);
        Ok(Reply::ok(
            json!({"indices": indices, "aliases": aliases, "data_streams": streams}),
        ))
    })
}
