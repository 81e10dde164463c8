//! Point in time through the gateway. Opening (`POST /{index}/_pit`) is authorized like a
//! search on the expression, and the upstream PIT is opened on the authorized names only
//! (never the caller's wildcard). The client gets `rewrite::PitBinding`'s id: the upstream id
//! and those names, bound to the opener by `ScrollBinder`'s MAC, so another caller or an
//! altered id finds no context (ES's 404 `search_context_missing_exception`). A search with
//! `pit` names no index: it is authorized on the PIT's names, as Elasticsearch authorizes it
//! on the PIT's indices, and rewritten with the same DLS/FLS plan as an ordinary search.
//! `DELETE /_pit` closes only the caller's own PITs.

use axum::http::Method;
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, PitBinding, ScrollBinder};
use serde_json::{Value, json};

use super::{gateway_error, metadata, send, targets, with_params};
use crate::data::scroll::{keep_alive, owner};
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const OPEN: &str = "indices:data/read/open_point_in_time";
pub(super) const CLOSE: &str = "indices:data/read/close_point_in_time";

fn binder(gateway: &Gateway) -> Result<&ScrollBinder, ApiError> {
    gateway
        .scroll
        .as_ref()
        .ok_or_else(|| ApiError::internal("the gateway has no scroll binding key"))
}

fn unbind(gateway: &Gateway, ctx: &Ctx, token: &str) -> Result<PitBinding, ApiError> {
    PitBinding::unbind(binder(gateway)?, &owner(&ctx.auth), token)
        .map_err(|e| ApiError::from_es(&e))
}

/// Whether a search request is a point-in-time search (its body has `pit`).
pub(super) fn is_pit_search(req: &Req) -> Result<bool, ApiError> {
    if !req.path.ends_with("/_search") {
        return Ok(false);
    }
    Ok(req.json_ref()?.is_some_and(|b| b.get("pit").is_some()))
}

/// `POST /{index}/_pit?keep_alive=…`.
pub(super) async fn open(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let Some(keep) = req.query("keep_alive") else {
        return Err(ApiError::validation(&[
            "[keep_alive] is not specified".into()
        ]));
    };
    keep_alive(keep)?;
    let options = target::options(req, IndicesOptions::strict_expand_open_forbid_closed())?;
    let meta = metadata(gateway).await?;
    let authorized = target::authorize(ctx, req, OPEN, &target::expressions(req), &options, &meta)?;
    if !authorized.remote.is_empty() {
        return Err(ApiError::bad_request(
            "opening a point in time on remote indices is not supported in gateway mode",
        ));
    }
    let names = if authorized.placeholder {
        Vec::new()
    } else {
        authorized.names
    };
    let upstream_id = if names.is_empty() {
        // Nothing to open upstream: the id stands for a PIT over no index.
        String::new()
    } else {
        let path = names.join(",");
        let request = UpstreamRequest::new(Method::POST, &[&path, "_pit"]);
        let (_, answer) = send(gateway, &with_params(request, req)).await?;
        answer
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| gateway_error(rampart_gateway::UpstreamError::InvalidResponse.into()))?
    };
    let binding = PitBinding {
        indices: names,
        upstream_id,
    };
    let id = binding.bind(binder(gateway)?, &owner(&ctx.auth));
    Ok(Reply::ok(json!({ "id": id })))
}

/// A point-in-time search decided for the upstream.
pub(super) enum PitPlanned {
    /// The PIT is over no index: this (empty) answer, with the caller's id.
    Answered(Value),
    /// Sent upstream as `body`; the answer is filtered with `filter` and its `pit_id` bound
    /// again with `binding`.
    Forward {
        body: Value,
        filter: Option<Box<rewrite::ResponseFilter>>,
        restricted: bool,
        binding: Box<PitBinding>,
    },
}

/// Decide a search body with `pit` (of `_search` or of an `_msearch` item): the caller's id
/// unbound, the search authorized on the PIT's names and planned like any search.
pub(super) fn plan(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    raw: &Value,
    meta: &IndexMetadata,
) -> Result<PitPlanned, ApiError> {
    let Some((rest, pit)) = rewrite::split_pit(raw) else {
        return Err(ApiError::validation(&["[pit] is missing".into()]));
    };
    let Some(token) = rewrite::pit_id(&pit) else {
        return Err(ApiError::validation(&["[id] of [pit] is missing".into()]));
    };
    let binding = unbind(gateway, ctx, token)?;
    if let Some(keep) = pit.get("keep_alive").and_then(Value::as_str) {
        keep_alive(keep)?;
    }
    if binding.indices.is_empty() {
        let mut answer = search::empty_response();
        if let Some(o) = answer.as_object_mut() {
            o.insert("pit_id".into(), json!(token));
        }
        return Ok(PitPlanned::Answered(answer));
    }
    let access = target::authorize_names(ctx, req, search::SEARCH, &binding.indices, meta)?;
    let authorized = target::Authorized {
        names: binding.indices.clone(),
        placeholder: false,
        access,
        remote: Vec::new(),
    };
    let found = targets(ctx, search::SEARCH, &authorized, meta)?;
    let restricted = found.iter().any(|t| t.restrictions.is_restricted());
    let plan = if restricted {
        let parsed = match search::parse_request(req, Some(&rest)) {
            Ok(parsed) => parsed,
            Err(e) => {
                rewrite::check_search_body(&rest).map_err(|r| gateway_error(r.into()))?;
                return Err(e);
            }
        };
        // The PIT's names may be aliases or data streams: the `_index` partition scopes
        // each restriction to the concrete indices known now (fail closed if they moved).
        rewrite::plan_search(&rest, &parsed, &found).map_err(gateway_error)?
    } else {
        rewrite::SearchPlan {
            body: rest,
            response: None,
        }
    };
    Ok(PitPlanned::Forward {
        body: rewrite::with_upstream_pit(plan.body, pit, &binding.upstream_id),
        filter: plan.response.map(Box::new),
        restricted,
        binding: Box::new(binding),
    })
}

/// The upstream's answer to a planned PIT search as the caller gets it: filtered (unless it
/// is an error) and its `pit_id` bound to the caller again.
pub(super) fn finish(
    gateway: &Gateway,
    ctx: &Ctx,
    filter: Option<&rewrite::ResponseFilter>,
    binding: &PitBinding,
    answer: &mut Value,
) -> Result<(), ApiError> {
    if let (Some(filter), None) = (filter, answer.get("error")) {
        rewrite::filter_search_response(answer, filter);
    }
    binding.bind_answer(binder(gateway)?, &owner(&ctx.auth), answer);
    Ok(())
}

/// `POST /_search` with `pit`.
pub(super) async fn search(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    if !target::expressions(req).is_empty() {
        return Err(ApiError::validation(&[
            "[indices] cannot be used with point in time. Do not specify any index with point in time."
                .into(),
        ]));
    }
    if req.query("scroll").is_some() {
        return Err(ApiError::validation(&[
            "using [point in time] is not allowed in a scroll context".into(),
        ]));
    }
    let raw = req.json()?.unwrap_or_else(|| json!({}));
    let meta = metadata(gateway).await?;
    let (body, filter, restricted, binding) = match plan(gateway, ctx, req, &raw, &meta)? {
        PitPlanned::Answered(answer) => return Ok(Reply::ok(answer)),
        PitPlanned::Forward {
            body,
            filter,
            restricted,
            binding,
        } => (body, filter, restricted, binding),
    };
    let mut upstream = UpstreamRequest::new(Method::POST, &["_search"])
        .json(body)
        .idempotent();
    if !restricted {
        upstream = with_params(upstream, req);
    }
    let (status, mut answer) = send(gateway, &upstream).await?;
    finish(gateway, ctx, filter.as_deref(), &binding, &mut answer)?;
    Ok(Reply::status(status, answer))
}

/// `DELETE /_pit` with `{"id": …}`: only the caller's own PIT.
pub(super) async fn close(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json()?;
    let Some(token) = body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(Value::as_str)
    else {
        return Err(ApiError::validation(&["[id] is missing".into()]));
    };
    let binding = unbind(gateway, ctx, token)?;
    if binding.upstream_id.is_empty() {
        return Ok(Reply::ok(json!({"succeeded": true, "num_freed": 0})));
    }
    let request =
        UpstreamRequest::new(Method::DELETE, &["_pit"]).json(json!({ "id": binding.upstream_id }));
    let (status, answer) = send(gateway, &request).await?;
    Ok(Reply::status(status, answer))
}
