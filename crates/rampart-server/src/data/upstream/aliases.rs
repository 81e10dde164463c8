//! Alias APIs through the gateway. Changes (`POST /_aliases`, `PUT|POST|DELETE
//! /{index}/_alias/{name}`) are authorized by the embedded plane's planners against the
//! upstream's metadata (`indices:admin/aliases` on every index and alias, no escalation, and
//! none at all for a caller under DLS/FLS there), then forwarded as one `_aliases` request of
//! the concrete pairs; the metadata cache is dropped after. Reads (`GET _alias`,
//! `_cat/aliases`) fetch the aliases of the authorized concrete indices and list only those
//! the caller may see.

use axum::http::Method;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use serde_json::{Value, json};

use super::admin::concrete;
use super::{metadata, send, with_params};
use crate::data::aliases::{
    AliasEntry, cat_aliases_reply, plan_delete_alias, plan_put_alias, plan_update_aliases,
    render_aliases, select_aliases,
};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const ALIASES: &str = "indices:admin/aliases";
pub(super) const GET_ALIASES: &str = "indices:admin/aliases/get";

/// `POST /_aliases`, `PUT|POST|DELETE /{index}/_alias/{name}`.
pub(super) async fn change(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let actions = if req.param("name").is_none() {
        plan_update_aliases(ctx, req, &req.json_required()?, &meta)?
    } else if req.method == Method::DELETE {
        plan_delete_alias(ctx, req, &meta)?
    } else {
        let body = req.json()?.unwrap_or_else(|| json!({}));
        plan_put_alias(ctx, req, &body, &meta)?
    };
    let request =
        UpstreamRequest::new(Method::POST, &["_aliases"]).json(json!({ "actions": actions }));
    let answer = send(gateway, &with_params(request, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}

/// `GET /_alias…` and `GET /_cat/aliases…`.
pub(super) async fn get(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, IndicesOptions::lenient_expand_open(), &meta)?;
    let mut found: Vec<AliasEntry> = Vec::new();
    if !indices.is_empty() {
        let path = indices.join(",");
        let request = UpstreamRequest::new(Method::GET, &[&path, "_alias"]);
        let (_, answer) = send(gateway, &request).await?;
        for index in &indices {
            let aliases = answer
                .get(index)
                .and_then(|i| i.get("aliases"))
                .and_then(Value::as_object);
            if let Some(aliases) = aliases {
                select_aliases(ctx, req, index, aliases, &meta, &mut found);
            }
        }
    }
    if req.path.starts_with("/_cat/") {
        cat_aliases_reply(req, found)
    } else {
        render_aliases(req, &found)
    }
}
