//! The engine's errors, each carrying Elasticsearch's error type and HTTP status.

use rampart_core::error::EsError;
use thiserror::Error;

/// Everything the document engine can refuse or fail with.
#[derive(Debug, Error)]
pub enum SearchError {
    #[error("no such index [{index}]")]
    IndexNotFound { index: String },
    #[error("index [{index}/{uuid}] already exists")]
    IndexAlreadyExists { index: String, uuid: String },
    #[error("{0}")]
    ResourceAlreadyExists(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("closed")]
    IndexClosed { index: String },
    #[error("[{id}]: version conflict, {detail}")]
    VersionConflict { id: String, detail: String },
    #[error("[{id}]: document missing")]
    DocumentMissing { id: String },
    #[error("{0}")]
    MapperParsing(String),
    #[error("{0}")]
    IllegalArgument(String),
    #[error("{0}")]
    Parsing(String),
    #[error("{0}")]
    InvalidIndexName(String),
    #[error("No search context found for id [{0}]")]
    SearchContextMissing(String),
    #[error("{0}")]
    InvalidAlias(String),
    /// A write refused by the caller's mapping-update gate (`WriteBatch::with_mapping_gate`):
    /// the reason is the caller's own 403 text.
    #[error("{0}")]
    Forbidden(String),
    /// An index still analysed by the legacy tokenizer is searched with a document filter:
    /// refused until it is migrated, since the filter would not match as written.
    #[error(
        "index [{index}] has not been migrated to the standard analyzer yet; searches \
         restricted by document level security or a filtered alias are refused until it is"
    )]
    LegacyAnalyzer { index: String },
    /// A resource limit refused the request (e.g. too many open points in time).
    #[error("{0}")]
    Rejected(String),
    /// Storage or tantivy failure: detail goes to logs, clients see a generic message.
    #[error("{0}")]
    Internal(String),
}

impl SearchError {
    pub(crate) fn internal(context: &str, e: impl std::fmt::Display) -> Self {
        tracing::error!(%e, "{context}");
        SearchError::Internal(format!("{context} failed"))
    }

    pub(crate) fn not_found(index: &str) -> Self {
        SearchError::IndexNotFound {
            index: index.to_string(),
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::internal("index storage", e)
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::internal("index storage io", e)
    }
}

impl EsError for SearchError {
    fn es_type(&self) -> &'static str {
        match self {
            SearchError::IndexNotFound { .. } => "index_not_found_exception",
            SearchError::IndexAlreadyExists { .. } | SearchError::ResourceAlreadyExists(_) => {
                "resource_already_exists_exception"
            }
            SearchError::ResourceNotFound(_) => "resource_not_found_exception",
            SearchError::IndexClosed { .. } => "index_closed_exception",
            SearchError::VersionConflict { .. } => "version_conflict_engine_exception",
            SearchError::DocumentMissing { .. } => "document_missing_exception",
            SearchError::MapperParsing(_) => "mapper_parsing_exception",
            SearchError::IllegalArgument(_) => "illegal_argument_exception",
            SearchError::Parsing(_) => "parsing_exception",
            SearchError::InvalidIndexName(_) => "invalid_index_name_exception",
            SearchError::SearchContextMissing(_) => "search_context_missing_exception",
            SearchError::InvalidAlias(_) => "invalid_alias_name_exception",
            SearchError::Forbidden(_) => "security_exception",
            SearchError::LegacyAnalyzer { .. } => "illegal_state_exception",
            SearchError::Rejected(_) => "es_rejected_execution_exception",
            SearchError::Internal(_) => "exception",
        }
    }

    fn status(&self) -> u16 {
        match self {
            SearchError::IndexNotFound { .. }
            | SearchError::ResourceNotFound(_)
            | SearchError::DocumentMissing { .. }
            | SearchError::SearchContextMissing(_) => 404,
            SearchError::VersionConflict { .. } => 409,
            SearchError::Forbidden(_) => 403,
            SearchError::LegacyAnalyzer { .. } => 503,
            SearchError::Rejected(_) => 429,
            SearchError::Internal(_) => 500,
            _ => 400,
        }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
