//! The Elasticsearch query DSL as an engine-neutral AST.
//!
//! Three layers, kept apart so the embedded engine and the gateway share the first two:
//! the DSL (JSON, parsed strictly with Elasticsearch's messages) → [`ast::Query`] (a small
//! closed set of nodes; sugar such as `multi_match` or `query_string` is lowered into it) →
//! an engine (tantivy in `rampart-search`, or JSON again for an upstream cluster).
//! No IO.

pub mod ast;

pub use ast::{BoolQuery, Operator, Query, Scalar};
pub mod request;

pub use request::{SearchRequest, SortField, SortOrder, SourceFilter, TrackTotalHits};
