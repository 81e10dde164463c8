//! The data plane in gateway mode: the same enforcement as the embedded engine (`target`
//! resolves and authorizes against the upstream's metadata, `restrict` computes each index's
//! DLS/FLS), then `rampart_gateway::rewrite` turns the request into one the upstream can run
//! safely (strict: what cannot be made safe for a restricted caller is refused with a 400)
//! and the answer is filtered before it leaves. Documents reach a client only through here.

use std::sync::Arc;

use axum::http::Method;
use rampart_core::authz::RemoteAccess;
use rampart_core::resolve::IndexMetadata;
use rampart_core::write::WriteOp;
use rampart_gateway::rewrite::{self, IndexRestrictions, Target};
use rampart_gateway::{GatewayError, UpstreamRequest};
use serde_json::{Value, json};

mod admin;
mod aliases;
mod auto_put;
mod auto_put_ingest;
mod bulk;
mod by_query;
mod cat_count;
mod cat_indices;
mod field_caps;
mod mapping_update;
mod memo;
mod mget;
mod msearch;
mod open_close;
mod ops;
mod pit;
mod plan_cache;
mod resize;
mod restriction_cache;
mod scroll;
mod search_route;
mod streams;

pub use plan_cache::PlanCache;
pub use restriction_cache::RestrictionCache;

use super::{restrict, search, target};
use crate::data::write::WriteItem;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

const GET: &str = "indices:data/read/get";
const INDEX: &str = "indices:data/write/index";
const DELETE: &str = "indices:data/write/delete";
const CREATE_INDEX: &str = "indices:admin/create";

/// The log target of the rewritten body of a restricted search (debug level).
pub const REWRITTEN_SEARCH_LOG: &str = "rampart::gateway::rewritten_search";

/// URL parameters answered by this node, never forwarded.
const LOCAL_PARAMS: &[&str] = &["pretty", "human", "filter_path", "error_trace"];

fn gateway_error(e: GatewayError) -> ApiError {
    ApiError::from_es(&e)
}

/// Answers one `Authz::Index` route in gateway mode.
pub async fn handle(gateway: Arc<Gateway>, ctx: Ctx, req: Req) -> Result<Reply, ApiError> {
    if let Some(answer) = admin::handle(&gateway, &ctx, &req).await {
        return answer;
    }
    match (ctx.action, req.param("id").is_some()) {
        (search::SEARCH, _) => search_route::route(&gateway, &ctx, &req).await,
        (bulk::BULK, _) => bulk::bulk(&gateway, &ctx, &req).await,
        (mget::MGET, _) => mget::mget(&gateway, &ctx, &req).await,
        (msearch::MSEARCH, _) => msearch::msearch(&gateway, &ctx, &req).await,
        (aliases::ALIASES, _) => aliases::change(&gateway, &ctx, &req).await,
        (aliases::GET_ALIASES, _) => aliases::get(&gateway, &ctx, &req).await,
        (cat_indices::CAT_INDICES, _) if cat_indices::is_cat_indices(&req) => {
            cat_indices::cat_indices(&gateway, &ctx, &req).await
        }
        (open_close::OPEN | open_close::CLOSE, _) => {
            open_close::open_close(&gateway, &ctx, &req).await
        }
        (scroll::SCROLL, _) => scroll::next(&gateway, &ctx, &req).await,
        (scroll::CLEAR_SCROLL, _) => scroll::clear(&gateway, &ctx, &req).await,
        (pit::OPEN, _) => pit::open(&gateway, &ctx, &req).await,
        (pit::CLOSE, _) => pit::close(&gateway, &ctx, &req).await,
        (GET, true) if req.path.contains("/_source/") => {
            ops::get_source(&gateway, &ctx, &req).await
        }
        (GET, true) if req.path.contains("/_doc/") => get_upstream(&gateway, &ctx, &req).await,
        (ops::EXPLAIN, _) | (ops::TERMVECTORS, _) => {
            ops::explain_or_termvectors(&gateway, &ctx, &req).await
        }
        (ops::UPDATE, true) => ops::update(&gateway, &ctx, &req).await,
        (field_caps::FIELD_CAPS, _) => field_caps::field_caps(&gateway, &ctx, &req).await,
        (by_query::DELETE_BY_QUERY | by_query::UPDATE_BY_QUERY, _) => {
            by_query::by_query(&gateway, &ctx, &req).await
        }
        (INDEX, true) | (DELETE, true) => write_upstream(&gateway, &ctx, &req).await,
        (CREATE_INDEX, false) => admin_upstream(&gateway, &ctx, &req).await,
        (streams::CREATE_DATA_STREAM, _) => streams::create(&gateway, &ctx, &req).await,
        (streams::DELETE_DATA_STREAM, _) => streams::delete(&gateway, &ctx, &req).await,
        (streams::DATA_STREAM_STATS, _) => streams::stats(&gateway, &ctx, &req).await,
        (streams::ROLLOVER, _) => streams::rollover(&gateway, &ctx, &req).await,
        (resize::RESIZE, _) => resize::resize(&gateway, &ctx, &req).await,
        (action, _) => Err(ApiError::bad_request(format!(
            "[{action}] is not supported in gateway mode"
        ))),
    }
}

pub(super) async fn metadata(gateway: &Gateway) -> Result<Arc<IndexMetadata>, ApiError> {
    gateway
        .metadata
        .snapshot()
        .await
        .map_err(metadata_unavailable)
}

fn metadata_unavailable(e: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %e, "cannot read the upstream's index metadata");
    ApiError::new(
        503,
        "status_exception",
        "the upstream cluster is unavailable",
    )
}

/// The snapshot for deciding writes to `names`, fetched again once when it does not know one
/// of them: another gateway node or a client of the upstream may have created that index
/// within the cache's age, and the stale snapshot would judge the write an auto-create.
/// Date-math names (`<…>`) are resolved per request and never in a snapshot.
pub(super) async fn metadata_for_writes<'a>(
    gateway: &Gateway,
    mut names: impl Iterator<Item = &'a str>,
) -> Result<Arc<IndexMetadata>, ApiError> {
    let meta = metadata(gateway).await?;
    if names.all(|name| name.starts_with('<') || meta.contains(name)) {
        return Ok(meta);
    }
    gateway
        .metadata
        .refresh()
        .await
        .map_err(metadata_unavailable)
}

/// Forwards `request` (the client records each attempt's latency); non-2xx answers become
/// sanitised errors.
pub(super) async fn send(
    gateway: &Gateway,
    request: &UpstreamRequest,
) -> Result<(u16, Value), ApiError> {
    let answer = gateway.upstream.send(request).await;
    let answer = answer.map_err(|e| gateway_error(e.into()))?;
    let status = answer.status;
    if answer.is_success() {
        return Ok((status, answer.body));
    }
    if status == 404
        && ["found", "num_freed", "matched"]
            .iter()
            .any(|k| answer.body.get(*k).is_some())
    {
        // A GET or explain of a missing document, or a clear scroll/PIT that freed nothing:
        // the body is ES's own answer (`found: false`, `matched: false`, `num_freed: 0`),
        // not an error.
        return Ok((status, answer.body));
    }
    if answer.body.get("error").is_none()
        && answer.body.get("failures").is_some_and(Value::is_array)
    {
        // A by-query's own answer (its status is its worst item failure's, e.g. a 409 version
        // conflict): the counters and failures of documents the caller's query selected.
        return Ok((status, answer.body));
    }
    Err(gateway_error(answer.into_success().err().map_or_else(
        || rampart_gateway::UpstreamError::InvalidResponse.into(),
        Into::into,
    )))
}

pub(super) fn with_params(mut request: UpstreamRequest, req: &Req) -> UpstreamRequest {
    for (k, v) in &req.query {
        if !LOCAL_PARAMS.contains(&k.as_str()) {
            request = request.param(k, v);
        }
    }
    request
}

/// The restriction of each concrete index behind the authorized names. An index reached by
/// several names keeps the first name's restriction.
pub(super) fn targets(
    ctx: &Ctx,
    action: &str,
    authorized: &target::Authorized,
    meta: &IndexMetadata,
) -> Result<Vec<Target>, ApiError> {
    let mut out: Vec<Target> = Vec::new();
    // An invalid pairing setting is reported by `restrict::restriction` (below), as before.
    let pairing = restrict::Pairing::from_settings(&ctx.state.settings).ok();
    let mut user = None;
    for entry in &authorized.access {
        let restrictions = match (&ctx.state.gateway, pairing) {
            (Some(gateway), Some(restrict::Pairing::Combined)) => {
                // `restrict::restriction` under combined pairing, from the gateway's cache.
                let cache = &gateway.restrictions;
                let documents = if entry.documents.is_unrestricted() {
                    None
                } else {
                    let user = user.get_or_insert_with(|| restrict::user_context(&ctx.auth));
                    cache.documents(&entry.documents, user)?
                };
                IndexRestrictions {
                    documents,
                    fields: cache.fields(&entry.fields)?,
                }
            }
            _ => {
                let restriction = restrict::restriction(ctx, action, entry, meta)?;
                IndexRestrictions {
                    documents: restriction.documents,
                    fields: restriction.fields,
                }
            }
        };
        let concrete = meta.concrete_indices(&entry.name, None);
        let names: Vec<String> = if concrete.is_empty() {
            vec![entry.name.clone()]
        } else {
            concrete.into_iter().map(String::from).collect()
        };
        for index in names {
            if !out.iter().any(|t| t.index == index) {
                out.push(Target {
                    index,
                    restrictions: restrictions.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// The remote targets as rewrite targets: `alias:index` with the DLS/FLS their
/// `remote_indices` grant them, rendered for the caller like local restrictions.
pub(super) fn remote_targets(ctx: &Ctx, remote: &[RemoteAccess]) -> Result<Vec<Target>, ApiError> {
    let user = restrict::user_context(&ctx.auth);
    let mut out: Vec<Target> = Vec::with_capacity(remote.len());
    for access in remote {
        let (base, _) = access
            .index
            .split_once("::")
            .unwrap_or((access.index.as_str(), ""));
        let index = format!("{}:{base}", access.alias);
        if out.iter().any(|t| t.index == index) {
            continue;
        }
        let restrictions = match &ctx.state.gateway {
            Some(gateway) => IndexRestrictions {
                documents: gateway.restrictions.documents(&access.documents, &user)?,
                fields: gateway.restrictions.fields(&access.fields)?,
            },
            None => IndexRestrictions {
                documents: restrict::documents(&access.documents, &user)?,
                fields: restrict::fields(&access.fields)?,
            },
        };
        out.push(Target {
            index,
            restrictions,
        });
    }
    Ok(out)
}

/// Whether the authorized names are all concrete target indices, which resolve upstream to
/// exactly the targets.
pub(super) fn is_direct(
    authorized: &target::Authorized,
    targets: &[Target],
    meta: &IndexMetadata,
) -> bool {
    authorized.names.len() == targets.len()
        && authorized.names.iter().all(|n| {
            targets.iter().any(|t| &t.index == n)
                && matches!(meta.kind(n), rampart_core::resolve::NameKind::Index)
        })
}

/// What a restricted search cannot scope exactly on a remote cluster: selectors (failure
/// store hits have index names unrelated to the expression), and `per_role` pairing (each
/// role's query and field set would have to stay paired per remote index, whose granting
/// roles are unknown here).
pub(super) fn refuse_inexact_remote(
    ctx: &Ctx,
    authorized: &target::Authorized,
) -> Result<(), ApiError> {
    if let Some(selected) = authorized.remote.iter().find(|r| r.index.contains("::")) {
        return Err(ApiError::bad_request(format!(
            "searching [{}] is not supported in gateway mode when document or field level security applies: selectors on remote indices cannot be scoped",
            selected.target()
        )));
    }
    let Some(restricted) = authorized.remote.iter().find(|r| r.is_restricted()) else {
        return Ok(());
    };
    let pairing = restrict::Pairing::from_settings(&ctx.state.settings)?;
    if pairing == restrict::Pairing::PerRole {
        return Err(ApiError::bad_request(format!(
            "searching [{}] is not supported in gateway mode when document or field level security applies under [{}: per_role]",
            restricted.target(),
            restrict::PAIRING_SETTING
        )));
    }
    Ok(())
}

/// One authorized concrete index and the caller's restrictions on it.
async fn single_target(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    action: &str,
) -> Result<Target, ApiError> {
    let index = req.param_required("index")?.to_string();
    let meta = metadata(gateway).await?;
    target_of(ctx, req, action, &index, &meta)
}

/// Authorizes `action` on the name `index` and returns the concrete index behind it with the
/// caller's restrictions there.
pub(super) fn target_of(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    index: &str,
    meta: &IndexMetadata,
) -> Result<Target, ApiError> {
    let index = index.to_owned();
    let access = target::authorize_names(ctx, req, action, std::slice::from_ref(&index), meta)?;
    let authorized = target::Authorized {
        names: vec![index.clone()],
        placeholder: false,
        access,
        remote: Vec::new(),
    };
    let mut found = targets(ctx, action, &authorized, meta)?;
    Ok(found.pop().unwrap_or(Target {
        index,
        restrictions: IndexRestrictions::unrestricted(),
    }))
}

async fn get_upstream(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let id = req.param_required("id")?.to_string();
    let target = single_target(gateway, ctx, req, GET).await?;
    let ids = [id.clone()];
    if let Some(body) = rewrite::plan_get(&ids, &target.restrictions) {
        // Under DLS a GET is an `ids` search carrying the filter (not realtime).
        let search = UpstreamRequest::new(Method::POST, &[&target.index, "_search"])
            .json(body)
            .idempotent();
        let (_, answer) = send(gateway, &search).await?;
        let doc = rewrite::get_answers(&target.index, &ids, &answer, &target.restrictions)
            .pop()
            .unwrap_or_else(|| json!({"_index": target.index, "_id": id, "found": false}));
        let status = if doc.get("found") == Some(&json!(true)) {
            200
        } else {
            404
        };
        return Ok(Reply::status(status, doc));
    }
    let get = UpstreamRequest::new(Method::GET, &[&target.index, "_doc", &id]);
    let (status, mut doc) = send(gateway, &with_params(get, req)).await?;
    if let Some(fields) = &target.restrictions.fields {
        rewrite::filter_document(&mut doc, fields);
    }
    Ok(Reply::status(status, doc))
}

fn endpoint(req: &Req) -> &'static str {
    if req.path.contains("/_create/") {
        "_create"
    } else {
        "_doc"
    }
}

/// The write operation of a single-document write route (`create_doc` creates but may not
/// overwrite, which the route's action alone does not tell).
fn write_op(ctx: &Ctx, req: &Req) -> WriteOp {
    if ctx.action == DELETE {
        WriteOp::Delete
    } else if endpoint(req) == "_create" || req.query("op_type") == Some("create") {
        WriteOp::Create
    } else {
        WriteOp::Index
    }
}

/// Decides a single-document write as a one-item bulk, as the embedded data plane does
/// (auto-create through `create_index` or `auto_configure` included, and `auto_put` when
/// `body` would update the target's mapping).
async fn authorize_write_item(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    id: &str,
    op: WriteOp,
    body: Option<Value>,
) -> Result<(), ApiError> {
    let items = [WriteItem {
        index: req.param_required("index")?.to_string(),
        id: Some(id.to_string()),
        op,
        body,
        cond: Default::default(),
        pipeline: None,
    }];
    let meta = metadata_for_writes(gateway, items.iter().map(|i| i.index.as_str())).await?;
    let (resolved, mut failures) = crate::data::write::authorize_items(ctx, &items, &meta)?;
    auto_put::check(gateway, ctx, &items, &resolved, &mut failures, &meta).await?;
    match failures.into_iter().flatten().next() {
        Some(f) => Err(ApiError::new(f.status, f.es_type, f.reason)),
        None => Ok(()),
    }
}

async fn write_upstream(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let id = req.param_required("id")?.to_string();
    let body = if ctx.action == INDEX {
        Some(req.json_required()?)
    } else {
        None
    };
    let op = write_op(ctx, req);
    authorize_write_item(gateway, ctx, req, &id, op, body.clone()).await?;
    let target = single_target(gateway, ctx, req, ctx.action).await?;
    let method = if ctx.action == DELETE {
        Method::DELETE
    } else {
        Method::PUT
    };
    let mut request = UpstreamRequest::new(method, &[&target.index, endpoint(req), &id]);
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, body) = send(gateway, &with_params(request, req)).await?;
    // A write may have created the index.
    gateway.metadata.invalidate();
    Ok(Reply::status(status, body))
}

/// `PUT /{index}`: the name is a literal (no expression), so it is forwarded as authorized.
async fn admin_upstream(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let index = req.param_required("index")?.to_string();
    let meta = metadata(gateway).await?;
    target::authorize_names(ctx, req, ctx.action, std::slice::from_ref(&index), &meta)?;
    let request = UpstreamRequest::new(Method::PUT, &[&index]);
    let request = match req.json()? {
        Some(body) => request.json(body),
        None => request,
    };
    let answer = send(gateway, &with_params(request, req)).await;
    gateway.metadata.invalidate();
    let (status, body) = answer?;
    Ok(Reply::status(status, body))
}
