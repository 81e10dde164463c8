//! Typed readers for DSL values, with Elasticsearch's coercions (numbers given as strings,
//! booleans as `"true"`) and error texts.

use serde_json::{Map, Value};

use crate::ast::{Fuzziness, MinimumShouldMatch, Operator, Scalar};
use crate::error::QueryError;

/// The JSON token name Elasticsearch uses in messages (`START_OBJECT`, `VALUE_STRING`, ...).
pub use rampart_core::json_token as token_name;

/// A term-level value. `null` is rejected as Elasticsearch does.
pub fn scalar(value: &Value) -> Result<Scalar, QueryError> {
    match value {
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::String(s) => Ok(Scalar::Str(s.clone())),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(Scalar::Int(i)),
            None => n
                .as_f64()
                .map(Scalar::Float)
                .ok_or_else(|| QueryError::illegal(format!("unsupported number [{n}]"))),
        },
        Value::Null => Err(QueryError::illegal("value cannot be null")),
        Value::Array(_) | Value::Object(_) => Err(QueryError::parsing(format!(
            "unexpected {} where a value was expected",
            token_name(value)
        ))),
    }
}

/// A string option; numbers and booleans are accepted in their text form, as ES's `text()`.
pub fn string(query: &str, key: &str, value: &Value) -> Result<String, QueryError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(unknown_token(query, key, value)),
    }
}

pub fn float(query: &str, key: &str, value: &Value) -> Result<f64, QueryError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| QueryError::NumberFormat(format!("For input string: \"{n}\""))),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| QueryError::NumberFormat(format!("For input string: \"{s}\""))),
        _ => Err(unknown_token(query, key, value)),
    }
}

pub fn int(query: &str, key: &str, value: &Value) -> Result<i64, QueryError> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| QueryError::NumberFormat(format!("For input string: \"{n}\""))),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| QueryError::NumberFormat(format!("For input string: \"{s}\""))),
        _ => Err(unknown_token(query, key, value)),
    }
}

/// A non-negative count that fits the target type.
pub fn count<T: TryFrom<i64>>(query: &str, key: &str, value: &Value) -> Result<T, QueryError> {
    let n = int(query, key, value)?;
    T::try_from(n).map_err(|_| {
        QueryError::illegal(format!(
            "[{query}] [{key}] must be a non-negative number, found [{n}]"
        ))
    })
}

pub fn boolean(query: &str, key: &str, value: &Value) -> Result<bool, QueryError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::String(s) => Err(QueryError::illegal(format!(
            "Failed to parse value [{s}] as only [true] or [false] are allowed."
        ))),
        _ => Err(unknown_token(query, key, value)),
    }
}

/// `boost`: a finite, non-negative float.
pub fn boost(query: &str, value: &Value) -> Result<f32, QueryError> {
    let b = float(query, "boost", value)?;
    if b < 0.0 {
        return Err(QueryError::illegal("negative [boost] are not allowed."));
    }
    #[allow(clippy::cast_possible_truncation)] // boosts are f32 in Elasticsearch too
    let b = b as f32;
    if b.is_finite() {
        Ok(b)
    } else {
        Err(QueryError::illegal(format!(
            "[{query}] [boost] is out of range"
        )))
    }
}

pub fn operator(value: &Value, query: &str) -> Result<Operator, QueryError> {
    let text = string(query, "operator", value)?;
    match text.to_ascii_lowercase().as_str() {
        "or" => Ok(Operator::Or),
        "and" => Ok(Operator::And),
        _ => Err(QueryError::illegal(format!(
            "No enum constant org.elasticsearch.index.query.Operator.{}",
            text.to_ascii_uppercase()
        ))),
    }
}

/// `minimum_should_match`: `3`, `"-1"`, `"75%"`, `"-25%"`. Combinations (`"3<90%"`) are not
/// supported.
pub fn minimum_should_match(query: &str, value: &Value) -> Result<MinimumShouldMatch, QueryError> {
    let text = string(query, "minimum_should_match", value)?;
    let text = text.trim();
    if text.contains('<') {
        return Err(QueryError::unsupported(format!(
            "combination [minimum_should_match] value [{text}]"
        )));
    }
    let invalid = || QueryError::illegal(format!("Invalid minimum_should_match value [{text}]"));
    if let Some(percent) = text.strip_suffix('%') {
        let p: i32 = percent.trim().parse().map_err(|_| invalid())?;
        Ok(MinimumShouldMatch::Percent(p))
    } else {
        let n: i32 = text.parse().map_err(|_| invalid())?;
        Ok(MinimumShouldMatch::Count(n))
    }
}

/// `fuzziness`: `AUTO`, `AUTO:low,high`, or an edit distance of 0, 1 or 2.
pub fn fuzziness(value: &Value) -> Result<Fuzziness, QueryError> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(QueryError::parsing(format!(
                "[fuzziness] unknown token [{}]",
                token_name(value)
            )));
        }
    };
    let invalid = || QueryError::Parse(format!("failed to parse [{text}] as a fuzziness value"));
    let upper = text.to_ascii_uppercase();
    if upper == "AUTO" {
        return Ok(Fuzziness::Auto { low: 3, high: 6 });
    }
    if let Some(bounds) = upper.strip_prefix("AUTO:") {
        let (low, high) = bounds.split_once(',').ok_or_else(invalid)?;
        let low: u8 = low.trim().parse().map_err(|_| invalid())?;
        let high: u8 = high.trim().parse().map_err(|_| invalid())?;
        if low > high {
            return Err(invalid());
        }
        return Ok(Fuzziness::Auto { low, high });
    }
    let distance: f64 = text.parse().map_err(|_| invalid())?;
    match distance {
        0.0 => Ok(Fuzziness::Distance(0)),
        1.0 => Ok(Fuzziness::Distance(1)),
        2.0 => Ok(Fuzziness::Distance(2)),
        _ => Err(QueryError::illegal(format!(
            "Valid edit distances are [0, 1, 2] but was [{text}]"
        ))),
    }
}

/// `[name] unknown token [TOKEN] after [key]`: a value of the wrong JSON shape.
pub fn unknown_token(query: &str, key: &str, value: &Value) -> QueryError {
    QueryError::parsing(format!(
        "[{query}] unknown token [{}] after [{key}]",
        token_name(value)
    ))
}

/// `[name] query does not support [key]`.
pub fn unsupported_param(query: &str, key: &str) -> QueryError {
    QueryError::parsing(format!("[{query}] query does not support [{key}]"))
}

/// The body of a query: `{"term": BODY}` where BODY must be an object.
pub fn body<'a>(query: &str, value: &'a Value) -> Result<&'a Map<String, Value>, QueryError> {
    value.as_object().ok_or_else(|| {
        QueryError::parsing(format!(
            "[{query}] query malformed, no start_object after query name"
        ))
    })
}

/// `"title^2"` → (`title`, Some(2.0)).
pub fn field_with_boost(spec: &str) -> Result<(String, Option<f32>), QueryError> {
    match spec.rsplit_once('^') {
        Some((field, b)) => {
            let boost: f32 = b
                .trim()
                .parse()
                .map_err(|_| QueryError::NumberFormat(format!("For input string: \"{b}\"")))?;
            if !boost.is_finite() || boost < 0.0 {
                return Err(QueryError::illegal("negative [boost] are not allowed."));
            }
            Ok((field.to_string(), Some(boost)))
        }
        None => Ok((spec.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimum_should_match_forms() {
        assert_eq!(
            minimum_should_match("q", &json!(2)),
            Ok(MinimumShouldMatch::Count(2))
        );
        assert_eq!(
            minimum_should_match("q", &json!("-1")),
            Ok(MinimumShouldMatch::Count(-1))
        );
        assert_eq!(
            minimum_should_match("q", &json!("75%")),
            Ok(MinimumShouldMatch::Percent(75))
        );
        assert_eq!(
            minimum_should_match("q", &json!("-25%")),
            Ok(MinimumShouldMatch::Percent(-25))
        );
        assert!(matches!(
            minimum_should_match("q", &json!("3<90%")),
            Err(QueryError::Unsupported(_))
        ));
        assert!(minimum_should_match("q", &json!("x")).is_err());
    }

    #[test]
    fn fuzziness_forms() {
        assert_eq!(
            fuzziness(&json!("AUTO")),
            Ok(Fuzziness::Auto { low: 3, high: 6 })
        );
        assert_eq!(
            fuzziness(&json!("auto:2,5")),
            Ok(Fuzziness::Auto { low: 2, high: 5 })
        );
        assert_eq!(fuzziness(&json!(1)), Ok(Fuzziness::Distance(1)));
        assert_eq!(fuzziness(&json!("2")), Ok(Fuzziness::Distance(2)));
        assert!(fuzziness(&json!(3)).is_err());
        assert!(fuzziness(&json!("AUTO:5,2")).is_err());
    }

    #[test]
    fn boosts_are_non_negative_floats() {
        assert_eq!(boost("term", &json!(2)), Ok(2.0));
        assert_eq!(boost("term", &json!("1.5")), Ok(1.5));
        assert_eq!(
            boost("term", &json!(-1)),
            Err(QueryError::illegal("negative [boost] are not allowed."))
        );
        assert_eq!(
            boost("term", &json!([1])),
            Err(QueryError::parsing(
                "[term] unknown token [START_ARRAY] after [boost]"
            ))
        );
    }

    #[test]
    fn scalars_keep_their_json_type() {
        assert_eq!(scalar(&json!(1)), Ok(Scalar::Int(1)));
        assert_eq!(scalar(&json!(1.5)), Ok(Scalar::Float(1.5)));
        assert_eq!(scalar(&json!("a")), Ok(Scalar::Str("a".into())));
        assert_eq!(scalar(&json!(true)), Ok(Scalar::Bool(true)));
        assert!(scalar(&json!(null)).is_err());
    }

    #[test]
    fn field_boost_suffix() {
        assert_eq!(field_with_boost("title^3"), Ok(("title".into(), Some(3.0))));
        assert_eq!(field_with_boost("body"), Ok(("body".into(), None)));
        assert!(field_with_boost("x^y").is_err());
    }
}
