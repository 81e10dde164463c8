//! FLS applied to a hit's `_source`, in place.
//!
//! The hit's source is parsed fresh for each hit and owned, so hidden leaves are removed from
//! it directly instead of copying the visible ones into a new tree
//! (`FieldPermissions::filter_source` works on a borrowed source). The dotted path is built
//! in one reused buffer. Same rules as `filter_source`: only leaves decide, an object or array
//! left empty is dropped, array elements share the array's path, an empty array is visible
//! exactly when its path is, and a non-object source keeps nothing.

use rampart_core::fls::FieldPermissions;
use serde_json::{Map, Value};

/// `source` with only the leaves `fields` permits.
pub(crate) fn filter(fields: &FieldPermissions, source: Value) -> Value {
    if fields.is_unrestricted() {
        return source;
    }
    match source {
        Value::Object(mut map) => {
            let mut path = String::new();
            retain_object(fields, &mut map, &mut path);
            Value::Object(map)
        }
        _ => Value::Object(Map::new()),
    }
}

fn retain_object(fields: &FieldPermissions, map: &mut Map<String, Value>, path: &mut String) {
    map.retain(|key, value| {
        let parent = path.len();
        if parent > 0 {
            path.push('.');
        }
        path.push_str(key);
        let keep = retain_value(fields, value, path);
        path.truncate(parent);
        keep
    });
}

/// Filters `value` (at `path`) in place; whether anything of it may be seen.
fn retain_value(fields: &FieldPermissions, value: &mut Value, path: &mut String) -> bool {
    match value {
        Value::Object(map) => {
            retain_object(fields, map, path);
            !map.is_empty()
        }
        Value::Array(items) if items.is_empty() => fields.permits(path),
        Value::Array(items) => {
            items.retain_mut(|item| retain_value(fields, item, path));
            !items.is_empty()
        }
        _ => fields.permits(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fls::FieldSecurityDef;
    use serde_json::json;

    fn perms(grant: &[&str], except: &[&str]) -> FieldPermissions {
        FieldSecurityDef::new(grant.iter().copied(), except.iter().copied())
            .compile()
            .unwrap()
    }

    /// The in-place filter answers exactly what `FieldPermissions::filter_source` answers.
    #[test]
    fn agrees_with_the_reference_filter() {
        let sources = [
            json!({"a": 1, "b": {"c": 2, "d": {"e": 3}}, "secret": "s", "f0": "x"}),
            json!({"obj": {"public": 1, "secret": 2}, "list": [{"public": 1}, {"secret": 2}, 3]}),
            json!({"empty": [], "nested": [[], [1, {"secret": 1}]], "o": {}, "n": null}),
            json!({"a.b": 1, "a": {"b": 2, "c": 3}, "": {"x": 1}, "x": [{"": 5}]}),
            json!({"public": [{"secret": 1}], "deep": {"a": {"b": {"c": {"secret": 1, "d": 4}}}}}),
            json!([1, 2]),
            json!("text"),
        ];
        let grants = [
            perms(&["*"], &["secret", "*.secret"]),
            perms(&["a*", "obj.public", "list.public", "f*"], &[]),
            perms(&["a.b", "nested", "empty", "x"], &[]),
            perms(&["deep.*", "public"], &["deep.a.b.c.secret"]),
            perms(&["nothing_here"], &[]),
            perms(&["*"], &[]),
        ];
        for fields in &grants {
            for source in &sources {
                // Compared as text: key order must match too.
                assert_eq!(
                    filter(fields, source.clone()).to_string(),
                    fields.filter_source(source).to_string(),
                    "{source}"
                );
            }
        }
    }

    #[test]
    fn hidden_leaves_and_emptied_objects_are_removed() {
        let fields = perms(&["*"], &["obj.secret", "top"]);
        let source = json!({"top": 1, "obj": {"secret": 2}, "keep": {"secret": 3, "x": [1]}});
        assert_eq!(
            filter(&fields, source),
            json!({"keep": {"secret": 3, "x": [1]}})
        );
    }
}
