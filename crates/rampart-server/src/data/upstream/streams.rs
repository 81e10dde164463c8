//! Data stream create/delete/stats and `_rollover` through the gateway. Names and wildcards
//! are resolved and authorized against the upstream's cached metadata exactly as the
//! embedded plane does (`data::streams`), only authorized data streams are named upstream
//! (never the caller's wildcard), stats answers are filtered to them again (fail closed),
//! and the metadata cache is dropped after every change.

use axum::http::Method;
use rampart_core::resolve::Abstraction;
use rampart_gateway::UpstreamRequest;
use serde_json::{Value, json};

use super::{metadata, send, with_params};
use crate::data::engine::index_not_found;
use crate::data::{streams, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const CREATE_DATA_STREAM: &str = "indices:admin/data_stream/create";
pub(super) const DELETE_DATA_STREAM: &str = "indices:admin/data_stream/delete";
pub(super) const DATA_STREAM_STATS: &str = "indices:monitor/data_stream/stats";
pub(super) const ROLLOVER: &str = "indices:admin/rollover";

/// The data streams among the authorized names of the path's expression (`*` when none). A
/// name without wildcard must exist and be authorized unless `lenient`.
pub(super) async fn authorized_streams(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    lenient: bool,
) -> Result<Vec<String>, ApiError> {
    let (expressions, options) = streams::stream_expressions(req, lenient)?;
    let meta = metadata(gateway).await?;
    let authorized = target::authorize(ctx, req, ctx.action, &expressions, &options, &meta)?;
    let mut names = Vec::new();
    if authorized.placeholder {
        return Ok(names);
    }
    for name in authorized.names {
        if matches!(meta.get(&name), Some(Abstraction::DataStream(_))) {
            names.push(name);
        } else if !lenient {
            return Err(index_not_found(&name));
        }
    }
    Ok(names)
}

/// `PUT /_data_stream/{name}`: the literal name is authorized, then forwarded.
pub(super) async fn create(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let name = req.param_required("name")?.to_string();
    let meta = metadata(gateway).await?;
    target::authorize_names(ctx, req, ctx.action, std::slice::from_ref(&name), &meta)?;
    let request = UpstreamRequest::new(Method::PUT, &["_data_stream", &name]);
    let answer = send(gateway, &with_params(request, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}

/// `DELETE /_data_stream/{name}`: named streams must exist and be authorized; wildcards
/// delete only the authorized streams they match.
pub(super) async fn delete(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let explicit = req.param_list("name").iter().all(|n| !n.contains('*'));
    let names = authorized_streams(gateway, ctx, req, !explicit).await?;
    if names.is_empty() {
        return Ok(Reply::ok(json!({"acknowledged": true})));
    }
    let joined = names.join(",");
    let request = UpstreamRequest::new(Method::DELETE, &["_data_stream", &joined]);
    let answer = send(gateway, &with_params(request, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}

/// `GET /_data_stream/_stats`, `/_data_stream/{name}/_stats`: streams the caller may not
/// monitor are left out of a wildcard; a named one is a 403.
pub(super) async fn stats(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let names = authorized_streams(gateway, ctx, req, streams::only_patterns(req)).await?;
    if names.is_empty() {
        return Ok(Reply::ok(json!({
            "_shards": {"total": 0, "successful": 0, "failed": 0},
            "data_stream_count": 0,
            "backing_indices": 0,
            "total_store_size_bytes": 0,
            "data_streams": [],
        })));
    }
    let joined = names.join(",");
    let request =
        UpstreamRequest::new(Method::GET, &["_data_stream", &joined, "_stats"]).idempotent();
    let (status, mut body) = send(gateway, &with_params(request, req)).await?;
    keep_stream_stats(&mut body, &names);
    Ok(Reply::status(status, body))
}

/// Drops every stream's statistics that is not one of `names` (should the upstream list
/// more than it was asked for).
fn keep_stream_stats(answer: &mut Value, names: &[String]) {
    if let Some(list) = answer.get_mut("data_streams").and_then(Value::as_array_mut) {
        list.retain(|s| {
            s.get("data_stream")
                .and_then(Value::as_str)
                .is_some_and(|n| names.iter().any(|k| k == n))
        });
    }
}

/// `POST /{index}/_rollover[/{new_index}]`: the body is parsed as the embedded plane parses
/// it (400 before 403), the target and the new index name are authorized with the embedded
/// plane's check, then the request goes upstream as sent.
pub(super) async fn rollover(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let request = streams::parse_rollover(req)?;
    let meta = metadata(gateway).await?;
    streams::authorize_rollover(ctx, req, &meta)?;
    let target_name = req.param_required("index")?;
    let mut path = vec![target_name, "_rollover"];
    if let Some(new) = req.param("new_index") {
        path.push(new);
    }
    let mut upstream = UpstreamRequest::new(Method::POST, &path);
    if let Some(body) = req.json()? {
        upstream = upstream.json(body);
    }
    let answer = send(gateway, &with_params(upstream, req)).await;
    if !request.dry_run {
        gateway.metadata.invalidate();
    }
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_authorized_streams_stats_are_kept() {
        let mut answer = json!({"data_stream_count": 2, "data_streams": [
            {"data_stream": "ds-app", "backing_indices": 1},
            {"data_stream": "ds-zed", "backing_indices": 1},
            {"no_name": true}]});
        keep_stream_stats(&mut answer, &["ds-app".to_owned()]);
        assert_eq!(
            answer["data_streams"],
            json!([{"data_stream": "ds-app", "backing_indices": 1}])
        );
    }
}
