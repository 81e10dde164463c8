//! Document APIs: index/create, delete, update (partial doc, upsert), get, and the write-target
//! resolution (alias write index, data stream write index, auto-create).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::Engine;
use super::batch::Pending;
use crate::cluster::normalize_settings;
use crate::error::{Result, SearchError};
use crate::shard::{DocVersion, OpType, StoredDoc, WriteConditions, WriteKind, WriteOutcome};

/// Asked with the concrete index before a write updates that index's mapping (new fields,
/// or the root mapping of a first document): Elasticsearch authorizes such dynamic updates
/// as `indices:admin/mapping/auto_put` when the shard applies them, after an auto-created
/// target exists and for the document an update actually writes. An `Err` refuses the
/// write before anything changed.
pub type MappingGate<'a> = dyn FnMut(&str) -> Result<()> + 'a;

/// The `refresh` parameter of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refresh {
    #[default]
    False,
    True,
    WaitFor,
}

/// Where a write to a name goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteTarget {
    /// An existing concrete index (directly, or an alias's/data stream's write index).
    Index(String),
    /// The name does not exist: a plain index would be auto-created.
    AutoCreateIndex(String),
    /// The name does not exist and a data-stream template matches it.
    AutoCreateDataStream(String),
}

/// What a write did, for the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocWrite {
    pub index: String,
    pub id: String,
    pub outcome: WriteOutcome,
    pub forced_refresh: bool,
}

impl DocWrite {
    pub fn result(&self) -> &'static str {
        self.outcome.kind.as_str()
    }
    pub fn version(&self) -> DocVersion {
        self.outcome.version
    }
}

/// A parsed `_update` body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateRequest {
    pub doc: Option<Value>,
    pub upsert: Option<Value>,
    pub doc_as_upsert: bool,
    pub detect_noop: bool,
}

impl UpdateRequest {
    /// Parse an `_update` body; scripts are refused with a clear 400.
    pub fn parse(body: &Value) -> Result<Self> {
        let Some(obj) = body.as_object() else {
            return Err(SearchError::Parsing("request body is required".into()));
        };
        let mut req = UpdateRequest {
            detect_noop: true,
            ..UpdateRequest::default()
        };
        for (k, v) in obj {
            match k.as_str() {
                "doc" => req.doc = Some(v.clone()),
                "upsert" => req.upsert = Some(v.clone()),
                "doc_as_upsert" => req.doc_as_upsert = v.as_bool().unwrap_or(false),
                "detect_noop" => req.detect_noop = v.as_bool().unwrap_or(true),
                "_source" => {}
                "script" | "scripted_upsert" => {
                    return Err(SearchError::IllegalArgument(
                        "scripts are not supported by this server; use a partial [doc] instead"
                            .into(),
                    ));
                }
                other => {
                    return Err(SearchError::Parsing(format!(
                        "[UpdateRequest] unknown field [{other}]"
                    )));
                }
            }
        }
        if req.doc.is_none() && req.upsert.is_none() {
            return Err(SearchError::IllegalArgument(
                "Validation Failed: 1: script or doc is missing;".into(),
            ));
        }
        Ok(req)
    }
}

impl Engine {
    /// Resolve the index a write to `name` goes to.
    pub fn write_target(&self, name: &str) -> Result<WriteTarget> {
        let state = self.state();
        if let Some(meta) = state.indices.get(name) {
            if meta.closed {
                return Err(SearchError::IndexClosed {
                    index: name.to_string(),
                });
            }
            return Ok(WriteTarget::Index(name.to_string()));
        }
        if let Some(ds) = state.data_streams.get(name) {
            let idx = ds
                .indices
                .last()
                .cloned()
                .ok_or_else(|| SearchError::not_found(name))?;
            return Ok(WriteTarget::Index(idx));
        }
        if state.name_kind(name) == Some("alias") {
            return state
                .alias_write_index(name)
                .map(WriteTarget::Index)
                .ok_or_else(|| {
                    SearchError::IllegalArgument(format!(
                        "no write index is defined for alias [{name}]. The write index may be \
                     explicitly disabled using is_write_index=false or the alias points to \
                     multiple indices without one being designated as a write index"
                    ))
                });
        }
        match state.matching_template(name) {
            Some((_, t)) if t.data_stream.is_some() => {
                Ok(WriteTarget::AutoCreateDataStream(name.to_string()))
            }
            _ => Ok(WriteTarget::AutoCreateIndex(name.to_string())),
        }
    }

    /// The flat `index.*` settings an index auto-created by a write to the missing `name`
    /// takes from its matching template (for a data stream, its backing indices'); empty
    /// when no template matches.
    pub fn auto_create_settings(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let state = self.state();
        let Some((_, template)) = state.matching_template(name) else {
            return Ok(BTreeMap::new());
        };
        match &template.settings {
            Some(settings) => normalize_settings(settings),
            None => Ok(BTreeMap::new()),
        }
    }

    /// The concrete index for a write, auto-creating it (or its data stream) when missing.
    fn ensure_target(&self, name: &str, op: OpType) -> Result<String> {
        let is_stream = self.state().data_streams.contains_key(name);
        if is_stream && op != OpType::Create {
            return Err(SearchError::IllegalArgument(
                "only write ops with an op_type of create are allowed in data streams".into(),
            ));
        }
        // A lazy rollover (`_rollover?lazy`) happens on the stream's next write, which then
        // goes to the new write index.
        if let Some(index) = self.roll_over_pending(name)? {
            return Ok(index);
        }
        match self.write_target(name)? {
            WriteTarget::Index(i) => Ok(i),
            WriteTarget::AutoCreateIndex(i) => {
                match self.create_index_inner(&i, &Map::new(), None) {
                    Ok(()) | Err(SearchError::IndexAlreadyExists { .. }) => Ok(i),
                    Err(e) => Err(e),
                }
            }
            WriteTarget::AutoCreateDataStream(ds) => {
                if op != OpType::Create {
                    return Err(SearchError::IllegalArgument(
                        "only write ops with an op_type of create are allowed in data streams"
                            .into(),
                    ));
                }
                match self.create_data_stream(&ds) {
                    Ok(()) | Err(SearchError::ResourceAlreadyExists(_)) => {}
                    Err(e) => return Err(e),
                }
                match self.write_target(&ds)? {
                    WriteTarget::Index(i) => Ok(i),
                    _ => Err(SearchError::not_found(&ds)),
                }
            }
        }
    }

    /// Index a document (`id: None` = auto id, which implies create). Durable (translog
    /// fsynced) when this returns.
    pub fn index_doc(
        &self,
        target: &str,
        id: Option<&str>,
        source: &Value,
        op: OpType,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let mut pending = Pending::default();
        let write = self.index_doc_in(&mut pending, None, target, id, source, op, cond);
        pending.sync()?;
        let write = write?;
        self.after_write(write, refresh)
    }

    #[allow(clippy::too_many_arguments)] // the write's parts, as the public API takes them
    pub(crate) fn index_doc_in(
        &self,
        pending: &mut Pending,
        gate: Option<&mut MappingGate<'_>>,
        target: &str,
        id: Option<&str>,
        source: &Value,
        op: OpType,
        cond: WriteConditions,
    ) -> Result<DocWrite> {
        let index = self.ensure_target(target, op)?;
        if let Some(ds) = self
            .state()
            .indices
            .get(&index)
            .and_then(|m| m.data_stream.clone())
            && source.get("@timestamp").is_none()
        {
            return Err(SearchError::IllegalArgument(format!(
                "data stream timestamp field [@timestamp] is missing (data stream [{ds}])"
            )));
        }
        let (id, op) = match id {
            Some("") => {
                return Err(SearchError::IllegalArgument(
                    "if _id is specified it must not be empty".into(),
                ));
            }
            Some(id) if id.len() > 512 => {
                return Err(SearchError::IllegalArgument(format!(
                    "id [{id}] is too long, must be no longer than 512 bytes but was: {}",
                    id.len()
                )));
            }
            Some(id) => (id.to_string(), op),
            None => (new_id(), OpType::Create),
        };
        let outcome = self.write_converted(pending, gate, &index, &id, source, op, cond)?;
        Ok(DocWrite {
            index,
            id,
            outcome,
            forced_refresh: false,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn write_converted(
        &self,
        pending: &mut Pending,
        gate: Option<&mut MappingGate<'_>>,
        index: &str,
        id: &str,
        source: &Value,
        op: OpType,
        cond: WriteConditions,
    ) -> Result<WriteOutcome> {
        let (shard, mapping) = self.shard(index)?;
        let converted = mapping.convert(id, source)?;
        if !converted.new_fields.is_empty() || mapping.creates_root() {
            if let Some(gate) = gate {
                gate(index)?;
            }
            self.mutate(|state| {
                if let Some(meta) = state.indices.get_mut(index) {
                    let mut m = (*meta.mapping).clone();
                    m.add_fields(&converted.new_fields)?;
                    meta.mapping = Arc::new(m);
                }
                Ok(())
            })?;
        }
        pending.touch(&shard, self.durability(index));
        shard.index(id, source, &converted, op, cond)
    }

    /// Apply the write's `refresh` parameter.
    pub(crate) fn after_write(&self, mut write: DocWrite, refresh: Refresh) -> Result<DocWrite> {
        if write.outcome.kind == WriteKind::Noop {
            return Ok(write);
        }
        match refresh {
            Refresh::False => {}
            Refresh::True => {
                self.shard(&write.index)?.0.refresh()?;
                write.forced_refresh = true;
            }
            Refresh::WaitFor => {
                self.shard(&write.index)?.0.refresh()?;
            }
        }
        Ok(write)
    }

    /// Delete a document from a concrete index (or an alias's write index). Durable when
    /// this returns.
    pub fn delete_doc(
        &self,
        target: &str,
        id: &str,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let mut pending = Pending::default();
        let write = self.delete_doc_in(&mut pending, target, id, cond);
        pending.sync()?;
        let write = write?;
        self.after_write(write, refresh)
    }

    pub(crate) fn delete_doc_in(
        &self,
        pending: &mut Pending,
        target: &str,
        id: &str,
        cond: WriteConditions,
    ) -> Result<DocWrite> {
        let index = match self.write_target(target)? {
            WriteTarget::Index(i) => i,
            _ => return Err(SearchError::not_found(target)),
        };
        let (shard, _) = self.shard(&index)?;
        pending.touch(&shard, self.durability(&index));
        let outcome = shard.delete(id, cond)?;
        Ok(DocWrite {
            index,
            id: id.to_string(),
            outcome,
            forced_refresh: false,
        })
    }

    /// `_update` with a partial document and/or upsert. Durable when this returns.
    pub fn update_doc(
        &self,
        target: &str,
        id: &str,
        req: &UpdateRequest,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let mut pending = Pending::default();
        let write = self.update_doc_in(&mut pending, None, target, id, req, cond);
        pending.sync()?;
        let write = write?;
        self.after_write(write, refresh)
    }

    pub(crate) fn update_doc_in(
        &self,
        pending: &mut Pending,
        gate: Option<&mut MappingGate<'_>>,
        target: &str,
        id: &str,
        req: &UpdateRequest,
        cond: WriteConditions,
    ) -> Result<DocWrite> {
        let index = self.ensure_target(target, OpType::Index)?;
        let (shard, _) = self.shard(&index)?;
        let current = shard.current_doc(id)?;
        let (source, expect) = match current {
            Some((version, mut existing)) => {
                let Some(doc) = &req.doc else {
                    return Err(SearchError::IllegalArgument(
                        "Validation Failed: 1: script or doc is missing;".into(),
                    ));
                };
                let before = existing.clone();
                merge(&mut existing, doc);
                if req.detect_noop && existing == before {
                    return Ok(DocWrite {
                        index,
                        id: id.to_string(),
                        outcome: WriteOutcome {
                            kind: WriteKind::Noop,
                            version,
                        },
                        forced_refresh: false,
                    });
                }
                (existing, Some(version))
            }
            None => {
                let source = match (&req.upsert, req.doc_as_upsert, &req.doc) {
                    (Some(u), _, _) => u.clone(),
                    (None, true, Some(d)) => d.clone(),
                    _ => return Err(SearchError::DocumentMissing { id: id.to_string() }),
                };
                (source, None)
            }
        };
        // Between reading and writing, another writer may have won: condition on what we read.
        let cond = match expect {
            Some(v) if cond.if_seq_no.is_none() => WriteConditions {
                if_seq_no: Some(v.seq_no),
                if_primary_term: Some(v.primary_term),
                ..cond
            },
            _ => cond,
        };
        let op = if expect.is_none() {
            OpType::Create
        } else {
            OpType::Index
        };
        let outcome = self.write_converted(pending, gate, &index, id, &source, op, cond)?;
        Ok(DocWrite {
            index,
            id: id.to_string(),
            outcome,
            forced_refresh: false,
        })
    }

    /// GET a document from a concrete index.
    pub fn get_doc(&self, index: &str, id: &str, realtime: bool) -> Result<Option<StoredDoc>> {
        self.shard(index)?.0.get(id, realtime)
    }
}

/// Elasticsearch's partial-document merge: objects merge recursively, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// A 20-character URL-safe id, like Elasticsearch's auto ids.
fn new_id() -> String {
    let raw = uuid::Uuid::new_v4().simple().to_string();
    raw.chars().take(20).collect()
}
