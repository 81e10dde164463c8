//! Filtering a JSON `_source` down to the permitted leaf paths.
//!
//! Only leaves decide: an object survives when something inside it does, which is how a grant
//! of `*` with `except: [obj.secret]` keeps `obj.public` and drops `obj.secret`.

use serde_json::{Map, Value};

/// Keep the leaves of `source` whose dotted path `permits`; a non-object source keeps nothing.
pub(super) fn filter(source: &Value, permits: &dyn Fn(&str) -> bool) -> Value {
    match source {
        Value::Object(map) => Value::Object(filter_object(map, "", permits)),
        _ => Value::Object(Map::new()),
    }
}

fn filter_object(
    map: &Map<String, Value>,
    prefix: &str,
    permits: &dyn Fn(&str) -> bool,
) -> Map<String, Value> {
    let mut kept = Map::new();
    for (key, value) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some(value) = filter_value(value, &path, permits) {
            kept.insert(key.clone(), value);
        }
    }
    kept
}

/// The filtered value at `path`, or `None` when nothing of it may be seen.
fn filter_value(value: &Value, path: &str, permits: &dyn Fn(&str) -> bool) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let kept = filter_object(map, path, permits);
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        // an empty array carries no leaves: it is visible exactly when its path is
        Value::Array(items) if items.is_empty() => permits(path).then(|| value.clone()),
        Value::Array(items) => {
            // array elements share the array's path
            let kept: Vec<Value> = items
                .iter()
                .filter_map(|item| filter_value(item, path, permits))
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        leaf => permits(path).then(|| leaf.clone()),
    }
}
