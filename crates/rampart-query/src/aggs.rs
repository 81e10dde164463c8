//! Aggregations stay in Elasticsearch's JSON shape (engines such as tantivy's aggregation
//! module take that shape); this module validates them, lists the fields they read, and
//! rewrites them for field-level security.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::QueryError;
use crate::parse::parse_query;
use crate::parse::values::token_name;
use crate::render::to_es_json;
use crate::visit::{field_references, hide_fields};

/// Bucket aggregations this server runs; they may hold sub-aggregations.
const BUCKET: &[&str] = &[
    "terms",
    "range",
    "date_range",
    "histogram",
    "date_histogram",
    "filter",
    "filters",
];

/// Metric aggregations this server runs; they take no sub-aggregations.
const METRIC: &[&str] = &[
    "avg",
    "sum",
    "min",
    "max",
    "stats",
    "value_count",
    "cardinality",
    "percentiles",
    "top_hits",
];

/// Real Elasticsearch aggregations this server does not run.
const UNSUPPORTED: &[&str] = &[
    "adjacency_matrix",
    "auto_date_histogram",
    "avg_bucket",
    "boxplot",
    "bucket_script",
    "bucket_selector",
    "bucket_sort",
    "categorize_text",
    "children",
    "composite",
    "cumulative_sum",
    "derivative",
    "diversified_sampler",
    "extended_stats",
    "extended_stats_bucket",
    "frequent_item_sets",
    "geo_bounds",
    "geo_centroid",
    "geo_distance",
    "geohash_grid",
    "geotile_grid",
    "global",
    "ip_prefix",
    "ip_range",
    "matrix_stats",
    "max_bucket",
    "median_absolute_deviation",
    "min_bucket",
    "missing",
    "moving_fn",
    "multi_terms",
    "nested",
    "parent",
    "percentile_ranks",
    "random_sampler",
    "rare_terms",
    "rate",
    "reverse_nested",
    "sampler",
    "scripted_metric",
    "serial_diff",
    "significant_terms",
    "significant_text",
    "stats_bucket",
    "string_stats",
    "sum_bucket",
    "t_test",
    "time_series",
    "top_metrics",
    "variable_width_histogram",
    "weighted_avg",
];

/// The field name a hidden field is replaced by: no mapping can define it (it starts with
/// `_` and has an empty path segment, which Elasticsearch mappings reject), so engines treat
/// it as unmapped and the aggregation sees the field as missing everywhere.
pub const HIDDEN_FIELD: &str = "_rampart..hidden";

/// One aggregation, split into its parts.
struct Agg<'a> {
    name: &'a str,
    kind: &'a str,
    body: &'a Value,
    subs: Option<&'a Map<String, Value>>,
}

fn split<'a>(name: &'a str, definition: &'a Value) -> Result<Agg<'a>, QueryError> {
    if name.contains(['[', ']', '>']) {
        return Err(QueryError::parsing(format!(
            "Invalid aggregation name [{name}]. Aggregation names can contain any character except '[', ']', and '>'"
        )));
    }
    let Value::Object(object) = definition else {
        return Err(QueryError::parsing(format!(
            "Aggregation definition for [{name} starts with a [{}], expected a [START_OBJECT].",
            token_name(definition)
        )));
    };
    let mut kind: Option<(&str, &Value)> = None;
    let mut subs = None;
    for (key, value) in object {
        match key.as_str() {
            "aggs" | "aggregations" => {
                if subs.is_some() {
                    return Err(QueryError::parsing(format!(
                        "Found two sub aggregation definitions under [{name}]"
                    )));
                }
                let Value::Object(map) = value else {
                    return Err(QueryError::parsing(format!(
                        "Expected [START_OBJECT] under [{key}], but got a [{}] in [{name}]",
                        token_name(value)
                    )));
                };
                subs = Some(map);
            }
            "meta" => {
                if !value.is_object() {
                    return Err(QueryError::parsing(format!(
                        "Expected [START_OBJECT] under [meta], but got a [{}] in [{name}]",
                        token_name(value)
                    )));
                }
            }
            _ => {
                if let Some((first, _)) = kind {
                    return Err(QueryError::parsing(format!(
                        "Found two aggregation type definitions in [{name}]: [{first}] and [{key}]"
                    )));
                }
                kind = Some((key.as_str(), value));
            }
        }
    }
    let (kind, body) = kind.ok_or_else(|| {
        QueryError::parsing(format!("Missing definition for aggregation [{name}]"))
    })?;
    Ok(Agg {
        name,
        kind,
        body,
        subs,
    })
}

/// The queries inside `filter`/`filters` aggregations, with a path to put them back.
fn queries_of(agg: &Agg<'_>) -> Result<Vec<(Option<String>, Value)>, QueryError> {
    match agg.kind {
        "filter" => Ok(vec![(None, agg.body.clone())]),
        "filters" => {
            let body = agg.body.as_object().ok_or_else(|| body_error(agg))?;
            let mut out = Vec::new();
            for (key, value) in body {
                match (key.as_str(), value) {
                    ("filters", Value::Object(named)) => {
                        out.extend(named.iter().map(|(k, q)| (Some(k.clone()), q.clone())));
                    }
                    ("filters", Value::Array(list)) => {
                        out.extend(list.iter().map(|q| (None, q.clone())));
                    }
                    ("other_bucket" | "other_bucket_key" | "keyed", _) => {}
                    _ => {
                        return Err(QueryError::XContentParse(format!(
                            "[filters] unknown field [{key}]"
                        )));
                    }
                }
            }
            Ok(out)
        }
        _ => Ok(Vec::new()),
    }
}

fn body_error(agg: &Agg<'_>) -> QueryError {
    QueryError::parsing(format!(
        "Expected [START_OBJECT] under [{}], but got a [{}] in [{}]",
        agg.kind,
        token_name(agg.body),
        agg.name
    ))
}

fn check(agg: &Agg<'_>) -> Result<(), QueryError> {
    if UNSUPPORTED.contains(&agg.kind) {
        return Err(QueryError::unsupported(format!(
            "[{}] aggregation",
            agg.kind
        )));
    }
    let metric = METRIC.contains(&agg.kind);
    if !metric && !BUCKET.contains(&agg.kind) {
        return Err(QueryError::parsing(format!(
            "Unknown aggregation type [{}]",
            agg.kind
        )));
    }
    let body = agg.body.as_object().ok_or_else(|| body_error(agg))?;
    if body.contains_key("script") {
        return Err(QueryError::unsupported(format!(
            "[script] in aggregation [{}]",
            agg.name
        )));
    }
    if metric && agg.subs.is_some_and(|s| !s.is_empty()) {
        return Err(QueryError::parsing(format!(
            "Aggregator [{}] of type [{}] cannot accept sub-aggregations",
            agg.name, agg.kind
        )));
    }
    if let Some(Value::String(_)) = body.get("field") {
    } else if body.contains_key("field") {
        return Err(QueryError::XContentParse(format!(
            "[{}] field [field] must be a string",
            agg.kind
        )));
    }
    for (_, query) in queries_of(agg)? {
        parse_query(&query)?;
    }
    Ok(())
}

/// Validate an `aggs` object: known, supported types; well-formed; queries parse.
pub fn validate_aggs(aggs: &Map<String, Value>) -> Result<(), QueryError> {
    for (name, definition) in aggs {
        let agg = split(name, definition)?;
        check(&agg)?;
        if let Some(subs) = agg.subs {
            validate_aggs(subs)?;
        }
    }
    Ok(())
}

/// Every field the aggregations read: `field` options, fields of `filter`/`filters`
/// queries, and `top_hits` sort fields.
pub fn agg_field_references(aggs: &Map<String, Value>) -> Result<BTreeSet<String>, QueryError> {
    let mut fields = BTreeSet::new();
    collect(aggs, &mut fields)?;
    Ok(fields)
}

fn collect(aggs: &Map<String, Value>, fields: &mut BTreeSet<String>) -> Result<(), QueryError> {
    for (name, definition) in aggs {
        let agg = split(name, definition)?;
        if let Some(Value::String(field)) = agg.body.get("field") {
            fields.insert(field.clone());
        }
        for (_, query) in queries_of(&agg)? {
            fields.extend(field_references(&parse_query(&query)?));
        }
        if agg.kind == "top_hits" {
            if let Some(sort) = agg.body.get("sort") {
                fields.extend(sort_fields(sort));
            }
        }
        if let Some(subs) = agg.subs {
            collect(subs, fields)?;
        }
    }
    Ok(())
}

fn sort_fields(sort: &Value) -> Vec<String> {
    match sort {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(items) => items.iter().flat_map(sort_fields).collect(),
        _ => Vec::new(),
    }
}

/// Field-level security for aggregations: hidden `field`s become [`HIDDEN_FIELD`] (seen as
/// missing), and `filter`/`filters` queries get [`hide_fields`].
pub fn hide_agg_fields(
    aggs: &Map<String, Value>,
    permits: &dyn Fn(&str) -> bool,
) -> Result<Map<String, Value>, QueryError> {
    let mut out = Map::new();
    for (name, definition) in aggs {
        let agg = split(name, definition)?;
        let mut body = agg.body.clone();
        match agg.kind {
            "filter" => body = to_es_json(&hide_fields(parse_query(&body)?, permits)),
            "filters" => {
                if let Some(filters) = body.get_mut("filters") {
                    hide_filters(filters, permits)?;
                }
            }
            _ => {
                if let Some(field) = body.get_mut("field") {
                    if field.as_str().is_some_and(|f| !permits(f)) {
                        *field = Value::String(HIDDEN_FIELD.into());
                    }
                }
            }
        }
        let mut rebuilt = definition.as_object().cloned().unwrap_or_default();
        rebuilt.insert(agg.kind.to_string(), body);
        if let Some(subs) = agg.subs {
            let hidden = Value::Object(hide_agg_fields(subs, permits)?);
            if rebuilt.contains_key("aggs") {
                rebuilt.insert("aggs".into(), hidden);
            } else {
                rebuilt.insert("aggregations".into(), hidden);
            }
        }
        out.insert(name.clone(), Value::Object(rebuilt));
    }
    Ok(out)
}

fn hide_filters(filters: &mut Value, permits: &dyn Fn(&str) -> bool) -> Result<(), QueryError> {
    let hide = |q: &mut Value| -> Result<(), QueryError> {
        *q = to_es_json(&hide_fields(parse_query(q)?, permits));
        Ok(())
    };
    match filters {
        Value::Object(named) => named.values_mut().try_for_each(hide),
        Value::Array(list) => list.iter_mut().try_for_each(hide),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "aggs_tests.rs"]
mod tests;
