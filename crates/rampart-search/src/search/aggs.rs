//! Aggregations through tantivy's Elasticsearch-compatible module, with field references
//! rewritten per index: mapped, visible fields become fast-field columns of the keyword JSON
//! field; hidden (FLS) and unmapped fields become a column that never exists, so they aggregate
//! as Elasticsearch's unmapped fields do (empty buckets, null values). `filter` and `filters`
//! run through [`super::agg_filters`] with queries compiled like the search query's.

use rampart_core::fls::FieldPermissions;
use serde_json::{Map, Value};
use tantivy::aggregation::agg_req::Aggregations;

use super::agg_filters::{self, Compiled};
use super::compile::CompileCtx;
use crate::error::{Result, SearchError};
use crate::mapping::{FieldType, Mapping};
use crate::shard::KW;

/// Aggregation types handed to tantivy as they are (fields rewritten); `filter` and `filters`
/// are rewritten with compiled queries; anything else is a clear 400 rather than silently
/// ignored.
const SUPPORTED: &[&str] = &[
    "terms",
    "range",
    "histogram",
    "date_histogram",
    "avg",
    "value_count",
    "max",
    "min",
    "stats",
    "extended_stats",
    "sum",
    "percentiles",
    "cardinality",
];

/// A column no document has.
const UNMAPPED: &str = "__rampart_unmapped__";

/// Rewrite an aggregation request for one index (`ctx` compiles its filter queries, with the
/// caller's FLS) and parse it.
pub(crate) fn rewrite(aggs: &Map<String, Value>, ctx: &mut CompileCtx<'_>) -> Result<Aggregations> {
    let mut compiled = Compiled::default();
    let rewritten = rewrite_map(aggs, ctx, &mut compiled)?;
    let mut parsed: Aggregations = serde_json::from_value(Value::Object(rewritten))
        .map_err(|e| SearchError::IllegalArgument(format!("invalid aggregation: {e}")))?;
    compiled.install(&mut parsed)?;
    Ok(parsed)
}

/// Put the results of rewritten aggregations back into the shape the caller asked for.
pub(crate) fn render(request: &Map<String, Value>, result: &mut Value) {
    if let Value::Object(result) = result {
        agg_filters::reassemble(request, result);
    }
}

fn rewrite_map(
    aggs: &Map<String, Value>,
    ctx: &mut CompileCtx<'_>,
    compiled: &mut Compiled,
) -> Result<Map<String, Value>> {
    let (mapping, fls, index) = (ctx.mapping, ctx.fls, ctx.index);
    let mut out = Map::new();
    for (name, body) in aggs {
        let Some(body) = body.as_object() else {
            return Err(SearchError::Parsing(format!(
                "Expected [START_OBJECT] under [{name}], but got a [VALUE_STRING] in [{name}]"
            )));
        };
        let mut new_body = Map::new();
        let mut filters: Option<&Value> = None;
        for (key, value) in body {
            match key.as_str() {
                "aggs" | "aggregations" => {
                    let Some(sub) = value.as_object() else {
                        return Err(SearchError::Parsing(format!(
                            "Expected [START_OBJECT] under [{key}]"
                        )));
                    };
                    new_body.insert(
                        "aggs".into(),
                        Value::Object(rewrite_map(sub, ctx, compiled)?),
                    );
                }
                "filter" => {
                    new_body.insert(key.clone(), agg_filters::filter_body(value, ctx, compiled)?);
                }
                "filters" => filters = Some(value),
                "meta" => {
                    new_body.insert(key.clone(), value.clone());
                }
                kind if SUPPORTED.contains(&kind) => {
                    let mut params = value.as_object().cloned().unwrap_or_default();
                    if let Some(Value::String(field)) = params.get("field").cloned() {
                        params.insert(
                            "field".into(),
                            Value::String(column(&field, mapping, fls, index)?),
                        );
                    }
                    if params.contains_key("script") {
                        return Err(SearchError::IllegalArgument(
                            "scripts are not supported in aggregations".into(),
                        ));
                    }
                    new_body.insert(key.clone(), Value::Object(params));
                }
                other => {
                    return Err(SearchError::IllegalArgument(format!(
                        "aggregation type [{other}] is not supported"
                    )));
                }
            }
        }
        match filters {
            Some(filters) => {
                for (part, agg) in
                    agg_filters::expand_filters(name, filters, new_body.get("aggs"), ctx, compiled)?
                {
                    out.insert(part, agg);
                }
            }
            None => {
                out.insert(name.clone(), Value::Object(new_body));
            }
        }
    }
    Ok(out)
}

fn column(
    field: &str,
    mapping: &Mapping,
    fls: Option<&FieldPermissions>,
    index: &str,
) -> Result<String> {
    if fls.is_some_and(|p| !p.permits(field)) {
        return Ok(format!("{KW}.{UNMAPPED}"));
    }
    match mapping.get(field).map(|f| f.ty) {
        None => Ok(format!("{KW}.{UNMAPPED}")),
        Some(FieldType::Text) => Err(SearchError::IllegalArgument(format!(
            "Text fields are not optimised for operations that require per-document field data \
             like aggregations and sorting, so these operations are disabled by default. Please \
             use a keyword field instead. Alternatively, set fielddata=true on [{field}] in order \
             to load field data by uninverting the inverted index. Note that this can use \
             significant memory."
        ))),
        Some(FieldType::Object | FieldType::Disabled) => {
            Err(SearchError::IllegalArgument(format!(
                "Field [{field}] of type [object] is not supported for aggregation in index [{index}]"
            )))
        }
        Some(_) => Ok(format!("{KW}.{field}")),
    }
}
