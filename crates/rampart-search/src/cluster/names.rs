//! Index name rules, with Elasticsearch's messages.

use crate::error::{Result, SearchError};

const INVALID_CHARS: [char; 10] = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

/// Check a name for a new index (or data stream / alias, which share the rules).
pub fn validate_index_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(SearchError::InvalidIndexName(format!(
            "Invalid index name [{name}], {why}"
        )))
    };
    if name.is_empty() {
        return bad("must not be empty");
    }
    if name.chars().any(|c| INVALID_CHARS.contains(&c)) {
        return bad(
            "must not contain the following characters [' ','\"','*',',','/','<','>','?','\\\\','|']",
        );
    }
    if name.contains('#') {
        return bad("must not contain '#'");
    }
    if name.contains(':') {
        return bad("must not contain ':'");
    }
    if name.starts_with(['_', '-', '+']) {
        return bad("must not start with '_', '-', or '+'");
    }
    if name == "." || name == ".." {
        return bad("must not be '.' or '..'");
    }
    if name.len() > 255 {
        return Err(SearchError::InvalidIndexName(format!(
            "Invalid index name [{name}], index name is too long, ({} > 255)",
            name.len()
        )));
    }
    if name.chars().any(char::is_uppercase) {
        return bad("must be lowercase");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(validate_index_name("logs-1").is_ok());
        assert_eq!(
            validate_index_name("Foo").unwrap_err().to_string(),
            "Invalid index name [Foo], must be lowercase"
        );
        assert!(validate_index_name("_x").is_err());
        assert!(validate_index_name("a*b").is_err());
        assert!(validate_index_name(&"a".repeat(256)).is_err());
    }
}
