//! Single-document operations beyond GET and writes: `GET _source`, `_explain`,
//! `_termvectors` and `_update`. Each is authorized on its one concrete index like the
//! embedded plane. `_source` under DLS is answered by the filtered `ids` search that stands in
//! for GET (`rewrite::plan_get`), FLS-filtered; `_explain`, `_termvectors` and `_update` are
//! refused to a caller restricted on the index (`rewrite::check_operation`) and forwarded
//! unchanged for everyone else.

use axum::http::Method;
use rampart_core::resolve::IndexMetadata;
use rampart_core::write::WriteOp;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, Operation, Target};
use serde_json::{Value, json};

use super::{authorize_write_item, gateway_error, metadata, send, target_of, targets, with_params};
use crate::data::target;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const EXPLAIN: &str = "indices:data/read/explain";
pub(super) const TERMVECTORS: &str = "indices:data/read/tv";
pub(super) const UPDATE: &str = "indices:data/write/update";
const GET: &str = "indices:data/read/get";

/// `_source` URL parameters a DLS stand-in search could not honour exactly.
const SOURCE_PARAMS: &[&str] = &[
    "_source",
    "_source_includes",
    "_source_excludes",
    "stored_fields",
];

/// The one concrete index behind the path's `{index}`, authorized for `action`: an alias
/// over several indices is ES's refusal of a single-index operation.
fn one_index(ctx: &Ctx, req: &Req, action: &str, meta: &IndexMetadata) -> Result<Target, ApiError> {
    let name = req.param_required("index")?.to_string();
    let concrete = meta.concrete_indices(&name, None);
    if concrete.len() > 1 {
        // Authorize first: the refusal names indices the caller may not know about.
        target::authorize_names(ctx, req, action, std::slice::from_ref(&name), meta)?;
        return Err(ApiError::bad_request(format!(
            "[{name}] has more than one index associated with it [{}], can't execute a single index op",
            concrete.join(", ")
        )));
    }
    target_of(ctx, req, action, &name, meta)
}

fn refuse(operation: Operation, target: &Target, body: Option<&Value>) -> Result<(), ApiError> {
    let r = &target.restrictions;
    rewrite::check_operation(operation, r.has_dls(), r.has_fls(), body)
        .map_err(|e| gateway_error(e.into()))
}

/// `GET /{index}/_source/{id}`.
pub(super) async fn get_source(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let id = req.param_required("id")?.to_string();
    let meta = metadata(gateway).await?;
    let target = one_index(ctx, req, GET, &meta)?;
    let ids = [id.clone()];
    let doc = match rewrite::plan_get(&ids, &target.restrictions) {
        Some(body) => {
            if let Some(param) = SOURCE_PARAMS.iter().find(|p| req.query(p).is_some()) {
                return Err(ApiError::bad_request(format!(
                    "[{param}] on [_source] is not supported in gateway mode when document level security applies"
                )));
            }
            let search = UpstreamRequest::new(Method::POST, &[&target.index, "_search"])
                .json(body)
                .idempotent();
            let (_, answer) = send(gateway, &search).await?;
            rewrite::get_answers(&target.index, &ids, &answer, &target.restrictions).pop()
        }
        None => {
            let get = UpstreamRequest::new(Method::GET, &[&target.index, "_doc", &id]);
            let (_, mut doc) = send(gateway, &with_params(get, req)).await?;
            if let Some(fields) = &target.restrictions.fields {
                rewrite::filter_document(&mut doc, fields);
            }
            Some(doc)
        }
    };
    match doc {
        Some(doc) if doc.get("found") == Some(&json!(true)) => Ok(Reply::ok(
            doc.get("_source").cloned().unwrap_or_else(|| json!({})),
        )),
        _ => Err(ApiError::new(
            404,
            "resource_not_found_exception",
            format!("Document not found [{}]/[{id}]", target.index),
        )),
    }
}

/// `GET|POST /{index}/_explain/{id}` and `/{index}/_termvectors[/{id}]`.
pub(super) async fn explain_or_termvectors(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
) -> Result<Reply, ApiError> {
    let body = req.json()?;
    let meta = metadata(gateway).await?;
    let target = one_index(ctx, req, ctx.action, &meta)?;
    let (operation, endpoint) = if ctx.action == EXPLAIN {
        (Operation::Explain, "_explain")
    } else {
        (Operation::TermVectors, "_termvectors")
    };
    refuse(operation, &target, body.as_ref())?;
    let mut path = vec![target.index.as_str(), endpoint];
    path.extend(req.param("id"));
    let mut request = UpstreamRequest::new(Method::POST, &path).idempotent();
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, answer) = send(gateway, &with_params(request, req)).await?;
    Ok(Reply::status(status, answer))
}

/// `POST /{index}/_update/{id}`: refused under DLS/FLS with ES's message; otherwise decided
/// as a one-item bulk update (auto-create included) and forwarded.
pub(super) async fn update(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let id = req.param_required("id")?.to_string();
    let body = req.json_required()?;
    let meta = metadata(gateway).await?;
    let name = req.param_required("index")?.to_string();
    let access = target::authorize_names(ctx, req, UPDATE, std::slice::from_ref(&name), &meta)?;
    let authorized = target::Authorized {
        names: vec![name],
        placeholder: false,
        access,
        remote: Vec::new(),
    };
    for found in targets(ctx, UPDATE, &authorized, &meta)? {
        refuse(Operation::Update, &found, Some(&body))?;
    }
    authorize_write_item(gateway, ctx, req, &id, WriteOp::Update, Some(body.clone())).await?;
    let target = one_index(ctx, req, UPDATE, &meta)?;
    let request = UpstreamRequest::new(Method::POST, &[&target.index, "_update", &id]).json(body);
    let answer = send(gateway, &with_params(request, req)).await;
    // An upsert may have created the index.
    gateway.metadata.invalidate();
    let (status, answer) = answer?;
    Ok(Reply::status(status, answer))
}
