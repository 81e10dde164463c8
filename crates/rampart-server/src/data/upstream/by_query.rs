//! `_delete_by_query` and `_update_by_query` through the gateway, deciding as the embedded
//! plane does (`data::by_query`). The expression is resolved and authorized for the by-query
//! action; its search phase then runs as the caller on the names that resolution kept
//! (Elasticsearch replaces the request's wildcards before the search is sent), so it needs
//! read access there and sees the documents and fields of the caller's *search* DLS/FLS. A
//! restricted caller's query is rewritten by `rewrite::plan_by_query` (DLS ANDed in, hidden
//! fields matching nothing) and only the resolved names are forwarded. The writes the hits
//! become (delete, or index for an update) are authorized on the concrete indices before
//! anything is sent; when they would be refused, the upstream first counts the matches: a
//! request that matches nothing answers 200 with nothing done, as Elasticsearch's (which
//! checks the writes per batch of hits) does.

use axum::http::Method;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite;
use serde_json::{Value, json};

use super::{gateway_error, metadata, send, targets, with_params};
pub(super) use crate::data::by_query::{DELETE_BY_QUERY, UPDATE_BY_QUERY};
use crate::data::by_query::{authorize_item_writes, endpoint, item_writes_allowed, operation_of};
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

/// `POST /{index}/_delete_by_query`, `POST /{index}/_update_by_query`.
pub(super) async fn by_query(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let operation = operation_of(ctx.action);
    let endpoint = endpoint(operation);
    let raw = req.json()?;
    let expressions = target::expressions(req);
    let options = target::options(req, IndicesOptions::search())?;
    let meta = metadata(gateway).await?;
    let authorized = target::authorize(ctx, req, ctx.action, &expressions, &options, &meta)?;
    if !authorized.remote.is_empty() {
        return Err(ApiError::bad_request(format!(
            "[{endpoint}] on remote indices is not supported"
        )));
    }
    if authorized.placeholder || authorized.names.is_empty() {
        return Ok(Reply::ok(rewrite::empty_by_query_answer(operation)));
    }
    let read = target::authorize(ctx, req, search::SEARCH, &authorized.names, &options, &meta)?;
    let found = targets(ctx, search::SEARCH, &read, &meta)?;
    if read.placeholder || found.is_empty() {
        return Ok(Reply::ok(rewrite::empty_by_query_answer(operation)));
    }
    let restricted = found.iter().any(|t| t.restrictions.is_restricted());
    if restricted
        && let Some(param) = rewrite::QUERY_PARAMS
            .iter()
            .find(|p| req.query(p).is_some())
    {
        return Err(ApiError::new(
            400,
            "security_exception",
            format!(
                "the [{param}] parameter of [{endpoint}] is not allowed when document or field level security applies"
            ),
        ));
    }
    let body = rewrite::plan_by_query(operation, raw.as_ref(), &found).map_err(gateway_error)?;
    let path = read.names.join(",");
    let concrete: Vec<String> = found.iter().map(|t| t.index.clone()).collect();
    if !item_writes_allowed(ctx, operation, &concrete, &meta) {
        if count(gateway, req, &path, body.as_ref()).await? == 0 {
            return Ok(Reply::ok(rewrite::empty_by_query_answer(operation)));
        }
        authorize_item_writes(ctx, req, operation, &concrete, &meta)?;
    }
    let mut request = UpstreamRequest::new(Method::POST, &[&path, endpoint]);
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, answer) = send(gateway, &with_params(request, req)).await?;
    Ok(Reply::status(status, answer))
}

/// How many documents the (planned) by-query matches upstream: its query, and the URL's query
/// parameters (only present for unrestricted callers), through `_count`.
async fn count(
    gateway: &Gateway,
    req: &Req,
    path: &str,
    body: Option<&Value>,
) -> Result<u64, ApiError> {
    let mut request = UpstreamRequest::new(Method::POST, &[path, "_count"]);
    if let Some(query) = body.and_then(|b| b.get("query")) {
        request = request.json(json!({ "query": query }));
    }
    for param in rewrite::QUERY_PARAMS
        .iter()
        .chain(["ignore_unavailable", "allow_no_indices", "expand_wildcards"].iter())
    {
        if let Some(value) = req.query(param) {
            request = request.param(param, value);
        }
    }
    let (_, answer) = send(gateway, &request).await?;
    Ok(answer
        .get("count")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX))
}
