//! `GET /_cat/indices[/{index}]` through the gateway: the expression is resolved and
//! authorized as embedded (explicit names strict, wildcards over open and closed indices),
//! the upstream's `_cat/indices` is asked in JSON for exactly the authorized concrete
//! indices, and its rows are rendered with the embedded plane's columns (so `h`, `s`, `v`,
//! `format` and `bytes` behave the same on both planes).

use std::collections::BTreeSet;

use axum::http::Method;
use rampart_core::resolve::{ExpandWildcards, IndicesOptions};
use rampart_gateway::UpstreamRequest;
use serde_json::Value;

use super::{metadata, send};
use crate::data::cat::{INDEX_COLUMNS, reply};
use crate::data::cat_table::{Cell, Kind, Table};
use crate::data::target;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const CAT_INDICES: &str = "indices:monitor/settings/get";

/// The upstream columns read, in `INDEX_COLUMNS` order (`dataset.size` is the store size, as
/// the embedded plane reports it).
const UPSTREAM_COLUMNS: &[&str] = &[
    "health",
    "status",
    "index",
    "uuid",
    "pri",
    "rep",
    "docs.count",
    "docs.deleted",
    "store.size",
    "pri.store.size",
    "store.size",
    "creation.date",
    "creation.date.string",
];

pub(super) fn is_cat_indices(req: &Req) -> bool {
    req.path.starts_with("/_cat/indices")
}

pub(super) async fn cat_indices(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let strict_expand = IndicesOptions {
        expand_wildcards: ExpandWildcards::OPEN_CLOSED,
        ..IndicesOptions::strict_expand_open()
    };
    let options = target::options(req, strict_expand)?;
    let mut expressions = target::expressions(req);
    if expressions.is_empty() {
        expressions.push("*".into());
    }
    let authorized = target::authorize(ctx, req, ctx.action, &expressions, &options, &meta)?;
    let mut indices = BTreeSet::new();
    if !authorized.placeholder {
        for name in &authorized.names {
            indices.extend(
                meta.concrete_indices(name, None)
                    .into_iter()
                    .map(String::from),
            );
        }
    }
    let mut rows = Vec::new();
    if !indices.is_empty() {
        let path = indices.iter().cloned().collect::<Vec<_>>().join(",");
        let request = UpstreamRequest::new(Method::GET, &["_cat", "indices", &path])
            .param("format", "json")
            .param("bytes", "b")
            .param("expand_wildcards", "all")
            .param("h", UPSTREAM_COLUMNS.join(","));
        let (_, answer) = send(gateway, &request).await?;
        let upstream_rows = answer.as_array().map(Vec::as_slice).unwrap_or_default();
        // Rows in index-name order; an index the upstream did not list is left out.
        for index in &indices {
            let row = upstream_rows
                .iter()
                .find(|r| r.get("index").and_then(Value::as_str) == Some(index.as_str()));
            if let Some(row) = row {
                rows.push(cells(row));
            }
        }
    }
    reply(
        req,
        &Table {
            columns: INDEX_COLUMNS,
            rows,
        },
    )
}

/// One upstream row as cells of `INDEX_COLUMNS` (a missing or unparsable value is empty).
fn cells(row: &Value) -> Vec<Cell> {
    UPSTREAM_COLUMNS
        .iter()
        .zip(INDEX_COLUMNS)
        .map(|(key, column)| {
            let value = match row.get(*key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Cell::Null,
            };
            match column.kind {
                Kind::Text => Cell::Text(value),
                Kind::Number => value.parse().map_or(Cell::Null, Cell::Number),
                Kind::Bytes => value.parse().map_or(Cell::Null, Cell::Bytes),
            }
        })
        .collect()
}
