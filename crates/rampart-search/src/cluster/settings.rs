//! Index settings: normalised to flat `index.*` keys with string values, rendered nested.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Result, SearchError};

/// Settings the engine accepts (others are rejected as Elasticsearch rejects unknown ones).
const KNOWN: &[&str] = &[
    "index.number_of_shards",
    "index.number_of_replicas",
    "index.hidden",
    "index.refresh_interval",
    "index.max_result_window",
    "index.auto_expand_replicas",
    "index.blocks.write",
    "index.blocks.read_only",
    "index.blocks.read",
    "index.blocks.metadata",
    "index.blocks.read_only_allow_delete",
    "index.mapping.total_fields.limit",
    "index.codec",
    "index.priority",
    "index.lifecycle.name",
    "index.lifecycle.rollover_alias",
    "index.routing.allocation.include._tier_preference",
    "index.mode",
    "index.analysis",
    "index.search.slowlog.threshold.query.warn",
    "index.gc_deletes",
    "index.max_inner_result_window",
    "index.translog.durability",
    "index.translog.sync_interval",
    "index.number_of_routing_shards",
    "index.sort.field",
    "index.sort.order",
    "index.default_pipeline",
    "index.final_pipeline",
    "index.queries.cache.enabled",
    "index.requests.cache.enable",
    "index.version.created",
    "index.uuid",
    "index.creation_date",
    "index.provided_name",
];

/// Settings only the engine sets.
const PRIVATE: &[&str] = &[
    "index.version.created",
    "index.uuid",
    "index.creation_date",
    "index.provided_name",
];

/// Flatten a settings body (`{"number_of_shards": 1}`, `{"index": {...}}` or dotted keys).
pub fn normalize_settings(body: &Value) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if let Some(obj) = body.as_object() {
        flatten("", obj, &mut out);
    } else if !body.is_null() {
        return Err(SearchError::IllegalArgument(
            "settings must be an object".into(),
        ));
    }
    let out: BTreeMap<String, String> = out
        .into_iter()
        .map(|(k, v)| {
            if k.starts_with("index.") {
                (k, v)
            } else {
                (format!("index.{k}"), v)
            }
        })
        .collect();
    for key in out.keys() {
        let known = KNOWN
            .iter()
            .any(|k| key == k || key.starts_with(&format!("{k}.")));
        if !known {
            return Err(SearchError::IllegalArgument(format!(
                "unknown setting [{key}] please check that any required plugins are installed, \
                 or check the breaking changes documentation for removed settings"
            )));
        }
        if PRIVATE.contains(&key.as_str()) {
            return Err(SearchError::IllegalArgument(format!(
                "unknown setting [{key}] please check that any required plugins are installed, \
                 or check the breaking changes documentation for removed settings"
            )));
        }
    }
    crate::translog_settings::validate(&out)?;
    Ok(out)
}

fn flatten(prefix: &str, obj: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten(&key, inner, out),
            Value::String(s) => {
                out.insert(key, s.clone());
            }
            Value::Null => {}
            Value::Array(items) => {
                let joined: Vec<String> = items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect();
                out.insert(key, joined.join(","));
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Nested rendering: `{"index": {"number_of_shards": "1", "blocks": {"write": "true"}}}`.
pub fn render_settings(flat: &BTreeMap<String, String>) -> Value {
    let mut root = Map::new();
    for (key, value) in flat {
        let mut node = &mut root;
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.insert(part.to_string(), Value::String(value.clone()));
                break;
            }
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            let Value::Object(next) = entry else { break };
            node = next;
        }
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalise_and_render() {
        let flat =
            normalize_settings(&json!({"number_of_shards": 2, "index": {"hidden": true}})).unwrap();
        assert_eq!(flat.get("index.number_of_shards").unwrap(), "2");
        assert_eq!(flat.get("index.hidden").unwrap(), "true");
        assert_eq!(
            render_settings(&flat),
            json!({"index": {"number_of_shards": "2", "hidden": "true"}})
        );
        assert!(normalize_settings(&json!({"index.bogus": 1})).is_err());
    }
}
