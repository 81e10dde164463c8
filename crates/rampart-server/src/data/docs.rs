//! Single-document APIs: index/create/delete/update (each a one-item bulk), get, `_source`
//! and mget. A document hidden by DLS answers exactly as a missing one; `_source` is FLS
//! filtered.

use rampart_core::resolve::IndicesOptions;
use rampart_core::write::WriteOp;
use rampart_search::StoredDoc;
use serde_json::{Value, json};

use super::restrict::{self, Restriction};
use super::write::{WriteItem, execute};
use super::{engine, guards, security_index, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

const GET: &str = "indices:data/read/get";
pub(crate) const MGET_SHARD: &str = "indices:data/read/mget[shard]";
const UPDATE: &str = "indices:data/write/update";

fn single(ctx: &Ctx, req: &Req, mut item: WriteItem) -> Result<Reply, ApiError> {
    item.cond = engine::url_conditions(req)?;
    let mut results = execute(ctx, std::slice::from_ref(&item), engine::refresh(req)?)?;
    let result = results
        .pop()
        .ok_or_else(|| ApiError::internal("a one-item bulk returned no result"))??;
    Ok(Reply::status(
        engine::write_status(&result),
        engine::write_json(&result),
    ))
}

fn op_of(req: &Req, has_id: bool) -> Result<WriteOp, ApiError> {
    match req.query("op_type") {
        Some("create") => Ok(WriteOp::Create),
        Some("index") | None if has_id => Ok(WriteOp::Index),
        None | Some("index") => Ok(WriteOp::Create),
        Some(other) => Err(ApiError::bad_request(format!(
            "opType must be 'create' or 'index', found: [{other}]"
        ))),
    }
}

/// `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`.
pub fn index_doc(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let id = req.param("id").map(String::from);
        let op = op_of(&req, id.is_some())?;
        let body = req.json_required()?;
        let index = req.param_required("index")?.to_string();
        single(
            &ctx,
            &req,
            WriteItem {
                index,
                id,
                op,
                body: Some(body),
                cond: Default::default(),
                pipeline: req.query("pipeline").map(String::from),
            },
        )
    })
}

/// `PUT|POST /{index}/_create/{id}`.
pub fn create_doc(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let item = WriteItem {
            index: req.param_required("index")?.to_string(),
            id: req.param("id").map(String::from),
            op: WriteOp::Create,
            body: Some(body),
            cond: Default::default(),
            pipeline: req.query("pipeline").map(String::from),
        };
        single(&ctx, &req, item)
    })
}

/// `DELETE /{index}/_doc/{id}`.
pub fn delete_doc(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let item = WriteItem {
            index: req.param_required("index")?.to_string(),
            id: req.param("id").map(String::from),
            op: WriteOp::Delete,
            body: None,
            cond: Default::default(),
            pipeline: None,
        };
        single(&ctx, &req, item)
    })
}

/// `POST /{index}/_update/{id}`: refused under DLS/FLS with ES's single-update message.
pub fn update_doc(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let index = req.param_required("index")?.to_string();
        let meta = ctx.state.data.metadata();
        let access =
            target::authorize_names(&ctx, &req, UPDATE, std::slice::from_ref(&index), &meta)?;
        let restricted = access
            .iter()
            .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted());
        guards::check_update(restricted)?;
        let item = WriteItem {
            index,
            id: req.param("id").map(String::from),
            op: WriteOp::Update,
            body: Some(body),
            cond: Default::default(),
            pipeline: None,
        };
        single(&ctx, &req, item)
    })
}

/// The visible document `(index, id)` under `restriction`: `None` when missing or DLS-hidden;
/// the source FLS-filtered.
fn visible_doc(
    ctx: &Ctx,
    index: &str,
    id: &str,
    restriction: &Restriction,
) -> Result<Option<(StoredDoc, Value)>, ApiError> {
    let engine = &ctx.state.data;
    let Some(doc) = engine.get_doc(index, id, true)? else {
        return Ok(None);
    };
    if let Some(query) = &restriction.documents {
        if !engine.matches(index, id, query)? {
            return Ok(None);
        }
    }
    let source = match &restriction.fields {
        Some(f) => f.filter_source(&doc.source),
        None => doc.source.clone(),
    };
    Ok(Some((doc, source)))
}

fn get_one(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    index_expr: &str,
    id: &str,
) -> Result<(String, Option<(StoredDoc, Value)>), ApiError> {
    let meta = ctx.state.data.metadata();
    let options = target::options(req, IndicesOptions::single_index())?;
    let authorized =
        target::authorize(ctx, req, action, &[index_expr.to_string()], &options, &meta)?;
    let entry = authorized
        .access
        .first()
        .ok_or_else(|| engine::index_not_found(index_expr))?;
    let concrete = meta
        .concrete_indices(&entry.name, None)
        .first()
        .map(|s| s.to_string())
        .ok_or_else(|| engine::index_not_found(index_expr))?;
    let restriction = restrict::restriction(ctx, action, entry, &meta)?;
    Ok((
        concrete.clone(),
        visible_doc(ctx, &concrete, id, &restriction)?,
    ))
}

/// `GET|HEAD /{index}/_doc/{id}`.
pub fn get_doc(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let id = req.param_required("id")?.to_string();
        let expression = req.param_required("index")?;
        if security_index::is_security_index(expression) {
            return security_index::get_doc_reply(&ctx, &req, GET, expression, &id);
        }
        let (index, found) = get_one(&ctx, &req, GET, expression, &id)?;
        Ok(match found {
            Some((doc, source)) => Reply::ok(json!({
                "_index": index, "_id": id, "_version": doc.version.version,
                "_seq_no": doc.version.seq_no, "_primary_term": doc.version.primary_term,
                "found": true, "_source": source,
            })),
            None => Reply::status(404, json!({"_index": index, "_id": id, "found": false})),
        })
    })
}

/// `GET|HEAD /{index}/_source/{id}`.
pub fn get_source(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let id = req.param_required("id")?.to_string();
        let expression = req.param_required("index")?;
        if security_index::is_security_index(expression) {
            return security_index::get_source_reply(&ctx, &req, GET, expression, &id);
        }
        let (index, found) = get_one(&ctx, &req, GET, expression, &id)?;
        match found {
            Some((_, source)) => Ok(Reply::ok(source)),
            None => Err(ApiError::new(
                404,
                "resource_not_found_exception",
                format!("Document not found [{index}]/[{id}]"),
            )),
        }
    })
}

/// The `(index, id)` pairs an mget asks for, in order (shared with the gateway's mget).
pub(crate) fn mget_wanted(req: &Req) -> Result<Vec<(Option<String>, String)>, ApiError> {
    let body = req.json_required()?;
    let default_index = req.param("index").map(String::from);
    let mut wanted: Vec<(Option<String>, String)> = Vec::new();
    if let Some(docs) = body.get("docs").and_then(Value::as_array) {
        for d in docs {
            let id = d
                .get("_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let index = d
                .get("_index")
                .and_then(Value::as_str)
                .map(String::from)
                .or_else(|| default_index.clone());
            wanted.push((index, id));
        }
    } else if let Some(ids) = body.get("ids").and_then(Value::as_array) {
        for id in ids.iter().filter_map(Value::as_str) {
            wanted.push((default_index.clone(), id.to_string()));
        }
    } else {
        return Err(ApiError::validation(&["no documents to get".into()]));
    }
    Ok(wanted)
}

/// `GET|POST /_mget`, `/{index}/_mget`: each document is authorized on its own index; an
/// unauthorized one comes back as that item's error.
pub fn mget(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let wanted = mget_wanted(&req)?;
        let mut docs = Vec::new();
        let mut touched_system_index = false;
        for (index, id) in wanted {
            let Some(index) = index else {
                docs.push(json!({"_index": null, "_id": id, "error": {"type": "action_request_validation_exception", "reason": "Validation Failed: 1: index is missing;"}}));
                continue;
            };
            if security_index::is_security_index(&index) {
                touched_system_index = true;
                docs.push(security_index::mget_item(
                    &ctx, &req, MGET_SHARD, &index, &id,
                ));
                continue;
            }
            docs.push(match get_one(&ctx, &req, MGET_SHARD, &index, &id) {
                Ok((concrete, Some((doc, source)))) => json!({
                    "_index": concrete, "_id": id, "_version": doc.version.version,
                    "_seq_no": doc.version.seq_no, "_primary_term": doc.version.primary_term,
                    "found": true, "_source": source,
                }),
                Ok((concrete, None)) => json!({"_index": concrete, "_id": id, "found": false}),
                Err(e) => json!({"_index": index, "_id": id, "error": {"type": e.es_type, "reason": e.reason}}),
            });
        }
        let reply = Reply::ok(json!({"docs": docs}));
        Ok(if touched_system_index {
            reply.with_warning(security_index::system_index_warning())
        } else {
            reply
        })
    })
}
