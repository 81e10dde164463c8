//! The embedded document engine: cluster metadata (indices, aliases, templates, data streams)
//! persisted with a format version, one tantivy index per Elasticsearch index, and search
//! with per-index DLS/FLS [`Restrictions`]. Synchronous: the server calls it from blocking
//! tasks. See ARCHITECTURE.md, "where do documents live and how is a search executed?".

pub mod analysis;
pub mod cluster;
pub mod date_range;
mod engine;
pub mod error;
mod filter_cache;
pub mod mapping;
pub mod rollover;
pub mod search;
pub mod shard;
pub mod snapshot;
pub mod termvectors;
mod translog;
pub mod translog_settings;

pub use engine::streams::backing_name;
pub use engine::{
    DataStreamStats, DocWrite, Engine, IndexStats, MappingGate, Refresh, UpdateRequest, WriteBatch,
    WriteTarget,
};
pub use error::SearchError;
pub use search::Restrictions;
pub use search::explain::matches_source;
pub use shard::{DocVersion, OpType, StoredDoc, WriteConditions, WriteKind, WriteOutcome};
pub use snapshot::MatchedDoc;
pub use termvectors::TermVectorOptions;
pub use translog::Positions as TranslogPositions;
