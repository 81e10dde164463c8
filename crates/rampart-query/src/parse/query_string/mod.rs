//! `query_string` and `simple_query_string`, lowered into the AST.
//!
//! Supported subset (documented in ARCHITECTURE.md): terms, `"phrases"` (with `~slop`),
//! `field:value`, `field:(group)`, `AND`/`OR`/`NOT`/`&&`/`||`/`!`/`+`/`-`, parentheses,
//! `*`/`?` wildcards (`field:*` = exists, `*` alone = all), `term~N` fuzzy, `^boost`,
//! `/regex/`, ranges `[a TO b]`/`{a TO b}`/`*` bounds, `field:>=x`-style comparisons and
//! `_exists_:field`; options `default_field`, `fields` (with `^boost` and `*` patterns),
//! `default_operator`, `minimum_should_match`, `tie_breaker`, `type`, `phrase_slop`,
//! `fuzziness`, `boost`. Terms are analysed by the engine (a term becomes a `match`).

mod classic;
mod leaf;
mod lexer;
mod simple;

use serde_json::{Map, Value};

use super::values::{self, body, unsupported_param};
use crate::ast::{Fuzziness, Operator, Query};
use crate::error::QueryError;
use leaf::Lowering;

/// Options that only tune analysis or expansion limits of the engine; accepted, no effect on
/// which documents the lowered query can match beyond the engine's own analysis.
const ACCEPTED: &[&str] = &[
    "analyzer",
    "quote_analyzer",
    "allow_leading_wildcard",
    "enable_position_increments",
    "fuzzy_max_expansions",
    "fuzzy_prefix_length",
    "fuzzy_transpositions",
    "fuzzy_rewrite",
    "analyze_wildcard",
    "max_determinized_states",
    "lenient",
    "quote_field_suffix",
    "rewrite",
    "auto_generate_synonyms_phrase_query",
    "escape",
    "_name",
];

struct Common {
    text: Option<String>,
    lowering: Lowering,
    minimum_should_match: Option<crate::ast::MinimumShouldMatch>,
    boost: Option<f32>,
}

/// Options shared by both queries; returns false for keys it does not know.
fn common(name: &str, key: &str, v: &Value, c: &mut Common) -> Result<bool, QueryError> {
    match key {
        "query" => c.text = Some(values::string(name, key, v)?),
        "default_field" => {
            c.lowering.fields = vec![values::field_with_boost(&values::string(name, key, v)?)?];
        }
        "fields" => {
            let Value::Array(items) = v else {
                return Err(values::unknown_token(name, key, v));
            };
            c.lowering.fields = items
                .iter()
                .map(|item| values::field_with_boost(&values::string(name, key, item)?))
                .collect::<Result<_, _>>()?;
        }
        "default_operator" => c.lowering.operator = values::operator(v, name)?,
        "minimum_should_match" => {
            c.minimum_should_match = Some(values::minimum_should_match(name, v)?);
        }
        "boost" => c.boost = Some(values::boost(name, v)?),
        _ => return Ok(ACCEPTED.contains(&key)),
    }
    Ok(true)
}

fn defaults() -> Common {
    Common {
        text: None,
        lowering: Lowering {
            fields: vec![("*".to_string(), None)],
            operator: Operator::Or,
            tie_breaker: 0.0,
            sum_fields: false,
            phrase_slop: 0,
            fuzziness: Fuzziness::Auto { low: 3, high: 6 },
        },
        minimum_should_match: None,
        boost: None,
    }
}

/// Apply the top-level `minimum_should_match` and `boost` to the lowered query.
fn finish(query: Query, c: &Common) -> Query {
    let query = match (query, c.minimum_should_match) {
        (Query::Bool(mut b), Some(msm)) => {
            b.minimum_should_match = Some(msm);
            Query::Bool(b)
        }
        (q, _) => q,
    };
    match c.boost {
        Some(b) => leaf::boosted(query, b),
        None => query,
    }
}

pub fn query_string(value: &Value) -> Result<Query, QueryError> {
    let name = "query_string";
    let mut c = defaults();
    let params: &Map<String, Value> = body(name, value)?;
    for (key, v) in params {
        if common(name, key, v, &mut c)? {
            continue;
        }
        match key.as_str() {
            "tie_breaker" => {
                #[allow(clippy::cast_possible_truncation)] // f32 in Elasticsearch too
                let t = values::float(name, key, v)? as f32;
                c.lowering.tie_breaker = t;
            }
            "phrase_slop" => c.lowering.phrase_slop = values::count(name, key, v)?,
            "fuzziness" => c.lowering.fuzziness = values::fuzziness(v)?,
            "type" => {
                let kind = values::string(name, key, v)?;
                c.lowering.sum_fields = match kind.as_str() {
                    "best_fields" | "phrase" | "phrase_prefix" => false,
                    "most_fields" | "cross_fields" => true,
                    "bool_prefix" => {
                        return Err(QueryError::unsupported("[query_string] type [bool_prefix]"));
                    }
                    _ => {
                        return Err(QueryError::Parse(format!(
                            "failed to parse [multi_match] query type [{kind}]. unknown type."
                        )));
                    }
                };
            }
            "time_zone" => {
                let zone = values::string(name, key, v)?;
                if !matches!(zone.as_str(), "Z" | "UTC" | "+00:00" | "Etc/UTC" | "GMT") {
                    return Err(QueryError::unsupported(format!(
                        "[query_string] [time_zone] other than UTC (found [{zone}])"
                    )));
                }
            }
            _ => return Err(unsupported_param(name, key)),
        }
    }
    let text = c
        .text
        .clone()
        .ok_or_else(|| QueryError::parsing("[query_string] must be provided with a [query]"))?;
    let fail = |detail: String| QueryError::QueryString {
        query: text.clone(),
        detail,
    };
    let tokens = lexer::tokenize(&text).map_err(fail)?;
    let query = classic::Classic::new(tokens, &c.lowering)
        .parse()
        .map_err(fail)?;
    Ok(finish(query, &c))
}

pub fn simple_query_string(value: &Value) -> Result<Query, QueryError> {
    let name = "simple_query_string";
    let mut c = defaults();
    for (key, v) in body(name, value)? {
        if common(name, key, v, &mut c)? {
            continue;
        }
        match key.as_str() {
            "flags" => {
                let flags = values::string(name, key, v)?;
                if !matches!(flags.as_str(), "ALL" | "") {
                    return Err(QueryError::unsupported(format!(
                        "[simple_query_string] [flags] other than ALL (found [{flags}])"
                    )));
                }
            }
            _ => return Err(unsupported_param(name, key)),
        }
    }
    let text = c
        .text
        .clone()
        .ok_or_else(|| QueryError::illegal("[simple_query_string] query text missing"))?;
    let query = simple::parse(&text, &c.lowering);
    Ok(finish(query, &c))
}

#[cfg(test)]
mod tests;
