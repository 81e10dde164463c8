//! Operations Elasticsearch refuses when document or field level security applies to a target
//! (sections 7.5 and 8.4 of the facts), with its exact messages. DLS/FLS is meant for
//! read-only users: anything that could reveal or rewrite hidden data is refused up front.

use crate::error::ApiError;

pub const SUGGEST: &str = "Suggest isn't supported if document level security is enabled";
pub const PROFILE: &str =
    "A search request cannot be profiled if document level security is enabled";
pub const UPDATE: &str =
    "Can't execute an update request if field or document level security is enabled";
pub const VALIDATE_REWRITE: &str =
    "Validate with rewrite isn't supported if document level security is enabled";

/// The 400 Elasticsearch answers with for a blocked operation.
pub fn blocked(message: &str) -> ApiError {
    ApiError::new(400, "security_exception", message)
}

/// Search options that may not be used under DLS/FLS.
pub fn check_search(
    restricted: bool,
    request: &rampart_query::SearchRequest,
) -> Result<(), ApiError> {
    if !restricted {
        return Ok(());
    }
    if request.suggest.is_some() {
        return Err(blocked(SUGGEST));
    }
    if request.profile {
        return Err(blocked(PROFILE));
    }
    Ok(())
}

/// A single-document `_update` on a restricted index.
pub fn check_update(restricted: bool) -> Result<(), ApiError> {
    if restricted {
        return Err(blocked(UPDATE));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggest_and_profile_are_refused_only_when_restricted() {
        let mut req = rampart_query::SearchRequest {
            profile: true,
            ..Default::default()
        };
        assert!(check_search(false, &req).is_ok());
        assert_eq!(check_search(true, &req).unwrap_err().reason, PROFILE);
        req.profile = false;
        req.suggest = Some(serde_json::json!({}));
        let e = check_search(true, &req).unwrap_err();
        assert_eq!((e.status, e.reason.as_str()), (400, SUGGEST));
    }

    #[test]
    fn update_is_refused_when_restricted() {
        assert!(check_update(false).is_ok());
        assert_eq!(check_update(true).unwrap_err().reason, UPDATE);
    }
}
