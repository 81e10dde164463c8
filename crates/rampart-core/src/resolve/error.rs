//! Errors of index expression resolution, with the Elasticsearch type/status/reason they map to.

use crate::error::EsError;

/// Why a set of index expressions could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// 404 `index_not_found_exception`.
    #[error("no such index [{index}]")]
    IndexNotFound {
        /// The expression (or name) that found nothing.
        index: String,
    },
    /// A single-name action got a wildcard.
    #[error(
        "the action {action} does not support wildcards; the provided index expression(s) [{expressions}] are not allowed"
    )]
    WildcardsNotSupported {
        /// The transport action.
        action: String,
        /// The offending expressions, comma-joined.
        expressions: String,
    },
    /// A single-name action got `_all`.
    #[error(
        "the action {action} does not support accessing all indices; the provided index expression [{expression}] is not allowed"
    )]
    AllIndicesNotSupported {
        /// The transport action.
        action: String,
        /// The original expressions, comma-joined.
        expression: String,
    },
    /// A single-name action got no names.
    #[error("the action {action} requires explicit index names, but none were provided")]
    NoIndexNames {
        /// The transport action.
        action: String,
    },
    /// A wildcard cluster part matched no configured remote (single-name requests).
    #[error("no such remote cluster: [{alias}]")]
    NoSuchRemoteCluster {
        /// The cluster expression.
        alias: String,
    },
    /// 400 `invalid_index_name_exception`.
    #[error("Invalid index name [{name}], {reason}")]
    InvalidIndexName {
        /// The expression.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 400 `parse_exception`: a malformed date-math name or date-math expression.
    #[error("{0}")]
    DateMath(String),
    /// 400 `illegal_argument_exception`: a bad date format or time zone inside date math.
    #[error("{0}")]
    DateFormat(String),
    /// 400 `illegal_argument_exception`: a bad `expand_wildcards` value.
    #[error("No valid expand wildcard value [{0}]")]
    BadExpandWildcards(String),
    /// 400 `illegal_argument_exception`: a boolean query parameter that is not `true`/`false`.
    #[error("Could not convert [{param}] to boolean")]
    BadBoolean {
        /// The parameter name.
        param: String,
        /// The rejected value.
        value: String,
    },
}

impl ResolveError {
    /// The extra fields Elasticsearch puts on an `index_not_found_exception`
    /// (`index`, `resource.id`, `resource.type`, `index_uuid`), empty for other errors.
    pub fn metadata(&self) -> Vec<(&'static str, String)> {
        match self {
            ResolveError::IndexNotFound { index } => vec![
                ("resource.type", "index_or_alias".to_owned()),
                ("resource.id", index.clone()),
                ("index_uuid", "_na_".to_owned()),
                ("index", index.clone()),
            ],
            _ => Vec::new(),
        }
    }
}

impl EsError for ResolveError {
    fn es_type(&self) -> &'static str {
        match self {
            ResolveError::IndexNotFound { .. } => "index_not_found_exception",
            ResolveError::NoSuchRemoteCluster { .. } => "no_such_remote_cluster_exception",
            ResolveError::InvalidIndexName { .. } => "invalid_index_name_exception",
            ResolveError::DateMath(_) => "parse_exception",
            ResolveError::WildcardsNotSupported { .. }
            | ResolveError::AllIndicesNotSupported { .. }
            | ResolveError::NoIndexNames { .. }
            | ResolveError::DateFormat(_)
            | ResolveError::BadExpandWildcards(_)
            | ResolveError::BadBoolean { .. } => "illegal_argument_exception",
        }
    }

    fn status(&self) -> u16 {
        match self {
            ResolveError::IndexNotFound { .. } | ResolveError::NoSuchRemoteCluster { .. } => 404,
            _ => 400,
        }
    }

    fn caused_by(&self) -> Option<(&'static str, String)> {
        match self {
            ResolveError::BadBoolean { value, .. } => Some((
                "illegal_argument_exception",
                format!("Failed to parse value [{value}] as only [true] or [false] are allowed."),
            )),
            _ => None,
        }
    }
}
