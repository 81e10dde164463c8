//! Writes: every document write executes as bulk items (section 6.3). The engine decides each
//! item (`rampart_core::write`: bulk, auto-create, bulk[s] on the concrete index, the item's
//! own action, update under DLS/FLS); allowed items auto-create missing indices and run.

use rampart_core::write::{BulkItem, WriteOp};
use serde_json::{Map, Value, json};

use super::engine::WriteResult;
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
}

/// Execute items in order; each gets a result or its own error.
pub fn execute(
    ctx: &Ctx,
    items: &[WriteItem],
) -> Result<Vec<Result<WriteResult, ApiError>>, ApiError> {
    let engine = &ctx.state.data;
    let meta = engine.metadata();
    let bulk_items: Vec<BulkItem> = items
        .iter()
        .map(|item| BulkItem {
            index: item.index.clone(),
            concrete: meta
                .write_index(&item.index)
                .map(String::from)
                .or_else(|| meta.contains(&item.index).then(|| item.index.clone())),
            op: item.op,
        })
        .collect();
    let exists = |name: &str| meta.contains(name);
    let decision = ctx
        .role
        .authorize_bulk(&ctx.subject, &bulk_items, meta.as_ref(), &exists)?;
    if let Some(denial) = decision.request.denial() {
        return Err(ApiError::forbidden(denial.message().to_owned()));
    }
    let mut out = Vec::with_capacity(items.len());
    for ((item, bulk), failure) in items.iter().zip(&bulk_items).zip(&decision.items) {
        if let Some(f) = failure {
            out.push(Err(ApiError::new(f.status, f.es_type, f.reason.clone())));
            continue;
        }
        out.push(run_one(ctx, item, bulk.concrete.as_deref()));
    }
    Ok(out)
}

fn run_one(ctx: &Ctx, item: &WriteItem, concrete: Option<&str>) -> Result<WriteResult, ApiError> {
    let engine = &ctx.state.data;
    let index = match concrete {
        Some(c) => c.to_string(),
        None => {
            // Authorized by `indices:admin/auto_create` above.
            if item.op == WriteOp::Delete {
                return Err(super::memory::index_not_found(&item.index));
            }
            engine.create_index(&item.index, &json!({}))?;
            item.index.clone()
        }
    };
    match item.op {
        WriteOp::Index | WriteOp::Create => {
            let body = item.body.clone().unwrap_or(Value::Null);
            engine.index_doc(&index, item.id.as_deref(), body, item.op == WriteOp::Create)
        }
        WriteOp::Delete => engine.delete_doc(&index, item.id.as_deref().unwrap_or_default()),
        WriteOp::Update => update(ctx, &index, item),
    }
}

fn update(ctx: &Ctx, index: &str, item: &WriteItem) -> Result<WriteResult, ApiError> {
    let engine = &ctx.state.data;
    let id = item.id.as_deref().unwrap_or_default();
    let body = item.body.clone().unwrap_or_default();
    if body.get("script").is_some() {
        return Err(ApiError::bad_request("scripted updates are not supported"));
    }
    let current = engine.get_doc(index, id)?;
    let merged = match (current, body.get("doc"), body.get("upsert")) {
        (Some(doc), Some(partial), _) => merge(doc.source, partial),
        (None, Some(partial), _) if body.get("doc_as_upsert") == Some(&Value::Bool(true)) => {
            partial.clone()
        }
        (None, _, Some(upsert)) => upsert.clone(),
        (None, _, None) => {
            return Err(ApiError::new(
                404,
                "document_missing_exception",
                format!("[{id}]: document missing"),
            )
            .with_meta("index", json!(index)));
        }
        (Some(_), None, _) => {
            return Err(ApiError::validation(&["script or doc is missing".into()]));
        }
    };
    engine.index_doc(index, Some(id), merged, false)
}

fn merge(mut base: Value, partial: &Value) -> Value {
    if let (Some(b), Some(p)) = (base.as_object_mut(), partial.as_object()) {
        for (k, v) in p {
            let merged = match (b.remove(k), v) {
                (Some(old @ Value::Object(_)), Value::Object(_)) => merge(old, v),
                _ => v.clone(),
            };
            b.insert(k.clone(), merged);
        }
    }
    base
}

fn op_name(op: WriteOp) -> &'static str {
    match op {
        WriteOp::Index => "index",
        WriteOp::Create => "create",
        WriteOp::Update => "update",
        WriteOp::Delete => "delete",
    }
}

/// Parse an ndjson bulk body.
fn parse_bulk(req: &Req) -> Result<Vec<WriteItem>, ApiError> {
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
        let results = execute(&ctx, &items)?;
        let mut errors = false;
        let rendered: Vec<Value> = items
            .iter()
            .zip(results)
            .map(|(item, result)| {
                let body = match result {
                    Ok(r) => {
                        let mut b = r.to_json();
                        if let Some(o) = b.as_object_mut() {
                            o.insert("status".into(), json!(r.status()));
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
