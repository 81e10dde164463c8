//! A naive, obviously-correct evaluator of the query AST on one JSON document: a scan-and-filter
//! reference. The in-memory engine runs on it, and the oracle property test compares any
//! engine with it. Hidden fields (FLS) read as missing, so queries on them match nothing,
//! `must_not` on them matches all and `exists` is false.

use rampart_core::fls::FieldPermissions;
use rampart_query::ast::{Bound, MinimumShouldMatch, Operator};
use rampart_query::{Query, Scalar};
use serde_json::Value;

/// The leaf values at a dotted path (arrays flattened); empty when missing or hidden.
pub fn values<'a>(
    source: &'a Value,
    path: &str,
    fields: Option<&FieldPermissions>,
) -> Vec<&'a Value> {
    if fields.is_some_and(|f| !f.permits(path)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    collect(source, path, &mut out);
    out
}

fn collect<'a>(node: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    match node {
        Value::Array(items) => items.iter().for_each(|i| collect(i, path, out)),
        Value::Object(map) => {
            if let Some(v) = map.get(path) {
                push_leaves(v, out);
            }
            // Dotted keys and nested objects are both paths (`a.b` = `{"a":{"b":..}}`).
            for (key, child) in map {
                if let Some(rest) = path
                    .strip_prefix(key.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    collect(child, rest, out);
                }
            }
        }
        _ => {}
    }
}

fn push_leaves<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| push_leaves(i, out)),
        Value::Null => {}
        other => out.push(other),
    }
}

/// Lower-cased word tokens, as the standard analyzer would give for simple text.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn scalar_eq(v: &Value, s: &Scalar, case_insensitive: bool) -> bool {
    match (v, s) {
        (Value::String(a), Scalar::Str(b)) => {
            if case_insensitive {
                a.to_lowercase() == b.to_lowercase()
            } else {
                a == b
            }
        }
        (Value::Bool(a), Scalar::Bool(b)) => a == b,
        (Value::Bool(a), Scalar::Str(b)) => a.to_string() == *b,
        (Value::Number(_), _) => number(v).zip(scalar_number(s)).is_some_and(|(a, b)| a == b),
        (Value::String(a), Scalar::Int(b)) => *a == b.to_string(),
        _ => false,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn scalar_number(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        Scalar::Str(t) => t.parse().ok(),
        Scalar::Bool(_) => None,
    }
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Str(t) => t.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }
}

fn in_range(v: &Value, lower: Option<&Bound>, upper: Option<&Bound>) -> bool {
    let cmp = |b: &Bound| -> Option<std::cmp::Ordering> {
        match (number(v), scalar_number(&b.value)) {
            (Some(a), Some(c)) if !v.is_string() || matches!(b.value, Scalar::Str(_)) => {
                a.partial_cmp(&c)
            }
            _ => v.as_str().map(|a| a.cmp(scalar_text(&b.value).as_str())),
        }
    };
    let lower_ok =
        lower.is_none_or(|b| cmp(b).is_some_and(|o| o.is_gt() || (b.inclusive && o.is_eq())));
    let upper_ok =
        upper.is_none_or(|b| cmp(b).is_some_and(|o| o.is_lt() || (b.inclusive && o.is_eq())));
    lower_ok && upper_ok
}

fn wildcard(pattern: &str, text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    // row[j]: the pattern so far matches the first j characters of the text.
    let mut row: Vec<bool> = (0..=t.len()).map(|j| j == 0).collect();
    for pc in pattern.chars() {
        let mut next = Vec::with_capacity(row.len());
        for j in 0..=t.len() {
            let prev = |k: usize| row.get(k).copied().unwrap_or(false);
            let diag = j.checked_sub(1).is_some_and(prev);
            let value = match pc {
                '*' => prev(j) || (j > 0 && next.last().copied().unwrap_or(false)),
                '?' => diag,
                c => diag && t.get(j.wrapping_sub(1)) == Some(&c),
            };
            next.push(value);
        }
        row = next;
    }
    row.last().copied().unwrap_or(false)
}

/// Whether `query` matches the document `(id, source)` with hidden fields missing.
pub fn matches(query: &Query, id: &str, source: &Value, fields: Option<&FieldPermissions>) -> bool {
    let vals = |field: &str| values(source, field, fields);
    match query {
        Query::MatchAll { .. } => true,
        Query::MatchNone => false,
        Query::Term {
            field,
            value,
            case_insensitive,
            ..
        } => vals(field)
            .iter()
            .any(|v| scalar_eq(v, value, *case_insensitive)),
        Query::Terms {
            field,
            values: wanted,
            ..
        } => vals(field)
            .iter()
            .any(|v| wanted.iter().any(|w| scalar_eq(v, w, false))),
        Query::Ids { values: ids } => ids.iter().any(|i| i == id),
        Query::Match {
            field,
            query: q,
            operator,
            ..
        } => {
            let found = vals(field);
            if found.iter().any(|v| !v.is_string()) || !matches!(q, Scalar::Str(_)) {
                return found.iter().any(|v| scalar_eq(v, q, false));
            }
            let doc_tokens: Vec<String> = found
                .iter()
                .filter_map(|v| v.as_str())
                .flat_map(tokens)
                .collect();
            let wanted = tokens(&scalar_text(q));
            if wanted.is_empty() {
                return false;
            }
            match operator {
                Operator::Or => wanted.iter().any(|w| doc_tokens.contains(w)),
                Operator::And => wanted.iter().all(|w| doc_tokens.contains(w)),
            }
        }
        Query::MatchPhrase {
            field, query: q, ..
        } => {
            let wanted = tokens(q);
            vals(field).iter().filter_map(|v| v.as_str()).any(|text| {
                let have = tokens(text);
                !wanted.is_empty() && have.windows(wanted.len()).any(|w| w == wanted.as_slice())
            })
        }
        Query::MatchPhrasePrefix {
            field, query: q, ..
        } => {
            let wanted = tokens(q);
            vals(field).iter().filter_map(|v| v.as_str()).any(|text| {
                let have = tokens(text);
                let Some((last, head)) = wanted.split_last() else {
                    return false;
                };
                have.windows(wanted.len()).any(|w| {
                    w.get(..head.len()) == Some(head)
                        && w.last().is_some_and(|t| t.starts_with(last.as_str()))
                })
            })
        }
        Query::Bool(b) => {
            let all = |qs: &[Query]| qs.iter().all(|q| matches(q, id, source, fields));
            let should_hits = b
                .should
                .iter()
                .filter(|q| matches(q, id, source, fields))
                .count();
            let required = match b.minimum_should_match {
                Some(MinimumShouldMatch::Count(n)) if n >= 0 => n as usize,
                Some(MinimumShouldMatch::Count(n)) => {
                    b.should.len().saturating_sub(n.unsigned_abs() as usize)
                }
                Some(MinimumShouldMatch::Percent(p)) => {
                    b.should.len() * p.clamp(0, 100) as usize / 100
                }
                None if b.must.is_empty() && b.filter.is_empty() && !b.should.is_empty() => 1,
                None => 0,
            };
            all(&b.must)
                && all(&b.filter)
                && !b.must_not.iter().any(|q| matches(q, id, source, fields))
                && should_hits >= required
        }
        Query::DisMax { queries, .. } => queries.iter().any(|q| matches(q, id, source, fields)),
        Query::Range {
            field,
            lower,
            upper,
            ..
        } => vals(field)
            .iter()
            .any(|v| in_range(v, lower.as_ref(), upper.as_ref())),
        Query::Exists { field } => !vals(field).is_empty(),
        Query::Prefix {
            field,
            value,
            case_insensitive,
            ..
        } => vals(field).iter().filter_map(|v| v.as_str()).any(|s| {
            if *case_insensitive {
                s.to_lowercase().starts_with(&value.to_lowercase())
            } else {
                s.starts_with(value.as_str())
            }
        }),
        Query::Wildcard {
            field,
            value,
            case_insensitive,
            ..
        } => vals(field).iter().filter_map(|v| v.as_str()).any(|s| {
            if *case_insensitive {
                wildcard(&value.to_lowercase(), &s.to_lowercase())
            } else {
                wildcard(value, s)
            }
        }),
        // Regexp and fuzzy are left to real engines; the naive reference refuses to guess.
        Query::Regexp { .. } | Query::Fuzzy { .. } => false,
        Query::ConstantScore { filter, .. } => matches(filter, id, source, fields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hidden_fields_read_as_missing() {
        let doc = json!({"a": "x", "b": {"c": 3}});
        let q = Query::Exists {
            field: "b.c".into(),
        };
        assert!(matches(&q, "1", &doc, None));
        let def = rampart_core::fls::FieldSecurityDef::new(vec!["a"], Vec::<String>::new());
        let only_a = def.compile().unwrap();
        assert!(!matches(&q, "1", &doc, Some(&only_a)));
    }

    #[test]
    fn wildcard_patterns() {
        assert!(wildcard("a*c?", "abbcd"));
        assert!(!wildcard("a*c", "abd"));
    }
}
