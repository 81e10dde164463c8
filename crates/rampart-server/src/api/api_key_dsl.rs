//! The query-DSL subset of `_query/api_key`, evaluated over a flat document per key:
//! `match_all`, `ids`, `term`, `terms`, `match`, `prefix`, `wildcard`, `exists`, `range`, `bool`.

use std::cmp::Ordering;

use rampart_store::ApiKeyRecord;
use serde_json::{Value, json};

use crate::error::ApiError;

const FIELDS: [&str; 10] = [
    "id",
    "name",
    "type",
    "creation",
    "expiration",
    "invalidated",
    "invalidation",
    "username",
    "realm_name",
    "metadata",
];

/// The queryable document of a key.
pub(crate) fn doc_of(k: &ApiKeyRecord) -> Value {
    json!({
        "id": k.id, "name": k.name, "type": k.key_type, "creation": k.creation_ms,
        "expiration": k.expiration_ms, "invalidated": k.invalidated,
        "invalidation": k.invalidation_ms, "username": k.username, "realm_name": k.realm_name,
        "metadata": k.metadata,
    })
}

fn canonical(field: &str) -> &str {
    match field {
        "_id" => "id",
        "api_key_type" => "type",
        "realm" => "realm_name",
        "metadata_flattened" => "metadata",
        f => f,
    }
}

pub(crate) fn allowed(field: &str) -> bool {
    let f = canonical(field);
    FIELDS.contains(&f) || f.starts_with("metadata.")
}

/// A field's value (dotted paths under `metadata`).
pub(crate) fn field<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for part in canonical(name).split('.') {
        cur = cur.get(part)?;
    }
    (!cur.is_null()).then_some(cur)
}

pub(crate) fn not_allowed(field: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Field [{field}] is not allowed for querying or aggregation"
    ))
}

fn single_field(v: &Value, kind: &str) -> Result<(String, Value), ApiError> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| ApiError::parse(format!("[{kind}] query malformed, expected one field")))?;
    let (f, spec) = obj
        .iter()
        .next()
        .ok_or_else(|| ApiError::parse(format!("[{kind}] query malformed")))?;
    if !allowed(f) {
        return Err(not_allowed(f));
    }
    Ok((f.clone(), spec.clone()))
}

/// Reject queries this subset cannot evaluate (400 before authorization).
pub(crate) fn check(q: &Value) -> Result<(), ApiError> {
    let obj = q
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| ApiError::parse("query malformed, must start with an object"))?;
    for (kind, body) in obj {
        match kind.as_str() {
            "match_all" | "ids" => {}
            "term" | "terms" | "match" | "prefix" | "wildcard" | "range" => {
                single_field(body, kind)?;
            }
            "exists" => {
                let f = body.get("field").and_then(Value::as_str).unwrap_or("");
                if !allowed(f) {
                    return Err(not_allowed(f));
                }
            }
            "bool" => {
                for clause in ["must", "filter", "should", "must_not"] {
                    match body.get(clause) {
                        Some(Value::Array(a)) => a.iter().try_for_each(check)?,
                        Some(v) => check(v)?,
                        None => {}
                    }
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Query type [{other}] is not supported for API Key query"
                )));
            }
        }
    }
    Ok(())
}

/// The sort of a query body: (field, ascending).
pub(crate) fn sort_spec(v: &Value) -> Result<Vec<(String, bool)>, ApiError> {
    let items = match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for item in items {
        let (f, asc) = match &item {
            Value::String(s) => (s.clone(), true),
            Value::Object(o) => {
                let Some((f, spec)) = o.iter().next() else {
                    continue;
                };
                let order = spec
                    .as_str()
                    .or_else(|| spec.get("order").and_then(Value::as_str))
                    .unwrap_or("asc");
                (f.clone(), order != "desc")
            }
            _ => return Err(ApiError::parse("malformed sort")),
        };
        if !allowed(&f) {
            return Err(not_allowed(&f));
        }
        out.push((f, asc));
    }
    Ok(out)
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn equals(doc: Option<&Value>, q: &Value) -> bool {
    let q = q.get("value").or_else(|| q.get("query")).unwrap_or(q);
    match doc {
        Some(Value::Array(a)) => a.iter().any(|d| as_text(d) == as_text(q)),
        Some(d) => as_text(d) == as_text(q),
        None => false,
    }
}

fn wildcard(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| wildcard(rest, text.get(i..).unwrap_or(&[]))),
        Some((p, rest)) => match text.split_first() {
            Some((t, trest)) => (*p == '?' || p == t) && wildcard(rest, trest),
            None => false,
        },
    }
}

/// Order two field values: numbers numerically, others as text; missing last.
pub(crate) fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => as_text(x).cmp(&as_text(y)),
        },
    }
}

fn range_bound(v: &Value) -> Value {
    // `now`, `now-1d`, `now+2h` (the common forms) become epoch milliseconds.
    if let Some(s) = v.as_str() {
        if let Some(rest) = s.strip_prefix("now") {
            let now = super::api_keys::now_ms();
            let (sign, amount) = match rest.chars().next() {
                Some('-') => (-1, rest.get(1..).unwrap_or("")),
                Some('+') => (1, rest.get(1..).unwrap_or("")),
                _ => (0, ""),
            };
            let delta = super::api_keys::parse_time_value("range", amount).unwrap_or(0);
            return json!(now.saturating_add(sign * delta));
        }
    }
    v.clone()
}

/// Whether a document matches a (checked) query.
pub(crate) fn matches(q: &Value, doc: &Value) -> bool {
    let Some((kind, body)) = q.as_object().and_then(|o| o.iter().next()) else {
        return true;
    };
    let one = || {
        body.as_object()
            .and_then(|o| o.iter().next())
            .map(|(f, v)| (field(doc, f), v))
    };
    match kind.as_str() {
        "match_all" => true,
        "ids" => {
            let id = field(doc, "id");
            body.get("values")
                .and_then(Value::as_array)
                .is_some_and(|vals| vals.iter().any(|v| equals(id, v)))
        }
        "term" | "match" => one().is_some_and(|(d, v)| equals(d, v)),
        "terms" => one().is_some_and(|(d, v)| {
            v.as_array()
                .is_some_and(|vals| vals.iter().any(|x| equals(d, x)))
        }),
        "prefix" | "wildcard" => one().is_some_and(|(d, v)| {
            let pat = as_text(v.get("value").unwrap_or(v));
            let pat = if kind == "prefix" {
                format!("{pat}*")
            } else {
                pat
            };
            let pat: Vec<char> = pat.chars().collect();
            d.is_some_and(|d| wildcard(&pat, &as_text(d).chars().collect::<Vec<_>>()))
        }),
        "exists" => body
            .get("field")
            .and_then(Value::as_str)
            .is_some_and(|f| field(doc, f).is_some()),
        "range" => one().is_some_and(|(d, spec)| {
            let Some(d) = d else { return false };
            ["gt", "gte", "lt", "lte"]
                .iter()
                .all(|op| match spec.get(*op) {
                    None => true,
                    Some(b) => {
                        let o = compare(Some(d), Some(&range_bound(b)));
                        match *op {
                            "gt" => o == Ordering::Greater,
                            "gte" => o != Ordering::Less,
                            "lt" => o == Ordering::Less,
                            _ => o != Ordering::Greater,
                        }
                    }
                })
        }),
        "bool" => {
            let list = |c: &str| -> Vec<Value> {
                match body.get(c) {
                    Some(Value::Array(a)) => a.clone(),
                    Some(v) => vec![v.clone()],
                    None => Vec::new(),
                }
            };
            let (must, filter, should, must_not) = (
                list("must"),
                list("filter"),
                list("should"),
                list("must_not"),
            );
            let min_should = body
                .get("minimum_should_match")
                .and_then(Value::as_u64)
                .unwrap_or(
                    if must.is_empty() && filter.is_empty() && !should.is_empty() {
                        1
                    } else {
                        0
                    },
                ) as usize;
            must.iter().chain(&filter).all(|c| matches(c, doc))
                && !must_not.iter().any(|c| matches(c, doc))
                && should.iter().filter(|c| matches(c, doc)).count() >= min_should
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_subset() {
        let doc = json!({"id": "a1", "name": "my-key", "creation": 100, "invalidated": false,
                         "metadata": {"env": "prod"}});
        assert!(matches(&json!({"prefix": {"name": "my-"}}), &doc));
        assert!(matches(
            &json!({"wildcard": {"name": {"value": "*key"}}}),
            &doc
        ));
        assert!(matches(&json!({"term": {"metadata.env": "prod"}}), &doc));
        assert!(matches(&json!({"term": {"invalidated": "false"}}), &doc));
        assert!(matches(
            &json!({"range": {"creation": {"gte": 100, "lt": 101}}}),
            &doc
        ));
        assert!(!matches(&json!({"range": {"creation": {"gt": 100}}}), &doc));
        assert!(matches(
            &json!({"bool": {"must_not": {"ids": {"values": ["b"]}}, "should": [{"exists": {"field": "name"}}]}}),
            &doc
        ));
        assert!(check(&json!({"term": {"hash": "x"}})).is_err());
        assert!(check(&json!({"fuzzy": {"name": "x"}})).is_err());
    }
}
