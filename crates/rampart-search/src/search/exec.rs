use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

use rampart_core::fls::FieldPermissions;
use rampart_query::{Query, SearchRequest, TrackTotalHits};
use serde_json::{Map, Value, json};
use tantivy::aggregation::AggregationLimitsGuard;
use tantivy::aggregation::intermediate_agg_result::IntermediateAggregationResults;
use tantivy::aggregation::{AggContextParams, DistributedAggregationCollector};
use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query as TQuery};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument};

use super::compile::CompileCtx;
use super::dls::{self, DlsQuery};
use super::sort::{self, SortSpec, SortValue};
use super::stats::VisibleStatistics;
use super::{Restrictions, aggs, fls_source, source};
use crate::engine::Engine;
use crate::error::{Result, SearchError};
use crate::filter_cache::CachedFilter;
use crate::mapping::Mapping;
use crate::shard::Shard;

/// One target index ready to search.
pub(crate) struct Prepared {
    pub index: String,
    pub shard: Arc<Shard>,
    pub searcher: Searcher,
    pub mapping: Arc<Mapping>,
    /// Query ∧ DLS (what aggregations and counts see).
    pub query: Box<dyn TQuery>,
    /// Query ∧ DLS ∧ post_filter (what hits see).
    pub hits_query: Box<dyn TQuery>,
    pub fls: Option<FieldPermissions>,
    /// The DLS filter, also what scoring statistics count (`None`: every document).
    pub dls: Option<CachedFilter>,
    /// Whether the caller is restricted (DLS or FLS): its scores use visible-only statistics.
    pub restricted: bool,
    pub specs: Vec<SortSpec>,
}

impl Prepared {
    /// Scoring statistics for this target: tantivy's own for an unrestricted caller, the
    /// visible documents' for a restricted one (see [`VisibleStatistics`]).
    pub(crate) fn statistics(&self) -> Option<VisibleStatistics<'_>> {
        self.restricted.then(|| {
            VisibleStatistics::new(&self.searcher, self.dls.as_ref(), &self.shard.filter_cache)
        })
    }
}

/// Scoring enabled with `stats` when the caller is restricted, tantivy's statistics otherwise.
pub(crate) fn scoring<'a>(
    searcher: &'a Searcher,
    stats: Option<&'a VisibleStatistics<'a>>,
) -> EnableScoring<'a> {
    match stats {
        Some(s) => s.scoring(),
        None => EnableScoring::enabled_from_searcher(searcher),
    }
}

/// One collected hit.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub target: usize,
    pub addr: DocAddress,
    pub score: f32,
    pub key: Vec<SortValue>,
}

fn query_key(q: &Query) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{q:?}").hash(&mut h);
    h.finish()
}

impl Engine {
    pub(crate) fn prepare(
        &self,
        targets: &[(String, Restrictions)],
        query: &Query,
        post_filter: Option<&Query>,
        sort_fields: &[rampart_query::SortField],
    ) -> Result<Vec<Prepared>> {
        let mut sources = Vec::with_capacity(targets.len());
        for (index, restrictions) in targets {
            let (shard, mapping) = self.shard(index)?;
            sources.push(Source {
                index: index.clone(),
                searcher: shard.searcher(),
                shard,
                mapping,
                restrictions: restrictions.clone(),
            });
        }
        prepare_sources(sources, query, post_filter, sort_fields)
    }
}

/// One index to search as a given searcher sees it: the current one for a search, the pinned
/// one for a point in time.
pub(crate) struct Source {
    pub index: String,
    pub shard: Arc<Shard>,
    pub mapping: Arc<Mapping>,
    pub searcher: Searcher,
    pub restrictions: Restrictions,
}

/// Compile the request for each source (its mapping and restrictions) over its searcher.
pub(crate) fn prepare_sources(
    sources: Vec<Source>,
    query: &Query,
    post_filter: Option<&Query>,
    sort_fields: &[rampart_query::SortField],
) -> Result<Vec<Prepared>> {
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        let Source {
            index,
            shard,
            mapping,
            searcher,
            restrictions,
        } = source;
        let index = &index;
        // A legacy index tokenizes a role query differently from what it means (`test_1`
        // would admit `test_2`): refuse rather than leak until it is migrated.
        if restrictions.documents.is_some() && shard.is_legacy() {
            return Err(SearchError::LegacyAnalyzer {
                index: index.clone(),
            });
        }
        let fls = restrictions.fls().cloned();
        let analyzer = shard.analyzer()?;
        let mut ctx = CompileCtx {
            index,
            fields: shard.fields,
            mapping: &mapping,
            fls: fls.as_ref(),
            analyzer: analyzer.clone(),
        };
        let user = ctx.compile(query)?;
        let post = post_filter.map(|p| ctx.compile(p)).transpose()?;
        let dls: Option<CachedFilter> = match &restrictions.documents {
            None => None,
            Some(role_query) => {
                // Role queries see the whole index (no FLS), as in Elasticsearch.
                let mut dls_ctx = CompileCtx {
                    index,
                    fields: shard.fields,
                    mapping: &mapping,
                    fls: None,
                    analyzer,
                };
                let inner = dls_ctx.compile(role_query)?;
                Some(CachedFilter {
                    inner: Arc::from(inner),
                    key: query_key(role_query),
                    cache: Arc::clone(&shard.filter_cache),
                })
            }
        };
        let user_and_post: Option<Box<dyn TQuery>> = post.map(|p| {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, user.box_clone()),
                (Occur::Must, Box::new(ConstScoreQuery::new(p, 0.0))),
            ])) as Box<dyn TQuery>
        });
        // DLS wraps the query itself (a bit test per candidate document), never a
        // boolean intersection with a copied bitset.
        let restrict = |q: Box<dyn TQuery>| -> Box<dyn TQuery> {
            match &dls {
                None => q,
                Some(filter) => Box::new(DlsQuery {
                    inner: q,
                    filter: filter.clone(),
                }),
            }
        };
        let hits_query = user_and_post.map(&restrict);
        let query = restrict(user);
        let hits_query = hits_query.unwrap_or_else(|| query.box_clone());
        let specs = sort::resolve(sort_fields, &mapping, fls.as_ref())?;
        let restricted = dls.is_some() || fls.is_some();
        out.push(Prepared {
            index: index.clone(),
            searcher,
            shard,
            mapping,
            query,
            hits_query,
            fls,
            dls,
            restricted,
            specs,
        });
    }
    Ok(out)
}

impl Engine {
    /// Collect the top `k` hits (all when `k` is `usize::MAX`) and the total.
    pub(crate) fn collect(
        &self,
        prepared: &[Prepared],
        req: &SearchRequest,
        k: usize,
    ) -> Result<(Vec<Hit>, u64, bool)> {
        let specs = prepared
            .first()
            .map(|p| p.specs.clone())
            .unwrap_or_default();
        let scoring = sort::needs_score(&specs) || req.min_score.is_some();
        let after: Option<Vec<SortValue>> = req
            .search_after
            .as_ref()
            .map(|v| v.iter().map(SortValue::from_json).collect());
        let mut hits: Vec<Hit> = Vec::new();
        let mut total: u64 = 0;
        let mut terminated = false;
        let mut global_base: u64 = 0;
        for (t, p) in prepared.iter().enumerate() {
            let stats = if scoring { p.statistics() } else { None };
            let enable = if scoring {
                self::scoring(&p.searcher, stats.as_ref())
            } else {
                EnableScoring::disabled_from_searcher(&p.searcher)
            };
            let weight = p.hits_query.weight(enable)?;
            let mut per_index: u64 = 0;
            // `_shard_doc`: the target's ordinal over its documents, stable within one
            // searcher (what a point in time pins).
            let mut index_base: u64 = (t as u64) << 32;
            'segments: for (ord, seg) in p.searcher.segment_readers().iter().enumerate() {
                let cols = sort::open_columns(&p.specs, seg)?;
                let alive = seg.alive_bitset();
                // A DLS scorer is driven through its inner scorer with the bit test inline.
                let (mut scorer, dls) = dls::unwrap_scorer(weight.scorer(seg, 1.0)?);
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && dls.as_ref().is_none_or(|d| d.admits(doc))
                    {
                        let score = if scoring { scorer.score() } else { 0.0 };
                        if req.min_score.is_none_or(|m| score >= m) {
                            total += 1;
                            per_index += 1;
                            if k > 0 {
                                let key = sort::key(
                                    &p.specs,
                                    &cols,
                                    doc,
                                    sort::DocIds {
                                        global: global_base + u64::from(doc),
                                        shard: index_base + u64::from(doc),
                                    },
                                    score,
                                );
                                let keep = after.as_ref().is_none_or(|a| {
                                    sort::compare(&specs, &key, a) == std::cmp::Ordering::Greater
                                });
                                if keep {
                                    hits.push(Hit {
                                        target: t,
                                        addr: DocAddress::new(
                                            u32::try_from(ord).unwrap_or(u32::MAX),
                                            doc,
                                        ),
                                        score,
                                        key,
                                    });
                                    if k != usize::MAX && hits.len() > 2 * k + 256 {
                                        sort_hits(&specs, &mut hits);
                                        hits.truncate(k);
                                    }
                                }
                            }
                            if req.terminate_after.is_some_and(|n| per_index >= n as u64) {
                                terminated = true;
                                break 'segments;
                            }
                        }
                    }
                    doc = scorer.advance();
                }
                global_base += u64::from(seg.max_doc());
                index_base += u64::from(seg.max_doc());
            }
        }
        sort_hits(&specs, &mut hits);
        if k != usize::MAX {
            hits.truncate(k);
        }
        Ok((hits, total, terminated))
    }

    /// `_search` over target indices, each with its own restrictions.
    pub fn search(&self, targets: &[(String, Restrictions)], req: &SearchRequest) -> Result<Value> {
        let started = Instant::now();
        let prepared = self.prepare(targets, &req.query, req.post_filter.as_ref(), &req.sort)?;
        self.search_prepared(started, &prepared, req)
    }

    /// A search over already prepared targets (their searchers decide what is visible).
    pub(crate) fn search_prepared(
        &self,
        started: Instant,
        prepared: &[Prepared],
        req: &SearchRequest,
    ) -> Result<Value> {
        let k = req.from.saturating_add(req.size);
        let (hits, total, terminated) = self.collect(prepared, req, k)?;
        let page: Vec<&Hit> = hits.iter().skip(req.from).take(req.size).collect();
        let rendered = page
            .iter()
            .map(|h| render_hit(prepared, h, req))
            .collect::<Result<Vec<_>>>()?;
        let aggregations = match &req.aggs {
            Some(a) => Some(self.aggregate(prepared, a)?),
            None => None,
        };
        let mut out = response_shell(started, prepared.len(), total, req, &page, rendered);
        if terminated && let Value::Object(o) = &mut out {
            o.insert("terminated_early".into(), json!(true));
        }
        if let (Some(a), Value::Object(o)) = (aggregations, &mut out) {
            o.insert("aggregations".into(), a);
        }
        Ok(out)
    }

    /// `_count`.
    pub fn count(&self, targets: &[(String, Restrictions)], query: &Query) -> Result<u64> {
        let prepared = self.prepare(targets, query, None, &[])?;
        let mut total = 0u64;
        for p in &prepared {
            total += p.query.count(&p.searcher)? as u64;
        }
        Ok(total)
    }

    fn aggregate(&self, prepared: &[Prepared], request: &Map<String, Value>) -> Result<Value> {
        let mut merged: Option<IntermediateAggregationResults> = None;
        let mut final_req = None;
        for p in prepared {
            let mut ctx = CompileCtx {
                index: &p.index,
                fields: p.shard.fields,
                mapping: &p.mapping,
                fls: p.fls.as_ref(),
                analyzer: p.shard.analyzer()?,
            };
            let agg_req = aggs::rewrite(request, &mut ctx)?;
            let collector = DistributedAggregationCollector::from_aggs(
                agg_req.clone(),
                AggContextParams::new(AggregationLimitsGuard::default(), p.shard.tokenizers()),
            );
            let res = p
                .searcher
                .search(p.query.as_ref(), &collector)
                .map_err(agg_error)?;
            merged = Some(match merged {
                None => res,
                Some(mut m) => {
                    m.merge_fruits(res).map_err(agg_error)?;
                    m
                }
            });
            final_req.get_or_insert(agg_req);
        }
        let (Some(merged), Some(final_req)) = (merged, final_req) else {
            return Ok(Value::Object(Map::new()));
        };
        let result = merged
            .into_final_result(final_req, AggregationLimitsGuard::default())
            .map_err(agg_error)?;
        let mut rendered = serde_json::to_value(result)
            .map_err(|e| SearchError::internal("render aggregations", e))?;
        aggs::render(request, &mut rendered);
        Ok(rendered)
    }
}

fn agg_error(e: tantivy::TantivyError) -> SearchError {
    match e {
        tantivy::TantivyError::AggregationError(a) => SearchError::IllegalArgument(a.to_string()),
        tantivy::TantivyError::InvalidArgument(a) => SearchError::IllegalArgument(a),
        other => SearchError::internal("aggregation", other),
    }
}

fn sort_hits(specs: &[SortSpec], hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        sort::compare(specs, &a.key, &b.key)
            .then(a.target.cmp(&b.target))
            .then(a.addr.segment_ord.cmp(&b.addr.segment_ord))
            .then(a.addr.doc_id.cmp(&b.addr.doc_id))
    });
}

/// Whether hits carry a score (no sort, or a sort on `_score`).
fn scored(req: &SearchRequest) -> bool {
    req.sort.is_empty() || req.sort.iter().any(|s| s.field == "_score")
}

pub(crate) fn response_shell(
    started: Instant,
    shards: usize,
    total: u64,
    req: &SearchRequest,
    page: &[&Hit],
    rendered: Vec<Value>,
) -> Value {
    let max_score = if scored(req) && !page.is_empty() {
        json!(page.iter().map(|h| h.score).fold(f32::MIN, f32::max))
    } else {
        Value::Null
    };
    let mut hits = Map::new();
    match req.track_total_hits {
        TrackTotalHits::Off => {}
        TrackTotalHits::Accurate => {
            hits.insert("total".into(), json!({"value": total, "relation": "eq"}));
        }
        TrackTotalHits::UpTo(n) if total > n => {
            hits.insert("total".into(), json!({"value": n, "relation": "gte"}));
        }
        TrackTotalHits::UpTo(_) => {
            hits.insert("total".into(), json!({"value": total, "relation": "eq"}));
        }
    }
    hits.insert("max_score".into(), max_score);
    hits.insert("hits".into(), Value::Array(rendered));
    json!({
        "took": u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "timed_out": false,
        "_shards": {"total": shards, "successful": shards, "skipped": 0, "failed": 0},
        "hits": Value::Object(hits),
    })
}

pub(crate) fn render_hit(prepared: &[Prepared], hit: &Hit, req: &SearchRequest) -> Result<Value> {
    let p = prepared
        .get(hit.target)
        .ok_or_else(|| SearchError::Internal("hit target out of range".into()))?;
    let doc: TantivyDocument = p.searcher.doc(hit.addr)?;
    let stored = p.shard.stored_doc(&doc)?;
    let visible = match &p.fls {
        Some(f) => fls_source::filter(f, stored.source),
        None => stored.source,
    };
    let mut out = Map::new();
    out.insert("_index".into(), json!(p.index));
    out.insert("_id".into(), json!(stored.id));
    // ES renders these only when asked (`version`, `seq_no_primary_term`); the gateway's
    // store relies on them for optimistic concurrency.
    if req.version {
        out.insert("_version".into(), json!(stored.version.version));
    }
    if req.seq_no_primary_term {
        out.insert("_seq_no".into(), json!(stored.version.seq_no));
        out.insert("_primary_term".into(), json!(stored.version.primary_term));
    }
    out.insert(
        "_score".into(),
        if scored(req) {
            json!(hit.score)
        } else {
            Value::Null
        },
    );
    let field_patterns: Vec<&String> = req
        .fields
        .iter()
        .chain(req.docvalue_fields.iter())
        .collect();
    if !field_patterns.is_empty() {
        let mut fields = Map::new();
        for pattern in field_patterns {
            for path in p.mapping.leaf_paths_matching(pattern) {
                if p.fls.as_ref().is_some_and(|f| !f.permits(path)) {
                    continue;
                }
                let lookup = p
                    .mapping
                    .get(path)
                    .and_then(|f| f.multi_of.as_deref())
                    .unwrap_or(path);
                let values = source::values_at(&visible, lookup);
                if !values.is_empty() {
                    fields.insert(path.to_string(), Value::Array(values));
                }
            }
        }
        if !fields.is_empty() {
            out.insert("fields".into(), Value::Object(fields));
        }
    }
    if let Some(src) = source::apply(&req.source, visible) {
        out.insert("_source".into(), src);
    }
    if !req.sort.is_empty() {
        out.insert("sort".into(), sort::render(&p.specs, &hit.key));
    }
    Ok(Value::Object(out))
}
