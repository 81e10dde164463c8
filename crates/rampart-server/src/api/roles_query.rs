//! `GET|POST /_security/_query/role`: a query DSL subset over the native roles (built-in and
//! file roles are not in the security index, so ES never returns them here).

use std::cmp::Ordering;
use std::sync::Arc;

use rampart_automaton::Automaton;
use rampart_core::role::{RoleContext, parse_role};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

/// Fields a role query may look at (ES keeps the rest of the document unsearchable).
const QUERYABLE: &[&str] = &[
    "name",
    "description",
    "applications.application",
    "applications.resources",
    "applications.privileges",
];

/// One parsed query clause.
#[derive(Debug, Clone)]
enum Query {
    All,
    Term(String, Vec<Value>),
    Prefix(String, String),
    Wildcard(String, Automaton),
    Exists(String),
    Ids(Vec<String>),
    Bool {
        must: Vec<Query>,
        should: Vec<Query>,
        must_not: Vec<Query>,
        minimum_should_match: usize,
    },
}

#[derive(Debug, Clone)]
struct SortKey {
    field: String,
    descending: bool,
}

fn check_field(field: &str) -> Result<String, ApiError> {
    if QUERYABLE.contains(&field) || field == "metadata" || field.starts_with("metadata.") {
        Ok(field.to_string())
    } else {
        Err(ApiError::bad_request(format!(
            "Field [{field}] is not allowed for querying"
        )))
    }
}

/// The single `{field: spec}` entry of a leaf query.
fn single_field<'a>(kind: &str, body: &'a Value) -> Result<(String, &'a Value), ApiError> {
    match body.as_object().map(|m| m.iter().collect::<Vec<_>>()) {
        Some(entries) if entries.len() == 1 => {
            let (field, spec) = entries
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::parse(format!("[{kind}] query malformed, no field")))?;
            Ok((check_field(field)?, spec))
        }
        _ => Err(ApiError::parse(format!(
            "[{kind}] query doesn't support multiple fields"
        ))),
    }
}

/// `{field: value}` or `{field: {"value": value, ...}}`.
fn leaf_value<'a>(kind: &str, spec: &'a Value) -> Result<&'a Value, ApiError> {
    match spec {
        Value::Object(m) => m
            .get("value")
            .ok_or_else(|| ApiError::parse(format!("[{kind}] query does not have a [value]"))),
        other => Ok(other),
    }
}

fn clauses(value: &Value) -> Result<Vec<Query>, ApiError> {
    match value {
        Value::Array(items) => items.iter().map(parse_query).collect(),
        other => Ok(vec![parse_query(other)?]),
    }
}

fn parse_query(value: &Value) -> Result<Query, ApiError> {
    let Some((kind, body)) = value
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return Err(ApiError::parse(
            "query malformed, must contain exactly one query type",
        ));
    };
    match kind.as_str() {
        "match_all" => Ok(Query::All),
        "term" => {
            let (field, spec) = single_field(kind, body)?;
            Ok(Query::Term(field, vec![leaf_value(kind, spec)?.clone()]))
        }
        "terms" => {
            let (field, spec) = single_field(kind, body)?;
            match spec {
                Value::Array(values) => Ok(Query::Term(field, values.clone())),
                _ => Err(ApiError::parse(
                    "[terms] query does not support terms lookup in this context",
                )),
            }
        }
        "prefix" => {
            let (field, spec) = single_field(kind, body)?;
            Ok(Query::Prefix(field, scalar_text(leaf_value(kind, spec)?)))
        }
        "wildcard" => {
            let (field, spec) = single_field(kind, body)?;
            let pattern = match spec {
                Value::Object(m) => m.get("value").or_else(|| m.get("wildcard")),
                other => Some(other),
            }
            .map(scalar_text)
            .ok_or_else(|| ApiError::parse("[wildcard] query does not have a [value]"))?;
            let automaton = Automaton::from_pattern(&pattern)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            Ok(Query::Wildcard(field, automaton))
        }
        "exists" => {
            let field = body
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::parse("[exists] must be provided with a [field]"))?;
            Ok(Query::Exists(check_field(field)?))
        }
        "ids" => {
            let values = body.get("values").and_then(Value::as_array);
            Ok(Query::Ids(
                values
                    .map(|v| v.iter().map(scalar_text).collect())
                    .unwrap_or_default(),
            ))
        }
        "bool" => parse_bool(body),
        other => Err(ApiError::bad_request(format!(
            "Query type [{other}] is not currently supported in this context"
        ))),
    }
}

fn parse_bool(body: &Value) -> Result<Query, ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::parse(
            "[bool] query malformed, expected an object",
        ));
    };
    let (mut must, mut should, mut must_not, mut msm) = (Vec::new(), Vec::new(), Vec::new(), None);
    for (key, value) in fields {
        match key.as_str() {
            "must" | "filter" => must.extend(clauses(value)?),
            "should" => should.extend(clauses(value)?),
            "must_not" => must_not.extend(clauses(value)?),
            "minimum_should_match" => {
                msm = Some(
                    value
                        .as_u64()
                        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                        .ok_or_else(|| {
                            ApiError::parse("[bool] minimum_should_match must be a number")
                        })? as usize,
                )
            }
            "boost" | "_name" => {}
            other => {
                return Err(ApiError::parse(format!(
                    "[bool] query does not support [{other}]"
                )));
            }
        }
    }
    // Like ES: with no must/filter clause, at least one should clause has to match.
    let minimum_should_match = msm.unwrap_or(usize::from(must.is_empty() && !should.is_empty()));
    Ok(Query::Bool {
        must,
        should,
        must_not,
        minimum_should_match,
    })
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The values at a dotted path, arrays flattened.
fn values_at(doc: &Value, path: &str) -> Vec<Value> {
    let mut current = vec![doc.clone()];
    for part in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Array(items) => {
                    next.extend(items.iter().filter_map(|i| i.get(part).cloned()))
                }
                other => next.extend(other.get(part).cloned()),
            }
        }
        current = next;
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        })
        .collect()
}

/// Keyword semantics: a term matches a value of the same text (so `true` matches `"true"`).
fn term_matches(value: &Value, term: &Value) -> bool {
    scalar_text(value) == scalar_text(term)
}

fn matches(q: &Query, doc: &Value) -> bool {
    match q {
        Query::All => true,
        Query::Term(field, terms) => values_at(doc, field)
            .iter()
            .any(|v| terms.iter().any(|t| term_matches(v, t))),
        Query::Prefix(field, prefix) => values_at(doc, field)
            .iter()
            .any(|v| scalar_text(v).starts_with(prefix.as_str())),
        Query::Wildcard(field, automaton) => values_at(doc, field)
            .iter()
            .any(|v| automaton.matches(&scalar_text(v))),
        Query::Exists(field) => !values_at(doc, field).is_empty(),
        Query::Ids(ids) => doc
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| ids.iter().any(|i| i == n)),
        Query::Bool {
            must,
            should,
            must_not,
            minimum_should_match,
        } => {
            must.iter().all(|c| matches(c, doc))
                && !must_not.iter().any(|c| matches(c, doc))
                && should.iter().filter(|c| matches(c, doc)).count() >= *minimum_should_match
        }
    }
}

fn parse_sort(value: &Value) -> Result<Vec<SortKey>, ApiError> {
    let items = match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(field) => Ok(SortKey {
                field: check_field(field)?,
                descending: false,
            }),
            Value::Object(m) if m.len() == 1 => {
                let (field, spec) = m
                    .iter()
                    .next()
                    .ok_or_else(|| ApiError::parse("malformed sort"))?;
                let order = match spec {
                    Value::String(o) => Some(o.as_str()),
                    Value::Object(o) => o.get("order").and_then(Value::as_str),
                    _ => None,
                };
                let descending = match order {
                    None | Some("asc") => false,
                    Some("desc") => true,
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "Unknown SortOrder [{other}]"
                        )));
                    }
                };
                Ok(SortKey {
                    field: check_field(field)?,
                    descending,
                })
            }
            _ => Err(ApiError::parse("malformed sort")),
        })
        .collect()
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => scalar_text(x).cmp(&scalar_text(y)),
        // Documents without the field sort last either way.
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn usize_field(body: &Value, name: &str, default: usize) -> Result<usize, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::parse(format!("[{name}] must be a number")))
            .and_then(|n| {
                usize::try_from(n).map_err(|_| {
                    ApiError::validation(&[format!(
                        "[{name}] parameter cannot be negative but was [{n}]"
                    )])
                })
            }),
    }
}

/// `GET|POST /_security/_query/role`.
pub fn query(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?.unwrap_or_else(|| json!({}));
        let Value::Object(fields) = &body else {
            return Err(ApiError::parse("request body must be an object"));
        };
        if let Some(other) = fields
            .keys()
            .find(|k| !["query", "from", "size", "sort", "search_after"].contains(&k.as_str()))
        {
            return Err(ApiError::new(
                400,
                "x_content_parse_exception",
                format!("[query_role_request] unknown field [{other}]"),
            ));
        }
        let query = match fields.get("query") {
            Some(q) => parse_query(q)?,
            None => Query::All,
        };
        let from = usize_field(&body, "from", 0)?;
        let size = usize_field(&body, "size", 10)?;
        let sort = match fields.get("sort") {
            Some(s) => Some(parse_sort(s)?),
            None => None,
        };
        let st = Arc::clone(&ctx.state);
        let docs = blocking(move || st.store.list_roles().map_err(ApiError::internal)).await?;
        let mut hits: Vec<Value> = docs
            .into_iter()
            .filter_map(|d| {
                let role = parse_role(&d.name, &d.doc, RoleContext::RoleApi).ok()?;
                let mut json = role.to_json();
                if let Value::Object(m) = &mut json {
                    m.insert("name".into(), json!(d.name));
                }
                Some(json)
            })
            .filter(|doc| matches(&query, doc))
            .collect();
        let keys = sort.clone().unwrap_or_else(|| {
            vec![SortKey {
                field: "name".into(),
                descending: false,
            }]
        });
        hits.sort_by(|a, b| {
            keys.iter()
                .map(|k| {
                    let (va, vb) = (values_at(a, &k.field), values_at(b, &k.field));
                    let ord = compare_values(va.first(), vb.first());
                    if k.descending { ord.reverse() } else { ord }
                })
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
        let total = hits.len();
        let page: Vec<Value> = hits
            .into_iter()
            .skip(from)
            .take(size)
            .map(|mut doc| {
                if let (Some(keys), Value::Object(m)) = (&sort, &mut doc) {
                    let values: Vec<Value> = keys
                        .iter()
                        .map(|k| {
                            values_at(&Value::Object(m.clone()), &k.field)
                                .into_iter()
                                .next()
                                .unwrap_or(Value::Null)
                        })
                        .collect();
                    m.insert("_sort".into(), json!(values));
                }
                doc
            })
            .collect();
        let mut out = Map::new();
        out.insert("total".into(), json!(total));
        out.insert("count".into(), json!(page.len()));
        out.insert("roles".into(), json!(page));
        Ok(Reply::ok(Value::Object(out)))
    })
}
