//! The document an index or create item writes after the upstream's ingest pipelines, for
//! the `auto_put` check (`auto_put.rs`): the shard judges the processed document, so the
//! gateway asks the upstream to simulate the pipelines the item will run — its own
//! `pipeline` (or `?pipeline=`), else the index's `index.default_pipeline`, then its
//! `index.final_pipeline` (`_none` runs none). An update runs them on the document it would
//! create: its `upsert`, or its `doc` under `doc_as_upsert`, as the embedded plane does.

use std::sync::Arc;

use axum::http::Method;
use rampart_core::resolve::IndexMetadata;
use rampart_core::write::WriteOp;
use rampart_gateway::UpstreamRequest;
use serde_json::{Value, json};

use crate::data::write::WriteItem;
use crate::gateway::Gateway;

/// An index's default and final pipelines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct IndexPipelines {
    pub default: Option<String>,
    pub final_: Option<String>,
}

impl IndexPipelines {
    /// From an index's (or a template's) `settings` object, nested or flat.
    pub fn from_settings(settings: Option<&Value>) -> Self {
        let read = |name: &str| -> Option<String> {
            let s = settings?;
            s.get("index")
                .and_then(|i| i.get(name))
                .or_else(|| s.get(format!("index.{name}")))
                .and_then(Value::as_str)
                .map(String::from)
        };
        IndexPipelines {
            default: read("default_pipeline"),
            final_: read("final_pipeline"),
        }
    }

    /// The pipelines an item runs, in order.
    fn for_item(&self, item: &WriteItem) -> Vec<String> {
        let first = item.pipeline.clone().or_else(|| self.default.clone());
        [first, self.final_.clone()]
            .into_iter()
            .flatten()
            .filter(|p| p != "_none")
            .collect()
    }
}

/// The pipelines of the existing index `index`, `None` when its settings cannot be read.
pub(super) async fn of_index(
    gateway: &Gateway,
    meta: &Arc<IndexMetadata>,
    index: &str,
) -> Option<IndexPipelines> {
    let key = format!("auto_put:settings:{index}");
    let settings = match gateway.metadata.derived(meta, &key) {
        Some(known) => known,
        None => {
            let request = UpstreamRequest::new(Method::GET, &[index, "_settings"]).idempotent();
            let answer = gateway.upstream.send(&request).await;
            let body = match answer {
                Ok(a) if a.status == 200 => a.body,
                // A missing index has no pipelines; its next write creates it.
                Ok(a) if a.status == 404 => json!({}),
                Ok(a) => {
                    tracing::warn!(
                        status = a.status,
                        index,
                        "cannot read the upstream's settings"
                    );
                    return None;
                }
                Err(e) => {
                    tracing::warn!(error = %e, index, "cannot read the upstream's settings");
                    return None;
                }
            };
            let settings = Arc::new(
                body.as_object()
                    .and_then(|o| o.values().next())
                    .and_then(|e| e.get("settings"))
                    .cloned()
                    .unwrap_or(Value::Null),
            );
            gateway.metadata.remember(meta, &key, Arc::clone(&settings));
            settings
        }
    };
    Some(IndexPipelines::from_settings(Some(&settings)))
}

/// What the item writes after its pipelines: `Ok(Some(item))` with the processed document,
/// `Ok(None)` when a pipeline drops it, `Err(())` when the upstream's simulation fails or
/// cannot be read (the caller fails closed). Updates are returned unchanged.
pub(super) async fn processed(
    gateway: &Gateway,
    index: &str,
    item: &WriteItem,
    pipelines: &IndexPipelines,
) -> Result<Option<WriteItem>, ()> {
    let names = pipelines.for_item(item);
    if names.is_empty() {
        return Ok(Some(item.clone()));
    }
    let id = item.id.as_deref().unwrap_or("_id");
    match item.op {
        WriteOp::Index | WriteOp::Create => {
            let source = item.body.clone().unwrap_or_else(|| json!({}));
            Ok(simulate(gateway, index, id, source, &names)
                .await?
                .map(|source| WriteItem {
                    body: Some(source),
                    ..item.clone()
                }))
        }
        WriteOp::Update => {
            let Some(mut body) = item.body.clone() else {
                return Ok(Some(item.clone()));
            };
            let key = if body.get("upsert").is_some() {
                "upsert"
            } else if body.get("doc_as_upsert") == Some(&Value::Bool(true)) {
                "doc"
            } else {
                return Ok(Some(item.clone()));
            };
            let Some(created) = body.get(key).cloned() else {
                return Ok(Some(item.clone()));
            };
            // A pipeline that drops the created document leaves the update judged as sent,
            // which refuses rather than allows.
            if let Some(processed) = simulate(gateway, index, id, created, &names).await? {
                if let Some(slot) = body.get_mut(key) {
                    *slot = processed;
                }
            }
            Ok(Some(WriteItem {
                body: Some(body),
                ..item.clone()
            }))
        }
        _ => Ok(Some(item.clone())),
    }
}

/// `source` after the pipelines `names`, simulated upstream; `None` when one drops it,
/// `Err` when a simulation fails (the caller fails closed).
async fn simulate(
    gateway: &Gateway,
    index: &str,
    id: &str,
    mut source: Value,
    names: &[String],
) -> Result<Option<Value>, ()> {
    for pipeline in names {
        let doc = json!({"_index": index, "_id": id, "_source": source});
        let request = UpstreamRequest::new(
            Method::POST,
            &["_ingest", "pipeline", pipeline, "_simulate"],
        )
        .json(json!({"docs": [doc]}))
        .idempotent();
        let answer = match gateway.upstream.send(&request).await {
            Ok(a) if a.status == 200 => a.body,
            Ok(a) => {
                tracing::warn!(
                    status = a.status,
                    pipeline,
                    "cannot simulate an ingest pipeline"
                );
                return Err(());
            }
            Err(e) => {
                tracing::warn!(error = %e, pipeline, "cannot simulate an ingest pipeline");
                return Err(());
            }
        };
        let result = answer.pointer("/docs/0").cloned().unwrap_or(Value::Null);
        if result.get("error").is_some() {
            return Err(());
        }
        match result.pointer("/doc/_source") {
            Some(processed) => source = processed.clone(),
            // Dropped: nothing is written.
            None => return Ok(None),
        }
    }
    Ok(Some(source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_search::WriteConditions;

    fn item(pipeline: Option<&str>) -> WriteItem {
        WriteItem {
            index: "i".into(),
            id: None,
            op: WriteOp::Create,
            body: Some(json!({})),
            cond: WriteConditions::default(),
            pipeline: pipeline.map(String::from),
        }
    }

    #[test]
    fn the_item_pipeline_replaces_the_default_and_the_final_one_always_runs() {
        let nested = json!({"index": {"default_pipeline": "d", "final_pipeline": "f"}});
        let p = IndexPipelines::from_settings(Some(&nested));
        assert_eq!(p.for_item(&item(None)), ["d", "f"]);
        assert_eq!(p.for_item(&item(Some("own"))), ["own", "f"]);
        assert_eq!(p.for_item(&item(Some("_none"))), ["f"]);
        let flat = json!({"index.default_pipeline": "d"});
        assert_eq!(
            IndexPipelines::from_settings(Some(&flat)).for_item(&item(None)),
            ["d"]
        );
        assert!(
            IndexPipelines::from_settings(None)
                .for_item(&item(None))
                .is_empty()
        );
    }
}
