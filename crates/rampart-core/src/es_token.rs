//! The token name Elasticsearch's JSON parser reports for a value (`START_OBJECT`,
//! `VALUE_STRING`, ...), as its parse error messages print it. One definition for every
//! crate that reproduces those messages.

use serde_json::Value;

/// The Elasticsearch token name of a JSON value.
pub fn json_token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Number(_) => "VALUE_NUMBER",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_match_elasticsearch_tokens() {
        assert_eq!(json_token(&json!(null)), "VALUE_NULL");
        assert_eq!(json_token(&json!(true)), "VALUE_BOOLEAN");
        assert_eq!(json_token(&json!(1.5)), "VALUE_NUMBER");
        assert_eq!(json_token(&json!("a")), "VALUE_STRING");
        assert_eq!(json_token(&json!([])), "START_ARRAY");
        assert_eq!(json_token(&json!({})), "START_OBJECT");
    }
}
