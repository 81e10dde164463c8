//! `GET /_cat/count[/{index}]` through the gateway: authorized and DLS-restricted like a
//! search (`rewrite::plan_search` of a `match_all` over the caller's targets), counted by the
//! upstream's `_count` on the authorized names, and rendered as the embedded plane's table.

use axum::http::Method;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite;
use serde_json::{Value, json};

use super::{gateway_error, metadata, send, targets};
use crate::data::cat::count_table;
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

/// Whether a search-action route is `_cat/count` (it shares search's action).
pub(super) fn is_cat_count(req: &Req) -> bool {
    req.path.starts_with("/_cat/count")
}

pub(super) async fn cat_count(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let options = target::options(req, IndicesOptions::search())?;
    let authorized = target::authorize(
        ctx,
        req,
        search::SEARCH,
        &target::expressions(req),
        &options,
        &meta,
    )?;
    if authorized.placeholder || authorized.names.is_empty() {
        return count_table(req, 0);
    }
    let found = targets(ctx, search::SEARCH, &authorized, &meta)?;
    let raw = json!({});
    let request = rampart_query::parse_search_request(&raw)?;
    let plan = rewrite::plan_search(&raw, &request, &found).map_err(gateway_error)?;
    let query = plan
        .body
        .get("query")
        .cloned()
        .unwrap_or_else(|| json!({"match_all": {}}));
    let path = authorized.names.join(",");
    let upstream = UpstreamRequest::new(Method::POST, &[&path, "_count"])
        .json(json!({ "query": query }))
        .idempotent();
    let (_, answer) = send(gateway, &upstream).await?;
    let count = answer
        .get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| gateway_error(rampart_gateway::UpstreamError::InvalidResponse.into()))?;
    count_table(req, count)
}
