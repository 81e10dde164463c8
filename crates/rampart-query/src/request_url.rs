//! URL parameters of `_search`/`_count` (`q`, `size`, `sort=f:desc`, ...) applied over a
//! parsed body, as Elasticsearch does: the URL wins.

use serde_json::{Map, Value};

use crate::error::QueryError;
use crate::parse::parse_query;
use crate::parse::values;
use crate::request::{SearchRequest, SortField, SourceFilter};
use crate::request_parse::{
    parse_search_request, parse_stored_fields, parse_track_total_hits, sort_field, sort_order,
    split_list,
};

/// The URL parameters of `_search`/`_count` that shape the request (others, such as
/// `pretty` or `ignore_unavailable`, are the server's). URL values override the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParams {
    pub q: Option<String>,
    pub df: Option<String>,
    pub default_operator: Option<String>,
    pub from: Option<String>,
    pub size: Option<String>,
    pub sort: Option<String>,
    pub source: Option<String>,
    pub source_includes: Option<String>,
    pub source_excludes: Option<String>,
    pub track_total_hits: Option<String>,
    pub terminate_after: Option<String>,
    pub timeout: Option<String>,
    pub version: Option<String>,
    pub seq_no_primary_term: Option<String>,
    pub explain: Option<String>,
    pub stored_fields: Option<String>,
    pub docvalue_fields: Option<String>,
    pub track_scores: Option<String>,
}

impl UrlParams {
    /// Pick the search parameters out of a query string's pairs; other keys are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut params = Self::default();
        for (key, value) in pairs {
            let slot = match key {
                "q" => &mut params.q,
                "df" => &mut params.df,
                "default_operator" => &mut params.default_operator,
                "from" => &mut params.from,
                "size" => &mut params.size,
                "sort" => &mut params.sort,
                "_source" => &mut params.source,
                "_source_includes" | "_source_include" => &mut params.source_includes,
                "_source_excludes" | "_source_exclude" => &mut params.source_excludes,
                "track_total_hits" => &mut params.track_total_hits,
                "terminate_after" => &mut params.terminate_after,
                "timeout" => &mut params.timeout,
                "version" => &mut params.version,
                "seq_no_primary_term" => &mut params.seq_no_primary_term,
                "explain" => &mut params.explain,
                "stored_fields" => &mut params.stored_fields,
                "docvalue_fields" => &mut params.docvalue_fields,
                "track_scores" => &mut params.track_scores,
                _ => continue,
            };
            *slot = Some(value.to_string());
        }
        params
    }
}

/// Parse a body, then apply URL parameters over it.
pub fn parse_search_request_with_params(
    body: &Value,
    params: &UrlParams,
) -> Result<SearchRequest, QueryError> {
    let mut request = parse_search_request(body)?;
    if let Some(q) = &params.q {
        let mut qs = Map::new();
        qs.insert("query".into(), Value::String(q.clone()));
        if let Some(df) = &params.df {
            qs.insert("default_field".into(), Value::String(df.clone()));
        }
        if let Some(op) = &params.default_operator {
            qs.insert("default_operator".into(), Value::String(op.clone()));
        }
        let mut wrapper = Map::new();
        wrapper.insert("query_string".into(), Value::Object(qs));
        request.query = parse_query(&Value::Object(wrapper))?;
    }
    let count = |key: &str, text: &str| -> Result<usize, QueryError> {
        let n = values::int("search", key, &Value::String(text.to_string()))?;
        usize::try_from(n).map_err(|_| {
            QueryError::illegal(format!("[{key}] parameter cannot be negative, found [{n}]"))
        })
    };
    let flag = |key: &str, text: &str| values::boolean("search", key, &Value::String(text.into()));
    if let Some(v) = &params.from {
        request.from = count("from", v)?;
    }
    if let Some(v) = &params.size {
        request.size = count("size", v)?;
    }
    if let Some(v) = &params.terminate_after {
        let n = count("terminate_after", v)?;
        request.terminate_after = (n > 0).then_some(n);
    }
    if let Some(v) = &params.sort {
        request.sort = split_list(v)
            .iter()
            .map(|spec| url_sort(spec))
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = &params.source {
        request.source = match v.as_str() {
            "true" => SourceFilter::All,
            "false" => SourceFilter::None,
            list => SourceFilter::Filter {
                includes: split_list(list),
                excludes: Vec::new(),
            },
        };
    }
    if params.source_includes.is_some() || params.source_excludes.is_some() {
        let split = |o: &Option<String>| o.as_deref().map(split_list).unwrap_or_default();
        request.source = SourceFilter::Filter {
            includes: split(&params.source_includes),
            excludes: split(&params.source_excludes),
        };
    }
    if let Some(v) = &params.track_total_hits {
        let value = match v.as_str() {
            "true" | "false" => Value::Bool(v == "true"),
            n => Value::String(n.to_string()),
        };
        request.track_total_hits = parse_track_total_hits(&value)?;
    }
    if let Some(v) = &params.timeout {
        request.timeout = Some(v.clone());
    }
    for (value, target) in [
        (&params.version, &mut request.version),
        (
            &params.seq_no_primary_term,
            &mut request.seq_no_primary_term,
        ),
        (&params.explain, &mut request.explain),
        (&params.track_scores, &mut request.track_scores),
    ] {
        if let Some(v) = value {
            *target = flag("search", v)?;
        }
    }
    if let Some(v) = &params.stored_fields {
        request.stored_fields = Some(parse_stored_fields(&Value::String(v.clone()))?);
    }
    if let Some(v) = &params.docvalue_fields {
        request.docvalue_fields = split_list(v);
    }
    Ok(request)
}

/// `field`, `field:asc`, `field:desc`.
fn url_sort(spec: &str) -> Result<SortField, QueryError> {
    let (field, order) = match spec.rsplit_once(':') {
        Some((field, order)) => (field, Some(sort_order(order)?)),
        None => (spec, None),
    };
    sort_field(field, order, None)
}
