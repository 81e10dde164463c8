//! `wrapper` queries carry another query as base64 JSON. We unwrap them so the hidden query
//! gets the same checks (prohibited types, clock use) as a visible one.

use serde_json::Value;

use super::DlsError;

/// The query inside a `wrapper` body (`{"query": "<base64 JSON>"}`).
pub(crate) fn unwrap(body: &Value) -> Result<Value, DlsError> {
    let encoded = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| DlsError("[wrapper] query malformed, missing [query]".to_string()))?;
    let bytes = decode_base64(encoded)
        .ok_or_else(|| DlsError("[wrapper] query is not valid base64".to_string()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| DlsError(format!("[wrapper] failed to parse wrapped query: {e}")))
}

/// Replace every `wrapper` query in `query` by the query it carries.
pub(crate) fn expand(query: &mut Value) -> Result<(), DlsError> {
    match query {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(body) = map.get("wrapper") {
                    let mut inner = unwrap(body)?;
                    expand(&mut inner)?;
                    *query = inner;
                    return Ok(());
                }
            }
            map.values_mut().try_for_each(expand)
        }
        Value::Array(items) => items.iter_mut().try_for_each(expand),
        _ => Ok(()),
    }
}

/// Standard or URL-safe base64, padding optional.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(
            decode_base64("eyJ0ZXJtIjp7ImEiOjF9fQ==").unwrap(),
            br#"{"term":{"a":1}}"#
        );
        assert_eq!(decode_base64("YQ").unwrap(), b"a");
        assert!(decode_base64("a*b").is_none());
    }

    #[test]
    fn expands_nested_wrappers() {
        // {"term":{"a":1}}
        let mut q =
            json!({"bool": {"filter": [{"wrapper": {"query": "eyJ0ZXJtIjp7ImEiOjF9fQ=="}}]}});
        expand(&mut q).unwrap();
        assert_eq!(q, json!({"bool": {"filter": [{"term": {"a": 1}}]}}));
        assert!(expand(&mut json!({"wrapper": {"query": "!!"}})).is_err());
        assert!(expand(&mut json!({"wrapper": {}})).is_err());
    }
}
