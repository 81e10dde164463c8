//! The FLS rule checked when a role is parsed: `except` must lie inside what `grant` permits.

use rampart_automaton::{Automaton, AutomatonError};

use super::error::RoleError;
use super::model::FieldSecurity;

/// `except ⊆ grant ∪ metadata fields` (section 8.2); metadata fields are every `_`-prefixed name.
pub(super) fn check_except_is_subset(role: &str, fls: &FieldSecurity) -> Result<(), RoleError> {
    if fls.except.is_empty() {
        return Ok(());
    }
    let grant = fls.grant.as_deref().unwrap_or_default();
    let pattern_error = |e: AutomatonError| RoleError::IllegalArgument(e.to_string());
    let granted = Automaton::from_patterns(grant)
        .and_then(|g| g.union(&Automaton::prefix("_")))
        .map_err(pattern_error)?;
    let denied = Automaton::from_patterns(&fls.except).map_err(pattern_error)?;
    if denied.is_subset_of(&granted) {
        return Ok(());
    }
    Err(RoleError::parse(format!(
        "failed to parse indices privileges for role [{role}] - Exceptions for field permissions must be a subset of the granted fields but {} is not a subset of {}",
        fls.except.join(","),
        grant.join(",")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(grant: &[&str], except: &[&str]) -> Result<(), RoleError> {
        let fls = FieldSecurity {
            grant: Some(grant.iter().map(|s| s.to_string()).collect()),
            except: except.iter().map(|s| s.to_string()).collect(),
        };
        check_except_is_subset("r", &fls)
    }

    #[test]
    fn except_inside_grant_is_accepted() {
        assert!(check(&["*"], &["secret*"]).is_ok());
        assert!(check(&["a*"], &["a.b", "a?"]).is_ok());
        assert!(check(&["a*"], &[]).is_ok());
        // Metadata fields are always granted, so they may be excepted.
        assert!(check(&["a"], &["_id"]).is_ok());
        assert!(check(&[], &["_source"]).is_ok());
    }

    #[test]
    fn except_outside_grant_is_rejected_with_es_text() {
        assert_eq!(
            check(&["a*"], &["b"]).unwrap_err().to_string(),
            "failed to parse indices privileges for role [r] - Exceptions for field permissions must be a subset of the granted fields but b is not a subset of a*"
        );
        assert_eq!(
            check(&["a", "c"], &["a", "b*"]).unwrap_err().to_string(),
            "failed to parse indices privileges for role [r] - Exceptions for field permissions must be a subset of the granted fields but a,b* is not a subset of a,c"
        );
    }

    #[test]
    fn invalid_pattern_is_reported() {
        let e = check(&["/abc"], &["x"]).unwrap_err();
        assert!(e.to_string().starts_with("invalid pattern [/abc]"), "{e}");
    }
}
