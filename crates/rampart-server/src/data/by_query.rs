//! `_delete_by_query` and `_update_by_query` on the embedded engine, and the decisions the
//! gateway shares with it.
//!
//! As in Elasticsearch, the expression is authorized for the by-query action, then its search
//! phase runs as the caller (it needs `read` and sees the caller's *search* DLS/FLS: documents
//! a role query hides are never touched), then every matched document becomes a bulk item
//! (a delete, or an index of its unchanged source for an update) authorized on its concrete
//! index. The search is a snapshot: each item is conditioned on the `_seq_no`/`_primary_term`
//! the document had when found, so a concurrent change is a version conflict, which aborts
//! the request (`conflicts=abort`, 409) or is counted (`conflicts=proceed`).
//! `_update_by_query` under FLS is refused (it would write the filtered source back) with the
//! gateway's message; scripts are not run by this server.

use std::time::Instant;

use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_core::write::WriteOp;
use rampart_gateway::rewrite::{self, Operation};
use rampart_search::{MatchedDoc, Refresh, WriteConditions};
use serde_json::{Map, Value, json};

use super::search::{self, SEARCH};
use super::write::{WriteItem, execute};
use super::{engine, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

pub const DELETE_BY_QUERY: &str = "indices:data/write/delete/byquery";
pub const UPDATE_BY_QUERY: &str = "indices:data/write/update/byquery";
const ITEM_INDEX: &str = "indices:data/write/index";
const ITEM_DELETE: &str = "indices:data/write/delete";

/// Elasticsearch's default `scroll_size`: documents per search batch (and bulk request).
const DEFAULT_BATCH: usize = 1000;

/// The by-query operation of a route's action.
pub fn operation_of(action: &str) -> Operation {
    if action == UPDATE_BY_QUERY {
        Operation::UpdateByQuery
    } else {
        Operation::DeleteByQuery
    }
}

/// The endpoint name used in messages.
pub fn endpoint(operation: Operation) -> &'static str {
    if operation == Operation::UpdateByQuery {
        "_update_by_query"
    } else {
        "_delete_by_query"
    }
}

/// Authorize the writes the hits become on the concrete indices that have hits (both planes):
/// privileges on an alias alone do not grant them. Only called when something matched, so a
/// by-query that matches nothing answers 200 as Elasticsearch does (it checks each batch).
pub fn authorize_item_writes(
    ctx: &Ctx,
    req: &Req,
    operation: Operation,
    indices: &[String],
    meta: &IndexMetadata,
) -> Result<(), ApiError> {
    let action = if operation == Operation::UpdateByQuery {
        ITEM_INDEX
    } else {
        ITEM_DELETE
    };
    target::authorize_names(ctx, req, action, indices, meta).map(|_| ())
}

/// Whether `action` on every index is allowed, without auditing a denial (the gateway asks
/// before deciding whether the refusal applies at all).
pub fn item_writes_allowed(
    ctx: &Ctx,
    operation: Operation,
    indices: &[String],
    meta: &IndexMetadata,
) -> bool {
    let action = if operation == Operation::UpdateByQuery {
        ITEM_INDEX
    } else {
        ITEM_DELETE
    };
    indices.iter().all(|i| target::allows(ctx, action, i, meta))
}

/// `conflicts`: whether a version conflict is counted rather than aborting.
fn proceed_on_conflict(value: Option<&Value>) -> Result<bool, ApiError> {
    match value.map(|v| {
        v.as_str()
            .map(String::from)
            .unwrap_or_else(|| v.to_string())
    }) {
        None => Ok(false),
        Some(v) if v == "abort" => Ok(false),
        Some(v) if v == "proceed" => Ok(true),
        Some(v) => Err(ApiError::bad_request(format!(
            "conflicts may only be \"proceed\" or \"abort\" but was [{v}]"
        ))),
    }
}

fn positive(name: &str, value: &Value) -> Result<usize, ApiError> {
    let parsed = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    match parsed {
        Some(n) if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Some(n) => Err(ApiError::validation(&[format!(
            "{name} must be greater than 0 but was [{n}]"
        )])),
        None => Err(ApiError::bad_request(format!(
            "Failed to parse int parameter [{name}] with value [{value}]"
        ))),
    }
}

/// The request's options, from the body and the URL.
#[derive(Debug)]
struct Options {
    /// The body's `query` alone (what the search phase parses, with the URL's `q` over it).
    query_body: Value,
    max_docs: Option<usize>,
    proceed: bool,
    batch: usize,
    refresh: bool,
    pipeline: Option<String>,
}

fn options(req: &Req, operation: Operation, body: Option<&Value>) -> Result<Options, ApiError> {
    let empty = Map::new();
    let body = match body {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::parse("request body must be an object")),
    };
    let mut query_body = Map::new();
    let mut max_docs = req
        .query("max_docs")
        .map(|v| positive("max_docs", &json!(v)))
        .transpose()?;
    let mut conflicts = req.query("conflicts").map(|v| json!(v));
    for (key, value) in body {
        match key.as_str() {
            "query" => {
                query_body.insert(key.clone(), value.clone());
            }
            "max_docs" => max_docs = Some(positive("max_docs", value)?),
            "conflicts" => conflicts = Some(value.clone()),
            "script" => {
                return Err(ApiError::new(
                    400,
                    "illegal_argument_exception",
                    format!(
                        "scripts are not supported by this server: [{}] without [script] rewrites \
                         each matched document unchanged",
                        endpoint(operation)
                    ),
                ));
            }
            other => {
                return Err(ApiError::new(
                    400,
                    "parsing_exception",
                    format!("request does not support [{other}]"),
                ));
            }
        }
    }
    if let Some(slices) = req.query("slices")
        && slices != "auto"
        && positive("slices", &json!(slices))? != 1
    {
        return Err(ApiError::bad_request(format!(
            "[slices] other than 1 or auto is not supported by the embedded engine, got [{slices}]"
        )));
    }
    if !req.query_bool("wait_for_completion", true)? {
        return Err(ApiError::bad_request(format!(
            "[wait_for_completion=false] is not supported: [{}] runs to completion and answers \
             with its result",
            endpoint(operation)
        )));
    }
    let batch = req
        .query("scroll_size")
        .map(|v| positive("scroll_size", &json!(v)))
        .transpose()?
        .unwrap_or(DEFAULT_BATCH);
    let pipeline = match (operation, req.query("pipeline")) {
        (Operation::UpdateByQuery, Some(p)) => Some(p.to_string()),
        _ => None,
    };
    Ok(Options {
        query_body: Value::Object(query_body),
        max_docs,
        proceed: proceed_on_conflict(conflicts.as_ref())?,
        batch,
        refresh: engine::refresh(req)? != Refresh::False,
        pipeline,
    })
}

/// The tally of a by-query run, rendered in Elasticsearch's shape.
#[derive(Debug, Default)]
struct Tally {
    total: usize,
    done: usize,
    batches: usize,
    version_conflicts: usize,
    failures: Vec<Value>,
    status: u16,
}

impl Tally {
    fn render(&self, operation: Operation, started: Instant) -> Value {
        let mut answer = rewrite::empty_by_query_answer(operation);
        if let Some(o) = answer.as_object_mut() {
            let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            o.insert("took".into(), json!(took));
            o.insert("total".into(), json!(self.total));
            let counter = if operation == Operation::UpdateByQuery {
                "updated"
            } else {
                "deleted"
            };
            o.insert(counter.into(), json!(self.done));
            o.insert("batches".into(), json!(self.batches));
            o.insert("version_conflicts".into(), json!(self.version_conflicts));
            o.insert("failures".into(), Value::Array(self.failures.clone()));
        }
        answer
    }
}

/// The bulk item a matched document becomes, conditioned on the version it was found with.
/// An update writes the document's current source back unchanged: if it changed since the
/// snapshot, the condition fails the write as a version conflict (and a document deleted since
/// fails it the same way, whatever body the item carries).
fn item_of(
    ctx: &Ctx,
    doc: &MatchedDoc,
    operation: Operation,
    pipeline: Option<&String>,
) -> Result<WriteItem, ApiError> {
    let (op, body) = if operation == Operation::UpdateByQuery {
        let current = ctx.state.data.get_doc(&doc.index, &doc.id, true)?;
        let source = current.map_or_else(|| json!({}), |d| d.source);
        (WriteOp::Index, Some(source))
    } else {
        (WriteOp::Delete, None)
    };
    Ok(WriteItem {
        index: doc.index.clone(),
        id: Some(doc.id.clone()),
        op,
        body,
        cond: WriteConditions {
            if_seq_no: Some(doc.version.seq_no),
            if_primary_term: Some(doc.version.primary_term),
            ..WriteConditions::default()
        },
        pipeline: pipeline.cloned(),
    })
}

/// A failed item in the `failures` list (Elasticsearch's bulk failure shape).
fn failure(doc: &MatchedDoc, error: &ApiError) -> Value {
    let mut cause = error.body().get("error").cloned().unwrap_or(Value::Null);
    if let Some(o) = cause.as_object_mut() {
        o.remove("root_cause");
        o.insert("index".into(), json!(doc.index));
        o.insert("shard".into(), json!("0"));
    }
    json!({"index": doc.index, "id": doc.id, "cause": cause, "status": error.status})
}

/// Runs the writes of `docs` batch by batch until done, a batch failed, or `max_docs` writes
/// succeeded (with `conflicts=proceed` conflicts do not count against it).
fn run(
    ctx: &Ctx,
    operation: Operation,
    options: &Options,
    docs: &[MatchedDoc],
) -> Result<Tally, ApiError> {
    let mut tally = Tally {
        total: options.max_docs.map_or(docs.len(), |m| m.min(docs.len())),
        status: 200,
        ..Tally::default()
    };
    let refresh = if options.refresh {
        Refresh::True
    } else {
        Refresh::False
    };
    let mut rest = docs;
    while !rest.is_empty() {
        let wanted = options
            .max_docs
            .map_or(usize::MAX, |m| m.saturating_sub(tally.done));
        if wanted == 0 {
            break;
        }
        let (batch, after) = rest.split_at(rest.len().min(options.batch).min(wanted));
        rest = after;
        tally.batches += 1;
        let items = batch
            .iter()
            .map(|d| item_of(ctx, d, operation, options.pipeline.as_ref()))
            .collect::<Result<Vec<WriteItem>, ApiError>>()?;
        let results = execute(ctx, &items, refresh)?;
        for (doc, result) in batch.iter().zip(results) {
            match result {
                Ok(_) => tally.done += 1,
                Err(e) if e.status == 409 => {
                    tally.version_conflicts += 1;
                    if !options.proceed {
                        tally.status = tally.status.max(409);
                        tally.failures.push(failure(doc, &e));
                    }
                }
                Err(e) => {
                    tally.status = tally.status.max(e.status);
                    tally.failures.push(failure(doc, &e));
                }
            }
        }
        if !tally.failures.is_empty() {
            break;
        }
    }
    Ok(tally)
}

/// `POST /{index}/_delete_by_query`, `POST /{index}/_update_by_query`.
pub fn by_query(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let started = Instant::now();
        let operation = operation_of(ctx.action);
        let raw = req.json()?;
        let options = options(&req, operation, raw.as_ref())?;
        let request = search::parse_request(&req, Some(&options.query_body))?;
        let expressions = target::expressions(&req);
        let indices_options = target::options(&req, IndicesOptions::search())?;
        let meta = ctx.state.data.metadata();
        let authorized = target::authorize(
            &ctx,
            &req,
            ctx.action,
            &expressions,
            &indices_options,
            &meta,
        )?;
        if !authorized.remote.is_empty() {
            return Err(ApiError::bad_request(format!(
                "[{}] on remote indices is not supported",
                endpoint(operation)
            )));
        }
        if authorized.placeholder || authorized.names.is_empty() {
            return Ok(Reply::ok(rewrite::empty_by_query_answer(operation)));
        }
        // Elasticsearch replaces the request's wildcards for the by-query action, then runs the
        // search as the caller on those names: each of them needs read access.
        let read = target::authorize(
            &ctx,
            &req,
            SEARCH,
            &authorized.names,
            &indices_options,
            &meta,
        )?;
        if read.placeholder || read.names.is_empty() {
            return Ok(Reply::ok(rewrite::empty_by_query_answer(operation)));
        }
        let targets = search::concrete_targets(&ctx, SEARCH, &read.access, &meta)?;
        let fls = targets.iter().any(|t| {
            t.restriction
                .fields
                .as_ref()
                .is_some_and(|f| !f.is_unrestricted())
        });
        rewrite::check_by_query_fls(operation, fls).map_err(|e| ApiError::from_es(&e))?;
        let limit = if options.proceed {
            None
        } else {
            options.max_docs
        };
        let docs = ctx.state.data.matching_docs(
            &search::engine_targets(&targets),
            &request.query,
            limit,
        )?;
        if docs.is_empty() {
            return Ok(Reply::ok(Tally::default().render(operation, started)));
        }
        let mut with_hits: Vec<String> = Vec::new();
        for doc in &docs {
            if !with_hits.contains(&doc.index) {
                with_hits.push(doc.index.clone());
            }
        }
        authorize_item_writes(&ctx, &req, operation, &with_hits, &meta)?;
        let tally = run(&ctx, operation, &options, &docs)?;
        Ok(Reply::status(
            tally.status,
            tally.render(operation, started),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_take_abort_or_proceed_only() {
        assert!(!proceed_on_conflict(None).unwrap());
        assert!(!proceed_on_conflict(Some(&json!("abort"))).unwrap());
        assert!(proceed_on_conflict(Some(&json!("proceed"))).unwrap());
        let e = proceed_on_conflict(Some(&json!("ignore"))).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.reason.contains("[ignore]"), "{}", e.reason);
    }

    #[test]
    fn counts_must_be_positive_numbers() {
        assert_eq!(positive("max_docs", &json!(3)).unwrap(), 3);
        assert_eq!(positive("max_docs", &json!("7")).unwrap(), 7);
        assert_eq!(positive("max_docs", &json!(0)).unwrap_err().status, 400);
        assert_eq!(positive("max_docs", &json!("x")).unwrap_err().status, 400);
    }

    #[test]
    fn empty_tally_renders_the_operation_counter() {
        let started = Instant::now();
        let delete = Tally::default().render(Operation::DeleteByQuery, started);
        assert_eq!(delete["deleted"], json!(0));
        assert_eq!(delete["failures"], json!([]));
        let update = Tally::default().render(Operation::UpdateByQuery, started);
        assert_eq!(update["updated"], json!(0));
    }
}
