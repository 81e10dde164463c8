//! The one error type every `SecurityStore` implementation returns.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write clashes with what is stored: a duplicate id, a stale version, a refresh token
    /// that was already used.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller passed something the store cannot hold (for example an empty name).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// What is on disk cannot be read by this binary: bad stored JSON, an unknown document
    /// format, or a schema newer than the binary knows.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
