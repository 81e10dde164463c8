//! Search bodies (and their URL parameters) → [`SearchRequest`], strictly.

use serde_json::{Map, Value};

use crate::aggs::validate_aggs;
use crate::error::QueryError;
use crate::parse::parse_query;
use crate::parse::values::{self, token_name};
use crate::request::{Missing, SearchRequest, SortField, SortOrder, SourceFilter, TrackTotalHits};

/// Body keys that name real Elasticsearch features this server does not implement.
const UNSUPPORTED_KEYS: &[&str] = &[
    "collapse",
    "ext",
    "indices_boost",
    "knn",
    "pit",
    "rank",
    "rescore",
    "retriever",
    "runtime_mappings",
    "script_fields",
    "slice",
    "sub_searches",
];

/// `Unknown key for a START_OBJECT in [x].`
fn unknown_key(key: &str, value: &Value) -> QueryError {
    QueryError::parsing(format!(
        "Unknown key for a {} in [{key}].",
        token_name(value)
    ))
}

/// Parse a search body; `null` (no body) gives the defaults (`match_all`, size 10).
pub fn parse_search_request(body: &Value) -> Result<SearchRequest, QueryError> {
    let mut request = SearchRequest::default();
    let object = match body {
        Value::Null => return Ok(request),
        Value::Object(object) => object,
        other => {
            return Err(QueryError::parsing(format!(
                "Expected [START_OBJECT] but found [{}]",
                token_name(other)
            )));
        }
    };
    let mut aggs_seen = false;
    for (key, v) in object {
        let wrong = || unknown_key(key, v);
        match key.as_str() {
            "query" | "post_filter" => {
                if !v.is_object() {
                    return Err(wrong());
                }
                let query = parse_query(v)?;
                if key == "query" {
                    request.query = query;
                } else {
                    request.post_filter = Some(query);
                }
            }
            "from" | "size" | "terminate_after" => {
                if !(v.is_number() || v.is_string()) {
                    return Err(wrong());
                }
                let n = values::int("search", key, v)?;
                let n = usize::try_from(n).map_err(|_| {
                    QueryError::illegal(format!(
                        "[{key}] parameter cannot be negative, found [{n}]"
                    ))
                })?;
                match key.as_str() {
                    "from" => request.from = n,
                    "size" => request.size = n,
                    _ => request.terminate_after = (n > 0).then_some(n),
                }
            }
            "sort" => request.sort = parse_sort(v)?,
            "search_after" => match v {
                Value::Array(items) => request.search_after = Some(items.clone()),
                _ => return Err(wrong()),
            },
            "_source" => request.source = parse_source(v)?,
            "fields" | "docvalue_fields" => {
                let fields = parse_field_list(key, v)?;
                if key == "fields" {
                    request.fields = fields;
                } else {
                    request.docvalue_fields = fields;
                }
            }
            "stored_fields" => request.stored_fields = Some(parse_stored_fields(v)?),
            "track_total_hits" => request.track_total_hits = parse_track_total_hits(v)?,
            "aggs" | "aggregations" => {
                if aggs_seen {
                    return Err(QueryError::parsing(format!(
                        "Found two aggregation definitions in [{key}]"
                    )));
                }
                aggs_seen = true;
                let Value::Object(aggs) = v else {
                    return Err(wrong());
                };
                validate_aggs(aggs)?;
                request.aggs = Some(aggs.clone());
            }
            "min_score" => {
                if !(v.is_number() || v.is_string()) {
                    return Err(wrong());
                }
                #[allow(clippy::cast_possible_truncation)] // f32 in Elasticsearch too
                let m = values::float("search", key, v)? as f32;
                request.min_score = Some(m);
            }
            "suggest" | "highlight" => {
                if !v.is_object() {
                    return Err(wrong());
                }
                if key == "suggest" {
                    request.suggest = Some(v.clone());
                } else {
                    request.highlight = Some(v.clone());
                }
            }
            "profile" | "version" | "seq_no_primary_term" | "explain" | "track_scores" => {
                if !(v.is_boolean() || v.is_string()) {
                    return Err(wrong());
                }
                let flag = values::boolean("search", key, v)?;
                match key.as_str() {
                    "profile" => request.profile = flag,
                    "version" => request.version = flag,
                    "seq_no_primary_term" => request.seq_no_primary_term = flag,
                    "explain" => request.explain = flag,
                    _ => request.track_scores = flag,
                }
            }
            "timeout" => {
                if !(v.is_string() || v.is_number()) {
                    return Err(wrong());
                }
                request.timeout = Some(values::string("search", key, v)?);
            }
            "stats" => {
                if !v.is_array() {
                    return Err(wrong());
                }
            }
            k if UNSUPPORTED_KEYS.contains(&k) => {
                return Err(QueryError::unsupported(format!(
                    "[{k}] in a search request"
                )));
            }
            _ => return Err(wrong()),
        }
    }
    Ok(request)
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn sort_order(text: &str) -> Result<SortOrder, QueryError> {
    match text.to_ascii_lowercase().as_str() {
        "asc" => Ok(SortOrder::Asc),
        "desc" => Ok(SortOrder::Desc),
        _ => Err(QueryError::illegal(format!("Unknown SortOrder [{text}]"))),
    }
}

pub(crate) fn sort_field(
    field: &str,
    order: Option<SortOrder>,
    missing: Option<Missing>,
) -> Result<SortField, QueryError> {
    match field {
        "_geo_distance" | "_geoDistance" | "_script" => {
            return Err(QueryError::unsupported(format!("[{field}] sort")));
        }
        "" => return Err(QueryError::illegal("sort field name cannot be empty")),
        _ => {}
    }
    let default = if field == "_score" {
        SortOrder::Desc
    } else {
        SortOrder::Asc
    };
    Ok(SortField {
        field: field.to_string(),
        order: order.unwrap_or(default),
        missing,
    })
}

fn parse_sort(value: &Value) -> Result<Vec<SortField>, QueryError> {
    match value {
        Value::String(field) => Ok(vec![sort_field(field, None, None)?]),
        Value::Object(object) => sort_object(object),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(field) => out.push(sort_field(field, None, None)?),
                    Value::Object(object) => out.extend(sort_object(object)?),
                    other => {
                        return Err(QueryError::parsing(format!(
                            "unexpected token [{}] in sort",
                            token_name(other)
                        )));
                    }
                }
            }
            Ok(out)
        }
        other => Err(unknown_key("sort", other)),
    }
}

fn sort_object(object: &Map<String, Value>) -> Result<Vec<SortField>, QueryError> {
    let mut out = Vec::new();
    for (field, spec) in object {
        let sort = match spec {
            Value::String(order) => sort_field(field, Some(sort_order(order)?), None)?,
            Value::Object(options) => {
                let mut order = None;
                let mut missing = None;
                for (key, v) in options {
                    match key.as_str() {
                        "order" => {
                            order = Some(sort_order(&values::string("field_sort", key, v)?)?);
                        }
                        "missing" => {
                            missing = Some(match v.as_str() {
                                Some("_last") => Missing::Last,
                                Some("_first") => Missing::First,
                                _ => Missing::Value(v.clone()),
                            });
                        }
                        "unmapped_type" | "format" | "numeric_type" => {}
                        "mode" => {
                            let mode = values::string("field_sort", key, v)?;
                            if !matches!(mode.as_str(), "min" | "max") {
                                return Err(QueryError::unsupported(format!(
                                    "sort [mode] [{mode}]"
                                )));
                            }
                        }
                        "nested" | "nested_path" | "nested_filter" => {
                            return Err(QueryError::unsupported("nested sort"));
                        }
                        _ => {
                            return Err(QueryError::XContentParse(format!(
                                "[field_sort] unknown field [{key}]"
                            )));
                        }
                    }
                }
                sort_field(field, order, missing)?
            }
            other => {
                return Err(QueryError::parsing(format!(
                    "unexpected token [{}] in sort [{field}]",
                    token_name(other)
                )));
            }
        };
        out.push(sort);
    }
    Ok(out)
}

fn string_list(key: &str, value: &Value) -> Result<Vec<String>, QueryError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(QueryError::parsing(format!(
                    "Unknown key for a {} in [{key}].",
                    token_name(other)
                ))),
            })
            .collect(),
        other => Err(unknown_key(key, other)),
    }
}

fn parse_source(value: &Value) -> Result<SourceFilter, QueryError> {
    match value {
        Value::Bool(true) => Ok(SourceFilter::All),
        Value::Bool(false) => Ok(SourceFilter::None),
        Value::String(_) | Value::Array(_) => Ok(SourceFilter::Filter {
            includes: string_list("_source", value)?,
            excludes: Vec::new(),
        }),
        Value::Object(object) => {
            let mut includes = Vec::new();
            let mut excludes = Vec::new();
            for (key, v) in object {
                match key.as_str() {
                    "includes" | "include" => includes = string_list(key, v)?,
                    "excludes" | "exclude" => excludes = string_list(key, v)?,
                    _ => return Err(unknown_key(key, v)),
                }
            }
            Ok(SourceFilter::Filter { includes, excludes })
        }
        other => Err(unknown_key("_source", other)),
    }
}

/// `fields`/`docvalue_fields`: names or `{"field": name, "format": ...}` objects.
fn parse_field_list(key: &str, value: &Value) -> Result<Vec<String>, QueryError> {
    let Value::Array(items) = value else {
        return Err(unknown_key(key, value));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.clone()),
            Value::Object(object) => {
                for k in object.keys() {
                    if !matches!(k.as_str(), "field" | "format" | "include_unmapped") {
                        return Err(QueryError::XContentParse(format!(
                            "[field_and_format] unknown field [{k}]"
                        )));
                    }
                }
                match object.get("field") {
                    Some(Value::String(s)) => Ok(s.clone()),
                    _ => Err(QueryError::XContentParse(
                        "[field_and_format] required field [field] missing".into(),
                    )),
                }
            }
            other => Err(unknown_key(key, other)),
        })
        .collect()
}

pub(crate) fn parse_stored_fields(value: &Value) -> Result<Vec<String>, QueryError> {
    let fields = match value {
        Value::String(s) => split_list(s),
        other => string_list("stored_fields", other)?,
    };
    if fields.iter().any(|f| f == "_none_") {
        return Ok(Vec::new());
    }
    Ok(fields)
}

pub(crate) fn parse_track_total_hits(value: &Value) -> Result<TrackTotalHits, QueryError> {
    match value {
        Value::Bool(true) => Ok(TrackTotalHits::Accurate),
        Value::Bool(false) => Ok(TrackTotalHits::Off),
        Value::Number(_) | Value::String(_) => {
            let n = values::int("search", "track_total_hits", value)?;
            match n {
                -1 => Ok(TrackTotalHits::Accurate),
                n if n >= 0 => Ok(TrackTotalHits::UpTo(n.unsigned_abs())),
                n => Err(QueryError::illegal(format!(
                    "[track_total_hits] parameter must be positive or equals to -1, got {n}"
                ))),
            }
        }
        other => Err(unknown_key("track_total_hits", other)),
    }
}

#[cfg(test)]
#[path = "request_parse_tests.rs"]
mod tests;
