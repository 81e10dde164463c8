//! Document-level security: role query validation, templating and the per-index restriction.

mod mustache;
mod restriction;
mod suggest;
mod template;
mod validate;
mod wrapper;

use serde_json::Value;
use thiserror::Error;

use crate::error::EsError;

pub use mustache::{MustacheError, render as render_mustache};
pub use restriction::DocumentRestriction;
pub use template::{NOW_NOT_ALLOWED, ScriptLookup, UserContext, render_role_query};
pub use validate::KNOWN_QUERIES;

/// A role query that cannot be used; the text is the specific reason Elasticsearch gives.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{0}")]
pub struct DlsError(pub String);

/// As a search-time error: the role query could not be turned into a filter. At role PUT time
/// the role parser wraps the reason in its own `failed to parse field 'query' for indices ...`.
impl EsError for DlsError {
    fn es_type(&self) -> &'static str {
        "parse_exception"
    }
    fn status(&self) -> u16 {
        400
    }
    fn reason(&self) -> String {
        "failed to parse field 'query' from the role descriptor".to_string()
    }
    fn caused_by(&self) -> Option<(&'static str, String)> {
        let parsing = self.0.starts_with("unknown query") || self.0.contains("malformed");
        let kind = if parsing {
            "parsing_exception"
        } else {
            "illegal_argument_exception"
        };
        Some((kind, self.0.clone()))
    }
}

/// Validate a role query at role-creation time (section 7.3 of the facts).
///
/// Accepts the query as given in the role: `null`, a JSON string (empty = no DLS) or an object.
/// Plain queries are walked for prohibited and unknown query types; templates are only checked
/// for shape, since they can be rendered only for a user at search time.
pub fn validate_role_query(query: &Value) -> Result<(), DlsError> {
    validate::validate(query)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod validate_tests;
