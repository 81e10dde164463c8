//! `_cat/indices`, `_cat/count` and `_resolve/index`: listings resolved against what the
//! caller may see, rendered by `cat_table` (text table, `format=json|yaml`, `h`, `s`, `v`,
//! `help`, `bytes`).

use rampart_core::resolve::{ExpandWildcards, IndicesOptions};
use serde_json::{Value, json};

use super::cat_table::{self, Cell, Column, Kind, Options, Rendered, Table};
use super::search::{SEARCH, concrete_targets, engine_targets};
use super::target;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// The `_cat` options of a request.
pub fn options(req: &Req) -> Result<Options, ApiError> {
    Ok(Options {
        format: req.query("format").map(str::to_ascii_lowercase),
        verbose: req.query_bool("v", false)?,
        help: req.query_bool("help", false)?,
        headers: req.query_list("h"),
        sort: req.query_list("s"),
        bytes: req.query("bytes").map(String::from),
    })
}

/// Render `table` as the request asks.
pub fn reply(req: &Req, table: &Table) -> Result<Reply, ApiError> {
    Ok(match cat_table::render(table, &options(req)?)? {
        Rendered::Json(v) => Reply::ok(v),
        Rendered::Text(t) => Reply::text(200, t),
    })
}

pub(crate) const INDEX_COLUMNS: &[Column] = &[
    Column::new("health", &["h"], Kind::Text, "current health status"),
    Column::new("status", &["s"], Kind::Text, "open/close status"),
    Column::new("index", &["i", "idx"], Kind::Text, "index name"),
    Column::new("uuid", &["id", "uuid"], Kind::Text, "index uuid"),
    Column::new(
        "pri",
        &["p", "shards.primary", "shardsPrimary"],
        Kind::Number,
        "number of primary shards",
    ),
    Column::new(
        "rep",
        &["r", "shards.replica", "shardsReplica"],
        Kind::Number,
        "number of replica shards",
    ),
    Column::new(
        "docs.count",
        &["dc", "docsCount"],
        Kind::Number,
        "available docs",
    ),
    Column::new(
        "docs.deleted",
        &["dd", "docsDeleted"],
        Kind::Number,
        "deleted docs",
    ),
    Column::new(
        "store.size",
        &["ss", "storeSize"],
        Kind::Bytes,
        "store size of primaries & replicas",
    ),
    Column::new(
        "pri.store.size",
        &[],
        Kind::Bytes,
        "store size of primaries",
    ),
    Column::new("dataset.size", &[], Kind::Bytes, "total size of dataset"),
    Column::new(
        "creation.date",
        &["cd"],
        Kind::Number,
        "index creation date (millisecond value)",
    )
    .hidden(),
    Column::new(
        "creation.date.string",
        &["cds"],
        Kind::Text,
        "index creation date (as string)",
    )
    .hidden(),
];

fn setting_number(value: Option<&String>, default: i64) -> Cell {
    Cell::Number(value.and_then(|v| v.parse().ok()).unwrap_or(default))
}

fn count_cell(n: u64) -> Cell {
    Cell::Number(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `GET /_cat/indices`, `/_cat/indices/{index}`.
pub fn cat_indices(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        // ES `strictExpand`: an explicit name the caller may not see is a 403, and wildcards
        // list closed indices too.
        let strict_expand = IndicesOptions {
            expand_wildcards: ExpandWildcards::OPEN_CLOSED,
            ..IndicesOptions::strict_expand_open()
        };
        let options = target::options(&req, strict_expand)?;
        let mut expressions = target::expressions(&req);
        if expressions.is_empty() {
            expressions.push("*".into());
        }
        let authorized = target::authorize(&ctx, &req, ctx.action, &expressions, &options, &meta)?;
        let state = ctx.state.data.cluster_state();
        // Rows in index-name order (a BTreeSet also drops indices reached twice).
        let mut indices = std::collections::BTreeSet::new();
        for name in &authorized.names {
            indices.extend(meta.concrete_indices(name, None));
        }
        let mut rows = Vec::new();
        for index in indices {
            let Some(im) = state.indices.get(index) else {
                continue;
            };
            // A closed index shows its shape but no statistics, as in ES.
            let (docs, deleted, size) = if im.closed {
                (Cell::Null, Cell::Null, Cell::Null)
            } else {
                let stats = ctx.state.data.stats(index)?;
                let size = ctx.state.data.store_size(index)?.unwrap_or(0);
                (
                    count_cell(stats.docs),
                    count_cell(stats.deleted),
                    Cell::Bytes(size),
                )
            };
            let created = chrono::DateTime::from_timestamp_millis(im.creation_date)
                .map_or(Cell::Null, |d| {
                    Cell::text(d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                });
            rows.push(vec![
                Cell::text("green"),
                Cell::text(if im.closed { "close" } else { "open" }),
                Cell::text(index),
                Cell::text(im.uuid.clone()),
                setting_number(im.settings.get("index.number_of_shards"), 1),
                setting_number(im.settings.get("index.number_of_replicas"), 0),
                docs,
                deleted,
                size.clone(),
                // One shard, no replica copies: primaries are the whole store.
                size.clone(),
                size,
                Cell::Number(im.creation_date),
                created,
            ]);
        }
        reply(
            &req,
            &Table {
                columns: INDEX_COLUMNS,
                rows,
            },
        )
    })
}

const COUNT_COLUMNS: &[Column] = &[
    Column::new(
        "epoch",
        &["t", "time"],
        Kind::Number,
        "seconds since 1970-01-01 00:00:00",
    ),
    Column::new(
        "timestamp",
        &["ts", "hms", "hhmmss"],
        Kind::Text,
        "time in HH:MM:SS",
    ),
    Column::new(
        "count",
        &["dc", "docs.count", "docsCount"],
        Kind::Number,
        "the document count",
    ),
];

/// `GET /_cat/count`, `/_cat/count/{index}`: a `_count` of everything the caller may read,
/// under its DLS restrictions.
pub fn cat_count(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        let options = target::options(&req, IndicesOptions::search())?;
        let authorized = target::authorize(
            &ctx,
            &req,
            SEARCH,
            &target::expressions(&req),
            &options,
            &meta,
        )?;
        let count = if authorized.placeholder || authorized.names.is_empty() {
            0
        } else {
            let targets = concrete_targets(&ctx, SEARCH, &authorized.access, &meta)?;
            ctx.state.data.count(
                &engine_targets(&targets),
                &rampart_query::SearchRequest::default().query,
            )?
        };
        count_table(&req, count)
    })
}

/// The `_cat/count` table of `count` documents. Shared with the gateway.
pub(crate) fn count_table(req: &Req, count: u64) -> Result<Reply, ApiError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let seconds_today = now % 86_400;
    let timestamp = format!(
        "{:02}:{:02}:{:02}",
        seconds_today / 3600,
        seconds_today % 3600 / 60,
        seconds_today % 60
    );
    reply(
        req,
        &Table {
            columns: COUNT_COLUMNS,
            rows: vec![vec![
                count_cell(now),
                Cell::text(timestamp),
                count_cell(count),
            ]],
        },
    )
}

/// `GET /_resolve/index/{name}`: the indices, aliases and data streams the expression
/// reaches among those the caller is authorized for.
pub fn resolve_index(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let meta = ctx.state.data.metadata();
        // `_resolve/index` answers data streams too (ES's request includes them).
        let defaults = IndicesOptions {
            include_data_streams: true,
            ..IndicesOptions::lenient_expand_open()
        };
        let options = target::options(&req, defaults)?;
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
