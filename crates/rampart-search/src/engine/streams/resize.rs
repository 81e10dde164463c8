//! `_clone`, `_shrink` and `_split` on an engine that keeps one physical shard per index: a
//! resize whose target has one shard (or, for a clone, the source's shard count, which is
//! then only a setting) is an honest copy of the source — its settings (the body's on top;
//! `null` removes one), mapping and every document with its version — after ES's
//! validations (a write-blocked source, a new target name, the shard-count rules). A target
//! with more than one shard is refused.

use serde_json::{Map, Value, json};
use tantivy::{DocAddress, TantivyDocument};

use crate::cluster::normalize_settings;
use crate::engine::{Engine, Refresh};
use crate::error::{Result, SearchError};
use crate::shard::{OpType, WriteConditions};

/// Which resize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResizeKind {
    Shrink,
    Split,
    Clone,
}

impl ResizeKind {
    /// From the path's endpoint (`_shrink`, `_split`, `_clone`).
    fn from_endpoint(endpoint: &str) -> Option<Self> {
        match endpoint {
            "_shrink" => Some(ResizeKind::Shrink),
            "_split" => Some(ResizeKind::Split),
            "_clone" => Some(ResizeKind::Clone),
            _ => None,
        }
    }
}

const SHARDS: &str = "index.number_of_shards";

impl Engine {
    /// Resizes `source` into the new index `target` (see the module doc) for the path's
    /// `endpoint` (`_shrink`, `_split`, `_clone`); ES's answer.
    pub fn resize(
        &self,
        endpoint: &str,
        source: &str,
        target: &str,
        body: &Value,
    ) -> Result<Value> {
        let kind = ResizeKind::from_endpoint(endpoint).ok_or_else(|| {
            SearchError::IllegalArgument(format!("unknown resize endpoint [{endpoint}]"))
        })?;
        let (settings, aliases) = parse_body(kind, body)?;
        let body_settings = match &settings {
            Some(s) => normalize_settings(s)?,
            None => Default::default(),
        };
        let (mut merged, mapping) = {
            let state = self.state();
            let meta = state
                .indices
                .get(source)
                .ok_or_else(|| SearchError::not_found(source))?;
            if meta.settings.get("index.blocks.write").map(String::as_str) != Some("true") {
                return Err(SearchError::IllegalArgument(format!(
                    "index {source} must be read-only to resize index. use \"index.blocks.write=true\""
                )));
            }
            (meta.settings.clone(), meta.mapping.render())
        };
        let source_shards = shard_count(merged.get(SHARDS))?;
        let target_shards = match body_settings.get(SHARDS) {
            Some(n) => shard_count(Some(n))?,
            None if kind == ResizeKind::Clone => source_shards,
            None => 1,
        };
        check_shards(kind, source_shards, target_shards)?;
        merged.extend(body_settings);
        for key in null_settings(settings.as_ref()) {
            merged.remove(&key);
        }
        merged.insert(SHARDS.into(), target_shards.to_string());
        let mut create = Map::new();
        create.insert(
            "settings".into(),
            Value::Object(
                merged
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
        );
        create.insert("mappings".into(), mapping);
        if let Some(a) = aliases {
            create.insert("aliases".into(), a);
        }
        self.refresh(&[source.to_string()])?;
        self.create_index_inner(target, &create, None)?;
        if let Err(e) = self.copy_documents(source, target) {
            // A half-copied target is no copy: remove it rather than leave it looking done.
            if let Err(cleanup) = self.delete_index(&[target.to_string()]) {
                tracing::warn!(%cleanup, index = %target, "could not remove a failed resize target");
            }
            return Err(e);
        }
        Ok(json!({"acknowledged": true, "shards_acknowledged": true, "index": target}))
    }

    /// Writes every refreshed document of `source` into `target` with its id and version.
    fn copy_documents(&self, source: &str, target: &str) -> Result<()> {
        let (shard, _) = self.shard(source)?;
        let searcher = shard.searcher();
        let mut batch = self.write_batch();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let ord =
                u32::try_from(ord).map_err(|e| SearchError::internal("segment ordinal", e))?;
            for doc in segment.doc_ids_alive() {
                let stored: TantivyDocument = searcher.doc(DocAddress::new(ord, doc))?;
                let stored = shard.stored_doc(&stored)?;
                let cond = WriteConditions {
                    external_version: Some(stored.version.version),
                    ..WriteConditions::default()
                };
                batch.index_doc(
                    target,
                    Some(&stored.id),
                    &stored.source,
                    OpType::Create,
                    cond,
                    Refresh::False,
                )?;
            }
        }
        batch.finish()?;
        self.refresh(&[target.to_string()])
    }
}

/// ES's `resize_request` body: `settings`, `aliases`, and `max_primary_shard_size` (shrink
/// only, which picks the shard count: always one here).
fn parse_body(kind: ResizeKind, body: &Value) -> Result<(Option<Value>, Option<Value>)> {
    let obj = match body {
        Value::Null => return Ok((None, None)),
        Value::Object(o) => o,
        _ => {
            return Err(SearchError::Parsing(
                "request body must be an object".into(),
            ));
        }
    };
    let mut settings = None;
    let mut aliases = None;
    for (key, value) in obj {
        match key.as_str() {
            "settings" => settings = Some(value.clone()),
            "aliases" => aliases = Some(value.clone()),
            "max_primary_shard_size" if kind == ResizeKind::Shrink => {}
            "max_primary_shard_size" => {
                return Err(SearchError::IllegalArgument(
                    "Unsupported parameter [max_primary_shard_size]".into(),
                ));
            }
            other => {
                return Err(SearchError::Parsing(format!(
                    "[resize_request] unknown field [{other}]"
                )));
            }
        }
    }
    Ok((settings, aliases))
}

fn shard_count(value: Option<&String>) -> Result<u32> {
    let Some(value) = value else { return Ok(1) };
    value
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            SearchError::IllegalArgument(format!(
                "Failed to parse value [{value}] for setting [{SHARDS}] must be >= 1"
            ))
        })
}

/// ES's shard-count rules for the resize, then this engine's one-shard limit.
fn check_shards(kind: ResizeKind, source: u32, target: u32) -> Result<()> {
    let problem = match kind {
        ResizeKind::Clone if target != source => Some(format!(
            "the number of target shards ({target}) must be the same as the number of source shards ({source})"
        )),
        ResizeKind::Shrink if target > source => Some(format!(
            "the number of target shards [{target}] must be less that the number of source shards [{source}]"
        )),
        ResizeKind::Shrink if !source.is_multiple_of(target) => Some(format!(
            "the number of source shards [{source}] must be a multiple of [{target}]"
        )),
        ResizeKind::Split if target <= source => Some(format!(
            "the number of source shards [{source}] must be less that the number of target shards [{target}]"
        )),
        ResizeKind::Split if !target.is_multiple_of(source) => Some(format!(
            "the number of source shards [{source}] must be a factor of [{target}]"
        )),
        _ => None,
    };
    if let Some(p) = problem {
        return Err(SearchError::IllegalArgument(p));
    }
    if target > 1 && kind != ResizeKind::Clone {
        return Err(SearchError::IllegalArgument(format!(
            "this server keeps one shard per index: a resize target can have one shard, not [{target}]"
        )));
    }
    Ok(())
}

/// The settings a body sets to `null` (to drop the source's value), as flat `index.*` keys.
fn null_settings(settings: Option<&Value>) -> Vec<String> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Null => {
                let key = if prefix.starts_with("index.") {
                    prefix.to_string()
                } else {
                    format!("index.{prefix}")
                };
                out.push(key);
            }
            Value::Object(o) => {
                for (k, v) in o {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(s) = settings {
        walk("", s, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_rules_follow_elasticsearch_then_the_one_shard_limit() {
        assert!(check_shards(ResizeKind::Clone, 3, 3).is_ok());
        assert!(check_shards(ResizeKind::Shrink, 4, 1).is_ok());
        let reason = |k, s, t| check_shards(k, s, t).unwrap_err().to_string();
        assert_eq!(
            reason(ResizeKind::Clone, 1, 2),
            "the number of target shards (2) must be the same as the number of source shards (1)"
        );
        assert_eq!(
            reason(ResizeKind::Shrink, 1, 2),
            "the number of target shards [2] must be less that the number of source shards [1]"
        );
        assert_eq!(
            reason(ResizeKind::Shrink, 3, 2),
            "the number of source shards [3] must be a multiple of [2]"
        );
        assert_eq!(
            reason(ResizeKind::Split, 1, 1),
            "the number of source shards [1] must be less that the number of target shards [1]"
        );
        assert!(reason(ResizeKind::Split, 1, 2).starts_with("this server keeps one shard"));
        assert!(reason(ResizeKind::Shrink, 4, 2).starts_with("this server keeps one shard"));
    }

    #[test]
    fn null_settings_are_found_flat_and_nested() {
        let body = json!({"index.blocks.write": null, "index": {"priority": null, "hidden": true},
            "number_of_replicas": null});
        assert_eq!(
            null_settings(Some(&body)),
            [
                "index.blocks.write",
                "index.priority",
                "index.number_of_replicas"
            ]
        );
    }
}
