//! `_search` and `_count` through the gateway: authorized like the embedded plane, then an
//! unrestricted search is forwarded as received (its body bytes, no parsing beyond a JSON
//! check) and its answer passed back as bytes; a restricted one is rewritten
//! (`rampart_gateway::rewrite::plan_search`) and its answer parsed only when FLS filters it.

use axum::http::Method;
use bytes::Bytes;
use rampart_core::authz::RemoteAccess;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, Target};
use serde_json::{Value, json};

use super::plan_cache::PlannedSearch;
use super::{
    REWRITTEN_SEARCH_LOG, cat_count, gateway_error, is_direct, metadata, pit,
    refuse_inexact_remote, remote_targets, scroll, send, targets, with_params,
};
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

/// `_search` and `_count` in gateway mode: `_cat/count`, point-in-time searches and the
/// others.
pub(super) async fn route(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    if cat_count::is_cat_count(req) {
        return cat_count::cat_count(gateway, ctx, req).await;
    }
    match check_body(req)? {
        BodyCheck::Pit => pit::search(gateway, ctx, req).await,
        check => search(gateway, ctx, req, check).await,
    }
}

async fn search(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    check: BodyCheck,
) -> Result<Reply, ApiError> {
    // A body that is not JSON is refused before anything is authorized (400 before 403).
    let body = unchanged_body(req, check)?;
    let keep = req.query("scroll").map(String::from);
    if let Some(keep) = &keep {
        // ES's refusals for opening a scroll come before authorization.
        if let Ok(request) = search::parse_request(req, req.json_ref()?) {
            scroll::check_open(keep, &request)?;
        }
    }
    let options = target::options(req, IndicesOptions::search())?;
    let meta = metadata(gateway).await?;
    let authorized = target::authorize(
        ctx,
        req,
        search::SEARCH,
        &target::expressions(req),
        &options,
        &meta,
    )?;
    let local = !(authorized.placeholder || authorized.names.is_empty());
    if !local && authorized.remote.is_empty() {
        if is_count(req) {
            let shards = json!({"total": 0, "successful": 0, "skipped": 0, "failed": 0});
            return Ok(Reply::ok(json!({"count": 0, "_shards": shards})));
        }
        return Ok(Reply::ok(search::empty_response()));
    }
    let mut targets = if local {
        targets(ctx, search::SEARCH, &authorized, &meta)?
    } else {
        Vec::new()
    };
    targets.extend(remote_targets(ctx, &authorized.remote)?);
    let restricted = targets.iter().any(|t| t.restrictions.is_restricted());
    // Remote targets go upstream as written, one per matched alias; under DLS/FLS the
    // rewritten body scopes each by its pattern (`rewrite::plan_search`).
    let remote = authorized.remote.iter().map(RemoteAccess::target);
    let path = if local {
        authorized
            .names
            .iter()
            .cloned()
            .chain(remote)
            .collect::<Vec<_>>()
    } else {
        remote.collect()
    }
    .join(",");
    if !restricted {
        // Forwarded as sent, URL parameters included; the upstream judges the features our
        // parser does not execute (scripts, knn, ...).
        let endpoint = if is_count(req) { "_count" } else { "_search" };
        let upstream = UpstreamRequest::new(Method::POST, &[&path, endpoint])
            .json_bytes(body)
            .idempotent();
        let upstream = with_params(upstream, req);
        if keep.is_none() {
            return send_filtered(gateway, &upstream, None).await;
        }
        let (status, mut body) = send(gateway, &upstream).await?;
        scroll::bind(gateway, ctx, &mut body, &authorized.remote)?;
        return Ok(Reply::status(status, body));
    }
    refuse_inexact_remote(ctx, &authorized)?;
    let direct = is_direct(&authorized, &targets, &meta);
    if is_count(req) {
        let plan = plan(req, &targets, direct)?;
        return count_upstream(gateway, &path, plan.body).await;
    }
    let plan = gateway.plans.get_or_plan(req, &targets, direct, || {
        let plan = plan(req, &targets, direct)?;
        Ok(PlannedSearch {
            body: Bytes::from(serde_json::to_vec(&plan.body).map_err(|e| {
                ApiError::internal(format!("cannot serialize a rewritten search: {e}"))
            })?),
            response: plan.response,
        })
    })?;
    // The exact body sent (benches/gateway_overhead.sh replays it straight to the upstream to
    // measure the gateway's own cost on a restricted search).
    tracing::debug!(
        target: REWRITTEN_SEARCH_LOG,
        path = %path,
        body = %String::from_utf8_lossy(&plan.body)
    );
    // URL parameters were merged into the rewritten body.
    let mut upstream = UpstreamRequest::new(Method::POST, &[&path, "_search"])
        .json_bytes(plan.body.clone())
        .idempotent();
    let Some(keep) = &keep else {
        // DLS without FLS: the query did all the work, the answer passes as it is; FLS
        // filters the answer's bytes.
        return send_filtered(gateway, &upstream, plan.response.as_ref()).await;
    };
    upstream = upstream.param("scroll", keep);
    let (status, mut body) = send(gateway, &upstream).await?;
    if let Some(filter) = &plan.response {
        rewrite::filter_search_response(&mut body, filter);
    }
    scroll::bind(gateway, ctx, &mut body, &authorized.remote)?;
    Ok(Reply::status(status, body))
}

/// The rewrite of a restricted search (`rampart_gateway::rewrite::plan_search`).
fn plan(req: &Req, targets: &[Target], direct: bool) -> Result<rewrite::SearchPlan, ApiError> {
    let empty = json!({});
    let raw = req.json_ref()?.unwrap_or(&empty);
    match search::parse_request(req, Some(raw)) {
        Ok(request) if direct => rewrite::plan_search_direct(raw, &request, targets),
        Ok(request) => rewrite::plan_search(raw, &request, targets),
        // A restricted caller's refused feature gets the refusal's clear message rather than
        // our parser's "not supported by this server".
        Err(e) => {
            rewrite::check_search_body(raw).map_err(|r| gateway_error(r.into()))?;
            return Err(e);
        }
    }
    .map_err(gateway_error)
}

/// `_count` routes share search's action, authorization and rewriting.
fn is_count(req: &Req) -> bool {
    req.path.ends_with("/_count")
}

/// The count of a restricted search: only the rewritten query goes to the upstream's
/// `_count`, which takes no other key; its answer holds no documents, so nothing is filtered.
async fn count_upstream(gateway: &Gateway, path: &str, body: Value) -> Result<Reply, ApiError> {
    let body =
        json!({"query": body.get("query").cloned().unwrap_or_else(|| json!({"match_all": {}}))});
    let upstream = UpstreamRequest::new(Method::POST, &[path, "_count"])
        .json(body)
        .idempotent();
    send_filtered(gateway, &upstream, None).await
}

/// `send` for a search answer passed on as bytes: a 2xx answer is not parsed into a value;
/// under FLS only what `filter` changes is (`rewrite::filter_search_response_bytes`). Any
/// other answer, or one the byte path does not read, is parsed and handled as `send` does.
async fn send_filtered(
    gateway: &Gateway,
    request: &UpstreamRequest,
    filter: Option<&rewrite::ResponseFilter>,
) -> Result<Reply, ApiError> {
    let answer = gateway
        .upstream
        .send_raw(request)
        .await
        .map_err(|e| gateway_error(e.into()))?;
    if answer.is_success() {
        match filter {
            None if looks_like_json_object(&answer.body) => {
                return Ok(Reply::serialized(answer.status, Vec::from(answer.body)));
            }
            Some(filter) => {
                if let Some(out) = rewrite::filter_search_response_bytes(&answer.body, filter) {
                    return Ok(Reply::serialized(answer.status, out));
                }
            }
            None => {}
        }
    }
    // Errors are sanitised from the parsed body; a 2xx body that is not a JSON object fails
    // to parse into a search answer the same way it did before passing through.
    let parsed = answer.parse().map_err(|e| gateway_error(e.into()))?;
    let status = parsed.status;
    if parsed.is_success() {
        let mut body = parsed.body;
        if let Some(filter) = filter {
            rewrite::filter_search_response(&mut body, filter);
        }
        return Ok(Reply::status(status, body));
    }
    Err(gateway_error(parsed.into_success().err().map_or_else(
        || rampart_gateway::UpstreamError::InvalidResponse.into(),
        Into::into,
    )))
}

/// A cheap shape check of an upstream answer sent on without parsing: one JSON object (the
/// upstream is the cluster the gateway guards; this only keeps an intermediary's HTML error
/// page or an empty body from being labelled JSON).
fn looks_like_json_object(body: &[u8]) -> bool {
    let text = body.trim_ascii();
    text.first() == Some(&b'{') && text.last() == Some(&b'}')
}

/// What a first look at a search body found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyCheck {
    /// A point-in-time search (`pit` in the body).
    Pit,
    /// Valid JSON, no `pit`.
    Json,
    /// Not looked at (not `_search`, or an unusual body): checked where it is used.
    Unchecked,
}

/// Whether a search body names a point in time (`pit`), read without building the body's
/// JSON value (a search forwarded unchanged then never builds it); a body read this way is
/// known to be JSON.
fn check_body(req: &Req) -> Result<BodyCheck, ApiError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        pit: Option<serde::de::IgnoredAny>,
    }
    if !req.path.ends_with("/_search") {
        return Ok(BodyCheck::Unchecked);
    }
    let body = req.body.trim_ascii();
    if body.first() == Some(&b'{') && std::str::from_utf8(body).is_ok() {
        if let Ok(probe) = serde_json::from_slice::<Probe>(body) {
            return Ok(if probe.pit.is_some() {
                BodyCheck::Pit
            } else {
                BodyCheck::Json
            });
        }
    }
    // Anything unusual (not an object, invalid JSON, a repeated key) takes the full parse,
    // which also gives the client its parse error.
    Ok(if pit::is_pit_search(req)? {
        BodyCheck::Pit
    } else {
        BodyCheck::Unchecked
    })
}

/// The body of a search forwarded unchanged: the bytes as received once they are known to be
/// JSON (`{}` for none).
fn unchanged_body(req: &Req, check: BodyCheck) -> Result<bytes::Bytes, ApiError> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(bytes::Bytes::from_static(b"{}"));
    }
    if check != BodyCheck::Json && req.parsed.get().is_none() {
        // The full parse: the same checks (UTF-8 included) and error as everywhere else.
        req.json_ref()?;
    }
    Ok(req.body.clone())
}
