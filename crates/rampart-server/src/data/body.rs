//! TEMPORARY: search request bodies → `rampart_query::SearchRequest`, until the `query` crate's
//! strict parser lands (then this delegates to it). Unknown keys are rejected as ES does.

use rampart_query::request::Missing;
use rampart_query::{Query, SearchRequest, SortField, SortOrder, SourceFilter, TrackTotalHits};
use serde_json::Value;

use crate::error::ApiError;

fn parsing(reason: String) -> ApiError {
    ApiError::new(400, "parsing_exception", reason)
}

fn token(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "START_OBJECT",
        Value::Array(_) => "START_ARRAY",
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Null => "VALUE_NULL",
    }
}

/// Parse a query clause of a request body.
pub fn query(v: &Value) -> Result<Query, ApiError> {
    super::role_query::parse(v).map_err(|e| parsing(e.0))
}

fn usize_of(v: &Value, key: &str) -> Result<usize, ApiError> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| parsing(format!("[{key}] must be a non-negative number")))
}

fn sort(v: &Value) -> Result<Vec<SortField>, ApiError> {
    let items = match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(field) => Ok(SortField { field: field.clone(), order: SortOrder::Asc, missing: None }),
            Value::Object(map) => {
                let (field, spec) = map.iter().next().ok_or_else(|| parsing("empty sort".into()))?;
                let order = spec.get("order").and_then(Value::as_str).or_else(|| spec.as_str()).unwrap_or("asc");
                let order = match order {
                    "asc" => SortOrder::Asc,
                    "desc" => SortOrder::Desc,
                    other => return Err(ApiError::bad_request(format!("Unknown SortOrder [{other}]"))),
                };
                let missing = spec.get("missing").map(|m| match m.as_str() {
                    Some("_first") => Missing::First,
                    Some("_last") => Missing::Last,
                    _ => Missing::Value(m.clone()),
                });
                Ok(SortField { field: field.clone(), order, missing })
            }
            other => Err(parsing(format!("malformed sort format, within the sort array, an object, or an actual string are allowed, found [{}]", token(other)))),
        })
        .collect()
}

fn source(v: &Value) -> Result<SourceFilter, ApiError> {
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            _ => Vec::new(),
        }
    };
    Ok(match v {
        Value::Bool(true) => SourceFilter::All,
        Value::Bool(false) => SourceFilter::None,
        Value::String(_) | Value::Array(_) => SourceFilter::Filter {
            includes: list(Some(v)),
            excludes: Vec::new(),
        },
        Value::Object(o) => SourceFilter::Filter {
            includes: list(o.get("includes")),
            excludes: list(o.get("excludes")),
        },
        other => return Err(parsing(format!("[_source] cannot be a {}", token(other)))),
    })
}

/// Parse a search body (`None` = empty body: match_all).
pub fn search(body: Option<&Value>) -> Result<SearchRequest, ApiError> {
    let mut out = SearchRequest::default();
    let Some(body) = body else { return Ok(out) };
    let obj = body
        .as_object()
        .ok_or_else(|| parsing("request body must be an object".into()))?;
    for (key, v) in obj {
        match key.as_str() {
            "query" => out.query = query(v)?,
            "post_filter" => out.post_filter = Some(query(v)?),
            "from" => out.from = usize_of(v, key)?,
            "size" => out.size = usize_of(v, key)?,
            "sort" => out.sort = sort(v)?,
            "_source" => out.source = source(v)?,
            "track_total_hits" => {
                out.track_total_hits = match v {
                    Value::Bool(true) => TrackTotalHits::Accurate,
                    Value::Bool(false) => TrackTotalHits::Off,
                    other => TrackTotalHits::UpTo(other.as_u64().ok_or_else(|| {
                        parsing("[track_total_hits] must be a boolean or a number".into())
                    })?),
                }
            }
            "aggs" | "aggregations" => out.aggs = v.as_object().cloned(),
            "suggest" => out.suggest = Some(v.clone()),
            "profile" => out.profile = v.as_bool().unwrap_or(false),
            "highlight" => out.highlight = Some(v.clone()),
            "search_after" => out.search_after = v.as_array().cloned(),
            "min_score" => out.min_score = v.as_f64().map(|f| f as f32),
            "timeout" | "version" | "seq_no_primary_term" | "explain" | "stored_fields" => {}
            other => {
                return Err(parsing(format!(
                    "Unknown key for a {} in [{other}].",
                    token(v)
                )));
            }
        }
    }
    Ok(out)
}

/// Overlay URL parameters (`size`, `from`, `q` is not supported).
pub fn with_params(
    mut request: SearchRequest,
    req: &crate::http::Req,
) -> Result<SearchRequest, ApiError> {
    if let Some(size) = req.query("size") {
        request.size = size.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "Failed to parse int parameter [size] with value [{size}]"
            ))
        })?;
    }
    if let Some(from) = req.query("from") {
        request.from = from.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "Failed to parse int parameter [from] with value [{from}]"
            ))
        })?;
    }
    if req.query("track_total_hits") == Some("true") {
        request.track_total_hits = TrackTotalHits::Accurate;
    }
    Ok(request)
}
