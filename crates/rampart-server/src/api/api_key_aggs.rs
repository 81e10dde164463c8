//! The aggregations `_query/api_key` accepts, evaluated over the matching key documents:
//! `terms`, `composite` (terms sources), `filters`, `range`, `missing` (these four may nest
//! sub-aggregations), `cardinality` and `value_count`. Anything else is a 400, as in ES.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::api_key_dsl::{allowed, check, compare, field, matches, not_allowed};
use crate::error::ApiError;

/// Named aggregations, in request order.
pub(crate) type Aggs = Vec<(String, Agg)>;

#[derive(Debug, Clone)]
pub(crate) enum Agg {
    Terms {
        field: String,
        size: usize,
        sub: Aggs,
    },
    Composite {
        sources: Vec<(String, String)>,
        size: usize,
        after: Option<Map<String, Value>>,
    },
    Filters {
        filters: Vec<(String, Value)>,
        keyed: bool,
        sub: Aggs,
    },
    Range {
        field: String,
        ranges: Vec<RangeSpec>,
        sub: Aggs,
    },
    Missing {
        field: String,
        sub: Aggs,
    },
    Cardinality {
        field: String,
    },
    ValueCount {
        field: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct RangeSpec {
    key: Option<String>,
    from: Option<f64>,
    to: Option<f64>,
}

fn malformed(name: &str, why: &str) -> ApiError {
    ApiError::parse(format!("failed to parse aggregation [{name}]: {why}"))
}

fn field_of(name: &str, spec: &Value) -> Result<String, ApiError> {
    let f = spec
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(name, "[field] is required"))?;
    if !allowed(f) {
        return Err(not_allowed(f));
    }
    Ok(f.to_string())
}

fn size_of(spec: &Value) -> usize {
    spec.get("size")
        .and_then(Value::as_u64)
        .map_or(10, |s| usize::try_from(s).unwrap_or(usize::MAX))
}

/// Parse an `aggs` object; unsupported aggregation types are rejected.
pub(crate) fn parse(v: &Value) -> Result<Aggs, ApiError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ApiError::parse("[aggs] must be an object"))?;
    let mut out = Vec::new();
    for (name, def) in obj {
        let def = def
            .as_object()
            .ok_or_else(|| malformed(name, "expected an object"))?;
        let sub = match def.get("aggs").or_else(|| def.get("aggregations")) {
            Some(s) => parse(s)?,
            None => Vec::new(),
        };
        let mut kinds = def
            .iter()
            .filter(|(k, _)| k.as_str() != "aggs" && k.as_str() != "aggregations");
        let (kind, spec) = match (kinds.next(), kinds.next()) {
            (Some(one), None) => one,
            _ => return Err(malformed(name, "expected exactly one aggregation type")),
        };
        let agg = match kind.as_str() {
            "terms" => Agg::Terms {
                field: field_of(name, spec)?,
                size: size_of(spec),
                sub,
            },
            "composite" => parse_composite(name, spec)?,
            "filters" => parse_filters(name, spec, sub)?,
            "range" => parse_range(name, spec, sub)?,
            "missing" => Agg::Missing {
                field: field_of(name, spec)?,
                sub,
            },
            "cardinality" => Agg::Cardinality {
                field: field_of(name, spec)?,
            },
            "value_count" => Agg::ValueCount {
                field: field_of(name, spec)?,
            },
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unsupported API Keys agg [{name}] of type [{other}]"
                )));
            }
        };
        out.push((name.clone(), agg));
    }
    Ok(out)
}

fn parse_composite(name: &str, spec: &Value) -> Result<Agg, ApiError> {
    let sources = spec
        .get("sources")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(name, "[sources] must be a non-empty array"))?;
    let mut parsed = Vec::new();
    for source in sources {
        let (source_name, def) = source
            .as_object()
            .and_then(|o| o.iter().next())
            .ok_or_else(|| malformed(name, "each source must be an object"))?;
        let terms = def.get("terms").ok_or_else(|| {
            ApiError::bad_request(format!(
                "Unsupported API Keys agg [{name}] source [{source_name}]: only [terms] sources are supported"
            ))
        })?;
        parsed.push((source_name.clone(), field_of(name, terms)?));
    }
    Ok(Agg::Composite {
        sources: parsed,
        size: size_of(spec),
        after: spec.get("after").and_then(Value::as_object).cloned(),
    })
}

fn parse_filters(name: &str, spec: &Value, sub: Aggs) -> Result<Agg, ApiError> {
    let raw = spec
        .get("filters")
        .ok_or_else(|| malformed(name, "[filters] is required"))?;
    let (filters, keyed) = match raw {
        Value::Object(o) => (
            o.iter().map(|(k, q)| (k.clone(), q.clone())).collect(),
            true,
        ),
        Value::Array(a) => (
            a.iter()
                .enumerate()
                .map(|(i, q)| (i.to_string(), q.clone()))
                .collect::<Vec<_>>(),
            false,
        ),
        _ => return Err(malformed(name, "[filters] must be an object or an array")),
    };
    for (_, q) in &filters {
        check(q)?;
    }
    Ok(Agg::Filters {
        filters,
        keyed,
        sub,
    })
}

fn parse_range(name: &str, spec: &Value, sub: Aggs) -> Result<Agg, ApiError> {
    let ranges = spec
        .get("ranges")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(name, "[ranges] is required"))?
        .iter()
        .map(|r| RangeSpec {
            key: r.get("key").and_then(Value::as_str).map(String::from),
            from: r.get("from").and_then(number),
            to: r.get("to").and_then(number),
        })
        .collect();
    Ok(Agg::Range {
        field: field_of(name, spec)?,
        ranges,
        sub,
    })
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Every value of a field in a document (arrays contribute each element).
fn values<'a>(doc: &'a Value, name: &str) -> Vec<&'a Value> {
    match field(doc, name) {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter(|v| !v.is_null()).collect(),
        Some(v) => vec![v],
    }
}

/// Evaluate aggregations over the documents.
pub(crate) fn evaluate(aggs: &Aggs, docs: &[&Value]) -> Value {
    let mut out = Map::new();
    for (name, agg) in aggs {
        out.insert(name.clone(), evaluate_one(agg, docs));
    }
    Value::Object(out)
}

fn bucket(key: Value, docs: &[&Value], sub: &Aggs) -> Value {
    let mut b = Map::new();
    b.insert("key".into(), key);
    b.insert("doc_count".into(), json!(docs.len()));
    if let Value::Object(subs) = evaluate(sub, docs) {
        b.extend(subs);
    }
    Value::Object(b)
}

fn evaluate_one(agg: &Agg, docs: &[&Value]) -> Value {
    match agg {
        Agg::Terms { field, size, sub } => terms(field, *size, sub, docs),
        Agg::Composite {
            sources,
            size,
            after,
        } => composite(sources, *size, after.as_ref(), docs),
        Agg::Filters {
            filters,
            keyed,
            sub,
        } => {
            let per_filter = filters.iter().map(|(key, q)| {
                let hits: Vec<&Value> = docs.iter().copied().filter(|d| matches(q, d)).collect();
                (key, bucket(Value::Null, &hits, sub))
            });
            let strip_key = |mut b: Value| {
                if let Some(o) = b.as_object_mut() {
                    o.remove("key");
                }
                b
            };
            if *keyed {
                let m: Map<String, Value> =
                    per_filter.map(|(k, b)| (k.clone(), strip_key(b))).collect();
                json!({ "buckets": m })
            } else {
                let v: Vec<Value> = per_filter.map(|(_, b)| strip_key(b)).collect();
                json!({ "buckets": v })
            }
        }
        Agg::Range { field, ranges, sub } => {
            let buckets: Vec<Value> = ranges
                .iter()
                .map(|r| range_bucket(field, r, sub, docs))
                .collect();
            json!({ "buckets": buckets })
        }
        Agg::Missing { field, sub } => {
            let hits: Vec<&Value> = docs
                .iter()
                .copied()
                .filter(|d| values(d, field).is_empty())
                .collect();
            let mut b = bucket(Value::Null, &hits, sub);
            if let Some(o) = b.as_object_mut() {
                o.remove("key");
            }
            b
        }
        Agg::Cardinality { field } => {
            let distinct: BTreeSet<String> = docs
                .iter()
                .flat_map(|d| values(d, field))
                .map(Value::to_string)
                .collect();
            json!({ "value": distinct.len() })
        }
        Agg::ValueCount { field } => {
            let n: usize = docs.iter().map(|d| values(d, field).len()).sum();
            json!({ "value": n })
        }
    }
}

fn terms(field: &str, size: usize, sub: &Aggs, docs: &[&Value]) -> Value {
    let mut groups: Vec<(Value, Vec<&Value>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for d in docs {
        for v in values(d, field) {
            let slot = *index.entry(v.to_string()).or_insert_with(|| {
                groups.push((v.clone(), Vec::new()));
                groups.len().saturating_sub(1)
            });
            if let Some(g) = groups.get_mut(slot) {
                g.1.push(d);
            }
        }
    }
    // ES's default order: most documents first, then the key ascending.
    groups.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then_with(|| compare(Some(&a.0), Some(&b.0)))
    });
    let shown: usize = groups.iter().take(size).map(|g| g.1.len()).sum();
    let total: usize = groups.iter().map(|g| g.1.len()).sum();
    let buckets: Vec<Value> = groups
        .iter()
        .take(size)
        .map(|(k, ds)| bucket(k.clone(), ds, sub))
        .collect();
    json!({
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": total.saturating_sub(shown),
        "buckets": buckets,
    })
}

fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare(Some(x), Some(y)))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

fn composite(
    sources: &[(String, String)],
    size: usize,
    after: Option<&Map<String, Value>>,
    docs: &[&Value],
) -> Value {
    let mut groups: Vec<(Vec<Value>, usize)> = Vec::new();
    for d in docs {
        // A document without a value for some source is in no bucket (no missing_bucket).
        let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
        for (_, f) in sources {
            let vals = values(d, f);
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    vals.iter().map(move |v| {
                        let mut next = c.clone();
                        next.push((*v).clone());
                        next
                    })
                })
                .collect();
        }
        for key in combos {
            match groups.iter_mut().find(|g| g.0 == key) {
                Some(g) => g.1 = g.1.saturating_add(1),
                None => groups.push((key, 1)),
            }
        }
    }
    groups.sort_by(|a, b| compare_keys(&a.0, &b.0));
    let after_key: Option<Vec<Value>> = after.map(|a| {
        sources
            .iter()
            .map(|(n, _)| a.get(n).cloned().unwrap_or(Value::Null))
            .collect()
    });
    let page: Vec<&(Vec<Value>, usize)> = groups
        .iter()
        .filter(|g| {
            after_key
                .as_ref()
                .is_none_or(|a| compare_keys(&g.0, a) == Ordering::Greater)
        })
        .take(size)
        .collect();
    let key_object = |key: &[Value]| -> Value {
        let m: Map<String, Value> = sources
            .iter()
            .zip(key)
            .map(|((n, _), v)| (n.clone(), v.clone()))
            .collect();
        Value::Object(m)
    };
    let buckets: Vec<Value> = page
        .iter()
        .map(|(k, n)| json!({ "key": key_object(k), "doc_count": n }))
        .collect();
    let mut out = json!({ "buckets": buckets });
    if let (Some(last), Some(o)) = (page.last(), out.as_object_mut()) {
        o.insert("after_key".into(), key_object(&last.0));
    }
    out
}

fn range_bucket(field: &str, r: &RangeSpec, sub: &Aggs, docs: &[&Value]) -> Value {
    let hits: Vec<&Value> = docs
        .iter()
        .copied()
        .filter(|d| {
            values(d, field)
                .iter()
                .filter_map(|v| number(v))
                .any(|n| r.from.is_none_or(|f| n >= f) && r.to.is_none_or(|t| n < t))
        })
        .collect();
    let bound = |b: Option<f64>| b.map_or_else(|| "*".to_string(), |v| format!("{v:?}"));
    let key = r
        .key
        .clone()
        .unwrap_or_else(|| format!("{}-{}", bound(r.from), bound(r.to)));
    let mut b = bucket(json!(key), &hits, sub);
    if let Some(o) = b.as_object_mut() {
        if let Some(f) = r.from {
            o.insert("from".into(), json!(f));
        }
        if let Some(t) = r.to {
            o.insert("to".into(), json!(t));
        }
    }
    b
}
