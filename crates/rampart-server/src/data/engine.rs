//! The seam between enforcement and storage: what the data handlers need from a document
//! engine. Handlers call it only with authorized concrete names and computed restrictions;
//! the engine never sees a request. `rampart-search` (tantivy) and the in-memory engine
//! (`memory`) implement it.

use std::sync::Arc;

use rampart_core::resolve::IndexMetadata;
use rampart_query::{Query, SearchRequest};
use serde_json::Value;

use super::restrict::Restriction;
use crate::error::ApiError;

/// A stored document as a realtime get returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub id: String,
    pub seq_no: u64,
    pub version: u64,
    pub source: Value,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResult {
    pub index: String,
    pub id: String,
    pub version: u64,
    pub seq_no: u64,
    /// `created`, `updated`, `deleted`, `not_found`, `noop`.
    pub result: &'static str,
}

impl WriteResult {
    /// The document-API response body.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "_index": self.index,
            "_id": self.id,
            "_version": self.version,
            "result": self.result,
            "_shards": {"total": 1, "successful": 1, "failed": 0},
            "_seq_no": self.seq_no,
            "_primary_term": 1,
        })
    }

    /// The HTTP status of a single-document write.
    pub fn status(&self) -> u16 {
        match self.result {
            "created" => 201,
            "not_found" => 404,
            _ => 200,
        }
    }
}

/// One `_aliases` action, already authorized.
#[derive(Debug, Clone, PartialEq)]
pub enum AliasAction {
    Add {
        index: String,
        alias: String,
        filter: Option<Value>,
        is_write_index: Option<bool>,
    },
    Remove {
        index: String,
        alias: String,
    },
    RemoveIndex {
        index: String,
    },
}

/// The storage operations the enforcement layer performs.
pub trait DocumentEngine: Send + Sync {
    /// A consistent snapshot of indices, aliases and data streams for resolution.
    fn metadata(&self) -> Arc<IndexMetadata>;
    /// Create an index from an ES create-index body (settings, mappings, aliases).
    fn create_index(&self, name: &str, body: &Value) -> Result<(), ApiError>;
    fn delete_index(&self, name: &str) -> Result<(), ApiError>;
    /// `GET /<index>` for one concrete index: `{aliases, mappings, settings}`.
    fn get_index(&self, name: &str) -> Result<Value, ApiError>;
    /// The index's mapping properties (`{"properties": {...}}`).
    fn get_mapping(&self, name: &str) -> Result<Value, ApiError>;
    fn put_mapping(&self, name: &str, body: &Value) -> Result<(), ApiError>;
    fn get_settings(&self, name: &str) -> Result<Value, ApiError>;
    fn put_settings(&self, name: &str, body: &Value) -> Result<(), ApiError>;
    fn update_aliases(&self, actions: &[AliasAction]) -> Result<(), ApiError>;
    fn set_open(&self, name: &str, open: bool) -> Result<(), ApiError>;
    /// Refresh (and the other maintenance operations, which the memory engine treats alike).
    fn refresh(&self, name: &str) -> Result<(), ApiError>;
    /// Per-index document count and store size for stats and `_cat/indices`.
    fn doc_count(&self, name: &str) -> Result<u64, ApiError>;
    fn index_doc(
        &self,
        index: &str,
        id: Option<&str>,
        source: Value,
        create_only: bool,
    ) -> Result<WriteResult, ApiError>;
    fn delete_doc(&self, index: &str, id: &str) -> Result<WriteResult, ApiError>;
    /// Realtime get of the full, unfiltered document.
    fn get_doc(&self, index: &str, id: &str) -> Result<Option<Doc>, ApiError>;
    /// Whether `query` matches the stored document (DLS on get/mget, per-role pairing).
    fn matches(&self, index: &str, id: &str, query: &Query) -> Result<bool, ApiError>;
    /// Run a search over the targets, each with its own restriction; the ES response shape.
    fn search(
        &self,
        targets: &[(String, Restriction)],
        request: &SearchRequest,
    ) -> Result<Value, ApiError>;
    /// The number of visible matching documents.
    fn count(&self, targets: &[(String, Restriction)], query: &Query) -> Result<u64, ApiError>;
}
