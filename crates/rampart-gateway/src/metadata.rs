//! The upstream's index metadata (indices, aliases, data streams, remote clusters) as the
//! engine's `IndexMetadata` snapshot, so index expressions are resolved and authorized by
//! Rampart exactly as in embedded mode. Read from `GET _resolve/index/*,.*` (with
//! `expand_wildcards=all`), `GET _alias` (the aliases' explicit write indices) and
//! `GET _remote/info`; cached, refreshed when older than
//! `max_age`, after a change made through the gateway (`invalidate`), and on a miss
//! (`refresh`, called by the resolver's caller when an explicit name is unknown).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rampart_core::resolve::{AliasSpec, DataStreamSpec, IndexMetadata, IndexSpec, MetadataError};
use reqwest::Method;
use serde_json::Value;

use crate::upstream::{Upstream, UpstreamError, UpstreamRequest};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataFetchError {
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error("the upstream's index metadata is inconsistent: {0}")]
    Inconsistent(#[from] MetadataError),
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The snapshot from a `_resolve/index` answer and the remote cluster aliases.
pub fn metadata_from_resolve(
    resolved: &Value,
    remote_clusters: &[String],
) -> Result<IndexMetadata, MetadataError> {
    metadata_with_write_indices(resolved, remote_clusters, &HashMap::new())
}

/// Each alias's explicit write index (`is_write_index: true`) from a `GET _alias` answer,
/// which `_resolve/index` does not report (an alias on several indices writes to it).
pub fn alias_write_indices(answer: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(indices) = answer.as_object() else {
        return out;
    };
    for (index, entry) in indices {
        let Some(aliases) = entry.get("aliases").and_then(Value::as_object) else {
            continue;
        };
        for (alias, meta) in aliases {
            if meta.get("is_write_index").and_then(Value::as_bool) == Some(true) {
                out.insert(alias.clone(), index.clone());
            }
        }
    }
    out
}

/// `metadata_from_resolve` with the aliases' explicit write indices.
pub fn metadata_with_write_indices(
    resolved: &Value,
    remote_clusters: &[String],
    write_indices: &HashMap<String, String>,
) -> Result<IndexMetadata, MetadataError> {
    let mut builder = IndexMetadata::builder();
    let entries = |key: &str| {
        resolved
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for index in entries("indices") {
        let Some(name) = index.get("name").and_then(Value::as_str) else {
            continue;
        };
        let attributes = strings(index.get("attributes"));
        let mut spec = IndexSpec::new(name);
        if attributes.contains(&"hidden") {
            spec = spec.hidden();
        }
        if attributes.contains(&"closed") {
            spec = spec.closed();
        }
        if attributes.contains(&"system") {
            spec = spec.system();
        }
        builder = builder.index(spec);
    }
    for alias in entries("aliases") {
        let Some(name) = alias.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut spec = AliasSpec::new(name);
        // `_resolve/index` lists indices or data streams under different keys.
        for target in strings(alias.get("indices"))
            .into_iter()
            .chain(strings(alias.get("data_streams")))
        {
            spec = if write_indices.get(name).map(String::as_str) == Some(target) {
                spec.write_target(target)
            } else {
                spec.target(target)
            };
        }
        builder = builder.alias(spec);
    }
    for stream in entries("data_streams") {
        let Some(name) = stream.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut spec = DataStreamSpec::new(name);
        for backing in strings(stream.get("backing_indices")) {
            spec = spec.backing_index(backing);
        }
        for failure in strings(stream.get("failure_indices")) {
            spec = spec.failure_index(failure);
        }
        builder = builder.data_stream(spec);
    }
    for remote in remote_clusters {
        builder = builder.remote_cluster(remote.clone());
    }
    builder.build()
}

/// The cached snapshot of one upstream.
#[derive(Debug)]
pub struct MetadataCache {
    upstream: Upstream,
    max_age: Duration,
    /// Aliases configured on the gateway, added to those `_remote/info` reports.
    configured_remotes: Vec<String>,
    current: RwLock<Option<(Arc<IndexMetadata>, Instant)>>,
    /// Answers derived from the upstream for one snapshot (index mappings, templates), keyed
    /// by the caller; dropped whenever the snapshot is (refresh, invalidate).
    derived: RwLock<HashMap<String, Arc<Value>>>,
}

impl MetadataCache {
    pub fn new(upstream: Upstream, max_age: Duration) -> Self {
        Self {
            upstream,
            max_age,
            configured_remotes: Vec::new(),
            current: RwLock::new(None),
            derived: RwLock::new(HashMap::new()),
        }
    }

    /// Adds remote cluster aliases the upstream follows but does not list in `_remote/info`
    /// (or lists only to callers with `monitor`).
    pub fn with_remote_clusters(mut self, aliases: Vec<String>) -> Self {
        self.configured_remotes = aliases;
        self
    }

    /// The snapshot, fetched if missing or older than `max_age`.
    pub async fn snapshot(&self) -> Result<Arc<IndexMetadata>, MetadataFetchError> {
        let cached = self.current.read().ok().and_then(|c| {
            c.as_ref()
                .filter(|(_, at)| at.elapsed() <= self.max_age)
                .map(|(m, _)| m.clone())
        });
        match cached {
            Some(metadata) => Ok(metadata),
            None => self.refresh().await,
        }
    }

    /// Fetches now (on a miss or after a change) and caches the result.
    pub async fn refresh(&self) -> Result<Arc<IndexMetadata>, MetadataFetchError> {
        let resolve = UpstreamRequest::new(Method::GET, &["_resolve", "index", "*,.*"])
            .param("expand_wildcards", "all");
        let resolved = self.upstream.send(&resolve).await?.into_success()?;
        let remotes = UpstreamRequest::new(Method::GET, &["_remote", "info"]);
        let mut remotes: Vec<String> = match self.upstream.send(&remotes).await?.into_success() {
            Ok(Value::Object(clusters)) => clusters.keys().cloned().collect(),
            Ok(_) => Vec::new(),
            // A cluster without the remote-info API (or without the privilege) has no
            // remotes as far as the gateway is concerned.
            Err(_) => Vec::new(),
        };
        remotes.extend(self.configured_remotes.iter().cloned());
        let aliases =
            UpstreamRequest::new(Method::GET, &["_alias"]).param("expand_wildcards", "all");
        let write_indices = match self.upstream.send(&aliases).await?.into_success() {
            Ok(answer) => alias_write_indices(&answer),
            // Without the answer an alias on several indices has no write index here (writes
            // through it are refused), never a guessed one.
            Err(_) => HashMap::new(),
        };
        let metadata = Arc::new(metadata_with_write_indices(
            &resolved,
            &remotes,
            &write_indices,
        )?);
        if let Ok(mut current) = self.current.write() {
            self.forget_derived();
            *current = Some((metadata.clone(), Instant::now()));
        }
        Ok(metadata)
    }

    /// Drops the snapshot after a change made through the gateway (index created, deleted,
    /// aliased, rolled over).
    pub fn invalidate(&self) {
        if let Ok(mut current) = self.current.write() {
            self.forget_derived();
            *current = None;
        }
    }

    /// A value derived from the upstream while `snapshot` was current (see
    /// [`MetadataCache::remember`]), if it still is.
    pub fn derived(&self, snapshot: &Arc<IndexMetadata>, key: &str) -> Option<Arc<Value>> {
        if !self.is_current(snapshot) {
            return None;
        }
        self.derived.read().ok()?.get(key).cloned()
    }

    /// Keeps a value derived from the upstream (a mapping, the templates) until the snapshot
    /// changes. A value read while an older snapshot was current is not kept: it may predate
    /// the change that replaced it.
    pub fn remember(&self, snapshot: &Arc<IndexMetadata>, key: &str, value: Arc<Value>) {
        // Holding the snapshot's read lock orders this after any concurrent replacement.
        let Ok(current) = self.current.read() else {
            return;
        };
        let same = current
            .as_ref()
            .is_some_and(|(m, _)| Arc::ptr_eq(m, snapshot));
        if same && let Ok(mut derived) = self.derived.write() {
            derived.insert(key.to_owned(), value);
        }
    }

    fn is_current(&self, snapshot: &Arc<IndexMetadata>) -> bool {
        self.current
            .read()
            .ok()
            .and_then(|c| c.as_ref().map(|(m, _)| Arc::ptr_eq(m, snapshot)))
            .unwrap_or(false)
    }

    fn forget_derived(&self) {
        if let Ok(mut derived) = self.derived.write() {
            derived.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::resolve::NameKind;
    use serde_json::json;

    #[test]
    fn resolve_answers_become_snapshots() {
        let answer = json!({
            "indices": [
                {"name": "logs-1", "aliases": ["logs"], "attributes": ["open"]},
                {"name": "old", "attributes": ["closed"]},
                {"name": ".ds-metrics-000001", "attributes": ["open", "hidden"], "data_stream": "metrics"},
                {"name": ".internal", "attributes": ["open", "hidden", "system"]}
            ],
            "aliases": [{"name": "logs", "indices": ["logs-1"]}],
            "data_streams": [{"name": "metrics", "backing_indices": [".ds-metrics-000001"],
                "timestamp_field": "@timestamp"}]
        });
        let metadata = metadata_from_resolve(&answer, &["eu".to_owned()]).unwrap();
        assert_eq!(metadata.concrete_indices("logs", None), ["logs-1"]);
        assert!(matches!(metadata.kind("metrics"), NameKind::DataStream));
        assert_eq!(
            metadata.parent_data_stream(".ds-metrics-000001"),
            Some("metrics")
        );
        assert!(metadata.get(".internal").is_some_and(|a| a.is_hidden()));
        assert_eq!(metadata.remote_clusters(), ["eu"]);
        assert!(matches!(metadata.kind("nope"), NameKind::Missing));
    }

    #[test]
    fn explicit_write_indices_come_from_the_alias_answer() {
        let resolved = json!({
            "indices": [{"name": "logs-1", "attributes": ["open"]},
                {"name": "logs-2", "attributes": ["open"]}],
            "aliases": [{"name": "logs", "indices": ["logs-1", "logs-2"]}],
        });
        let aliases = json!({
            "logs-1": {"aliases": {"logs": {"is_write_index": false}}},
            "logs-2": {"aliases": {"logs": {"is_write_index": true}}},
        });
        let writes = alias_write_indices(&aliases);
        let metadata = metadata_with_write_indices(&resolved, &[], &writes).unwrap();
        assert_eq!(metadata.write_index("logs"), Some("logs-2"));
        assert_eq!(
            metadata.concrete_indices("logs", None),
            ["logs-1", "logs-2"]
        );
        let without = metadata_from_resolve(&resolved, &[]).unwrap();
        assert_eq!(without.write_index("logs"), None);
    }

    #[test]
    fn derived_values_live_as_long_as_their_snapshot() {
        let config = crate::UpstreamConfig::new("http://127.0.0.1:9");
        let upstream = Upstream::new(&config, Arc::new(crate::Metrics::default())).unwrap();
        let cache = MetadataCache::new(upstream, Duration::from_secs(60));
        let first = Arc::new(IndexMetadata::default());
        *cache.current.write().unwrap() = Some((first.clone(), Instant::now()));
        cache.remember(&first, "k", Arc::new(json!(1)));
        assert_eq!(cache.derived(&first, "k").as_deref(), Some(&json!(1)));

        cache.invalidate();
        assert_eq!(cache.derived(&first, "k"), None);
        // A value read under a replaced snapshot is not kept for the new one.
        let second = Arc::new(IndexMetadata::default());
        *cache.current.write().unwrap() = Some((second.clone(), Instant::now()));
        cache.remember(&first, "k", Arc::new(json!(2)));
        assert_eq!(cache.derived(&second, "k"), None);
        assert_eq!(cache.derived(&first, "k"), None);
    }

    #[test]
    fn inconsistent_answers_are_errors_not_guesses() {
        let answer = json!({"indices": [], "aliases": [{"name": "a", "indices": ["ghost"]}]});
        assert!(matches!(
            metadata_from_resolve(&answer, &[]),
            Err(MetadataError::UnknownAliasTarget { .. })
        ));
    }
}
