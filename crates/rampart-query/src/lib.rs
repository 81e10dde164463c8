//! The Elasticsearch query DSL as an engine-neutral AST.
//!
//! Three layers, kept apart so the embedded engine and the gateway share the first two:
//! the DSL (JSON, parsed strictly with Elasticsearch's messages) → [`ast::Query`] (a small
//! closed set of nodes; sugar such as `multi_match` or `query_string` is lowered into it) →
//! an engine (tantivy in `rampart-search`, or JSON again for an upstream cluster, see
//! [`render`]). No IO.

pub mod aggs;
pub mod ast;
pub mod combine;
pub mod error;
pub mod parse;
pub mod render;
pub mod request;
mod request_parse;
mod request_url;
pub mod role;
pub mod visit;

pub use aggs::{agg_field_references, hide_agg_fields, validate_aggs};
pub use ast::{BoolQuery, Operator, Query, Scalar};
pub use combine::{and, or_all};
pub use error::QueryError;
pub use parse::parse_query;
pub use render::to_es_json;
pub use request::{SearchRequest, SortField, SortOrder, SourceFilter, TrackTotalHits};
pub use request_parse::parse_search_request;
pub use request_url::{UrlParams, parse_search_request_with_params};
pub use role::parse_role_query;
pub use visit::{expand_field_patterns, field_references, fold_leaves, hide_fields, walk};
