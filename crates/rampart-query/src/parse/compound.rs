//! Queries made of queries: `bool`, `dis_max`, `constant_score`.

use serde_json::Value;

use super::Parser;
use super::values::{self, body, unknown_token, unsupported_param};
use crate::ast::{BoolQuery, Query};
use crate::error::QueryError;

/// A clause list given as one query object or an array of them.
fn clauses(
    parser: &mut Parser,
    query: &str,
    key: &str,
    v: &Value,
) -> Result<Vec<Query>, QueryError> {
    match v {
        Value::Object(_) => Ok(vec![parser.query(v)?]),
        Value::Array(items) => items.iter().map(|item| parser.query(item)).collect(),
        _ => Err(unknown_token(query, key, v)),
    }
}

pub fn bool_query(parser: &mut Parser, value: &Value) -> Result<Query, QueryError> {
    let mut query = BoolQuery::default();
    for (key, v) in body("bool", value)? {
        match key.as_str() {
            "must" => query.must.extend(clauses(parser, "bool", key, v)?),
            "should" => query.should.extend(clauses(parser, "bool", key, v)?),
            "filter" => query.filter.extend(clauses(parser, "bool", key, v)?),
            "must_not" | "mustNot" => query.must_not.extend(clauses(parser, "bool", key, v)?),
            "minimum_should_match" => {
                query.minimum_should_match = Some(values::minimum_should_match("bool", v)?);
            }
            "boost" => query.boost = Some(values::boost("bool", v)?),
            "adjust_pure_negative" => {
                if !values::boolean("bool", key, v)? {
                    return Err(QueryError::unsupported(
                        "[bool] [adjust_pure_negative] set to false",
                    ));
                }
            }
            "_name" => {}
            _ => return Err(unsupported_param("bool", key)),
        }
    }
    Ok(Query::Bool(query))
}

pub fn dis_max(parser: &mut Parser, value: &Value) -> Result<Query, QueryError> {
    let mut queries = Vec::new();
    let mut tie_breaker = 0.0;
    let mut boost = None;
    for (key, v) in body("dis_max", value)? {
        match key.as_str() {
            "queries" => queries.extend(clauses(parser, "dis_max", key, v)?),
            "tie_breaker" => {
                #[allow(clippy::cast_possible_truncation)] // f32 in Elasticsearch too
                let t = values::float("dis_max", key, v)? as f32;
                tie_breaker = t;
            }
            "boost" => boost = Some(values::boost("dis_max", v)?),
            "_name" => {}
            _ => return Err(unsupported_param("dis_max", key)),
        }
    }
    if queries.is_empty() {
        return Err(QueryError::parsing(
            "[dis_max] requires 'queries' field with at least one clause",
        ));
    }
    Ok(Query::DisMax {
        queries,
        tie_breaker,
        boost,
    })
}

pub fn constant_score(parser: &mut Parser, value: &Value) -> Result<Query, QueryError> {
    let mut filter = None;
    let mut boost = None;
    for (key, v) in body("constant_score", value)? {
        match key.as_str() {
            "filter" => {
                if filter.is_some() {
                    return Err(QueryError::parsing(
                        "[constant_score] accepts only one 'filter' element.",
                    ));
                }
                if !v.is_object() {
                    return Err(QueryError::parsing(format!(
                        "[constant_score] query does not support [{key}]"
                    )));
                }
                filter = Some(parser.query(v)?);
            }
            "boost" => boost = Some(values::boost("constant_score", v)?),
            "_name" => {}
            _ => return Err(unsupported_param("constant_score", key)),
        }
    }
    let filter = filter
        .ok_or_else(|| QueryError::parsing("[constant_score] requires a 'filter' element"))?;
    Ok(Query::ConstantScore {
        filter: Box::new(filter),
        boost,
    })
}
