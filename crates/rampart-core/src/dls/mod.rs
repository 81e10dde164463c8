//! Document-level security: role query validation and templating.

use serde_json::Value;
use thiserror::Error;

/// A role query that cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{0}")]
pub struct DlsError(pub String);

/// Validate a role query at role-creation time (section 7.3 of the facts).
pub fn validate_role_query(_query: &Value) -> Result<(), DlsError> {
    Ok(())
}
