//! Composable index templates (cluster actions), data streams (create, get, delete), rollover
//! and the resize guard. Data streams are created on write by `write` when a data-stream
//! template matches (authorized there as `indices:admin/auto_create`, which `auto_configure`
//! grants); here they are managed explicitly, each name authorized for the route's action.

use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_search::rollover::RolloverRequest;
use serde_json::{Value, json};

use super::indices::{acknowledged, concrete};
use super::{guards, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

pub const RESIZE_DLS_FLS: &str = "Resize requests are not allowed for users when field or document level security is enabled on the source index";
const RESIZE_ESCALATION: &str = "Resizing an index is not allowed when the target index has more permissions than the source index";

/// `PUT|POST /_index_template/{name}`.
pub fn put_template(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let name = req.param_required("name")?;
        if req.query_bool("create", false)?
            && ctx.state.data.get_index_templates(Some(name)).is_ok()
        {
            return Err(ApiError::bad_request(format!(
                "index template [{name}] already exists"
            )));
        }
        ctx.state.data.put_index_template(name, &body)?;
        Ok(acknowledged())
    })
}

/// `GET|HEAD /_index_template`, `/_index_template/{name}`.
pub fn get_templates(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let out = ctx.state.data.get_index_templates(req.param("name"))?;
        Ok(Reply::ok(out))
    })
}

/// `DELETE /_index_template/{name}`.
pub fn delete_template(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        ctx.state
            .data
            .delete_index_template(req.param_required("name")?)?;
        Ok(acknowledged())
    })
}

/// `PUT /_data_stream/{name}`.
pub fn create_data_stream(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let name = req.param_required("name")?.to_string();
        let meta = ctx.state.data.metadata();
        target::authorize_names(&ctx, &req, ctx.action, std::slice::from_ref(&name), &meta)?;
        ctx.state.data.create_data_stream(&name)?;
        Ok(acknowledged())
    })
}

/// Whether the path's `{name}` expressions are all wildcards or `_all` (or absent): then
/// data streams that are missing or not authorized are skipped rather than refused.
pub(crate) fn only_patterns(req: &Req) -> bool {
    !req.param_list("name")
        .iter()
        .any(|n| !n.contains('*') && n != "_all")
}

/// The path's data stream expressions (`*` when none) and the options data stream APIs
/// resolve them with. Shared with the gateway (`upstream/admin/data_streams.rs`).
pub(crate) fn stream_expressions(
    req: &Req,
    lenient: bool,
) -> Result<(Vec<String>, IndicesOptions), ApiError> {
    let base = if lenient {
        IndicesOptions::lenient_expand_open()
    } else {
        IndicesOptions::strict_expand_open()
    };
    // Data stream APIs resolve data streams (other requests do not see them by wildcard).
    let defaults = IndicesOptions {
        include_data_streams: true,
        ..base
    };
    let options = target::options(req, defaults)?;
    let mut expressions = req.param_list("name");
    if expressions.is_empty() {
        expressions.push("*".into());
    }
    Ok((expressions, options))
}

/// The data streams among the authorized names of the path's expression.
fn authorized_streams(ctx: &Ctx, req: &Req, lenient: bool) -> Result<Vec<String>, ApiError> {
    let meta = ctx.state.data.metadata();
    let (expressions, options) = stream_expressions(req, lenient)?;
    let authorized = target::authorize(ctx, req, ctx.action, &expressions, &options, &meta)?;
    if authorized.placeholder {
        return Ok(Vec::new());
    }
    let state = ctx.state.data.cluster_state();
    let mut out = Vec::new();
    for name in authorized.names {
        if state.data_streams.contains_key(&name) {
            out.push(name);
        } else if !lenient {
            return Err(super::engine::index_not_found(&name));
        }
    }
    Ok(out)
}

/// `GET /_data_stream`, `/_data_stream/{name}`.
pub fn get_data_streams(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let names = authorized_streams(&ctx, &req, only_patterns(&req))?;
        if names.is_empty() {
            return Ok(Reply::ok(json!({"data_streams": []})));
        }
        let out = ctx.state.data.get_data_streams(Some(&names.join(",")))?;
        Ok(Reply::ok(out))
    })
}

/// `GET /_data_stream/_stats`, `/_data_stream/{name}/_stats`: data streams the caller may not
/// monitor are left out of a wildcard (as in Elasticsearch); a named one is a 403.
pub fn data_stream_stats(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let names = authorized_streams(&ctx, &req, only_patterns(&req))?;
        let stats = ctx.state.data.data_stream_stats(&names)?;
        let backing: usize = stats.iter().map(|s| s.backing_indices).sum();
        let total_size: u64 = stats.iter().map(|s| s.store_size_bytes).sum();
        let streams: Vec<_> = stats
            .iter()
            .map(|s| {
                json!({
                    "data_stream": s.name,
                    "backing_indices": s.backing_indices,
                    "store_size_bytes": s.store_size_bytes,
                    "maximum_timestamp": s.maximum_timestamp,
                })
            })
            .collect();
        Ok(Reply::ok(json!({
            "_shards": {"total": backing, "successful": backing, "failed": 0},
            "data_stream_count": stats.len(),
            "backing_indices": backing,
            "total_store_size_bytes": total_size,
            "data_streams": streams,
        })))
    })
}

/// `DELETE /_data_stream/{name}`.
pub fn delete_data_streams(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let explicit = req.param_list("name").iter().all(|n| !n.contains('*'));
        let names = authorized_streams(&ctx, &req, !explicit)?;
        ctx.state.data.delete_data_streams(&names)?;
        Ok(acknowledged())
    })
}

/// `POST /{index}/_rollover`, `/{index}/_rollover/{new_index}`: on a data stream or an alias
/// with a write index. The body is parsed first (400 before 403), then the target and the new
/// index name (when given) are authorized for the route's action.
pub fn rollover(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let request = parse_rollover(&req)?;
        let target_name = req.param_required("index")?.to_string();
        let meta = ctx.state.data.metadata();
        authorize_rollover(&ctx, &req, &meta)?;
        let outcome = ctx
            .state
            .data
            .rollover(&target_name, req.param("new_index"), &request)?;
        Ok(Reply::ok(outcome.render()))
    })
}

const ROLLOVER: &str = "indices:admin/rollover";

/// Parses the body of a route whose body ES parses before authorizing (its REST layer), so
/// a malformed one is a 400 even for a caller who would get a 403: rollover.
pub(crate) fn parse_before_authorization(action: &str, req: &Req) -> Result<(), ApiError> {
    if action == ROLLOVER {
        parse_rollover(req)?;
    }
    Ok(())
}

/// The rollover body and its `dry_run`/`lazy` parameters, strictly parsed (ES's parse
/// errors, with their nested causes). Shared with the gateway, which forwards only requests
/// that parse.
pub(crate) fn parse_rollover(req: &Req) -> Result<RolloverRequest, ApiError> {
    let dry_run = req.query_bool("dry_run", false)?;
    let lazy = req.query_bool("lazy", false)?;
    let body = req.json()?;
    RolloverRequest::parse(body.as_ref(), dry_run, lazy).map_err(|e| {
        let mut err = ApiError::from_es(&e);
        err.caused_by = None;
        match e.caused_by() {
            Some(nested) => err.with_meta("caused_by", nested),
            None => err,
        }
    })
}

/// Authorizes the rollover target (alias or data stream) and the path's new index name for
/// the route's action. Shared with the gateway (`upstream/streams.rs`).
pub(crate) fn authorize_rollover(
    ctx: &Ctx,
    req: &Req,
    meta: &IndexMetadata,
) -> Result<(), ApiError> {
    let mut names = vec![req.param_required("index")?.to_string()];
    if let Some(new) = req.param("new_index") {
        names.push(new.to_string());
    }
    target::authorize_names(ctx, req, ctx.action, &names, meta)?;
    Ok(())
}

/// `POST|PUT /{index}/_shrink|_split|_clone/{target}`: refused under DLS/FLS on the source
/// and when the target would hold more privileges than the source (section 5.9); otherwise
/// the engine copies the one source index (a target of one shard, or a clone).
pub fn resize(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (sources, authorized) = concrete(&ctx, &req, IndicesOptions::strict_expand_open())?;
        let target_name = req.param_required("target")?.to_string();
        let meta = ctx.state.data.metadata();
        check_resize(&ctx, &authorized, &sources, &target_name, &meta)?;
        let [source] = sources.as_slice() else {
            return Err(ApiError::bad_request(format!(
                "a resize needs exactly one source index; [{}] resolves to {} indices",
                req.param("index").unwrap_or_default(),
                sources.len()
            )));
        };
        let endpoint = resize_endpoint(&req)?;
        let body = req.json()?.unwrap_or(Value::Null);
        let out = ctx
            .state
            .data
            .resize(endpoint, source, &target_name, &body)?;
        Ok(Reply::ok(out))
    })
}

/// The resize endpoint of the path (`_shrink`, `_split`, `_clone`). Shared with the gateway.
pub(crate) fn resize_endpoint(req: &Req) -> Result<&'static str, ApiError> {
    ["_shrink", "_split", "_clone"]
        .into_iter()
        .find(|e| req.path.contains(&format!("/{e}/")))
        .ok_or_else(|| ApiError::bad_request("unknown resize endpoint"))
}

/// ES's two resize refusals once the source is authorized: DLS/FLS on the source (400), and
/// a target name granting any of search, index or delete where a source does not (403).
/// Shared with the gateway (`upstream/resize.rs`).
pub(crate) fn check_resize(
    ctx: &Ctx,
    authorized: &target::Authorized,
    sources: &[String],
    target_name: &str,
    meta: &IndexMetadata,
) -> Result<(), ApiError> {
    if authorized.restricted() {
        return Err(guards::blocked(RESIZE_DLS_FLS));
    }
    for source in sources {
        for action in [
            "indices:data/read/search",
            "indices:data/write/index:op_type/index",
            "indices:admin/delete",
        ] {
            if target::allows(ctx, action, target_name, meta)
                && !target::allows(ctx, action, source, meta)
            {
                return Err(ApiError::forbidden(RESIZE_ESCALATION));
            }
        }
    }
    Ok(())
}
