//! Running pipelines on the write path.
//!
//! As in Elasticsearch, a document reaches its pipelines only after its write was
//! authorized on the named index, and the pipelines' output is what is written. The
//! pipeline is the item's own (`pipeline` in a bulk action line), else the request's
//! `?pipeline=`, else the target index's `index.default_pipeline`; the index's
//! `index.final_pipeline` runs after it. `_none` names no pipeline. A write that auto-creates
//! its index reads those settings from the template the new index will be created from.
//!
//! An update item carries a document to index only when it may create one: Elasticsearch
//! runs the pipelines on its `upsert` document (with the item's or request's pipeline), or,
//! under `doc_as_upsert`, on its partial `doc` (the index's pipelines only: the request's
//! pipeline is attached to the upsert alone). This happens before the shard knows whether
//! the document exists, so a processed `doc` is also what gets merged into an existing one.

use std::collections::HashMap;
use std::sync::Arc;

use rampart_core::write::{BulkItem, WriteOp};
use serde_json::{Map, Value};

use super::pipeline::Pipeline;
use super::security_user::UserFacts;
use super::store;
use crate::authn::Credential;
use crate::data::write::WriteItem;
use crate::error::ApiError;
use crate::routes::Ctx;

/// The pipeline name that means "none".
const NONE: &str = "_none";

/// One request's pipeline runs: compiled pipelines, index settings and the caller's identity
/// are looked up once per request, however many items it has.
#[derive(Debug)]
pub struct IngestSession<'a> {
    ctx: &'a Ctx,
    pipelines: HashMap<String, Arc<Pipeline>>,
    /// Keyed by (the name is a missing target, name).
    index_pipelines: HashMap<(bool, String), IndexPipelines>,
    /// Gathered on first use by a pipeline that writes the caller's identity.
    user: Option<UserFacts>,
    /// What pipelines without such a processor see (they read none of it).
    nobody: UserFacts,
}

/// The pipelines an index's settings name.
#[derive(Debug, Clone, Default)]
struct IndexPipelines {
    default: Option<String>,
    final_: Option<String>,
}

impl<'a> IngestSession<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        IngestSession {
            ctx,
            pipelines: HashMap::new(),
            index_pipelines: HashMap::new(),
            user: None,
            nobody: UserFacts::default(),
        }
    }

    /// The document to write for an authorized `item` after its pipelines ran, or `None`
    /// when no pipeline applies (the item is written as it is). `target` is where the item
    /// lands: its existing concrete index, or the missing name it auto-creates.
    pub fn run(&mut self, item: &WriteItem, target: &BulkItem) -> Result<Option<Value>, ApiError> {
        let Some(body) = &item.body else {
            return Ok(None);
        };
        match item.op {
            WriteOp::Index | WriteOp::Create => {
                let Value::Object(source) = body else {
                    return Ok(None);
                };
                let processed = self.process(source, item.pipeline.as_deref(), target)?;
                Ok(processed.map(Value::Object))
            }
            WriteOp::Update => self.run_update(body, item.pipeline.as_deref(), target),
            WriteOp::Delete => Ok(None),
        }
    }

    /// The update body with its indexable document processed (see the module
    /// documentation), or `None` when it has none or no pipeline applies.
    fn run_update(
        &mut self,
        body: &Value,
        pipeline: Option<&str>,
        target: &BulkItem,
    ) -> Result<Option<Value>, ApiError> {
        let Value::Object(update) = body else {
            return Ok(None);
        };
        let doc_as_upsert = update
            .get("doc_as_upsert")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let (key, pipeline) = if doc_as_upsert {
            ("doc", None)
        } else {
            ("upsert", pipeline)
        };
        let Some(Value::Object(source)) = update.get(key) else {
            return Ok(None);
        };
        let Some(processed) = self.process(source, pipeline, target)? else {
            return Ok(None);
        };
        let mut update = update.clone();
        update.insert(key.to_string(), Value::Object(processed));
        Ok(Some(Value::Object(update)))
    }

    /// Run the request's pipeline (else the index's default) and the index's final pipeline
    /// on `source`; `None` when none applies.
    fn process(
        &mut self,
        source: &Map<String, Value>,
        pipeline: Option<&str>,
        target: &BulkItem,
    ) -> Result<Option<Map<String, Value>>, ApiError> {
        let settings = self.index_pipelines(target)?;
        let first = pipeline.map(String::from).or(settings.default);
        let ids: Vec<String> = [first, settings.final_]
            .into_iter()
            .flatten()
            .filter(|id| id != NONE)
            .collect();
        if ids.is_empty() {
            return Ok(None);
        }
        let mut doc = source.clone();
        for id in ids {
            let pipeline = self.pipeline(&id)?;
            let user = self.user_for(&pipeline)?;
            pipeline.run(&mut doc, user)?;
        }
        Ok(Some(doc))
    }

    fn pipeline(&mut self, id: &str) -> Result<Arc<Pipeline>, ApiError> {
        if let Some(p) = self.pipelines.get(id) {
            return Ok(Arc::clone(p));
        }
        let definition = store::get(self.ctx.state.store.as_ref(), id)?.ok_or_else(|| {
            ApiError::bad_request(format!("pipeline with id [{id}] does not exist"))
        })?;
        // A stored definition compiled when it was put; failing now means the stored data
        // changed under us, which is ours to report, not the client's.
        let pipeline = Arc::new(Pipeline::compile(id, &definition).map_err(|e| {
            ApiError::internal(format!(
                "stored ingest pipeline [{id}] no longer compiles: {e}"
            ))
        })?);
        self.pipelines.insert(id.to_string(), Arc::clone(&pipeline));
        Ok(pipeline)
    }

    fn user_for(&mut self, pipeline: &Pipeline) -> Result<&UserFacts, ApiError> {
        if !pipeline.needs_user() {
            return Ok(&self.nobody);
        }
        if self.user.is_none() {
            self.user = Some(user_facts(self.ctx)?);
        }
        self.user
            .as_ref()
            .ok_or_else(|| ApiError::internal("ingest user facts missing after gathering"))
    }

    /// The pipelines the target index names. Settings that cannot be read fail the item: a
    /// write must not skip a final pipeline (one that sets `user`, say) it cannot see.
    fn index_pipelines(&mut self, target: &BulkItem) -> Result<IndexPipelines, ApiError> {
        let key = match target.concrete.as_deref() {
            Some(index) => (false, index.to_string()),
            None => (true, target.index.clone()),
        };
        if let Some(p) = self.index_pipelines.get(&key) {
            return Ok(p.clone());
        }
        let engine = &self.ctx.state.data;
        let p = if key.0 {
            let settings = engine.auto_create_settings(&key.1)?;
            IndexPipelines {
                default: settings.get("index.default_pipeline").cloned(),
                final_: settings.get("index.final_pipeline").cloned(),
            }
        } else {
            let settings = engine.get_settings(&key.1)?;
            let read = |name: &str| -> Option<String> {
                let s = settings.get("settings")?;
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
        };
        self.index_pipelines.insert(key, p.clone());
        Ok(p)
    }
}

/// The caller's identity; for an API key, its stored record supplies the key's metadata and
/// its creator's realm.
pub fn user_facts(ctx: &Ctx) -> Result<UserFacts, ApiError> {
    if !crate::security_disabled::security_enabled(&ctx.state.settings).unwrap_or(true) {
        return Err(ApiError::new(
            400,
            "illegal_state_exception",
            "Security (authentication) is not enabled on this cluster, so there is no active user. \
             The [set_security_user] processor cannot be used without security",
        ));
    }
    let record = match &ctx.auth.credential {
        Credential::ApiKey(key) => ctx
            .state
            .store
            .get_api_key(&key.id)
            .map_err(ApiError::internal)?,
        _ => None,
    };
    Ok(UserFacts::of(&ctx.auth, record.as_ref()))
}
