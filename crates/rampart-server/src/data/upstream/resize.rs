//! `_shrink`, `_split` and `_clone` through the gateway: the source expression is resolved
//! against the upstream's cached metadata and authorized as in the embedded plane, the
//! embedded plane's own resize check refuses DLS/FLS on the source and privilege escalation
//! by the target name (`data::streams::check_resize`), and the request is forwarded on the
//! one concrete source index. The metadata cache is dropped afterwards (a new index).

use axum::http::Method;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;

use super::admin::concrete;
use super::{metadata, send, with_params};
use crate::data::streams::{check_resize, resize_endpoint};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const RESIZE: &str = "indices:admin/resize";

pub(super) async fn resize(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let endpoint = resize_endpoint(req)?;
    let target_name = req.param_required("target")?.to_string();
    let meta = metadata(gateway).await?;
    let (sources, authorized) = concrete(ctx, req, IndicesOptions::strict_expand_open(), &meta)?;
    check_resize(ctx, &authorized, &sources, &target_name, &meta)?;
    let source = match sources.as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(ApiError::bad_request(format!(
                "a resize needs exactly one source index; [{}] resolves to {} indices",
                req.param("index").unwrap_or_default(),
                sources.len()
            )));
        }
    };
    let method = if req.method == Method::PUT {
        Method::PUT
    } else {
        Method::POST
    };
    let mut upstream = UpstreamRequest::new(method, &[&source, endpoint, &target_name]);
    if let Some(body) = req.json()? {
        upstream = upstream.json(body);
    }
    let answer = send(gateway, &with_params(upstream, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}
