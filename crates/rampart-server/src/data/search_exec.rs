//! Turning the visible, matching documents of a scan into Elasticsearch's search response:
//! sort, page, `_source` (FLS-filtered, then the request's own filter), totals and the
//! aggregations the scan engine supports (terms and single-value metrics). Hidden fields are
//! missing for sorts and aggregations exactly as for queries.

use std::cmp::Ordering;

use rampart_core::fls::FieldPermissions;
use rampart_query::{SearchRequest, SortOrder, SourceFilter, TrackTotalHits};
use serde_json::{Map, Value, json};

use super::engine::Doc;
use super::naive;
use crate::error::ApiError;

/// One visible matching document and the field permissions of its index.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub index: &'a str,
    pub doc: &'a Doc,
    pub fields: Option<&'a FieldPermissions>,
}

impl Hit<'_> {
    fn first(&self, field: &str) -> Option<&Value> {
        naive::values(&self.doc.source, field, self.fields)
            .into_iter()
            .next()
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        // Missing values sort last whatever the order (ES's default `_last`).
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => x.to_string().cmp(&y.to_string()),
        },
    }
}

fn sort(hits: &mut [Hit<'_>], request: &SearchRequest) {
    hits.sort_by(|a, b| {
        for s in &request.sort {
            if s.field == "_score" || s.field == "_doc" {
                continue;
            }
            let (x, y) = (a.first(&s.field), b.first(&s.field));
            let ord = match (s.order, x.is_some() && y.is_some()) {
                (SortOrder::Desc, true) => compare(y, x),
                _ => compare(x, y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        (a.index, &a.doc.id).cmp(&(b.index, &b.doc.id))
    });
}

fn source_of(hit: &Hit<'_>, filter: &SourceFilter) -> Option<Value> {
    let visible = match hit.fields {
        Some(f) => f.filter_source(&hit.doc.source),
        None => hit.doc.source.clone(),
    };
    match filter {
        SourceFilter::All => Some(visible),
        SourceFilter::None => None,
        SourceFilter::Filter { includes, excludes } => {
            let keep = |path: &str| {
                (includes.is_empty() || includes.iter().any(|p| pattern_covers(p, path)))
                    && !excludes.iter().any(|p| pattern_covers(p, path))
            };
            Some(filter_paths(&visible, "", &keep))
        }
    }
}

fn pattern_covers(pattern: &str, path: &str) -> bool {
    let prefix_match = path
        .strip_prefix(pattern)
        .is_some_and(|r| r.is_empty() || r.starts_with('.'));
    prefix_match
        || pattern
            .strip_suffix('*')
            .is_some_and(|p| path.starts_with(p))
}

fn filter_paths(v: &Value, prefix: &str, keep: &dyn Fn(&str) -> bool) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                let filtered = match child {
                    Value::Object(_) => filter_paths(child, &path, keep),
                    _ if keep(&path) => child.clone(),
                    _ => continue,
                };
                if !(filtered.is_object() && filtered.as_object().is_some_and(Map::is_empty))
                    || keep(&path)
                {
                    out.insert(k.clone(), filtered);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The search response for the visible matching documents.
pub fn respond(mut hits: Vec<Hit<'_>>, request: &SearchRequest) -> Result<Value, ApiError> {
    let aggregations = match &request.aggs {
        Some(aggs) => Some(aggregate(&hits, aggs)?),
        None => None,
    };
    sort(&mut hits, request);
    let total = hits.len() as u64;
    let page: Vec<Value> = hits
        .iter()
        .skip(request.from)
        .take(request.size)
        .map(|h| {
            let mut hit = Map::new();
            hit.insert("_index".into(), json!(h.index));
            hit.insert("_id".into(), json!(h.doc.id));
            hit.insert("_score".into(), json!(1.0));
            if let Some(source) = source_of(h, &request.source) {
                hit.insert("_source".into(), source);
            }
            Value::Object(hit)
        })
        .collect();
    let mut hits_obj = Map::new();
    match request.track_total_hits {
        TrackTotalHits::Off => {}
        TrackTotalHits::Accurate => {
            hits_obj.insert("total".into(), json!({"value": total, "relation": "eq"}));
        }
        TrackTotalHits::UpTo(limit) => {
            let (value, relation) = if total > limit {
                (limit, "gte")
            } else {
                (total, "eq")
            };
            hits_obj.insert(
                "total".into(),
                json!({"value": value, "relation": relation}),
            );
        }
    }
    hits_obj.insert(
        "max_score".into(),
        if page.is_empty() {
            Value::Null
        } else {
            json!(1.0)
        },
    );
    hits_obj.insert("hits".into(), Value::Array(page));
    let mut out = json!({
        "took": 1,
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": hits_obj,
    });
    if let (Some(aggs), Some(obj)) = (aggregations, out.as_object_mut()) {
        obj.insert("aggregations".into(), aggs);
    }
    Ok(out)
}

fn unsupported(kind: &str) -> ApiError {
    ApiError::bad_request(format!(
        "aggregation type [{kind}] is not supported by the scan engine"
    ))
}

fn aggregate(hits: &[Hit<'_>], aggs: &Map<String, Value>) -> Result<Value, ApiError> {
    let mut out = Map::new();
    for (name, spec) in aggs {
        let obj = spec.as_object().ok_or_else(|| {
            ApiError::bad_request(format!("aggregation [{name}] must be an object"))
        })?;
        let (kind, body) = obj
            .iter()
            .find(|(k, _)| k.as_str() != "aggs" && k.as_str() != "aggregations")
            .ok_or_else(|| {
                ApiError::bad_request(format!("missing aggregation type for [{name}]"))
            })?;
        let field = body
            .get("field")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let numbers = || -> Vec<f64> {
            hits.iter()
                .flat_map(|h| naive::values(&h.doc.source, field, h.fields))
                .filter_map(Value::as_f64)
                .collect()
        };
        let result = match kind.as_str() {
            "terms" => terms(hits, field, body)?,
            "value_count" => {
                json!({"value": hits.iter().map(|h| naive::values(&h.doc.source, field, h.fields).len()).sum::<usize>()})
            }
            "sum" => json!({"value": numbers().iter().sum::<f64>()}),
            "min" => json!({"value": numbers().into_iter().reduce(f64::min)}),
            "max" => json!({"value": numbers().into_iter().reduce(f64::max)}),
            "avg" => {
                let n = numbers();
                json!({"value": (!n.is_empty()).then(|| n.iter().sum::<f64>() / n.len() as f64)})
            }
            other => return Err(unsupported(other)),
        };
        out.insert(name.clone(), result);
    }
    Ok(Value::Object(out))
}

fn terms(hits: &[Hit<'_>], field: &str, body: &Value) -> Result<Value, ApiError> {
    let size = body.get("size").and_then(Value::as_u64).unwrap_or(10) as usize;
    // A text field's keyword sub-field aggregates on the exact value.
    let field = field.strip_suffix(".keyword").unwrap_or(field);
    let mut counts: std::collections::BTreeMap<String, (Value, u64)> = Default::default();
    for h in hits {
        let mut seen = std::collections::BTreeSet::new();
        for v in naive::values(&h.doc.source, field, h.fields) {
            let key = v.to_string();
            if seen.insert(key.clone()) {
                counts.entry(key).or_insert((v.clone(), 0)).1 += 1;
            }
        }
    }
    let mut buckets: Vec<(Value, u64)> = counts.into_values().collect();
    buckets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| compare(Some(&a.0), Some(&b.0))));
    let other: u64 = buckets.iter().skip(size).map(|b| b.1).sum();
    let buckets: Vec<Value> = buckets
        .into_iter()
        .take(size)
        .map(|(k, n)| json!({"key": k, "doc_count": n}))
        .collect();
    Ok(json!({"doc_count_error_upper_bound": 0, "sum_other_doc_count": other, "buckets": buckets}))
}
