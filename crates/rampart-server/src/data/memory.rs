//! An in-memory document engine over the naive evaluator: every search is a scan that filters
//! each document by its index's restriction, then the query. Used until the tantivy engine
//! (`rampart-search`) is wired in, and as the reference the oracle tests compare against.
//! Nothing is persisted.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use rampart_core::resolve::{AliasSpec, IndexMetadata, IndexSpec};
use rampart_query::{Query, SearchRequest};
use serde_json::{Map, Value, json};

use super::engine::{AliasAction, Doc, DocumentEngine, WriteResult};
use super::naive;
use super::restrict::Restriction;
use super::search_exec;
use crate::error::ApiError;

#[derive(Debug, Clone, Default)]
struct Index {
    open: bool,
    mappings: Map<String, Value>,
    settings: Map<String, Value>,
    /// alias name → (filter, is_write_index)
    aliases: BTreeMap<String, (Option<Value>, Option<bool>)>,
    docs: BTreeMap<String, Doc>,
    next_seq_no: u64,
}

#[derive(Debug, Default)]
struct Inner {
    indices: BTreeMap<String, Index>,
    next_auto_id: u64,
    meta: Arc<IndexMetadata>,
}

/// The in-memory engine.
#[derive(Debug, Default)]
pub struct MemoryEngine {
    inner: RwLock<Inner>,
}

fn lock_error() -> ApiError {
    ApiError::internal("document engine lock poisoned")
}

pub(crate) fn index_not_found(name: &str) -> ApiError {
    ApiError::new(
        404,
        "index_not_found_exception",
        format!("no such index [{name}]"),
    )
    .with_meta("index", json!(name))
    .with_meta("resource.type", json!("index_or_alias"))
    .with_meta("resource.id", json!(name))
}

fn rebuild(indices: &BTreeMap<String, Index>) -> Result<IndexMetadata, ApiError> {
    let mut builder = IndexMetadata::builder();
    let mut aliases: BTreeMap<&str, AliasSpec> = BTreeMap::new();
    for (name, index) in indices {
        let hidden = index.settings.get("index.hidden").and_then(Value::as_str) == Some("true")
            || index.settings.get("index.hidden") == Some(&Value::Bool(true));
        let mut spec = IndexSpec::new(name.as_str());
        if hidden {
            spec = spec.hidden();
        }
        if !index.open {
            spec = spec.closed();
        }
        builder = builder.index(spec);
        for (alias, (_, write)) in &index.aliases {
            let entry = aliases
                .remove(alias.as_str())
                .unwrap_or_else(|| AliasSpec::new(alias.as_str()));
            let entry = if *write == Some(true) {
                entry.write_target(name.as_str())
            } else {
                entry.target(name.as_str())
            };
            aliases.insert(alias.as_str(), entry);
        }
    }
    for spec in aliases.into_values() {
        builder = builder.alias(spec);
    }
    builder.build().map_err(ApiError::internal)
}

impl MemoryEngine {
    pub fn new() -> Self {
        Self::default()
    }

    fn write<T>(&self, f: impl FnOnce(&mut Inner) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut inner = self.inner.write().map_err(|_| lock_error())?;
        let out = f(&mut inner)?;
        inner.meta = Arc::new(rebuild(&inner.indices)?);
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Inner) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let inner = self.inner.read().map_err(|_| lock_error())?;
        f(&inner)
    }

    fn with_index<T>(&self, name: &str, f: impl FnOnce(&Index) -> T) -> Result<T, ApiError> {
        self.read(|inner| {
            inner
                .indices
                .get(name)
                .map(f)
                .ok_or_else(|| index_not_found(name))
        })
    }
}

fn flatten_settings(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_settings(&key, child, out);
            }
        }
        other => {
            let key = if prefix.starts_with("index.") || prefix.is_empty() {
                prefix.to_string()
            } else {
                format!("index.{prefix}")
            };
            let text = match other {
                Value::String(s) => Value::String(s.clone()),
                other => Value::String(other.to_string()),
            };
            out.insert(key, text);
        }
    }
}

/// A dynamic mapping entry for a JSON value (text + keyword, long, double, boolean, object).
fn dynamic_mapping(v: &Value) -> Option<Value> {
    Some(match v {
        Value::String(_) => {
            json!({"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}})
        }
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "long"}),
        Value::Number(_) => json!({"type": "float"}),
        Value::Array(items) => return items.iter().find_map(dynamic_mapping),
        Value::Object(map) => {
            let mut props = Map::new();
            for (k, child) in map {
                if let Some(m) = dynamic_mapping(child) {
                    props.insert(k.clone(), m);
                }
            }
            json!({"properties": props})
        }
        Value::Null => return None,
    })
}

fn merge_mapping(props: &mut Map<String, Value>, source: &Value) {
    let Some(Value::Object(new)) =
        dynamic_mapping(source).and_then(|m| m.get("properties").cloned())
    else {
        return;
    };
    for (k, v) in new {
        match (props.get_mut(&k), &v) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                if let (Some(Value::Object(ep)), Some(ip)) =
                    (existing.get_mut("properties"), incoming.get("properties"))
                {
                    merge_mapping(ep, &json!({}));
                    for (ik, iv) in ip.as_object().into_iter().flatten() {
                        ep.entry(ik.clone()).or_insert_with(|| iv.clone());
                    }
                }
            }
            _ => {
                props.entry(k).or_insert(v);
            }
        }
    }
}

impl DocumentEngine for MemoryEngine {
    fn metadata(&self) -> Arc<IndexMetadata> {
        self.inner
            .read()
            .map(|i| Arc::clone(&i.meta))
            .unwrap_or_default()
    }

    fn create_index(&self, name: &str, body: &Value) -> Result<(), ApiError> {
        self.write(|inner| {
            if inner.indices.contains_key(name) || inner.meta.contains(name) {
                return Err(ApiError::new(
                    400,
                    "resource_already_exists_exception",
                    format!("index [{name}/{}] already exists", uuid_of(name)),
                )
                .with_meta("index", json!(name)));
            }
            let mut index = Index {
                open: true,
                ..Default::default()
            };
            if let Some(settings) = body.get("settings") {
                flatten_settings("", settings, &mut index.settings);
            }
            if let Some(Value::Object(props)) = body.pointer("/mappings/properties") {
                index.mappings = props.clone();
            }
            if let Some(Value::Object(aliases)) = body.get("aliases") {
                for (alias, spec) in aliases {
                    let write = spec.get("is_write_index").and_then(Value::as_bool);
                    index
                        .aliases
                        .insert(alias.clone(), (spec.get("filter").cloned(), write));
                }
            }
            inner.indices.insert(name.to_string(), index);
            Ok(())
        })
    }

    fn delete_index(&self, name: &str) -> Result<(), ApiError> {
        self.write(|inner| {
            inner
                .indices
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| index_not_found(name))
        })
    }

    fn get_index(&self, name: &str) -> Result<Value, ApiError> {
        self.with_index(name, |i| {
            let aliases: Map<String, Value> = i
                .aliases
                .iter()
                .map(|(a, (filter, write))| {
                    let mut spec = Map::new();
                    if let Some(f) = filter {
                        spec.insert("filter".into(), f.clone());
                    }
                    if let Some(w) = write {
                        spec.insert("is_write_index".into(), json!(w));
                    }
                    (a.clone(), Value::Object(spec))
                })
                .collect();
            json!({"aliases": aliases, "mappings": {"properties": i.mappings}, "settings": settings_tree(&i.settings, name)})
        })
    }

    fn get_mapping(&self, name: &str) -> Result<Value, ApiError> {
        self.with_index(name, |i| json!({"properties": i.mappings}))
    }

    fn put_mapping(&self, name: &str, body: &Value) -> Result<(), ApiError> {
        self.write(|inner| {
            let index = inner
                .indices
                .get_mut(name)
                .ok_or_else(|| index_not_found(name))?;
            if let Some(Value::Object(props)) = body.get("properties") {
                for (k, v) in props {
                    index.mappings.insert(k.clone(), v.clone());
                }
            }
            Ok(())
        })
    }

    fn get_settings(&self, name: &str) -> Result<Value, ApiError> {
        self.with_index(name, |i| settings_tree(&i.settings, name))
    }

    fn put_settings(&self, name: &str, body: &Value) -> Result<(), ApiError> {
        self.write(|inner| {
            let index = inner
                .indices
                .get_mut(name)
                .ok_or_else(|| index_not_found(name))?;
            let settings = body.get("settings").unwrap_or(body);
            flatten_settings("", settings, &mut index.settings);
            Ok(())
        })
    }

    fn update_aliases(&self, actions: &[AliasAction]) -> Result<(), ApiError> {
        self.write(|inner| {
            for action in actions {
                match action {
                    AliasAction::Add {
                        index,
                        alias,
                        filter,
                        is_write_index,
                    } => {
                        let i = inner
                            .indices
                            .get_mut(index)
                            .ok_or_else(|| index_not_found(index))?;
                        i.aliases
                            .insert(alias.clone(), (filter.clone(), *is_write_index));
                    }
                    AliasAction::Remove { index, alias } => {
                        let i = inner
                            .indices
                            .get_mut(index)
                            .ok_or_else(|| index_not_found(index))?;
                        if i.aliases.remove(alias).is_none() {
                            return Err(ApiError::new(
                                404,
                                "aliases_not_found_exception",
                                format!("aliases [{alias}] missing"),
                            ));
                        }
                    }
                    AliasAction::RemoveIndex { index } => {
                        inner
                            .indices
                            .remove(index)
                            .ok_or_else(|| index_not_found(index))?;
                    }
                }
            }
            Ok(())
        })
    }

    fn set_open(&self, name: &str, open: bool) -> Result<(), ApiError> {
        self.write(|inner| {
            let index = inner
                .indices
                .get_mut(name)
                .ok_or_else(|| index_not_found(name))?;
            index.open = open;
            Ok(())
        })
    }

    fn refresh(&self, name: &str) -> Result<(), ApiError> {
        // Writes are visible at once in memory: refresh only checks the index exists.
        self.with_index(name, |_| ())
    }

    fn doc_count(&self, name: &str) -> Result<u64, ApiError> {
        self.with_index(name, |i| i.docs.len() as u64)
    }

    fn index_doc(
        &self,
        index: &str,
        id: Option<&str>,
        source: Value,
        create_only: bool,
    ) -> Result<WriteResult, ApiError> {
        if !source.is_object() {
            return Err(ApiError::new(
                400,
                "mapper_parsing_exception",
                "failed to parse, document is empty",
            ));
        }
        self.write(|inner| {
            let id = match id {
                Some(id) => id.to_string(),
                None => {
                    inner.next_auto_id += 1;
                    format!("auto-{:016x}", inner.next_auto_id)
                }
            };
            let i = inner
                .indices
                .get_mut(index)
                .ok_or_else(|| index_not_found(index))?;
            let previous = i.docs.get(&id).map(|d| d.version);
            if create_only && previous.is_some() {
                return Err(ApiError::conflict(format!(
                    "[{id}]: version conflict, document already exists (current version [{}])",
                    previous.unwrap_or_default()
                ))
                .with_meta("index", json!(index)));
            }
            merge_mapping(&mut i.mappings, &source);
            let seq_no = i.next_seq_no;
            i.next_seq_no += 1;
            let version = previous.map_or(1, |v| v + 1);
            i.docs.insert(
                id.clone(),
                Doc {
                    id: id.clone(),
                    seq_no,
                    version,
                    source,
                },
            );
            Ok(WriteResult {
                index: index.to_string(),
                id,
                version,
                seq_no,
                result: if previous.is_some() {
                    "updated"
                } else {
                    "created"
                },
            })
        })
    }

    fn delete_doc(&self, index: &str, id: &str) -> Result<WriteResult, ApiError> {
        self.write(|inner| {
            let i = inner
                .indices
                .get_mut(index)
                .ok_or_else(|| index_not_found(index))?;
            let seq_no = i.next_seq_no;
            i.next_seq_no += 1;
            let removed = i.docs.remove(id);
            Ok(WriteResult {
                index: index.to_string(),
                id: id.to_string(),
                version: removed.as_ref().map_or(1, |d| d.version + 1),
                seq_no,
                result: if removed.is_some() {
                    "deleted"
                } else {
                    "not_found"
                },
            })
        })
    }

    fn get_doc(&self, index: &str, id: &str) -> Result<Option<Doc>, ApiError> {
        self.with_index(index, |i| i.docs.get(id).cloned())
    }

    fn matches(&self, index: &str, id: &str, query: &Query) -> Result<bool, ApiError> {
        self.with_index(index, |i| {
            i.docs
                .get(id)
                .is_some_and(|d| naive::matches(query, id, &d.source, None))
        })
    }

    fn search(
        &self,
        targets: &[(String, Restriction)],
        request: &SearchRequest,
    ) -> Result<Value, ApiError> {
        self.read(|inner| {
            let docs = visible(inner, targets, &request.query)?;
            search_exec::respond(docs, request)
        })
    }

    fn count(&self, targets: &[(String, Restriction)], query: &Query) -> Result<u64, ApiError> {
        self.read(|inner| Ok(visible(inner, targets, query)?.len() as u64))
    }
}

/// Every document of the targets its restriction admits and the query matches (hidden fields
/// missing), in index then id order.
fn visible<'a>(
    inner: &'a Inner,
    targets: &'a [(String, Restriction)],
    query: &Query,
) -> Result<Vec<search_exec::Hit<'a>>, ApiError> {
    let mut out = Vec::new();
    for (name, restriction) in targets {
        let index = inner
            .indices
            .get(name)
            .ok_or_else(|| index_not_found(name))?;
        for doc in index.docs.values() {
            let admitted = restriction
                .documents
                .as_ref()
                .is_none_or(|q| naive::matches(q, &doc.id, &doc.source, None));
            if admitted && naive::matches(query, &doc.id, &doc.source, restriction.fields.as_ref())
            {
                out.push(search_exec::Hit {
                    index: name,
                    doc,
                    fields: restriction.fields.as_ref(),
                });
            }
        }
    }
    Ok(out)
}

fn settings_tree(flat: &Map<String, Value>, name: &str) -> Value {
    let mut index = Map::new();
    index.insert("number_of_shards".into(), json!("1"));
    index.insert("number_of_replicas".into(), json!("1"));
    index.insert("provided_name".into(), json!(name));
    index.insert("uuid".into(), json!(uuid_of(name)));
    for (k, v) in flat {
        let key = k.strip_prefix("index.").unwrap_or(k);
        index.insert(key.to_string(), v.clone());
    }
    json!({"index": index})
}

/// A stable per-name identifier (the memory engine has no real UUIDs).
fn uuid_of(name: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    format!("{:016x}", h.finish())
}
