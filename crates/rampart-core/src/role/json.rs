//! Small helpers for walking a JSON body the way Elasticsearch's token parser sees it.

use serde_json::Value;

/// The Elasticsearch token name of a JSON value, as used in parse error messages.
pub(crate) fn token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Number(_) => "VALUE_NUMBER",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// Why a value is not a string array; the text of Elasticsearch's string-array reader.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotStringArray(pub String);

/// Read a string array; a single string counts as a one-element array, `null` as absent.
pub(crate) fn string_array(
    field: &str,
    value: &Value,
) -> Result<Option<Vec<String>>, NotStringArray> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(vec![s.clone()])),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(NotStringArray(format!(
                    "could not parse [{field}] field. expected a string array but one of the value in the array is [{}]",
                    token(other)
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(NotStringArray(format!(
            "could not parse [{field}] field. expected a string array but found [{}] value instead",
            token(other)
        ))),
    }
}
