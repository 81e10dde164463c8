//! Term-level queries: exact values, ranges, patterns, existence.

use serde_json::Value;

use super::single_field;
use super::values::{self, body, unknown_token, unsupported_param};
use crate::ast::{Bound, Fuzziness, Query, Scalar};
use crate::error::QueryError;

pub fn match_all(value: &Value) -> Result<Query, QueryError> {
    let mut boost = None;
    for (key, v) in body("match_all", value)? {
        match key.as_str() {
            "boost" => boost = Some(values::boost("match_all", v)?),
            "_name" => {}
            _ => return Err(unsupported_param("match_all", key)),
        }
    }
    Ok(Query::MatchAll { boost })
}

pub fn match_none(value: &Value) -> Result<Query, QueryError> {
    for (key, v) in body("match_none", value)? {
        match key.as_str() {
            "boost" => {
                values::boost("match_none", v)?;
            }
            "_name" => {}
            _ => return Err(unsupported_param("match_none", key)),
        }
    }
    Ok(Query::MatchNone)
}

pub fn term(value: &Value) -> Result<Query, QueryError> {
    let (field, spec) = single_field("term", body("term", value)?)?;
    let mut boost = None;
    let mut case_insensitive = false;
    let value = match spec {
        Value::Object(params) => {
            let mut found = None;
            for (key, v) in params {
                match key.as_str() {
                    "value" => found = Some(values::scalar(v)?),
                    "boost" => boost = Some(values::boost("term", v)?),
                    "case_insensitive" => {
                        case_insensitive = values::boolean("term", key, v)?;
                    }
                    "_name" => {}
                    _ => return Err(unsupported_param("term", key)),
                }
            }
            found.ok_or_else(|| QueryError::illegal("value cannot be null"))?
        }
        Value::Array(_) => {
            return Err(QueryError::parsing(
                "[term] query does not support array of values",
            ));
        }
        other => values::scalar(other)?,
    };
    Ok(Query::Term {
        field: field.to_string(),
        value,
        case_insensitive,
        boost,
    })
}

pub fn terms(value: &Value) -> Result<Query, QueryError> {
    let mut field_values: Option<(&str, Vec<Scalar>)> = None;
    let mut boost = None;
    for (key, v) in body("terms", value)? {
        match (key.as_str(), v) {
            ("boost", _) => boost = Some(values::boost("terms", v)?),
            ("_name", _) => {}
            (_, Value::Array(items)) => {
                if field_values.is_some() {
                    return Err(QueryError::parsing(
                        "[terms] query does not support multiple fields",
                    ));
                }
                let scalars = items.iter().map(values::scalar).collect::<Result<_, _>>()?;
                field_values = Some((key.as_str(), scalars));
            }
            (_, Value::Object(_)) => {
                return Err(QueryError::unsupported("[terms] query with a terms lookup"));
            }
            _ => return Err(unsupported_param("terms", key)),
        }
    }
    let (field, values) = field_values.ok_or_else(|| {
        QueryError::parsing(
            "[terms] query requires a field name, followed by array of terms or a document lookup specification",
        )
    })?;
    if field.is_empty() {
        return Err(QueryError::illegal("field name cannot be null."));
    }
    Ok(Query::Terms {
        field: field.to_string(),
        values,
        boost,
    })
}

pub fn ids(value: &Value) -> Result<Query, QueryError> {
    let mut ids = Vec::new();
    for (key, v) in body("ids", value)? {
        match key.as_str() {
            "values" => {
                let Value::Array(items) = v else {
                    return Err(unknown_token("ids", key, v));
                };
                for item in items {
                    match item {
                        Value::String(s) => ids.push(s.clone()),
                        Value::Number(n) => ids.push(n.to_string()),
                        _ => {
                            return Err(QueryError::XContentParse(format!(
                                "[ids] failed to parse field [values]: unexpected {}",
                                values::token_name(item)
                            )));
                        }
                    }
                }
            }
            "boost" => {
                values::boost("ids", v)?;
            }
            "_name" => {}
            _ => {
                return Err(QueryError::XContentParse(format!(
                    "[ids] unknown field [{key}]"
                )));
            }
        }
    }
    Ok(Query::Ids { values: ids })
}

pub fn range(value: &Value) -> Result<Query, QueryError> {
    let (field, spec) = single_field("range", body("range", value)?)?;
    let Value::Object(params) = spec else {
        return Err(unknown_token("range", field, spec));
    };
    let mut lower: Option<Bound> = None;
    let mut upper: Option<Bound> = None;
    // Legacy `from`/`to` take their inclusiveness from `include_lower`/`include_upper`.
    let mut include_lower = true;
    let mut include_upper = true;
    let mut legacy_lower: Option<Scalar> = None;
    let mut legacy_upper: Option<Scalar> = None;
    let mut format = None;
    let mut boost = None;
    let bound = |v: &Value, inclusive| -> Result<Option<Bound>, QueryError> {
        if v.is_null() {
            return Ok(None);
        }
        Ok(Some(Bound {
            value: values::scalar(v)?,
            inclusive,
        }))
    };
    for (key, v) in params {
        match key.as_str() {
            "gt" => lower = bound(v, false)?,
            "gte" => lower = bound(v, true)?,
            "lt" => upper = bound(v, false)?,
            "lte" => upper = bound(v, true)?,
            "from" => legacy_lower = bound(v, true)?.map(|b| b.value),
            "to" => legacy_upper = bound(v, true)?.map(|b| b.value),
            "include_lower" => include_lower = values::boolean("range", key, v)?,
            "include_upper" => include_upper = values::boolean("range", key, v)?,
            "format" => format = Some(values::string("range", key, v)?),
            "boost" => boost = Some(values::boost("range", v)?),
            "relation" => {
                let relation = values::string("range", key, v)?.to_ascii_lowercase();
                if !matches!(relation.as_str(), "intersects" | "within" | "contains") {
                    return Err(QueryError::illegal(format!(
                        "[range] query does not support relation [{relation}]"
                    )));
                }
            }
            "time_zone" => {
                let zone = values::string("range", key, v)?;
                if !matches!(zone.as_str(), "Z" | "UTC" | "+00:00" | "Etc/UTC" | "GMT") {
                    return Err(QueryError::unsupported(format!(
                        "[range] [time_zone] other than UTC (found [{zone}])"
                    )));
                }
            }
            "_name" => {}
            _ => return Err(unsupported_param("range", key)),
        }
    }
    if let Some(value) = legacy_lower {
        lower = Some(Bound {
            value,
            inclusive: include_lower,
        });
    }
    if let Some(value) = legacy_upper {
        upper = Some(Bound {
            value,
            inclusive: include_upper,
        });
    }
    Ok(Query::Range {
        field: field.to_string(),
        lower,
        upper,
        format,
        boost,
    })
}

pub fn exists(value: &Value) -> Result<Query, QueryError> {
    let mut field = None;
    for (key, v) in body("exists", value)? {
        match key.as_str() {
            "field" => field = Some(values::string("exists", key, v)?),
            "boost" => {
                values::boost("exists", v)?;
            }
            "_name" => {}
            _ => return Err(unsupported_param("exists", key)),
        }
    }
    match field {
        Some(field) if !field.is_empty() => Ok(Query::Exists { field }),
        _ => Err(QueryError::illegal(
            "[exists] must be provided with a [field]",
        )),
    }
}

/// `prefix`, `wildcard` and `regexp`: one pattern on one field.
pub fn pattern(name: &str, value: &Value) -> Result<Query, QueryError> {
    let (field, spec) = single_field(name, body(name, value)?)?;
    let mut boost = None;
    let mut case_insensitive = false;
    let text = match spec {
        Value::Object(params) => {
            let mut found = None;
            for (key, v) in params {
                match (name, key.as_str()) {
                    (_, "value") | ("wildcard", "wildcard") => {
                        found = Some(values::string(name, key, v)?);
                    }
                    (_, "boost") => boost = Some(values::boost(name, v)?),
                    (_, "case_insensitive") => {
                        case_insensitive = values::boolean(name, key, v)?;
                    }
                    (_, "rewrite" | "_name") => {}
                    ("regexp", "max_determinized_states") => {
                        values::count::<u32>(name, key, v)?;
                    }
                    ("regexp", "flags") => {
                        let flags = values::string(name, key, v)?;
                        if !matches!(flags.as_str(), "ALL" | "") {
                            return Err(QueryError::unsupported(format!(
                                "[regexp] [flags] other than ALL (found [{flags}])"
                            )));
                        }
                    }
                    _ => return Err(unsupported_param(name, key)),
                }
            }
            found.ok_or_else(|| QueryError::illegal("value cannot be null"))?
        }
        Value::Array(_) | Value::Null => return Err(unknown_token(name, field, spec)),
        other => values::string(name, field, other)?,
    };
    let field = field.to_string();
    Ok(match name {
        "prefix" => Query::Prefix {
            field,
            value: text,
            case_insensitive,
            boost,
        },
        "wildcard" => Query::Wildcard {
            field,
            value: text,
            case_insensitive,
            boost,
        },
        _ => Query::Regexp {
            field,
            value: text,
            case_insensitive,
            boost,
        },
    })
}

pub fn fuzzy(value: &Value) -> Result<Query, QueryError> {
    let (field, spec) = single_field("fuzzy", body("fuzzy", value)?)?;
    let mut boost = None;
    let mut fuzziness = Fuzziness::Auto { low: 3, high: 6 };
    let mut prefix_length = 0;
    let mut transpositions = true;
    let text = match spec {
        Value::Object(params) => {
            let mut found = None;
            for (key, v) in params {
                match key.as_str() {
                    "value" => found = Some(values::string("fuzzy", key, v)?),
                    "fuzziness" => fuzziness = values::fuzziness(v)?,
                    "prefix_length" => prefix_length = values::count("fuzzy", key, v)?,
                    "transpositions" => transpositions = values::boolean("fuzzy", key, v)?,
                    "max_expansions" => {
                        values::count::<u32>("fuzzy", key, v)?;
                    }
                    "boost" => boost = Some(values::boost("fuzzy", v)?),
                    "rewrite" | "_name" => {}
                    _ => return Err(unsupported_param("fuzzy", key)),
                }
            }
            found.ok_or_else(|| QueryError::illegal("value cannot be null"))?
        }
        Value::Array(_) | Value::Null => return Err(unknown_token("fuzzy", field, spec)),
        other => values::string("fuzzy", field, other)?,
    };
    Ok(Query::Fuzzy {
        field: field.to_string(),
        value: text,
        fuzziness,
        prefix_length,
        transpositions,
        boost,
    })
}
