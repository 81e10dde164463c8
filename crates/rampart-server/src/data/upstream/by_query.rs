//! `_delete_by_query` and `_update_by_query` through the gateway. The expression is resolved
//! and authorized for the by-query action, and again for search: Elasticsearch runs the
//! by-query's search phase as the caller, so it needs read access there and sees the
//! documents and fields of the caller's *search* DLS/FLS. A restricted caller's query is
//! rewritten by `rewrite::plan_by_query` (DLS ANDed in, hidden fields matching nothing) and
//! only the resolved names are forwarded. The write each hit becomes (delete, or index for
//! an update) is authorized on the concrete indices before anything is sent: Elasticsearch
//! checks it per batch of hits, so where nothing matches it answers 200 and Rampart a 403 —
//! the one difference, on the refusing side.

use axum::http::Method;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, Operation};

use super::{gateway_error, metadata, send, targets, with_params};
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const DELETE_BY_QUERY: &str = "indices:data/write/delete/byquery";
pub(super) const UPDATE_BY_QUERY: &str = "indices:data/write/update/byquery";
const ITEM_INDEX: &str = "indices:data/write/index";
const ITEM_DELETE: &str = "indices:data/write/delete";

/// `POST /{index}/_delete_by_query`, `POST /{index}/_update_by_query`.
pub(super) async fn by_query(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let (operation, endpoint) = if ctx.action == UPDATE_BY_QUERY {
        (Operation::UpdateByQuery, "_update_by_query")
    } else {
        (Operation::DeleteByQuery, "_delete_by_query")
    };
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
    let read = target::authorize(ctx, req, search::SEARCH, &expressions, &options, &meta)?;
    let found = targets(ctx, search::SEARCH, &read, &meta)?;
    // Its writes are bulk items on the hits' concrete indices (privileges on an alias alone
    // do not grant them); decided up front, so a refusal comes before anything is changed.
    let item_action = if operation == Operation::UpdateByQuery {
        ITEM_INDEX
    } else {
        ITEM_DELETE
    };
    let concrete: Vec<String> = found.iter().map(|t| t.index.clone()).collect();
    target::authorize_names(ctx, req, item_action, &concrete, &meta)?;
    if found.iter().any(|t| t.restrictions.is_restricted())
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
    let path = authorized.names.join(",");
    let mut request = UpstreamRequest::new(Method::POST, &[&path, endpoint]);
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, answer) = send(gateway, &with_params(request, req)).await?;
    Ok(Reply::status(status, answer))
}
