//! How engine errors present themselves to Elasticsearch clients.
//!
//! The engine does no HTTP, but every error it returns knows its Elasticsearch error `type`
//! and HTTP status, so the server can render the ES error envelope without guessing.

/// An error that maps onto Elasticsearch's error envelope.
pub trait EsError: std::error::Error {
    /// The ES `error.type`, e.g. `parse_exception`.
    fn es_type(&self) -> &'static str;
    /// The HTTP status.
    fn status(&self) -> u16;
    /// The ES `error.reason`; the Display text by default.
    fn reason(&self) -> String {
        self.to_string()
    }
    /// An optional nested `caused_by` (type, reason).
    fn caused_by(&self) -> Option<(&'static str, String)> {
        None
    }
}
