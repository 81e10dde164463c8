//! Index-level APIs: create/delete/get, mappings, settings, aliases, open/close, refresh,
//! flush, force merge, cache clearing, stats.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_core::resolve::simple_match;
use serde_json::{Map, Value, json};

use super::Engine;
use crate::cluster::{
    AliasMeta, ClusterState, IndexMeta, normalize_settings, render_settings, validate_index_name,
};
use crate::error::{Result, SearchError};
use crate::mapping::Mapping;
use crate::shard::Shard;

/// Settings that may change on an open index.
const DYNAMIC: &[&str] = &[
    "index.number_of_replicas",
    "index.hidden",
    "index.refresh_interval",
    "index.max_result_window",
    "index.auto_expand_replicas",
    "index.blocks.",
    "index.mapping.total_fields.limit",
    "index.priority",
    "index.lifecycle.",
    "index.default_pipeline",
    "index.final_pipeline",
    "index.gc_deletes",
    "index.max_inner_result_window",
    "index.translog.durability",
    "index.search.",
    "index.routing.",
    "index.queries.cache.enabled",
    "index.requests.cache.enable",
];

/// Per-index counters for `_stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStats {
    pub uuid: String,
    pub docs: u64,
    pub deleted: u64,
    pub segments: usize,
    pub pending: usize,
}

impl Engine {
    /// Create an index from a create-index body (`settings`, `mappings`, `aliases`), applying a
    /// matching non-data-stream template first.
    pub fn create_index(&self, name: &str, body: &Value) -> Result<()> {
        validate_index_name(name)?;
        let body = match body {
            Value::Null => Map::new(),
            Value::Object(o) => o.clone(),
            _ => {
                return Err(SearchError::Parsing(
                    "request body must be an object".into(),
                ));
            }
        };
        for key in body.keys() {
            if !matches!(key.as_str(), "settings" | "mappings" | "aliases") {
                return Err(SearchError::Parsing(format!(
                    "unknown key [{key}] for create index"
                )));
            }
        }
        self.create_index_inner(name, &body, None)
    }

    pub(crate) fn create_index_inner(
        &self,
        name: &str,
        body: &Map<String, Value>,
        data_stream: Option<&str>,
    ) -> Result<()> {
        let uuid = index_uuid();
        let shard = Arc::new(Shard::open(&self.index_dir(&uuid), &Mapping::default())?);
        let result = self.mutate(|state| {
            if let Some(existing) = state.indices.get(name) {
                return Err(SearchError::IndexAlreadyExists {
                    index: name.to_string(),
                    uuid: existing.uuid.clone(),
                });
            }
            if let Some(kind) = state.name_kind(name) {
                return Err(SearchError::InvalidIndexName(format!(
                    "Invalid index name [{name}], already exists as {kind}"
                )));
            }
            let template = if data_stream.is_none() {
                state
                    .matching_template(name)
                    .filter(|(_, t)| t.data_stream.is_none())
                    .map(|(_, t)| t.clone())
            } else {
                state
                    .matching_template(name.trim_start_matches(".ds-"))
                    .map(|(_, t)| t.clone())
                    .or_else(|| {
                        data_stream
                            .and_then(|ds| state.matching_template(ds).map(|(_, t)| t.clone()))
                    })
            };
            let mut settings = BTreeMap::new();
            let mut mapping = Mapping::default();
            let mut aliases = BTreeMap::new();
            if let Some(t) = &template {
                if let Some(s) = &t.settings {
                    settings.extend(normalize_settings(s)?);
                }
                if let Some(m) = &t.mappings {
                    mapping.merge_json(m)?;
                }
                if data_stream.is_none()
                    && let Some(a) = &t.aliases
                {
                    aliases.extend(parse_alias_map(a)?);
                }
            }
            if let Some(s) = body.get("settings") {
                settings.extend(normalize_settings(s)?);
            }
            if let Some(m) = body.get("mappings") {
                mapping.merge_json(m)?;
            }
            if let Some(a) = body.get("aliases") {
                aliases.extend(parse_alias_map(a)?);
            }
            for alias in aliases.keys() {
                check_alias_name(state, alias, name)?;
            }
            if data_stream.is_some() {
                settings.insert("index.hidden".into(), "true".into());
                // A backing index is born with its root mapping and `@timestamp` as a date,
                // as in Elasticsearch (so writing only mapped fields is no mapping update).
                if mapping.get("@timestamp").is_none() {
                    mapping.merge_json(&json!({"properties": {"@timestamp": {"type": "date"}}}))?;
                }
            }
            settings
                .entry("index.number_of_shards".into())
                .or_insert_with(|| "1".into());
            settings
                .entry("index.number_of_replicas".into())
                .or_insert_with(|| "1".into());
            state.indices.insert(
                name.to_string(),
                IndexMeta {
                    uuid: uuid.clone(),
                    creation_date: chrono::Utc::now().timestamp_millis(),
                    settings,
                    mapping: Arc::new(mapping),
                    aliases,
                    closed: false,
                    data_stream: data_stream.map(str::to_string),
                },
            );
            Ok(())
        });
        match result {
            Ok(()) => {
                self.put_shard(name, shard);
                Ok(())
            }
            Err(e) => {
                drop(shard);
                let _ = std::fs::remove_dir_all(self.index_dir(&uuid));
                Err(e)
            }
        }
    }

    /// Delete concrete indices.
    pub fn delete_index(&self, names: &[String]) -> Result<()> {
        let removed = self.mutate(|state| {
            let mut removed = Vec::new();
            for name in names {
                let meta = state
                    .indices
                    .get(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                if let Some(ds) = &meta.data_stream
                    && state.data_streams.get(ds).and_then(|d| d.indices.last()) == Some(name)
                {
                    return Err(SearchError::IllegalArgument(format!(
                        "index [{name}] is the write index for data stream [{ds}] and cannot be \
                         deleted"
                    )));
                }
                if let Some(ds) = meta.data_stream.clone()
                    && let Some(d) = state.data_streams.get_mut(&ds)
                {
                    d.indices.retain(|i| i != name);
                }
                if let Some(meta) = state.indices.remove(name) {
                    removed.push((name.clone(), meta.uuid));
                }
            }
            Ok(removed)
        })?;
        for (name, uuid) in removed {
            drop(self.take_shard(&name));
            if let Err(e) = std::fs::remove_dir_all(self.index_dir(&uuid)) {
                tracing::warn!(%e, index = %name, "could not remove index files");
            }
        }
        Ok(())
    }

    /// Whether a concrete index exists.
    pub fn index_exists(&self, name: &str) -> bool {
        self.state().indices.contains_key(name)
    }

    /// The filter of `alias` on `index` (ES JSON), if that alias exists there and has one.
    pub fn alias_filter(&self, index: &str, alias: &str) -> Option<Value> {
        self.state()
            .indices
            .get(index)
            .and_then(|m| m.aliases.get(alias))
            .and_then(|a| a.filter.clone())
    }

    /// GET index: `{"aliases", "mappings", "settings"}` of one concrete index.
    pub fn get_index(&self, name: &str) -> Result<Value> {
        let state = self.state();
        let meta = state
            .indices
            .get(name)
            .ok_or_else(|| SearchError::not_found(name))?;
        let mut out = json!({
            "aliases": render_aliases(meta),
            "mappings": meta.mapping.render(),
            "settings": render_index_settings(name, meta),
        });
        if let (Some(ds), Value::Object(o)) = (&meta.data_stream, &mut out) {
            o.insert("data_stream".into(), json!(ds));
        }
        Ok(out)
    }

    /// GET mapping of one concrete index: `{"mappings": …}`.
    pub fn get_mapping(&self, name: &str) -> Result<Value> {
        let state = self.state();
        let meta = state
            .indices
            .get(name)
            .ok_or_else(|| SearchError::not_found(name))?;
        Ok(json!({ "mappings": meta.mapping.render() }))
    }

    /// The mapping registry of an index.
    pub fn mapping(&self, name: &str) -> Result<Arc<Mapping>> {
        let state = self.state();
        let meta = state
            .indices
            .get(name)
            .ok_or_else(|| SearchError::not_found(name))?;
        Ok(Arc::clone(&meta.mapping))
    }

    /// PUT mapping on concrete indices.
    pub fn put_mapping(&self, names: &[String], body: &Value) -> Result<()> {
        self.mutate(|state| {
            for name in names {
                let meta = state
                    .indices
                    .get_mut(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                let mut mapping = (*meta.mapping).clone();
                mapping.merge_json(body)?;
                meta.mapping = Arc::new(mapping);
            }
            Ok(())
        })
    }

    /// GET settings of one concrete index: `{"settings": …}`.
    pub fn get_settings(&self, name: &str) -> Result<Value> {
        let state = self.state();
        let meta = state
            .indices
            .get(name)
            .ok_or_else(|| SearchError::not_found(name))?;
        Ok(json!({ "settings": render_index_settings(name, meta) }))
    }

    /// PUT settings on concrete indices (dynamic settings only on open indices).
    pub fn put_settings(&self, names: &[String], body: &Value) -> Result<()> {
        let body = body.get("settings").unwrap_or(body);
        let flat = normalize_settings(body)?;
        self.mutate(|state| {
            for name in names {
                let meta = state
                    .indices
                    .get_mut(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                let fixed: Vec<&String> = flat
                    .keys()
                    .filter(|k| {
                        !DYNAMIC
                            .iter()
                            .any(|d| k.as_str() == *d || (d.ends_with('.') && k.starts_with(d)))
                    })
                    .collect();
                if !fixed.is_empty() && !meta.closed {
                    let list: Vec<String> = fixed.iter().map(|k| k.to_string()).collect();
                    return Err(SearchError::IllegalArgument(format!(
                        "Can't update non dynamic settings [[{}]] for open indices [[{name}/{}]]",
                        list.join(", "),
                        meta.uuid
                    )));
                }
                for (k, v) in &flat {
                    meta.settings.insert(k.clone(), v.clone());
                }
            }
            Ok(())
        })
    }

    /// The `_aliases` actions body: `{"actions": [{"add": {…}}, {"remove": {…}}, {"remove_index": {…}}]}`.
    pub fn update_aliases(&self, body: &Value) -> Result<()> {
        let actions = body
            .get("actions")
            .and_then(Value::as_array)
            .ok_or_else(|| SearchError::IllegalArgument("[actions] is required".into()))?;
        let mut to_delete = Vec::new();
        self.mutate(|state| {
            for action in actions {
                let Some((kind, params)) = action.as_object().and_then(|o| o.iter().next()) else {
                    return Err(SearchError::IllegalArgument(
                        "alias action must be an object".into(),
                    ));
                };
                let indices = names_of(params, "index", "indices");
                let aliases = names_of(params, "alias", "aliases");
                let targets = expand(state, &indices)?;
                match kind.as_str() {
                    "add" => {
                        let meta = alias_meta(params)?;
                        for alias in &aliases {
                            for index in &targets {
                                check_alias_name(state, alias, index)?;
                                if let Some(m) = state.indices.get_mut(index) {
                                    m.aliases.insert(alias.clone(), meta.clone());
                                }
                            }
                        }
                    }
                    "remove" => {
                        let must_exist = params.get("must_exist").and_then(Value::as_bool);
                        let mut removed_any = false;
                        for index in &targets {
                            if let Some(m) = state.indices.get_mut(index) {
                                let before = m.aliases.len();
                                m.aliases
                                    .retain(|a, _| !aliases.iter().any(|p| simple_match(p, a)));
                                removed_any |= m.aliases.len() != before;
                            }
                        }
                        if !removed_any && must_exist != Some(false) {
                            return Err(SearchError::ResourceNotFound(format!(
                                "aliases [{}] missing",
                                aliases.join(",")
                            )));
                        }
                    }
                    "remove_index" => {
                        for index in &targets {
                            if state.indices.remove(index).is_some() {
                                to_delete.push(index.clone());
                            }
                        }
                    }
                    other => {
                        return Err(SearchError::IllegalArgument(format!(
                            "Unsupported action [{other}]"
                        )));
                    }
                }
            }
            Ok(())
        })?;
        for index in to_delete {
            drop(self.take_shard(&index));
        }
        Ok(())
    }

    /// Close concrete indices: their shards are committed and released.
    pub fn close_index(&self, names: &[String]) -> Result<()> {
        self.mutate(|state| {
            for name in names {
                let meta = state
                    .indices
                    .get_mut(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                meta.closed = true;
            }
            Ok(())
        })?;
        for name in names {
            if let Some(shard) = self.take_shard(name) {
                shard.refresh()?;
            }
        }
        Ok(())
    }

    /// Open closed indices.
    pub fn open_index(&self, names: &[String]) -> Result<()> {
        let mut opened = Vec::new();
        self.mutate(|state| {
            for name in names {
                let meta = state
                    .indices
                    .get_mut(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                if meta.closed {
                    meta.closed = false;
                    opened.push((name.clone(), meta.uuid.clone()));
                }
            }
            Ok(())
        })?;
        for (name, uuid) in opened {
            let mapping = self
                .state()
                .indices
                .get(&name)
                .map(|m| Arc::clone(&m.mapping))
                .unwrap_or_default();
            let shard = super::migrate::open_shard(&name, &self.index_dir(&uuid), &mapping)?;
            self.put_shard(&name, Arc::new(shard));
        }
        Ok(())
    }

    /// Refresh concrete indices.
    pub fn refresh(&self, names: &[String]) -> Result<()> {
        for name in names {
            self.shard(name)?.0.refresh()?;
        }
        Ok(())
    }

    /// Flush = commit (our refresh commits).
    pub fn flush(&self, names: &[String]) -> Result<()> {
        self.refresh(names)
    }

    /// Merge each index down to one segment.
    pub fn force_merge(&self, names: &[String]) -> Result<()> {
        for name in names {
            self.shard(name)?.0.force_merge()?;
        }
        Ok(())
    }

    /// Drop cached DLS filters.
    pub fn clear_cache(&self, names: &[String]) -> Result<()> {
        for name in names {
            self.shard(name)?.0.filter_cache.clear();
        }
        Ok(())
    }

    /// Counters of one index.
    pub fn stats(&self, name: &str) -> Result<IndexStats> {
        let (shard, _) = self.shard(name)?;
        let uuid = self
            .state()
            .indices
            .get(name)
            .map(|m| m.uuid.clone())
            .unwrap_or_default();
        let (docs, deleted, segments) = shard.stats();
        Ok(IndexStats {
            uuid,
            docs,
            deleted,
            segments,
            pending: shard.pending(),
        })
    }

    /// Concrete index names (sorted).
    pub fn index_names(&self) -> Vec<String> {
        self.state().indices.keys().cloned().collect()
    }
}

fn names_of(params: &Value, one: &str, many: &str) -> Vec<String> {
    let mut out = Vec::new();
    match params.get(one) {
        Some(Value::String(s)) => out.push(s.clone()),
        Some(Value::Array(a)) => {
            out.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)))
        }
        _ => {}
    }
    if let Some(Value::Array(a)) = params.get(many) {
        out.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    if let Some(Value::String(s)) = params.get(many) {
        out.push(s.clone());
    }
    out
}

fn expand(state: &ClusterState, patterns: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        if p.contains('*') {
            out.extend(state.indices.keys().filter(|n| simple_match(p, n)).cloned());
        } else if state.indices.contains_key(p) {
            out.push(p.clone());
        } else if let Some(ds) = state.data_streams.get(p) {
            out.extend(ds.indices.iter().cloned());
        } else {
            return Err(SearchError::not_found(p));
        }
    }
    Ok(out)
}

fn alias_meta(params: &Value) -> Result<AliasMeta> {
    let routing = params
        .get("routing")
        .or_else(|| params.get("index_routing"))
        .and_then(|v| v.as_str().map(str::to_string));
    Ok(AliasMeta {
        filter: params.get("filter").cloned(),
        is_write_index: params.get("is_write_index").and_then(Value::as_bool),
        is_hidden: params.get("is_hidden").and_then(Value::as_bool),
        routing,
    })
}

fn parse_alias_map(v: &Value) -> Result<BTreeMap<String, AliasMeta>> {
    let Some(obj) = v.as_object() else {
        return Err(SearchError::Parsing("aliases must be an object".into()));
    };
    obj.iter()
        .map(|(name, params)| Ok((name.clone(), alias_meta(params)?)))
        .collect()
}

fn check_alias_name(state: &ClusterState, alias: &str, index: &str) -> Result<()> {
    if alias == index || state.indices.contains_key(alias) || state.data_streams.contains_key(alias)
    {
        return Err(SearchError::InvalidAlias(format!(
            "Invalid alias name [{alias}]: an index or data stream exists with the same name as the alias"
        )));
    }
    if alias.starts_with(['_', '-', '+']) || alias.chars().any(char::is_uppercase) {
        return Err(SearchError::InvalidAlias(format!(
            "Invalid alias name [{alias}], must be lowercase and must not start with '_', '-', or '+'"
        )));
    }
    Ok(())
}

fn render_aliases(meta: &IndexMeta) -> Value {
    Value::Object(
        meta.aliases
            .iter()
            .map(|(k, v)| (k.clone(), v.render()))
            .collect(),
    )
}

fn render_index_settings(name: &str, meta: &IndexMeta) -> Value {
    let mut flat = meta.settings.clone();
    flat.insert("index.uuid".into(), meta.uuid.clone());
    flat.insert("index.creation_date".into(), meta.creation_date.to_string());
    flat.insert("index.provided_name".into(), name.to_string());
    flat.insert("index.version.created".into(), "8521000".into());
    render_settings(&flat)
}

/// A new index UUID in Elasticsearch's shape: 16 random bytes as 22 URL-safe base64
/// characters (also the index's directory name; existing indices keep theirs).
fn index_uuid() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}
