//! `multi_match`, lowered to per-field leaves combined as Elasticsearch scores them:
//! `best_fields`/`phrase`/`phrase_prefix` → `dis_max`; `most_fields` → `bool.should`;
//! `cross_fields` is approximated as `most_fields` (term-centric blending is not modelled).

use serde_json::Value;

use super::values::{self, body, unknown_token, unsupported_param};
use crate::ast::{BoolQuery, Fuzziness, MinimumShouldMatch, Operator, Query, Scalar};
use crate::error::QueryError;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    BestFields,
    MostFields,
    CrossFields,
    Phrase,
    PhrasePrefix,
}

fn kind(text: &str) -> Result<Kind, QueryError> {
    match text.to_ascii_lowercase().as_str() {
        "best_fields" | "boolean" => Ok(Kind::BestFields),
        "most_fields" => Ok(Kind::MostFields),
        "cross_fields" => Ok(Kind::CrossFields),
        "phrase" => Ok(Kind::Phrase),
        "phrase_prefix" => Ok(Kind::PhrasePrefix),
        "bool_prefix" => Err(QueryError::unsupported("[multi_match] type [bool_prefix]")),
        _ => Err(QueryError::Parse(format!(
            "failed to parse [multi_match] query type [{text}]. unknown type."
        ))),
    }
}

/// Fields given as `"title^2"` or a list of such; `*` patterns are kept for the engine to
/// expand against the mapping (see `visit::expand_field_patterns`).
fn fields(v: &Value) -> Result<Vec<(String, Option<f32>)>, QueryError> {
    match v {
        Value::String(s) => Ok(vec![values::field_with_boost(s)?]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => values::field_with_boost(s),
                other => Err(QueryError::parsing(format!(
                    "[multi_match] query does not support [{}]",
                    values::token_name(other)
                ))),
            })
            .collect(),
        _ => Err(unknown_token("multi_match", "fields", v)),
    }
}

struct Options {
    text: Scalar,
    operator: Operator,
    minimum_should_match: Option<MinimumShouldMatch>,
    fuzziness: Option<Fuzziness>,
    slop: u32,
}

fn leaf(kind: Kind, field: String, options: &Options, boost: Option<f32>) -> Query {
    let text = || match &options.text {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    };
    match kind {
        Kind::BestFields | Kind::MostFields | Kind::CrossFields => Query::Match {
            field,
            query: options.text.clone(),
            operator: options.operator,
            minimum_should_match: options.minimum_should_match,
            fuzziness: options.fuzziness,
            boost,
        },
        Kind::Phrase => Query::MatchPhrase {
            field,
            query: text(),
            slop: options.slop,
            boost,
        },
        Kind::PhrasePrefix => Query::MatchPhrasePrefix {
            field,
            query: text(),
            boost,
        },
    }
}

pub fn multi_match(value: &Value) -> Result<Query, QueryError> {
    let mut text = None;
    let mut field_list = vec![("*".to_string(), None)];
    let mut kind_found = Kind::BestFields;
    let mut operator = Operator::Or;
    let mut minimum_should_match = None;
    let mut fuzziness = None;
    let mut slop = 0;
    let mut tie_breaker = None;
    let mut boost = None;
    for (key, v) in body("multi_match", value)? {
        match key.as_str() {
            "query" => {
                if v.is_array() || v.is_object() || v.is_null() {
                    return Err(unknown_token("multi_match", key, v));
                }
                text = Some(values::scalar(v)?);
            }
            "fields" => field_list = fields(v)?,
            "type" => kind_found = kind(&values::string("multi_match", key, v)?)?,
            "operator" => operator = values::operator(v, "multi_match")?,
            "minimum_should_match" => {
                minimum_should_match = Some(values::minimum_should_match("multi_match", v)?);
            }
            "fuzziness" => fuzziness = Some(values::fuzziness(v)?),
            "slop" => slop = values::count("multi_match", key, v)?,
            "tie_breaker" => {
                #[allow(clippy::cast_possible_truncation)] // f32 in Elasticsearch too
                let t = values::float("multi_match", key, v)? as f32;
                tie_breaker = Some(t);
            }
            "boost" => boost = Some(values::boost("multi_match", v)?),
            "analyzer"
            | "lenient"
            | "max_expansions"
            | "prefix_length"
            | "zero_terms_query"
            | "auto_generate_synonyms_phrase_query"
            | "fuzzy_transpositions"
            | "fuzzy_rewrite"
            | "_name" => {}
            _ => return Err(unsupported_param("multi_match", key)),
        }
    }
    let text =
        text.ok_or_else(|| QueryError::illegal("No text specified for multi_match query"))?;
    if kind_found == Kind::PhrasePrefix && slop > 0 {
        return Err(QueryError::unsupported(
            "[multi_match] type [phrase_prefix] with a non-zero [slop]",
        ));
    }
    let options = Options {
        text,
        operator,
        minimum_should_match,
        fuzziness,
        slop,
    };
    let mut leaves: Vec<Query> = field_list
        .into_iter()
        .map(|(field, field_boost)| leaf(kind_found, field, &options, field_boost))
        .collect();
    if leaves.len() == 1 && boost.is_none() {
        if let Some(only) = leaves.pop() {
            return Ok(only);
        }
    }
    Ok(match kind_found {
        Kind::MostFields | Kind::CrossFields => Query::Bool(BoolQuery {
            should: leaves,
            boost,
            ..BoolQuery::default()
        }),
        Kind::BestFields | Kind::Phrase | Kind::PhrasePrefix => Query::DisMax {
            queries: leaves,
            tie_breaker: tie_breaker.unwrap_or(0.0),
            boost,
        },
    })
}
