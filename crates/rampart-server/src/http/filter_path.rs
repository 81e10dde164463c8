//! `?filter_path=a.b,-c.*`: keep (or drop) parts of a JSON response, as Elasticsearch does.

use serde_json::{Map, Value};

/// Apply a comma-separated filter_path expression. Inclusive paths keep only what they match;
/// paths starting with `-` remove what they match. `*` matches one key, `**` any depth.
pub fn filter_path(body: &Value, expr: &str) -> Value {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for p in expr.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match p.strip_prefix('-') {
            Some(rest) => exclude.push(split(rest)),
            None => include.push(split(p)),
        }
    }
    let mut out = if include.is_empty() {
        body.clone()
    } else {
        keep(body, &include.iter().map(Vec::as_slice).collect::<Vec<_>>())
            .unwrap_or(Value::Object(Map::new()))
    };
    for e in &exclude {
        drop_path(&mut out, e);
    }
    out
}

fn split(p: &str) -> Vec<String> {
    p.split('.').map(String::from).collect()
}

fn key_matches(pattern: &str, key: &str) -> bool {
    if pattern == "*" || pattern == "**" {
        return true;
    }
    glob(pattern.as_bytes(), key.as_bytes())
}

/// `*` matches any run of characters; everything else is literal. Greedy with one
/// backtrack point, so hostile patterns stay linear-ish instead of exponential.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if Some(c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|c| *c == b'*')
}

/// Keep what any of the paths select; `None` when nothing is selected.
fn keep(value: &Value, paths: &[&[String]]) -> Option<Value> {
    if paths.iter().any(|p| p.is_empty()) {
        return Some(value.clone());
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let mut next: Vec<&[String]> = Vec::new();
                for p in paths {
                    let (head, rest) = match p.split_first() {
                        Some(x) => x,
                        None => continue,
                    };
                    if head == "**" {
                        next.push(p);
                        next.push(rest);
                        if rest.first().is_some_and(|r| key_matches(r, k)) {
                            next.push(rest.get(1..).unwrap_or_default());
                        }
                    } else if key_matches(head, k) {
                        next.push(rest);
                    }
                }
                if !next.is_empty() {
                    if let Some(kept) = keep(v, &next) {
                        out.insert(k.clone(), kept);
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(|i| keep(i, paths)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

fn drop_path(value: &mut Value, path: &[String]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map
                .keys()
                .filter(|k| key_matches(head, k))
                .cloned()
                .collect();
            for k in keys {
                if rest.is_empty() {
                    map.remove(&k);
                } else if let Some(v) = map.get_mut(&k) {
                    drop_path(v, rest);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| drop_path(i, path)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn include_and_exclude() {
        let body = json!({"a": {"b": 1, "c": 2}, "d": [{"e": 1, "f": 2}], "g": 3});
        assert_eq!(
            filter_path(&body, "a.b,d.e"),
            json!({"a": {"b": 1}, "d": [{"e": 1}]})
        );
        assert_eq!(filter_path(&body, "-a,-d"), json!({"g": 3}));
        assert_eq!(filter_path(&body, "*.c"), json!({"a": {"c": 2}}));
        assert_eq!(filter_path(&body, "**.f"), json!({"d": [{"f": 2}]}));
        assert_eq!(filter_path(&body, "nothing"), json!({}));
        assert_eq!(filter_path(&body, ""), body);
        assert_eq!(filter_path(&body, "**"), body);
        assert_eq!(filter_path(&body, "-**"), json!({}));
        assert_eq!(filter_path(&body, "a.*,-a.c"), json!({"a": {"b": 1}}));
    }

    #[test]
    fn multi_wildcard_keys() {
        let body = json!({"abc": 1, "axbxc": 2, "ab": 3});
        assert_eq!(filter_path(&body, "a*b*c"), json!({"abc": 1, "axbxc": 2}));
        assert_eq!(filter_path(&body, "a*"), body);
    }
}
