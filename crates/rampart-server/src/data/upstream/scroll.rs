//! Scroll through the gateway. The upstream's scroll id never reaches the client: answers
//! carry it bound to the caller (`ScrollBinder`: owner + id + HMAC), and a continuation is
//! forwarded only when the presented id was issued to the same caller (user, realm, API
//! key); anyone else is told the context does not exist (ES's 404
//! `search_context_missing_exception`). DLS is in the query the context was opened with; FLS
//! is applied again to every page, with the caller's field sets on the hits' indices. Remote
//! hits (`alias:index`) are matched against the remote targets the scroll was opened on
//! (carried, under the MAC, in the bound id), each authorized again for the caller.

use axum::http::Method;
use rampart_core::authz::{RemoteAccess, RemoteDecision};
use rampart_core::resolve::RemoteExpression;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, ResponseFilter, ScrollBinder, Target};
use rampart_query::SearchRequest;
use serde_json::{Value, json};

use super::{metadata, remote_targets, send, targets};
use crate::data::scroll::{keep_alive, owner, scroll_args};
use crate::data::{search, target};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const SCROLL: &str = "indices:data/read/scroll";
pub(super) const CLEAR_SCROLL: &str = "indices:data/read/scroll/clear";

fn binder(gateway: &Gateway) -> Result<&ScrollBinder, ApiError> {
    gateway
        .scroll
        .as_ref()
        .ok_or_else(|| ApiError::internal("the gateway has no scroll binding key"))
}

/// ES's refusals for opening a scroll, checked before anything is forwarded.
pub(super) fn check_open(keep: &str, request: &SearchRequest) -> Result<(), ApiError> {
    keep_alive(keep)?;
    if request.from > 0 {
        return Err(ApiError::validation(&[
            "using [from] is not allowed in a scroll context".into(),
        ]));
    }
    Ok(())
}

/// Replaces the upstream's scroll id in `answer` by one bound to the caller and to the remote
/// targets the scroll was opened on.
pub(super) fn bind(
    gateway: &Gateway,
    ctx: &Ctx,
    answer: &mut Value,
    remote: &[RemoteAccess],
) -> Result<(), ApiError> {
    let scope: Vec<String> = remote.iter().map(RemoteAccess::target).collect();
    bind_scope(gateway, ctx, answer, &scope)
}

fn bind_scope(
    gateway: &Gateway,
    ctx: &Ctx,
    answer: &mut Value,
    scope: &[String],
) -> Result<(), ApiError> {
    binder(gateway)?.bind_answer_scoped(&owner(&ctx.auth), answer, false, scope);
    Ok(())
}

/// The upstream id and remote scope behind a client's scroll id, if it was issued to this
/// caller.
fn unbind(gateway: &Gateway, ctx: &Ctx, id: &str) -> Result<(String, Vec<String>), ApiError> {
    binder(gateway)?
        .unbind_scoped(&owner(&ctx.auth), id)
        .map_err(|e| ApiError::from_es(&e))
}

/// The remote targets of a scroll's scope, authorized again for the caller (ES's 403 when a
/// grant was withdrawn since the scroll was opened).
fn scope_targets(ctx: &Ctx, req: &Req, scope: &[String]) -> Result<Vec<Target>, ApiError> {
    let expressions: Vec<RemoteExpression> = scope
        .iter()
        .filter_map(|target| {
            let (alias, index) = target.split_once(':')?;
            Some(RemoteExpression {
                clusters: vec![alias.to_owned()],
                index: index.to_owned(),
                original: target.clone(),
            })
        })
        .collect();
    if expressions.is_empty() {
        return Ok(Vec::new());
    }
    let decision = ctx
        .role
        .authorize_remote(&ctx.subject, search::SEARCH, &expressions)
        .map_err(|e| ApiError::from_es(&e))?;
    match decision {
        RemoteDecision::Allowed(access) => remote_targets(ctx, &access),
        RemoteDecision::Denied(denial) => {
            ctx.state
                .audit
                .access_denied(&ctx.auth, search::SEARCH, req);
            Err(ApiError::forbidden(denial.message().to_owned()))
        }
    }
}

/// The field sets of the indices a page's hits come from, authorized now for the caller:
/// local indices by name, remote ones through the scroll's remote targets.
fn page_filter(
    ctx: &Ctx,
    req: &Req,
    page: &Value,
    meta: &rampart_core::resolve::IndexMetadata,
    scope: &[String],
) -> Result<ResponseFilter, ApiError> {
    let remote = scope_targets(ctx, req, scope)?;
    let mut names: Vec<String> = Vec::new();
    for hit in page
        .pointer("/hits/hits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(index) = hit.get("_index").and_then(Value::as_str)
            && !index.contains(':')
            && !names.iter().any(|n| n == index)
        {
            names.push(index.to_owned());
        }
    }
    if names.is_empty() {
        return Ok(ResponseFilter::new(&remote));
    }
    let access = target::authorize_names(ctx, req, search::SEARCH, &names, meta)?;
    let authorized = target::Authorized {
        names,
        placeholder: false,
        access,
        remote: Vec::new(),
    };
    let mut all = targets(ctx, search::SEARCH, &authorized, meta)?;
    all.extend(remote);
    Ok(ResponseFilter::new(&all))
}

/// `GET|POST /_search/scroll`, `/_search/scroll/{scroll_id}`.
pub(super) async fn next(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let (ids, keep) = scroll_args(req)?;
    let [id] = ids.as_slice() else {
        return Err(ApiError::validation(&["scrollId is missing".into()]));
    };
    let (upstream_id, scope) = unbind(gateway, ctx, id)?;
    let mut body = json!({ "scroll_id": upstream_id });
    if let (Some(keep), Some(o)) = (keep, body.as_object_mut()) {
        keep_alive(&keep)?;
        o.insert("scroll".into(), json!(keep));
    }
    let request = UpstreamRequest::new(Method::POST, &["_search", "scroll"]).json(body);
    let (status, mut page) = send(gateway, &request).await?;
    let meta = metadata(gateway).await?;
    let filter = page_filter(ctx, req, &page, &meta, &scope)?;
    rewrite::filter_search_response(&mut page, &filter);
    bind_scope(gateway, ctx, &mut page, &scope)?;
    Ok(Reply::status(status, page))
}

/// `DELETE /_search/scroll`, `/_search/scroll/{scroll_id}`. Only the caller's own ids are
/// cleared; `_all` would reach every user's contexts upstream, so it is refused.
pub(super) async fn clear(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let (ids, _) = scroll_args(req)?;
    if ids.is_empty() {
        return Err(ApiError::validation(&["no scroll ids specified".into()]));
    }
    if ids.iter().any(|i| i == "_all") {
        return Err(ApiError::bad_request(
            "clearing [_all] scroll contexts is not supported in gateway mode",
        ));
    }
    let upstream_ids = ids
        .iter()
        .map(|id| unbind(gateway, ctx, id).map(|(id, _)| id))
        .collect::<Result<Vec<_>, _>>()?;
    let request = UpstreamRequest::new(Method::DELETE, &["_search", "scroll"])
        .json(json!({ "scroll_id": upstream_ids }));
    let (status, body) = send(gateway, &request).await?;
    Ok(Reply::status(status, body))
}
