//! A parsed search request body (`_search`, `_count`, `_msearch` items, scroll start): the
//! query as an AST plus the options an engine must honour. Aggregations stay JSON in
//! Elasticsearch's shape (engines such as tantivy's aggregation module take that shape), but
//! are validated and their field references listed by this crate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ast::Query;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// `match_all` when the body has no `query`.
    pub query: Query,
    /// Applied to hits after aggregations were computed.
    pub post_filter: Option<Query>,
    pub from: usize,
    pub size: usize,
    pub sort: Vec<SortField>,
    pub search_after: Option<Vec<Value>>,
    pub source: SourceFilter,
    /// The `fields` option: patterns of fields to return from the mapping's view.
    pub fields: Vec<String>,
    pub docvalue_fields: Vec<String>,
    pub track_total_hits: TrackTotalHits,
    pub aggs: Option<Map<String, Value>>,
    pub min_score: Option<f32>,
    pub terminate_after: Option<usize>,
    /// `true` if the body asked for features a DLS/FLS-restricted caller may not use
    /// (`suggest`, `profile`); the enforcement layer decides.
    pub suggest: Option<Value>,
    pub profile: bool,
    pub highlight: Option<Value>,
    /// `version: true`: return each hit's `_version`.
    pub version: bool,
    /// `seq_no_primary_term: true`: return each hit's `_seq_no` and `_primary_term`.
    pub seq_no_primary_term: bool,
    /// `explain: true`: return a score explanation per hit.
    pub explain: bool,
    /// `stored_fields`; `Some([])` for `_none_` (no `_source`, no `_id` metadata).
    pub stored_fields: Option<Vec<String>>,
    /// `track_scores`: compute scores even when sorting on fields.
    pub track_scores: bool,
    /// `timeout`, kept as given (a time value such as `"1s"`).
    pub timeout: Option<String>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            query: Query::MatchAll { boost: None },
            post_filter: None,
            from: 0,
            size: 10,
            sort: Vec::new(),
            search_after: None,
            source: SourceFilter::All,
            fields: Vec::new(),
            docvalue_fields: Vec::new(),
            track_total_hits: TrackTotalHits::UpTo(10_000),
            aggs: None,
            min_score: None,
            terminate_after: None,
            suggest: None,
            profile: false,
            highlight: None,
            version: false,
            seq_no_primary_term: false,
            explain: false,
            stored_fields: None,
            track_scores: false,
            timeout: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Where documents without a value sort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Missing {
    First,
    Last,
    Value(Value),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SortField {
    /// A field path, or `_score` / `_doc`.
    pub field: String,
    pub order: SortOrder,
    pub missing: Option<Missing>,
}

/// The `_source` option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SourceFilter {
    All,
    None,
    Filter {
        includes: Vec<String>,
        excludes: Vec<String>,
    },
}

/// The `track_total_hits` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrackTotalHits {
    Accurate,
    UpTo(u64),
    Off,
}
