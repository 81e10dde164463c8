//! Writes: every document write executes as bulk items (section 6.3). The engine decides each
//! item (`rampart_core::write`: bulk, auto-create, bulk[s] per concrete index on the names its
//! items used — an alias stays an alias —, the item's own action, update under DLS/FLS);
//! allowed items auto-create missing indices and run, and a write that updates a mapping is
//! checked for `auto_put` by the engine's mapping gate as it happens.

use std::collections::HashMap;

use rampart_core::error::EsError;
use rampart_core::resolve::IndexMetadata;
use rampart_core::write::{BulkItem, ItemFailure, WriteOp};
use rampart_search::{
    DocWrite, MappingGate, OpType, Refresh, SearchError, UpdateRequest, WriteBatch, WriteConditions,
};
use serde_json::{Map, Value, json};

use super::engine;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// One parsed write.
#[derive(Debug, Clone)]
pub struct WriteItem {
    pub index: String,
    pub id: Option<String>,
    pub op: WriteOp,
    /// The document (index/create), or the update body (`doc`, `upsert`, …).
    pub body: Option<Value>,
    /// `if_seq_no`/`if_primary_term`/external `version`.
    pub cond: WriteConditions,
    /// The ingest pipeline named by the item or the request (`?pipeline=`).
    pub pipeline: Option<String>,
}

/// Per-item authorization, shared by the embedded and the gateway data planes. Each item is
/// resolved ([`BulkItem::resolve`]: date math, the write index behind an alias) and decided by
/// the engine on the name it used, so a grant on an alias lets a caller write through it. A
/// malformed date-math name fails only its item; a caller without any bulk privilege gets
/// the request's 403.
pub(crate) fn authorize_items(
    ctx: &Ctx,
    items: &[WriteItem],
    meta: &IndexMetadata,
) -> Result<(Vec<BulkItem>, Vec<Option<ItemFailure>>), ApiError> {
    let now = chrono::Utc::now();
    let mut bulk_items = Vec::with_capacity(items.len());
    let mut failures: Vec<Option<ItemFailure>> = Vec::with_capacity(items.len());
    // Positions (in `items`) of the resolved items handed to the engine.
    let mut decided = Vec::with_capacity(items.len());
    let mut to_decide = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match BulkItem::resolve(&item.index, item.op, meta, now) {
            Ok(resolved) => {
                to_decide.push(resolved.clone());
                decided.push(i);
                bulk_items.push(resolved);
                failures.push(None);
            }
            Err(e) => {
                bulk_items.push(BulkItem {
                    index: item.index.clone(),
                    concrete: None,
                    op: item.op,
                });
                failures.push(Some(ItemFailure {
                    status: e.status(),
                    es_type: e.es_type(),
                    reason: e.reason(),
                }));
            }
        }
    }
    let exists = |name: &str| meta.contains(name);
    let decision = ctx
        .role
        .authorize_bulk(&ctx.subject, &to_decide, meta, &exists)?;
    if let Some(denial) = decision.request.denial() {
        return Err(ApiError::forbidden(denial.message().to_owned()));
    }
    for (position, failure) in decided.into_iter().zip(decision.items) {
        if let Some(slot) = failures.get_mut(position) {
            *slot = failure;
        }
    }
    Ok((bulk_items, failures))
}

/// Execute items in order; each gets a result or its own error. `refresh` applies to every
/// index written once all items ran (as ES refreshes the shards a bulk touched).
pub fn execute(
    ctx: &Ctx,
    items: &[WriteItem],
    refresh: Refresh,
) -> Result<Vec<Result<DocWrite, ApiError>>, ApiError> {
    let engine = &ctx.state.data;
    let meta = engine.metadata();
    let (bulk_items, failures) = authorize_items(ctx, items, meta.as_ref())?;
    let mut out = Vec::with_capacity(items.len());
    let mut written: Vec<String> = Vec::new();
    // One translog fsync per index for the whole request, before anything is acknowledged.
    let mut batch = engine.write_batch().with_mapping_gate(mapping_gate(ctx));
    let mut ingest = super::ingest::IngestSession::new(ctx);
    for ((item, bulk), failure) in items.iter().zip(&bulk_items).zip(&failures) {
        if let Some(f) = failure {
            out.push(Err(ApiError::new(f.status, f.es_type, f.reason.clone())));
            continue;
        }
        // Ingest runs on authorized items only, and its output is what gets written, so the
        // mapping-update gate sees the document as the shard would.
        let ingested = match ingest.run(item, bulk) {
            Ok(Some(body)) => Some(WriteItem {
                body: Some(body),
                ..item.clone()
            }),
            Ok(None) => None,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        let item = ingested.as_ref().unwrap_or(item);
        let result = run_one(&mut batch, item, bulk);
        if let Ok(w) = &result
            && !written.contains(&w.index)
        {
            written.push(w.index.clone());
        }
        out.push(result);
    }
    batch.finish()?;
    if refresh != Refresh::False && !written.is_empty() {
        engine.refresh(&written)?;
    }
    Ok(out)
}

/// The dynamic-mapping check (`indices:admin/mapping/auto_put`, section 6.2), asked by the
/// engine when a write is about to update a concrete index's mapping: new fields, or the root
/// mapping of an index's first document — including the index an item just auto-created and
/// the document an update actually writes (the merged document, or the upsert), as
/// Elasticsearch checks when the shard applies the update. The caller needs the action on
/// that index or on an alias writing only to it (`EffectiveRole::authorize_auto_put`), judged
/// on the metadata of the moment (an auto-created data stream's backing index is one, so
/// write privileges do not grant it there). Answers are kept per index for the request.
fn mapping_gate<'a>(ctx: &'a Ctx) -> Box<MappingGate<'a>> {
    let mut decided: HashMap<String, Option<String>> = HashMap::new();
    Box::new(move |concrete: &str| {
        let denial = match decided.get(concrete) {
            Some(known) => known.clone(),
            None => {
                let meta = ctx.state.data.metadata();
                let decision = ctx
                    .role
                    .authorize_auto_put(&ctx.subject, concrete, &meta)
                    .map_err(|e| {
                        tracing::error!(%e, "auto_put authorization failed to compile");
                        SearchError::Internal("authorization failed".into())
                    })?;
                let denial = decision.decision.denial().map(|d| d.message().to_owned());
                decided.insert(concrete.to_owned(), denial.clone());
                denial
            }
        };
        denial.map_or(Ok(()), |message| Err(SearchError::Forbidden(message)))
    })
}

fn run_one(
    engine: &mut WriteBatch<'_>,
    item: &WriteItem,
    resolved: &BulkItem,
) -> Result<DocWrite, ApiError> {
    // An existing name's write index was authorized; a missing one was authorized for
    // auto-create (`create_index` or `auto_configure`) under its resolved name (date math
    // applied) and the engine creates it (from a matching template: an index or a data
    // stream).
    let target = resolved.concrete.as_deref().unwrap_or(&resolved.index);
    if resolved.concrete.is_none() && item.op == WriteOp::Delete {
        return Err(engine::index_not_found(&resolved.index));
    }
    let id = item.id.as_deref();
    let written = match item.op {
        WriteOp::Index | WriteOp::Create => {
            let body = item
                .body
                .as_ref()
                .ok_or_else(|| ApiError::parse("request body is required"))?;
            let op = if item.op == WriteOp::Create {
                OpType::Create
            } else {
                OpType::Index
            };
            engine.index_doc(target, id, body, op, item.cond, Refresh::False)?
        }
        WriteOp::Delete => {
            let id = id.ok_or_else(|| ApiError::validation(&["id is missing".into()]))?;
            engine.delete_doc(target, id, item.cond, Refresh::False)?
        }
        WriteOp::Update => {
            let id = id.ok_or_else(|| ApiError::validation(&["id is missing".into()]))?;
            let body = item.body.clone().unwrap_or_default();
            let update = UpdateRequest::parse(&body)?;
            engine.update_doc(target, id, &update, item.cond, Refresh::False)?
        }
    };
    Ok(written)
}

pub(crate) fn op_name(op: WriteOp) -> &'static str {
    match op {
        WriteOp::Index => "index",
        WriteOp::Create => "create",
        WriteOp::Update => "update",
        WriteOp::Delete => "delete",
    }
}

/// Parse an ndjson bulk body.
pub(crate) fn parse_bulk(req: &Req) -> Result<Vec<WriteItem>, ApiError> {
    let default_index = req.param("index").map(String::from);
    let text =
        std::str::from_utf8(&req.body).map_err(|_| ApiError::parse("request body is not UTF-8"))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let mut items = Vec::new();
    while let Some(line) = lines.next() {
        let action: Map<String, Value> =
            serde_json::from_str(line).map_err(crate::http::request::json_error)?;
        let (name, meta) = action
            .iter()
            .next()
            .ok_or_else(|| ApiError::bad_request("Malformed action/metadata line [1], expected a simple value for field [_index] but found [START_OBJECT]"))?;
        let op = match name.as_str() {
            "index" => WriteOp::Index,
            "create" => WriteOp::Create,
            "update" => WriteOp::Update,
            "delete" => WriteOp::Delete,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Malformed action/metadata line [{}], expected field [create], [delete], [index] or [update] but found [{other}]",
                    items.len() * 2 + 1
                )));
            }
        };
        let index = meta
            .get("_index")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| default_index.clone())
            .ok_or_else(|| ApiError::validation(&["index is missing".into()]))?;
        let id = meta.get("_id").and_then(Value::as_str).map(String::from);
        let pipeline = meta
            .get("pipeline")
            .and_then(Value::as_str)
            .or_else(|| req.query("pipeline"))
            .map(String::from);
        let cond = engine::conditions(&|k| match meta.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })?;
        let op = if op == WriteOp::Index
            && (id.is_none() || meta.get("op_type").and_then(Value::as_str) == Some("create"))
        {
            WriteOp::Create
        } else {
            op
        };
        let body = if op == WriteOp::Delete {
            None
        } else {
            let line = lines.next().ok_or_else(|| {
                ApiError::bad_request("The bulk request must be terminated by a newline [\\n]")
            })?;
            Some(serde_json::from_str(line).map_err(crate::http::request::json_error)?)
        };
        items.push(WriteItem {
            index,
            id,
            op: if name == "index" && op == WriteOp::Create {
                WriteOp::Create
            } else {
                op
            },
            body,
            cond,
            pipeline,
        });
    }
    if items.is_empty() {
        return Err(ApiError::validation(&["no requests added".into()]));
    }
    Ok(items)
}

/// `POST|PUT /_bulk`, `/{index}/_bulk`.
pub fn bulk(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let items = parse_bulk(&req)?;
        let results = execute(&ctx, &items, engine::refresh(&req)?)?;
        let mut errors = false;
        let rendered: Vec<Value> = items
            .iter()
            .zip(results)
            .map(|(item, result)| {
                let body = match result {
                    Ok(r) => {
                        let mut b = engine::write_json(&r);
                        if let Some(o) = b.as_object_mut() {
                            o.insert("status".into(), json!(engine::write_status(&r)));
                        }
                        b
                    }
                    Err(e) => {
                        errors = true;
                        json!({
                            "_index": item.index,
                            "_id": item.id,
                            "status": e.status,
                            "error": {"type": e.es_type, "reason": e.reason},
                        })
                    }
                };
                json!({ op_name(item.op): body })
            })
            .collect();
        Ok(Reply::ok(
            json!({"took": 1, "errors": errors, "items": rendered}),
        ))
    })
}
