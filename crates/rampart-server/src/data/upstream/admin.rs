//! Index administration through the gateway: delete, get index, get/put mapping, get/put
//! settings, stats and the maintenance calls (refresh, flush, forcemerge, cache clear). Each
//! resolves the path's expression against the upstream's cached metadata with the same `IndicesOptions` as the embedded plane, authorizes it with
//! the same engine decision, and forwards only the authorized concrete indices (never the
//! caller's wildcard, which the upstream could expand further). Mappings are filtered to the
//! fields the caller may see (FLS), as the embedded plane filters them. Calls that change
//! indices drop the metadata cache. `_resolve/index` is answered locally (`resolve_index`);
//! data stream get is in `data_streams`.

mod data_streams;
mod resolve_index;

use axum::http::Method;
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::Target;
use serde_json::{Map, Value, json};

use super::{metadata, send, targets, with_params};
use crate::data::engine::index_not_found;
use crate::data::indices::filter_properties;
use crate::data::target;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const DELETE_INDEX: &str = "indices:admin/delete";
pub(super) const GET_INDEX: &str = "indices:admin/get";
pub(super) const GET_MAPPING: &str = "indices:admin/mappings/get";
pub(super) const PUT_MAPPING: &str = "indices:admin/mapping/put";
pub(super) const GET_SETTINGS: &str = "indices:monitor/settings/get";
pub(super) const PUT_SETTINGS: &str = "indices:admin/settings/update";
pub(super) const STATS: &str = "indices:monitor/stats";
pub(super) const REFRESH: &str = "indices:admin/refresh";
pub(super) const FLUSH: &str = "indices:admin/flush";
pub(super) const FORCEMERGE: &str = "indices:admin/forcemerge";
pub(super) const CACHE_CLEAR: &str = "indices:admin/cache/clear";

/// Maintenance calls and their endpoints: a POST without body on the indices' endpoint,
/// answering a `_shards` summary, and harmless to repeat.
const MAINTENANCE: [(&str, &str); 4] = [
    (REFRESH, "_refresh"),
    (FLUSH, "_flush"),
    (FORCEMERGE, "_forcemerge"),
    (CACHE_CLEAR, "_cache/clear"),
];

/// The concrete indices behind the path's expression, authorized for the route's action, and
/// the authorization itself. A resolved name without a concrete index is ES's 404.
pub(super) fn concrete(
    ctx: &Ctx,
    req: &Req,
    defaults: IndicesOptions,
    meta: &IndexMetadata,
) -> Result<(Vec<String>, target::Authorized), ApiError> {
    let options = target::options(req, defaults)?;
    let authorized = target::authorize(
        ctx,
        req,
        ctx.action,
        &target::expressions(req),
        &options,
        meta,
    )?;
    let mut out: Vec<String> = Vec::new();
    if authorized.placeholder {
        return Ok((out, authorized));
    }
    for name in &authorized.names {
        let found = meta.concrete_indices(name, None);
        if found.is_empty() {
            return Err(index_not_found(name));
        }
        for index in found {
            if !out.iter().any(|o| o == index) {
                out.push(index.to_owned());
            }
        }
    }
    Ok((out, authorized))
}

/// Sends `method` on the concrete indices' `endpoint` (`None`: the indices themselves); a
/// multi-segment endpoint such as `_cache/clear` is split so its `/` is not encoded.
async fn forward(
    gateway: &Gateway,
    req: &Req,
    method: Method,
    indices: &[String],
    endpoint: Option<&str>,
    body: Option<Value>,
) -> Result<Reply, ApiError> {
    let joined = indices.join(",");
    let mut path = vec![joined.as_str()];
    path.extend(endpoint.into_iter().flat_map(|e| e.split('/')));
    let mut request = UpstreamRequest::new(method.clone(), &path);
    // Reads and maintenance calls are safe to repeat after a transport failure.
    let maintenance = MAINTENANCE.iter().any(|(_, e)| endpoint == Some(*e));
    if method == Method::GET || maintenance {
        request = request.idempotent();
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, body) = send(gateway, &with_params(request, req)).await?;
    Ok(Reply::status(status, body))
}

/// Answers one administration route; `None` if `ctx.action` is not one of them.
pub(super) async fn handle(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
) -> Option<Result<Reply, ApiError>> {
    if let Some((_, endpoint)) = MAINTENANCE.iter().find(|(a, _)| *a == ctx.action) {
        return Some(maintain(gateway, ctx, req, endpoint).await);
    }
    let answer = match ctx.action {
        DELETE_INDEX => delete_index(gateway, ctx, req).await,
        GET_INDEX | GET_MAPPING => get_with_mappings(gateway, ctx, req).await,
        GET_SETTINGS if req.path.ends_with("/_settings") => {
            read(gateway, ctx, req, Some("_settings")).await
        }
        STATS => read(gateway, ctx, req, Some("_stats")).await,
        data_streams::GET_DATA_STREAM => data_streams::get(gateway, ctx, req).await,
        resolve_index::RESOLVE_INDEX => resolve_index::resolve_index(gateway, ctx, req).await,
        PUT_MAPPING | PUT_SETTINGS => change(gateway, ctx, req).await,
        _ => return None,
    };
    Some(answer)
}

/// `DELETE /{index}`: names only, as the embedded plane (destructive operations need names).
async fn delete_index(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let defaults = crate::data::indices::delete_index_options(req)?;
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, defaults, &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(json!({"acknowledged": true})));
    }
    let answer = forward(gateway, req, Method::DELETE, &indices, None, None).await;
    gateway.metadata.invalidate();
    answer
}

/// `GET /{index}/_settings`, `/_stats`: forwarded on the concrete indices; nothing in them is
/// document content or a field of a document.
async fn read(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    endpoint: Option<&str>,
) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, IndicesOptions::strict_expand_open(), &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(empty_read(ctx.action)));
    }
    forward(gateway, req, Method::GET, &indices, endpoint, None).await
}

fn empty_read(action: &str) -> Value {
    if action == STATS {
        let zero = json!({"total": 0, "successful": 0, "failed": 0});
        json!({"_shards": zero, "_all": {"primaries": {}, "total": {}}, "indices": {}})
    } else {
        json!({})
    }
}

/// `PUT /{index}/_mapping`, `PUT /{index}/_settings`.
async fn change(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let (defaults, endpoint) = if ctx.action == PUT_MAPPING {
        (
            IndicesOptions::strict_expand_open_forbid_closed(),
            "_mapping",
        )
    } else {
        (IndicesOptions::strict_expand_open(), "_settings")
    };
    let body = req.json_required()?;
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, defaults, &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(json!({"acknowledged": true})));
    }
    let answer = forward(
        gateway,
        req,
        Method::PUT,
        &indices,
        Some(endpoint),
        Some(body),
    )
    .await;
    // Settings can hide or close an index; mappings leave the names alone, but the cache is
    // cheap to reload.
    gateway.metadata.invalidate();
    answer
}

/// `POST /{index}/_refresh`, `/_flush`, `/_forcemerge`, `/_cache/clear`: forwarded on the
/// authorized concrete indices; none authorized (a wildcard matching nothing the caller may
/// see) is ES's empty `_shards` summary. None of them changes names, settings or mappings, so
/// the metadata cache stays.
async fn maintain(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    endpoint: &str,
) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let (indices, _) = concrete(ctx, req, IndicesOptions::strict_expand_open(), &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(
            json!({"_shards": {"total": 0, "successful": 0, "failed": 0}}),
        ));
    }
    forward(gateway, req, Method::POST, &indices, Some(endpoint), None).await
}

/// `GET /{index}` and `GET /{index}/_mapping`: each index's mapping filtered to the fields the
/// caller may see there.
async fn get_with_mappings(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    let (indices, authorized) = concrete(ctx, req, IndicesOptions::strict_expand_open(), &meta)?;
    if indices.is_empty() {
        return Ok(Reply::ok(json!({})));
    }
    let found = targets(ctx, ctx.action, &authorized, &meta)?;
    let endpoint = (ctx.action == GET_MAPPING).then_some("_mapping");
    let mut reply = forward(gateway, req, Method::GET, &indices, endpoint, None).await?;
    visible_mappings(&mut reply.body, &found);
    Ok(reply)
}

/// Filters the `mappings` of every index in a get-index or get-mapping answer with that
/// index's field set; an index that is not a target is dropped (fail closed).
fn visible_mappings(answer: &mut Value, found: &[Target]) {
    let Some(indices) = answer.as_object_mut() else {
        return;
    };
    indices.retain(|name, _| found.iter().any(|t| &t.index == name));
    for (name, info) in indices.iter_mut() {
        let fields = found
            .iter()
            .find(|t| &t.index == name)
            .and_then(|t| t.restrictions.fields.as_ref())
            .filter(|f| !f.is_unrestricted());
        let (Some(fields), Some(mappings)) = (fields, info.get_mut("mappings")) else {
            continue;
        };
        let properties = mappings
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut kept = Map::new();
        kept.insert(
            "properties".into(),
            Value::Object(filter_properties(&properties, "", fields)),
        );
        *mappings = Value::Object(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fls::FieldSecurityDef;
    use rampart_gateway::rewrite::IndexRestrictions;

    #[test]
    fn mappings_keep_only_visible_fields_and_known_indices() {
        let fields = FieldSecurityDef::new(["title", "meta.a"], Vec::<String>::new())
            .compile()
            .unwrap();
        let found = vec![
            Target {
                index: "docs".into(),
                restrictions: IndexRestrictions {
                    documents: None,
                    fields: Some(fields),
                },
            },
            Target {
                index: "open".into(),
                restrictions: IndexRestrictions::unrestricted(),
            },
        ];
        let props = json!({"title": {"type": "text"}, "salary": {"type": "long"},
            "meta": {"properties": {"a": {"type": "keyword"}, "b": {"type": "keyword"}}}});
        let mut answer = json!({
            "docs": {"mappings": {"properties": props.clone()}},
            "open": {"mappings": {"properties": props.clone()}},
            "other": {"mappings": {"properties": props.clone()}},
        });
        visible_mappings(&mut answer, &found);
        assert_eq!(
            answer["docs"]["mappings"]["properties"],
            json!({"title": {"type": "text"},
                "meta": {"properties": {"a": {"type": "keyword"}}}})
        );
        assert_eq!(answer["open"]["mappings"]["properties"], props);
        assert!(answer.get("other").is_none());
    }
}
