//! The request's `_source` option and the `fields` option, applied after FLS filtering.

use rampart_core::resolve::simple_match;
use rampart_query::SourceFilter;
use serde_json::{Map, Value};

/// Apply `_source` includes/excludes (patterns on dotted paths; an object path includes its
/// children).
pub fn apply(filter: &SourceFilter, source: Value) -> Option<Value> {
    match filter {
        SourceFilter::All => Some(source),
        SourceFilter::None => None,
        SourceFilter::Filter { includes, excludes } => {
            let Value::Object(obj) = source else {
                return Some(source);
            };
            Some(Value::Object(filter_object("", &obj, includes, excludes)))
        }
    }
}

fn matches_any(patterns: &[String], path: &str) -> bool {
    patterns.iter().any(|p| simple_match(p, path))
}

/// Could some descendant of `path` match an include pattern?
fn may_contain(patterns: &[String], path: &str) -> bool {
    patterns.iter().any(|p| {
        let prefix = format!("{path}.");
        p.starts_with(&prefix) || p.starts_with('*') || simple_match(p, path)
    })
}

fn filter_object(
    prefix: &str,
    obj: &Map<String, Value>,
    includes: &[String],
    excludes: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in obj {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if matches_any(excludes, &path) {
            continue;
        }
        let included = includes.is_empty() || matches_any(includes, &path);
        match v {
            Value::Object(inner) => {
                if included {
                    let kept = filter_object(&path, inner, &[], excludes);
                    out.insert(k.clone(), Value::Object(kept));
                } else if may_contain(includes, &path) {
                    let kept = filter_object(&path, inner, includes, excludes);
                    if !kept.is_empty() {
                        out.insert(k.clone(), Value::Object(kept));
                    }
                }
            }
            Value::Array(items) if !included && may_contain(includes, &path) => {
                let kept: Vec<Value> = items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Object(inner) => {
                            let kept = filter_object(&path, inner, includes, excludes);
                            (!kept.is_empty()).then_some(Value::Object(kept))
                        }
                        _ => None,
                    })
                    .collect();
                if !kept.is_empty() {
                    out.insert(k.clone(), Value::Array(kept));
                }
            }
            _ if included => {
                out.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    out
}

/// Values at a dotted path of a source (arrays flattened), as the `fields` option returns them.
pub fn values_at(source: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    collect(source, path, &mut out);
    out
}

fn collect(node: &Value, path: &str, out: &mut Vec<Value>) {
    match node {
        Value::Array(items) => {
            for item in items {
                collect(item, path, out);
            }
        }
        Value::Object(obj) => {
            if let Some(v) = obj.get(path) {
                push_leaf(v, out);
            }
            for (k, v) in obj {
                if let Some(rest) = path
                    .strip_prefix(k.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    collect(v, rest, out);
                }
            }
        }
        _ => {}
    }
}

fn push_leaf(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| push_leaf(i, out)),
        Value::Null | Value::Object(_) => {}
        other => out.push(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn includes_excludes() {
        let src = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [{"c": 1, "x": 2}]});
        let f = SourceFilter::Filter {
            includes: vec!["b.c".into(), "a".into()],
            excludes: vec![],
        };
        assert_eq!(
            apply(&f, src.clone()).unwrap(),
            json!({"a": 1, "b": {"c": 2}})
        );
        let f = SourceFilter::Filter {
            includes: vec![],
            excludes: vec!["b".into()],
        };
        assert_eq!(
            apply(&f, src.clone()).unwrap(),
            json!({"a": 1, "e": [{"c": 1, "x": 2}]})
        );
        assert_eq!(values_at(&src, "e.c"), vec![json!(1)]);
        assert_eq!(values_at(&json!({"a.b": 5}), "a.b"), vec![json!(5)]);
    }
}
