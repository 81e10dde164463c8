//! `filter` and `filters` aggregations.
//!
//! tantivy's `filter` aggregation narrows the documents its parent collected — already the
//! query ∧ DLS, so hidden documents are never counted — by a query. Ours are compiled by
//! [`CompileCtx`] like the search query, so FLS applies: a filter on a hidden field matches
//! nothing, exactly as on an unmapped one.
//!
//! `filters` has no tantivy counterpart: each of its buckets becomes a sibling `filter` named
//! `{name}>{position}` (and `{name}>other` for the other bucket). `>` cannot appear in an
//! Elasticsearch aggregation name, so these never collide with the caller's names;
//! [`reassemble`] puts the results back into Elasticsearch's `filters` shape.

use std::sync::Arc;

use rampart_query::{BoolQuery, Query};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tantivy::TantivyError;
use tantivy::aggregation::agg_req::{AggregationVariants, Aggregations};
use tantivy::aggregation::bucket::{FilterAggregation, QueryBuilder};
use tantivy::query::Query as TQuery;
use tantivy::schema::Schema;
use tantivy::tokenizer::TokenizerManager;

use super::compile::CompileCtx;
use crate::error::{Result, SearchError};

/// What a compiled filter is called in the JSON form of the request until it is swapped in.
const PLACEHOLDER: &str = "\u{0}rampart-filter:";

/// The default key of the `filters` other bucket.
const OTHER_KEY: &str = "_other_";

/// A filter query compiled for one index, handed to tantivy's `filter` aggregation.
/// Requests are never serialized across processes here, so a deserialized one carries no
/// query and refuses to run rather than match anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CompiledFilter {
    #[serde(skip)]
    query: Option<Arc<dyn TQuery>>,
}

#[typetag::serde(name = "rampart_compiled_filter")]
impl QueryBuilder for CompiledFilter {
    fn build_query(
        &self,
        _schema: &Schema,
        _tokenizers: &TokenizerManager,
    ) -> tantivy::Result<Box<dyn TQuery>> {
        match &self.query {
            Some(q) => Ok(q.box_clone()),
            None => Err(TantivyError::InvalidArgument(
                "a filter aggregation's compiled query is missing".into(),
            )),
        }
    }

    fn box_clone(&self) -> Box<dyn QueryBuilder> {
        Box::new(self.clone())
    }
}

/// The filter queries compiled while rewriting one request, by placeholder number.
#[derive(Default)]
pub(super) struct Compiled {
    queries: Vec<Arc<dyn TQuery>>,
}

impl Compiled {
    /// Compile `query` and return the placeholder that stands for it in the request JSON.
    fn register(&mut self, ctx: &mut CompileCtx<'_>, query: &Query) -> Result<Value> {
        let compiled = ctx.compile(query)?;
        self.queries.push(Arc::from(compiled));
        Ok(Value::String(format!(
            "{PLACEHOLDER}{}",
            self.queries.len() - 1
        )))
    }

    /// Swap every placeholder in the parsed request for its compiled query.
    pub(super) fn install(&self, aggs: &mut Aggregations) -> Result<()> {
        for agg in aggs.values_mut() {
            if let AggregationVariants::Filter(filter) = &mut agg.agg {
                let placeholder = serde_json::to_value(&*filter)
                    .map_err(|e| SearchError::internal("filter aggregation", e))?;
                let query = placeholder
                    .as_str()
                    .and_then(|s| s.strip_prefix(PLACEHOLDER))
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.queries.get(n))
                    .ok_or_else(|| SearchError::Internal("unknown filter placeholder".into()))?;
                *filter = FilterAggregation::new_with_builder(Box::new(CompiledFilter {
                    query: Some(Arc::clone(query)),
                }));
            }
            self.install(&mut agg.sub_aggregation)?;
        }
        Ok(())
    }
}

fn parse(query: &Value) -> Result<Query> {
    rampart_query::parse_query(query).map_err(|e| SearchError::Parsing(e.to_string()))
}

/// The JSON body of a single `filter` aggregation, with its query compiled.
pub(super) fn filter_body(
    query: &Value,
    ctx: &mut CompileCtx<'_>,
    compiled: &mut Compiled,
) -> Result<Value> {
    compiled.register(ctx, &parse(query)?)
}

/// A `filters` aggregation's options.
struct FiltersSpec {
    /// Bucket keys (`None` for anonymous filters) and queries, named ones sorted by key as
    /// Elasticsearch orders them.
    buckets: Vec<(Option<String>, Value)>,
    /// The other bucket's key, when requested.
    other: Option<String>,
    /// Named buckets are rendered as an object (`keyed`, the default) or an array.
    keyed: bool,
}

fn filters_spec(body: &Value) -> Result<FiltersSpec> {
    let filters = body.get("filters");
    let mut buckets: Vec<(Option<String>, Value)> = match filters {
        Some(Value::Object(named)) => named
            .iter()
            .map(|(k, q)| (Some(k.clone()), q.clone()))
            .collect(),
        Some(Value::Array(list)) => list.iter().map(|q| (None, q.clone())).collect(),
        _ => {
            return Err(SearchError::Parsing(
                "[filters] requires a [filters] object or array".into(),
            ));
        }
    };
    if buckets.is_empty() {
        return Err(SearchError::IllegalArgument(
            "[filters] cannot be empty.".into(),
        ));
    }
    buckets.sort_by(|a, b| a.0.cmp(&b.0));
    let key = body.get("other_bucket_key").and_then(Value::as_str);
    let wanted = match body.get("other_bucket") {
        Some(Value::Bool(b)) => *b,
        // Setting a key asks for the bucket.
        _ => key.is_some(),
    };
    Ok(FiltersSpec {
        buckets,
        other: wanted.then(|| key.unwrap_or(OTHER_KEY).to_string()),
        keyed: body.get("keyed").and_then(Value::as_bool).unwrap_or(true),
    })
}

fn bucket_name(name: &str, position: usize) -> String {
    format!("{name}>{position}")
}

fn other_name(name: &str) -> String {
    format!("{name}>other")
}

/// The sibling `filter` aggregations that stand for one `filters` aggregation; `subs` is its
/// already rewritten sub-aggregations, repeated under each bucket.
pub(super) fn expand_filters(
    name: &str,
    body: &Value,
    subs: Option<&Value>,
    ctx: &mut CompileCtx<'_>,
    compiled: &mut Compiled,
) -> Result<Vec<(String, Value)>> {
    let spec = filters_spec(body)?;
    let mut queries = Vec::with_capacity(spec.buckets.len());
    let mut out = Vec::with_capacity(spec.buckets.len() + 1);
    let with_subs = |filter: Value| {
        let mut agg = Map::new();
        agg.insert("filter".into(), filter);
        if let Some(subs) = subs {
            agg.insert("aggs".into(), subs.clone());
        }
        Value::Object(agg)
    };
    for (position, (_, query)) in spec.buckets.iter().enumerate() {
        let query = parse(query)?;
        out.push((
            bucket_name(name, position),
            with_subs(compiled.register(ctx, &query)?),
        ));
        queries.push(query);
    }
    if spec.other.is_some() {
        // What the parent collected minus every filter's documents.
        let rest = Query::Bool(BoolQuery {
            must_not: queries,
            ..BoolQuery::default()
        });
        out.push((other_name(name), with_subs(compiled.register(ctx, &rest)?)));
    }
    Ok(out)
}

/// Put `filters` results back into Elasticsearch's shape, at every depth of `request` (the
/// caller's aggregations) over `result` (one level of tantivy's rendered results).
pub(super) fn reassemble(request: &Map<String, Value>, result: &mut Map<String, Value>) {
    for (name, definition) in request {
        let Some(definition) = definition.as_object() else {
            continue;
        };
        let subs = definition
            .get("aggs")
            .or_else(|| definition.get("aggregations"))
            .and_then(Value::as_object);
        let Some((kind, body)) = definition
            .iter()
            .find(|(k, _)| !matches!(k.as_str(), "aggs" | "aggregations" | "meta"))
        else {
            continue;
        };
        if kind == "filters" {
            if let Ok(spec) = filters_spec(body) {
                let assembled = assemble_filters(name, &spec, subs, result);
                result.insert(name.clone(), assembled);
            }
            continue;
        }
        let (Some(subs), Some(agg)) = (subs, result.get_mut(name)) else {
            continue;
        };
        if kind == "filter" {
            if let Some(bucket) = agg.as_object_mut() {
                reassemble(subs, bucket);
            }
            continue;
        }
        match agg.get_mut("buckets") {
            Some(Value::Array(buckets)) => {
                for bucket in buckets.iter_mut().filter_map(Value::as_object_mut) {
                    reassemble(subs, bucket);
                }
            }
            Some(Value::Object(buckets)) => {
                for bucket in buckets.values_mut().filter_map(Value::as_object_mut) {
                    reassemble(subs, bucket);
                }
            }
            _ => {}
        }
    }
}

/// One `filters` result from its sibling `filter` results (removed from `result`).
fn assemble_filters(
    name: &str,
    spec: &FiltersSpec,
    subs: Option<&Map<String, Value>>,
    result: &mut Map<String, Value>,
) -> Value {
    let mut take = |part: String, key: Option<&str>| -> (Option<String>, Map<String, Value>) {
        let mut bucket = match result.remove(&part) {
            Some(Value::Object(b)) => b,
            _ => {
                let mut empty = Map::new();
                empty.insert("doc_count".into(), Value::from(0u64));
                empty
            }
        };
        if let Some(subs) = subs {
            reassemble(subs, &mut bucket);
        }
        (key.map(String::from), bucket)
    };
    let mut buckets: Vec<(Option<String>, Map<String, Value>)> = spec
        .buckets
        .iter()
        .enumerate()
        .map(|(position, (key, _))| take(bucket_name(name, position), key.as_deref()))
        .collect();
    let named = spec.buckets.iter().all(|(k, _)| k.is_some());
    if let Some(key) = &spec.other {
        buckets.push(take(other_name(name), Some(key)));
    }
    let rendered = if named && spec.keyed {
        Value::Object(
            buckets
                .into_iter()
                .map(|(key, bucket)| (key.unwrap_or_default(), Value::Object(bucket)))
                .collect(),
        )
    } else {
        Value::Array(
            buckets
                .into_iter()
                .map(|(key, bucket)| {
                    let mut out = Map::new();
                    if let (true, Some(key)) = (named, key) {
                        out.insert("key".into(), Value::String(key));
                    }
                    out.extend(bucket);
                    Value::Object(out)
                })
                .collect(),
        )
    };
    let mut out = Map::new();
    out.insert("buckets".into(), rendered);
    Value::Object(out)
}
