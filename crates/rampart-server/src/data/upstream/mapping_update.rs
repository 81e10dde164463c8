//! Whether a document would update an Elasticsearch mapping (the `mappings` object of
//! `GET /{index}/_mapping`) by dynamic mapping, as the shard would when indexing it: a field
//! the mapping does not hold, under `dynamic: true` or `runtime`, is an update; under
//! `dynamic: false` or `strict` it is not (ignored, or refused by the upstream). An empty
//! mapping is an index's first document, which creates the root mapping. Values a mapped
//! field cannot take are the upstream's parse errors, not updates.

use rampart_core::write::WriteOp;
use serde_json::{Map, Value};

use crate::data::write::WriteItem;

/// Whether writing `item` would update `mapping`, by whether its document exists (which
/// only an update's answer depends on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Updates {
    /// When the document exists: an update writes its partial `doc` merged into a document
    /// already mapped.
    pub if_exists: bool,
    /// When it does not: an update writes its `upsert` (or the `doc` under
    /// `doc_as_upsert`), or nothing.
    pub if_missing: bool,
}

impl Updates {
    fn both(updates: bool) -> Self {
        Updates {
            if_exists: updates,
            if_missing: updates,
        }
    }

    /// Whether the answer is the same either way.
    pub fn regardless(self) -> Option<bool> {
        (self.if_exists == self.if_missing).then_some(self.if_exists)
    }
}

/// Whether writing `item` would update `mapping`. A script's output is unknown, so a
/// scripted update counts as an update (fail closed).
pub(super) fn document_fields_update(item: &WriteItem, mapping: &Value) -> Updates {
    let empty = Value::Object(Map::new());
    let body = item.body.as_ref().unwrap_or(&empty);
    match item.op {
        WriteOp::Delete => Updates::both(false),
        WriteOp::Index | WriteOp::Create => Updates::both(would_update_mapping(mapping, body)),
        WriteOp::Update => {
            if body.get("script").is_some() {
                return Updates::both(true);
            }
            let updates = |key: &str| {
                body.get(key)
                    .is_some_and(|doc| would_update_mapping(mapping, doc))
            };
            let as_upsert = body.get("doc_as_upsert") == Some(&Value::Bool(true));
            Updates {
                if_exists: updates("doc"),
                if_missing: if as_upsert {
                    updates("doc")
                } else {
                    updates("upsert")
                },
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dynamic {
    /// `true` or `runtime`: new fields are added to the mapping.
    Adds,
    /// `false` or `strict`: new fields are not (ignored, or the document is refused).
    Keeps,
}

fn dynamic_of(node: &Map<String, Value>, inherited: Dynamic) -> Dynamic {
    match node.get("dynamic") {
        Some(Value::Bool(false)) => Dynamic::Keeps,
        Some(Value::String(s)) if s == "false" || s == "strict" => Dynamic::Keeps,
        Some(Value::Bool(true)) => Dynamic::Adds,
        Some(Value::String(s)) if s == "true" || s == "runtime" => Dynamic::Adds,
        _ => inherited,
    }
}

fn disabled(node: &Map<String, Value>) -> bool {
    matches!(node.get("enabled"), Some(Value::Bool(false)))
        || matches!(node.get("enabled"), Some(Value::String(s)) if s == "false")
}

/// Whether indexing `document` would update `mapping`.
pub(super) fn would_update_mapping(mapping: &Value, document: &Value) -> bool {
    let Some(root) = mapping.as_object() else {
        return true;
    };
    if root.is_empty() {
        return true;
    }
    if disabled(root) {
        return false;
    }
    let Some(fields) = document.as_object() else {
        return false;
    };
    let runtime = root.get("runtime").and_then(Value::as_object);
    let walk = Walk { runtime };
    walk.object(root, dynamic_of(root, Dynamic::Adds), "", fields)
}

struct Walk<'a> {
    /// Runtime fields by full path: a document value for one is not mapped dynamically.
    runtime: Option<&'a Map<String, Value>>,
}

impl Walk<'_> {
    /// Whether the fields of `fields`, under the object mapping `node`, add to it.
    fn object(
        &self,
        node: &Map<String, Value>,
        dynamic: Dynamic,
        prefix: &str,
        fields: &Map<String, Value>,
    ) -> bool {
        fields.iter().any(|(key, value)| {
            // A dotted name is a path of objects (`a.b` is `{"a": {"b": …}}`).
            let steps: Vec<&str> = key.split('.').collect();
            self.path(node, dynamic, prefix, &steps, value)
        })
    }

    fn path(
        &self,
        node: &Map<String, Value>,
        dynamic: Dynamic,
        prefix: &str,
        steps: &[&str],
        value: &Value,
    ) -> bool {
        let Some((step, rest)) = steps.split_first() else {
            return false;
        };
        let full = if prefix.is_empty() {
            (*step).to_owned()
        } else {
            format!("{prefix}.{step}")
        };
        let mapped = node
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|p| p.get(*step))
            .and_then(Value::as_object);
        let Some(field) = mapped else {
            let runtime = rest.is_empty() && self.runtime.is_some_and(|r| r.contains_key(&full));
            return dynamic == Dynamic::Adds && !runtime && has_value(value);
        };
        let is_object = match field.get("type").and_then(Value::as_str) {
            None => true,
            Some(t) => t == "object" || t == "nested",
        };
        if !is_object || disabled(field) {
            // A leaf takes the value or the upstream refuses it; a disabled object maps
            // nothing beneath it.
            return false;
        }
        let dynamic = dynamic_of(field, dynamic);
        if !rest.is_empty() {
            return self.path(field, dynamic, &full, rest, value);
        }
        self.value_under(field, dynamic, &full, value)
    }

    fn value_under(
        &self,
        field: &Map<String, Value>,
        dynamic: Dynamic,
        path: &str,
        value: &Value,
    ) -> bool {
        match value {
            Value::Object(inner) => self.object(field, dynamic, path, inner),
            Value::Array(items) => items
                .iter()
                .any(|v| self.value_under(field, dynamic, path, v)),
            // A scalar for an object field is the upstream's parse error.
            _ => false,
        }
    }
}

/// Whether a value for an unmapped field makes the shard map it: `null` and empty arrays (of
/// nulls) do not.
fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().any(has_value),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_search::WriteConditions;
    use serde_json::json;

    fn mapping() -> Value {
        json!({
            "properties": {
                "known": {"type": "keyword"},
                "geo": {"type": "geo_point"},
                "obj": {"properties": {"inner": {"type": "long"}}},
                "closed": {"dynamic": "strict", "properties": {"x": {"type": "long"}}},
                "off": {"type": "object", "enabled": false},
                "tags": {"type": "nested", "properties": {"k": {"type": "keyword"}}},
            },
            "runtime": {"computed": {"type": "long"}},
        })
    }

    #[test]
    fn mapped_fields_do_not_update_and_new_ones_do() {
        let m = mapping();
        for doc in [
            json!({}),
            json!({"known": "a", "geo": {"lat": 1, "lon": 2}}),
            json!({"obj": {"inner": 3}, "obj.inner": 4}),
            json!({"closed": {"y": 1}}),
            json!({"off": {"anything": {"deep": 1}}}),
            json!({"tags": [{"k": "a"}, {"k": "b"}]}),
            json!({"fresh": null, "empty": [], "nulls": [null]}),
            json!({"computed": 1}),
            json!({"known": {"not": "a leaf value"}}),
        ] {
            assert!(!would_update_mapping(&m, &doc), "{doc}");
        }
        for doc in [
            json!({"fresh": 1}),
            json!({"obj": {"other": "x"}}),
            json!({"obj.other": "x"}),
            json!({"tags": [{"k": "a"}, {"v": 1}]}),
            json!({"fresh": {}}),
            json!({"fresh": [null, 1]}),
        ] {
            assert!(would_update_mapping(&m, &doc), "{doc}");
        }
    }

    #[test]
    fn dynamic_settings_and_empty_mappings() {
        assert!(would_update_mapping(&json!({}), &json!({})));
        for dynamic in [json!(false), json!("false"), json!("strict")] {
            let m = json!({"dynamic": dynamic, "properties": {}});
            assert!(!would_update_mapping(&m, &json!({"fresh": 1})), "{m}");
            let m = json!({"dynamic": dynamic, "properties": {"o": {"dynamic": true}}});
            assert!(would_update_mapping(&m, &json!({"o": {"fresh": 1}})), "{m}");
        }
        let m = json!({"dynamic": "runtime"});
        assert!(would_update_mapping(&m, &json!({"fresh": 1})));
        assert!(!would_update_mapping(
            &json!({"enabled": false}),
            &json!({"a": 1})
        ));
    }

    fn update(body: Value) -> WriteItem {
        WriteItem {
            index: "i".into(),
            id: Some("1".into()),
            op: WriteOp::Update,
            body: Some(body),
            cond: WriteConditions::default(),
            pipeline: None,
        }
    }

    #[test]
    fn updates_count_the_document_they_write_and_scripts_fail_closed() {
        let m = mapping();
        let cases = [
            (json!({"doc": {"known": "b"}}), false, false),
            (json!({"doc": {"fresh": 1}}), true, false),
            (
                json!({"doc": {"known": "b"}, "upsert": {"fresh": 1}}),
                false,
                true,
            ),
            (
                json!({"doc": {"fresh": 1}, "upsert": {"known": "b"}}),
                true,
                false,
            ),
            (
                json!({"doc": {"fresh": 1}, "doc_as_upsert": true}),
                true,
                true,
            ),
            (
                json!({"script": {"source": "ctx._source.x = 1"}}),
                true,
                true,
            ),
        ];
        for (body, if_exists, if_missing) in cases {
            let expected = Updates {
                if_exists,
                if_missing,
            };
            assert_eq!(
                document_fields_update(&update(body.clone()), &m),
                expected,
                "{body}"
            );
        }
        let mut delete = update(json!({}));
        delete.op = WriteOp::Delete;
        assert_eq!(
            document_fields_update(&delete, &json!({})).regardless(),
            Some(false)
        );
    }
}
