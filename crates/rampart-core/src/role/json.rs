//! Small helpers for walking a JSON body the way Elasticsearch's token parser sees it.

use serde_json::Value;

pub(crate) use crate::json_token as token;

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
