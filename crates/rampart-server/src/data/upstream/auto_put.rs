//! `indices:admin/mapping/auto_put` in gateway mode (docs/writes.md, step 5). The upstream
//! applies mapping updates with the gateway's own credentials, so the gateway decides before
//! forwarding: an allowed write item whose caller lacks `auto_put` on the concrete index it
//! lands in (`EffectiveRole::authorize_auto_put`, the embedded plane's rule) is refused with
//! that denial when its document would update the index's mapping upstream
//! (`would_update_mapping` against `GET /{index}/_mapping`, cached per metadata snapshot).
//! A target the write auto-creates is judged by the index template it will be created from
//! (a data stream's backing index, or a plain index). Whatever cannot be read fails closed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::Method;
use rampart_core::resolve::{DataStreamSpec, IndexMetadata, IndexSpec, simple_match};
use rampart_core::write::{BulkItem, ItemFailure, WriteOp};
use rampart_gateway::UpstreamRequest;
use serde_json::{Map, Value};

use super::auto_put_ingest::{self, IndexPipelines};
use super::mapping_update::document_fields_update;
use crate::data::write::WriteItem;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::routes::Ctx;

/// Where a write item's mapping update would happen, as far as authorization is concerned.
enum Landing {
    /// An existing concrete index, with the metadata that knows it.
    Existing(String),
    /// A target the write auto-creates.
    Created(String),
}

/// Refuses (in `failures`) every allowed item whose caller lacks `auto_put` where the item
/// would update a mapping. `resolved` and `failures` are `authorize_items`' answers.
pub(super) async fn check(
    gateway: &Gateway,
    ctx: &Ctx,
    items: &[WriteItem],
    resolved: &[BulkItem],
    failures: &mut [Option<ItemFailure>],
    meta: &Arc<IndexMetadata>,
) -> Result<(), ApiError> {
    // The caller's denial per landing index (`None` = allowed), asked once per request.
    let mut denials: HashMap<String, Option<String>> = HashMap::new();
    for ((item, bulk), slot) in items.iter().zip(resolved).zip(failures.iter_mut()) {
        if slot.is_some() || item.op == WriteOp::Delete {
            continue;
        }
        let landing = match &bulk.concrete {
            Some(concrete) => Landing::Existing(concrete.clone()),
            None => Landing::Created(bulk.index.clone()),
        };
        let failure = match landing {
            Landing::Existing(index) => {
                let denial = match denials.get(&index) {
                    Some(known) => known.clone(),
                    None => {
                        let denial = denial_on(ctx, &index, meta)?;
                        denials.insert(index.clone(), denial.clone());
                        denial
                    }
                };
                match denial {
                    None => None,
                    Some(message) => {
                        let mapping = mapping_of(gateway, meta, &index).await;
                        let pipelines = auto_put_ingest::of_index(gateway, meta, &index).await;
                        let judged = Judged {
                            index: &index,
                            exists: true,
                            mapping: mapping.as_deref(),
                            pipelines: pipelines.as_ref(),
                        };
                        refusal(gateway, item, judged, message).await
                    }
                }
            }
            Landing::Created(name) => created(gateway, ctx, item, &name, meta).await?,
        };
        *slot = failure;
    }
    Ok(())
}

/// The caller's `auto_put` denial message on `index` under `meta`, if denied.
fn denial_on(ctx: &Ctx, index: &str, meta: &IndexMetadata) -> Result<Option<String>, ApiError> {
    let decision = ctx.role.authorize_auto_put(&ctx.subject, index, meta)?;
    Ok(decision.decision.denial().map(|d| d.message().to_owned()))
}

fn forbidden(message: String) -> ItemFailure {
    ItemFailure {
        status: 403,
        es_type: "security_exception",
        reason: message,
    }
}

/// What an item is judged against: its landing index (`exists: false` for a target the write
/// creates, which holds no document), the index's mapping and pipelines (`None`: unreadable,
/// which fails closed).
struct Judged<'a> {
    index: &'a str,
    exists: bool,
    mapping: Option<&'a Value>,
    pipelines: Option<&'a IndexPipelines>,
}

/// The item's refusal when the document it writes (after the ingest pipelines) would update
/// the mapping. An update whose answer depends on whether its document exists asks the
/// upstream.
async fn refusal(
    gateway: &Gateway,
    item: &WriteItem,
    judged: Judged<'_>,
    message: String,
) -> Option<ItemFailure> {
    let (Some(mapping), Some(pipelines)) = (judged.mapping, judged.pipelines) else {
        return Some(forbidden(message));
    };
    let item = match auto_put_ingest::processed(gateway, judged.index, item, pipelines).await {
        Ok(Some(item)) => item,
        Ok(None) => return None,
        Err(()) => return Some(forbidden(message)),
    };
    let updates = document_fields_update(&item, mapping);
    let refused = match updates.regardless() {
        Some(refused) => refused,
        None => match judged.exists.then_some(judged.index) {
            None => updates.if_missing,
            Some(index) => match exists(gateway, index, item.id.as_deref()).await {
                Some(true) => updates.if_exists,
                Some(false) => updates.if_missing,
                None => true,
            },
        },
    };
    refused.then(|| forbidden(message))
}

/// Whether document `id` exists in `index` upstream; `None` when that cannot be read.
async fn exists(gateway: &Gateway, index: &str, id: Option<&str>) -> Option<bool> {
    let id = id?;
    let request = UpstreamRequest::new(Method::GET, &[index, "_doc", id])
        .param("_source", "false")
        .idempotent();
    match gateway.upstream.send(&request).await {
        Ok(answer) if answer.status == 200 => Some(true),
        Ok(answer) if answer.status == 404 => Some(false),
        Ok(answer) => {
            tracing::warn!(
                status = answer.status,
                index,
                "cannot tell whether a document exists"
            );
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, index, "cannot tell whether a document exists");
            None
        }
    }
}

/// An auto-created target: a data stream when the template it matches says so (its backing
/// index is born with the template's mappings and `@timestamp`, and write privileges do not
/// grant `auto_put` there), otherwise a plain index with the template's mappings, if any.
async fn created(
    gateway: &Gateway,
    ctx: &Ctx,
    item: &WriteItem,
    name: &str,
    meta: &Arc<IndexMetadata>,
) -> Result<Option<ItemFailure>, ApiError> {
    let as_index = denial_on(ctx, name, &IndexMetadata::default())?;
    let backing = rampart_search::backing_name(name, 1);
    let stream = IndexMetadata::builder()
        .index(IndexSpec::new(&backing).hidden())
        .data_stream(DataStreamSpec::new(name).backing_index(&backing))
        .build();
    let as_stream = match stream {
        Ok(stream) => denial_on(ctx, &backing, &stream)?,
        // A name that cannot stand for a data stream cannot become one.
        Err(_) => None,
    };
    if as_index.is_none() && as_stream.is_none() {
        return Ok(None);
    }
    let Some(templates) = templates(gateway, meta).await else {
        let message = as_index.or(as_stream).unwrap_or_default();
        return Ok(Some(forbidden(message)));
    };
    let template = matching_template(&templates, name);
    let is_stream = template.is_some_and(|t| t.get("data_stream").is_some());
    let mut mapping = template
        .and_then(|t| t.pointer("/template/mappings"))
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let denial = if is_stream {
        // Backing indices are born with `@timestamp` mapped as a date.
        if let Some(root) = mapping.as_object_mut() {
            let properties = root
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(properties) = properties.as_object_mut() {
                properties
                    .entry("@timestamp")
                    .or_insert_with(|| serde_json::json!({"type": "date"}));
            }
        }
        as_stream
    } else {
        as_index
    };
    let pipelines =
        IndexPipelines::from_settings(template.and_then(|t| t.pointer("/template/settings")));
    let Some(message) = denial else {
        return Ok(None);
    };
    let judged = Judged {
        index: name,
        exists: false,
        mapping: Some(&mapping),
        pipelines: Some(&pipelines),
    };
    Ok(refusal(gateway, item, judged, message).await)
}

/// The composable template a new index named `name` is created from: the matching one with
/// the highest priority.
fn matching_template<'a>(templates: &'a Value, name: &str) -> Option<&'a Value> {
    let list = templates.get("index_templates").and_then(Value::as_array)?;
    list.iter()
        .filter_map(|t| t.get("index_template"))
        .filter(|t| {
            t.get("index_patterns")
                .and_then(Value::as_array)
                .is_some_and(|ps| {
                    ps.iter()
                        .filter_map(Value::as_str)
                        .any(|p| simple_match(p, name))
                })
        })
        .max_by_key(|t| t.get("priority").and_then(Value::as_i64).unwrap_or(0))
}

const TEMPLATES_KEY: &str = "auto_put:templates";

/// The upstream's composable index templates, `None` when they cannot be read.
async fn templates(gateway: &Gateway, meta: &Arc<IndexMetadata>) -> Option<Arc<Value>> {
    if let Some(known) = gateway.metadata.derived(meta, TEMPLATES_KEY) {
        return Some(known);
    }
    let request = UpstreamRequest::new(Method::GET, &["_index_template"]).idempotent();
    let answer = gateway.upstream.send(&request).await;
    let value = match answer.map(|a| (a.status, a.body)) {
        Ok((200, body)) => body,
        // No template at all.
        Ok((404, _)) => serde_json::json!({"index_templates": []}),
        Ok((status, _)) => {
            tracing::warn!(status, "cannot read the upstream's index templates");
            return None;
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the upstream's index templates");
            return None;
        }
    };
    let value = Arc::new(value);
    gateway
        .metadata
        .remember(meta, TEMPLATES_KEY, Arc::clone(&value));
    Some(value)
}

/// The upstream's current mapping of the concrete index `index` (its `mappings` object; an
/// empty one for a missing index), `None` when it cannot be read.
async fn mapping_of(
    gateway: &Gateway,
    meta: &Arc<IndexMetadata>,
    index: &str,
) -> Option<Arc<Value>> {
    let key = format!("auto_put:mapping:{index}");
    if let Some(known) = gateway.metadata.derived(meta, &key) {
        return Some(known);
    }
    let request = UpstreamRequest::new(Method::GET, &[index, "_mapping"]).idempotent();
    let answer = gateway.upstream.send(&request).await;
    let mapping = match answer.map(|a| (a.status, a.body)) {
        Ok((200, body)) => body
            .as_object()
            .and_then(|indices| indices.values().next())
            .and_then(|entry| entry.get("mappings"))
            .cloned(),
        // The index went away: its next document creates it, and its mapping.
        Ok((404, _)) => Some(Value::Object(Map::new())),
        Ok((status, _)) => {
            tracing::warn!(status, index, "cannot read the upstream's mapping");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, index, "cannot read the upstream's mapping");
            None
        }
    };
    let mapping = Arc::new(mapping?);
    gateway.metadata.remember(meta, &key, Arc::clone(&mapping));
    Some(mapping)
}
