//! Cluster metadata: indices (settings, mappings, aliases, open/closed), composable index
//! templates and data streams. Persisted as one JSON document with a format version, written
//! atomically (temp file, fsync, rename, fsync of the directory).

mod names;
mod persist;
mod settings;
mod snapshot;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::mapping::Mapping;

pub use names::validate_index_name;
pub use persist::{FORMAT_VERSION, load, store};
pub use settings::{normalize_settings, render_settings};
pub use snapshot::build_index_metadata;

/// One alias on one index.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AliasMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_write_index: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_hidden: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<String>,
}

impl AliasMeta {
    /// The alias as GET `_alias` renders it.
    pub fn render(&self) -> Value {
        let mut out = Map::new();
        if let Some(f) = &self.filter {
            out.insert("filter".into(), f.clone());
        }
        if let Some(r) = &self.routing {
            out.insert("index_routing".into(), Value::String(r.clone()));
            out.insert("search_routing".into(), Value::String(r.clone()));
        }
        if let Some(w) = self.is_write_index {
            out.insert("is_write_index".into(), Value::Bool(w));
        }
        if let Some(h) = self.is_hidden {
            out.insert("is_hidden".into(), Value::Bool(h));
        }
        Value::Object(out)
    }
}

/// One concrete index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexMeta {
    pub uuid: String,
    pub creation_date: i64,
    /// Flat `index.*` settings, values as strings (as Elasticsearch renders them).
    pub settings: BTreeMap<String, String>,
    pub mapping: Arc<Mapping>,
    pub aliases: BTreeMap<String, AliasMeta>,
    pub closed: bool,
    /// The data stream this index backs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_stream: Option<String>,
}

impl IndexMeta {
    pub fn hidden(&self) -> bool {
        self.settings
            .get("index.hidden")
            .is_some_and(|v| v == "true")
    }
}

/// A composable index template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexTemplate {
    pub index_patterns: Vec<String>,
    #[serde(default)]
    pub priority: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_stream: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(default)]
    pub composed_of: Vec<String>,
}

/// A data stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataStream {
    pub generation: u64,
    /// Backing indices, oldest first; the last one is the write index.
    pub indices: Vec<String>,
    pub template: String,
    #[serde(default)]
    pub hidden: bool,
    /// A lazy rollover is pending: the next write rolls the stream over first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rollover_on_write: bool,
}

/// Everything the engine knows about its indices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClusterState {
    pub format: u32,
    pub indices: BTreeMap<String, IndexMeta>,
    pub templates: BTreeMap<String, IndexTemplate>,
    pub data_streams: BTreeMap<String, DataStream>,
}

impl ClusterState {
    /// Aliases by name: (index, alias metadata) pairs.
    pub fn aliases(&self) -> BTreeMap<&str, Vec<(&str, &AliasMeta)>> {
        let mut out: BTreeMap<&str, Vec<(&str, &AliasMeta)>> = BTreeMap::new();
        for (index, meta) in &self.indices {
            for (alias, am) in &meta.aliases {
                out.entry(alias.as_str())
                    .or_default()
                    .push((index.as_str(), am));
            }
        }
        out
    }

    /// The write index of an alias: the explicit write index, or the only index.
    pub fn alias_write_index(&self, alias: &str) -> Option<String> {
        let aliases = self.aliases();
        let members = aliases.get(alias)?;
        if let Some((idx, _)) = members.iter().find(|(_, a)| a.is_write_index == Some(true)) {
            return Some((*idx).to_string());
        }
        match members.as_slice() {
            [(idx, a)] if a.is_write_index != Some(false) => Some((*idx).to_string()),
            _ => None,
        }
    }

    /// Whether a name is taken by an index, alias or data stream.
    pub fn name_kind(&self, name: &str) -> Option<&'static str> {
        if self.indices.contains_key(name) {
            Some("index")
        } else if self.data_streams.contains_key(name) {
            Some("data_stream")
        } else if self.indices.values().any(|m| m.aliases.contains_key(name)) {
            Some("alias")
        } else {
            None
        }
    }

    /// The highest-priority template whose patterns match `name`.
    pub fn matching_template(&self, name: &str) -> Option<(&str, &IndexTemplate)> {
        self.templates
            .iter()
            .filter(|(_, t)| {
                t.index_patterns
                    .iter()
                    .any(|p| rampart_core::resolve::simple_match(p, name))
            })
            .max_by_key(|(_, t)| t.priority)
            .map(|(n, t)| (n.as_str(), t))
    }
}
