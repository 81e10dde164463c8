//! `POST /{index}/_open` and `/_close` through the gateway: the expression is resolved (open
//! and closed indices) and authorized as embedded, and only the concrete names are
//! forwarded; the metadata cache is dropped after, as an index's state changed.

use axum::http::Method;
use rampart_core::resolve::{ExpandWildcards, IndicesOptions};
use rampart_gateway::UpstreamRequest;
use serde_json::json;

use super::admin::concrete;
use super::{metadata, send, with_params};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const OPEN: &str = "indices:admin/open";
pub(super) const CLOSE: &str = "indices:admin/close";

pub(super) async fn open_close(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let endpoint = if ctx.action == OPEN {
        "_open"
    } else {
        "_close"
    };
    let defaults = IndicesOptions {
        expand_wildcards: ExpandWildcards::OPEN_CLOSED,
        ..IndicesOptions::strict_expand_open()
    };
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, defaults, &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(
            json!({"acknowledged": true, "shards_acknowledged": true}),
        ));
    }
    let path = indices.join(",");
    let request = UpstreamRequest::new(Method::POST, &[&path, endpoint]);
    let answer = send(gateway, &with_params(request, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}
