//! Why a query or search body was rejected, with Elasticsearch's error type and text.

use rampart_core::error::EsError;
use thiserror::Error;

/// A rejected query, search body or role query. Every variant is a client error (400).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// Elasticsearch's `parsing_exception`: malformed DSL, unknown query or parameter.
    #[error("{0}")]
    Parsing(String),
    /// `x_content_parse_exception`: a value of the wrong shape for an object-parsed option.
    #[error("{0}")]
    XContentParse(String),
    /// `illegal_argument_exception`: a well-formed but invalid value.
    #[error("{0}")]
    IllegalArgument(String),
    /// `parse_exception`: an unknown enumerated value (e.g. a `multi_match` type).
    #[error("{0}")]
    Parse(String),
    /// `number_format_exception`: a number option given a non-numeric string.
    #[error("{0}")]
    NumberFormat(String),
    /// `query_shard_exception`: a `query_string` whose syntax is invalid; the detail is the cause.
    #[error("Failed to parse query [{query}]")]
    QueryString { query: String, detail: String },
    /// A DLS role query that cannot be used at search time; the detail is the cause.
    #[error("failed to parse field 'query' from the role descriptor")]
    RoleQuery {
        detail: String,
        cause_type: &'static str,
    },
    /// A real Elasticsearch feature this server does not implement. Never silently ignored.
    #[error("{0} is not supported by this server")]
    Unsupported(String),
}

impl QueryError {
    pub(crate) fn parsing(text: impl Into<String>) -> Self {
        Self::Parsing(text.into())
    }
    pub(crate) fn illegal(text: impl Into<String>) -> Self {
        Self::IllegalArgument(text.into())
    }
    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Self::Unsupported(what.into())
    }
}

impl EsError for QueryError {
    fn es_type(&self) -> &'static str {
        match self {
            Self::Parsing(_) => "parsing_exception",
            Self::XContentParse(_) => "x_content_parse_exception",
            Self::IllegalArgument(_) | Self::Unsupported(_) => "illegal_argument_exception",
            Self::Parse(_) => "parse_exception",
            Self::NumberFormat(_) => "number_format_exception",
            Self::QueryString { .. } => "query_shard_exception",
            Self::RoleQuery { .. } => "parse_exception",
        }
    }

    fn status(&self) -> u16 {
        400
    }

    fn caused_by(&self) -> Option<(&'static str, String)> {
        match self {
            Self::QueryString { query, detail } => Some((
                "parse_exception",
                format!("Cannot parse '{query}': {detail}"),
            )),
            Self::RoleQuery { detail, cause_type } => Some((cause_type, detail.clone())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_features_name_themselves() {
        let err = QueryError::unsupported("[script] query");
        assert_eq!(
            err.reason(),
            "[script] query is not supported by this server"
        );
        assert_eq!(err.es_type(), "illegal_argument_exception");
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn query_string_errors_carry_their_cause() {
        let err = QueryError::QueryString {
            query: "a:(".into(),
            detail: "unbalanced parenthesis".into(),
        };
        assert_eq!(err.reason(), "Failed to parse query [a:(]");
        assert_eq!(
            err.caused_by(),
            Some((
                "parse_exception",
                "Cannot parse 'a:(': unbalanced parenthesis".into()
            ))
        );
    }
}
