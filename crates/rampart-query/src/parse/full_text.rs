//! Analysed queries on one field: `match`, `match_phrase`, `match_phrase_prefix`.

use serde_json::{Map, Value};

use super::single_field;
use super::values::{self, body, unknown_token, unsupported_param};
use crate::ast::{Operator, Query, Scalar};
use crate::error::QueryError;

/// Options accepted for compatibility that only tune analysis or expansion limits; the engine
/// uses its own analysis, so they cannot change which documents match beyond what it does.
const ANALYSIS_KNOBS: &[&str] = &[
    "analyzer",
    "auto_generate_synonyms_phrase_query",
    "fuzzy_rewrite",
    "fuzzy_transpositions",
    "lenient",
    "max_expansions",
    "prefix_length",
    "_name",
];

/// `zero_terms_query: all` makes a query whose text analyses to nothing match everything.
/// With the standard analyser that is text without any letter or digit.
fn zero_terms_all(params: &Map<String, Value>, name: &str) -> Result<bool, QueryError> {
    match params.get("zero_terms_query") {
        None => Ok(false),
        Some(v) => match values::string(name, "zero_terms_query", v)?
            .to_ascii_lowercase()
            .as_str()
        {
            "none" => Ok(false),
            "all" => Ok(true),
            other => Err(QueryError::illegal(format!(
                "[{name}] query does not support [zero_terms_query] value [{other}]"
            ))),
        },
    }
}

fn has_no_terms(text: &Scalar) -> bool {
    match text {
        Scalar::Str(s) => !s.chars().any(char::is_alphanumeric),
        _ => false,
    }
}

pub fn match_query(value: &Value) -> Result<Query, QueryError> {
    let (field, spec) = single_field("match", body("match", value)?)?;
    let field = field.to_string();
    let Value::Object(params) = spec else {
        if spec.is_array() || spec.is_null() {
            return Err(unknown_token("match", &field, spec));
        }
        return Ok(Query::Match {
            field,
            query: values::scalar(spec)?,
            operator: Operator::Or,
            minimum_should_match: None,
            fuzziness: None,
            boost: None,
        });
    };
    let mut query = None;
    let mut operator = Operator::Or;
    let mut minimum_should_match = None;
    let mut fuzziness = None;
    let mut boost = None;
    for (key, v) in params {
        match key.as_str() {
            "query" => {
                if v.is_array() || v.is_object() || v.is_null() {
                    return Err(unknown_token("match", key, v));
                }
                query = Some(values::scalar(v)?);
            }
            "operator" => operator = values::operator(v, "match")?,
            "minimum_should_match" => {
                minimum_should_match = Some(values::minimum_should_match("match", v)?);
            }
            "fuzziness" => fuzziness = Some(values::fuzziness(v)?),
            "boost" => boost = Some(values::boost("match", v)?),
            "zero_terms_query" => {}
            k if ANALYSIS_KNOBS.contains(&k) => {}
            _ => return Err(unsupported_param("match", key)),
        }
    }
    let query = query.ok_or_else(|| QueryError::illegal("No text specified for text query"))?;
    if zero_terms_all(params, "match")? && has_no_terms(&query) {
        return Ok(Query::MatchAll { boost });
    }
    Ok(Query::Match {
        field,
        query,
        operator,
        minimum_should_match,
        fuzziness,
        boost,
    })
}

/// The common shape of the two phrase queries: (field, text, slop, boost, zero-terms-all).
struct Phrase {
    field: String,
    text: String,
    slop: u32,
    boost: Option<f32>,
}

fn phrase(name: &str, value: &Value) -> Result<Result<Phrase, Query>, QueryError> {
    let (field, spec) = single_field(name, body(name, value)?)?;
    let field = field.to_string();
    let Value::Object(params) = spec else {
        if spec.is_array() || spec.is_null() || spec.is_object() {
            return Err(unknown_token(name, &field, spec));
        }
        return Ok(Ok(Phrase {
            field,
            text: values::string(name, "query", spec)?,
            slop: 0,
            boost: None,
        }));
    };
    let mut text = None;
    let mut slop = 0;
    let mut boost = None;
    for (key, v) in params {
        match key.as_str() {
            "query" => {
                if v.is_array() || v.is_object() || v.is_null() {
                    return Err(unknown_token(name, key, v));
                }
                text = Some(values::string(name, key, v)?);
            }
            "slop" => slop = values::count(name, key, v)?,
            "boost" => boost = Some(values::boost(name, v)?),
            "analyzer" | "_name" | "zero_terms_query" => {}
            "max_expansions" if name == "match_phrase_prefix" => {
                values::count::<u32>(name, key, v)?;
            }
            _ => return Err(unsupported_param(name, key)),
        }
    }
    let text = text.ok_or_else(|| QueryError::illegal("No text specified for text query"))?;
    if zero_terms_all(params, name)? && has_no_terms(&Scalar::Str(text.clone())) {
        return Ok(Err(Query::MatchAll { boost }));
    }
    Ok(Ok(Phrase {
        field,
        text,
        slop,
        boost,
    }))
}

pub fn match_phrase(value: &Value) -> Result<Query, QueryError> {
    Ok(match phrase("match_phrase", value)? {
        Ok(p) => Query::MatchPhrase {
            field: p.field,
            query: p.text,
            slop: p.slop,
            boost: p.boost,
        },
        Err(all) => all,
    })
}

pub fn match_phrase_prefix(value: &Value) -> Result<Query, QueryError> {
    Ok(match phrase("match_phrase_prefix", value)? {
        Ok(p) if p.slop > 0 => {
            return Err(QueryError::unsupported(
                "[match_phrase_prefix] with a non-zero [slop]",
            ));
        }
        Ok(p) => Query::MatchPhrasePrefix {
            field: p.field,
            query: p.text,
            boost: p.boost,
        },
        Err(all) => all,
    })
}
