//! TEMPORARY: a minimal parser from a rendered role query (ES JSON) to the query AST, used
//! until `rampart_query::parse_role_query` (the `query` branch) lands; then this file goes.
//! Anything it does not understand is an error, so a role query never degrades into "no
//! restriction" (fail closed).

use rampart_query::ast::{BoolQuery, Bound};
use rampart_query::{Query, Scalar};
use serde_json::{Map, Value};

/// Why a role query could not be turned into a filter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct RoleQueryError(pub String);

/// Parse one rendered role query.
pub fn parse(query: &Value) -> Result<Query, RoleQueryError> {
    let (kind, body) = single(query)?;
    match kind {
        "match_all" => Ok(Query::MatchAll { boost: None }),
        "match_none" => Ok(Query::MatchNone),
        "term" => {
            let (field, value) = field_value(body, "value")?;
            Ok(Query::Term {
                field,
                value: scalar(&value)?,
                case_insensitive: false,
                boost: None,
            })
        }
        "terms" => {
            let (field, value) = single(body)?;
            let values = value
                .as_array()
                .ok_or_else(|| err("[terms] values must be an array"))?
                .iter()
                .map(scalar)
                .collect::<Result<_, _>>()?;
            Ok(Query::Terms {
                field: field.to_string(),
                values,
                boost: None,
            })
        }
        "ids" => {
            let values = body
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(|| err("[ids] values must be an array"))?
                .iter()
                .map(|v| v.as_str().map(String::from))
                .collect::<Option<_>>()
                .ok_or_else(|| err("[ids] values must be strings"))?;
            Ok(Query::Ids { values })
        }
        "match" => {
            let (field, value) = field_value(body, "query")?;
            Ok(Query::Match {
                field,
                query: scalar(&value)?,
                operator: Default::default(),
                minimum_should_match: None,
                fuzziness: None,
                boost: None,
            })
        }
        "exists" => Ok(Query::Exists {
            field: body
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| err("[exists] requires a field"))?
                .to_string(),
        }),
        "prefix" => {
            let (field, value) = field_value(body, "value")?;
            Ok(Query::Prefix {
                field,
                value: text(&value)?,
                case_insensitive: false,
                boost: None,
            })
        }
        "range" => range(body),
        "bool" => boolean(body),
        "constant_score" => Ok(Query::ConstantScore {
            filter: Box::new(parse(
                body.get("filter")
                    .ok_or_else(|| err("[constant_score] requires a filter"))?,
            )?),
            boost: None,
        }),
        other => Err(err(&format!("unsupported query [{other}] in a role query"))),
    }
}

fn err(msg: &str) -> RoleQueryError {
    RoleQueryError(msg.to_string())
}

fn single(v: &Value) -> Result<(&str, &Value), RoleQueryError> {
    let obj = v
        .as_object()
        .ok_or_else(|| err("a query must be an object"))?;
    let mut it = obj.iter();
    match (it.next(), it.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        _ => Err(err("a query object must have exactly one key")),
    }
}

/// `{"field": value}` or `{"field": {"<key>": value}}`.
fn field_value(body: &Value, key: &str) -> Result<(String, Value), RoleQueryError> {
    let (field, value) = single(body)?;
    let value = match value {
        Value::Object(o) => o
            .get(key)
            .cloned()
            .ok_or_else(|| err(&format!("missing [{key}]")))?,
        other => other.clone(),
    };
    Ok((field.to_string(), value))
}

fn scalar(v: &Value) -> Result<Scalar, RoleQueryError> {
    match v {
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::String(s) => Ok(Scalar::Str(s.clone())),
        Value::Number(n) => n
            .as_i64()
            .map(Scalar::Int)
            .or_else(|| n.as_f64().map(Scalar::Float))
            .ok_or_else(|| err("bad number")),
        _ => Err(err("a value must be a string, number or boolean")),
    }
}

fn text(v: &Value) -> Result<String, RoleQueryError> {
    v.as_str()
        .map(String::from)
        .ok_or_else(|| err("a value must be a string"))
}

fn range(body: &Value) -> Result<Query, RoleQueryError> {
    let (field, spec) = single(body)?;
    let spec = spec
        .as_object()
        .ok_or_else(|| err("[range] bounds must be an object"))?;
    let bound = |key: &str, inclusive: bool| -> Result<Option<Bound>, RoleQueryError> {
        spec.get(key)
            .map(|v| {
                Ok(Bound {
                    value: scalar(v)?,
                    inclusive,
                })
            })
            .transpose()
    };
    let lower = bound("gte", true)?.or(bound("gt", false)?);
    let upper = bound("lte", true)?.or(bound("lt", false)?);
    Ok(Query::Range {
        field: field.to_string(),
        lower,
        upper,
        format: None,
        boost: None,
    })
}

fn clauses(body: &Map<String, Value>, key: &str) -> Result<Vec<Query>, RoleQueryError> {
    match body.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(parse).collect(),
        Some(one) => Ok(vec![parse(one)?]),
    }
}

fn boolean(body: &Value) -> Result<Query, RoleQueryError> {
    let obj = body
        .as_object()
        .ok_or_else(|| err("[bool] must be an object"))?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "must" | "should" | "filter" | "must_not" | "minimum_should_match"
        ) {
            return Err(err(&format!("[bool] unknown option [{key}]")));
        }
    }
    let minimum_should_match = match obj.get("minimum_should_match") {
        None => None,
        Some(v) => Some(rampart_query::ast::MinimumShouldMatch::Count(
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| err("[bool] minimum_should_match must be a count"))?,
        )),
    };
    Ok(Query::Bool(BoolQuery {
        must: clauses(obj, "must")?,
        should: clauses(obj, "should")?,
        filter: clauses(obj, "filter")?,
        must_not: clauses(obj, "must_not")?,
        minimum_should_match,
        boost: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_filter_shape_core_renders_parses() {
        let q = parse(&json!({"bool": {"filter": [{"bool": {"should": [
            {"term": {"dept": "x"}}, {"range": {"level": {"gte": 3}}}
        ], "minimum_should_match": 1}}]}}))
        .unwrap();
        let Query::Bool(b) = q else {
            panic!("not a bool")
        };
        assert_eq!(b.filter.len(), 1);
    }

    #[test]
    fn unknown_queries_fail_closed() {
        assert!(parse(&json!({"script": {}})).is_err());
        assert!(parse(&json!({"bool": {"shoud": []}})).is_err());
    }
}
