//! `GET|POST /_security/_query/user`: a query-DSL subset over native users.
//!
//! Supported queries: `match_all`, `bool` (`must`, `filter`, `should`, `must_not`,
//! `minimum_should_match`), `term`, `terms`, `prefix`, `wildcard`, `match`, `exists`; fields
//! `username`, `roles`, `enabled`, `full_name`, `email`. Paging with `from`/`size`/`sort`/
//! `search_after`. Like ES, only native users are queried (reserved users are not documents).

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::users::native_info;
use crate::authn::UserInfo;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

const FIELDS: [&str; 5] = ["username", "roles", "enabled", "full_name", "email"];
const DEFAULT_SIZE: usize = 10;

/// A parsed query.
#[derive(Debug, Clone)]
enum Query {
    All,
    Bool {
        must: Vec<Query>,
        should: Vec<Query>,
        must_not: Vec<Query>,
        minimum_should_match: usize,
    },
    Term(String, Vec<String>),
    Prefix(String, String),
    Wildcard(String, String),
    Match(String, String),
    Exists(String),
}

fn field_name(name: &str) -> Result<String, ApiError> {
    if FIELDS.contains(&name) {
        Ok(name.to_string())
    } else {
        Err(ApiError::bad_request(format!(
            "Field [{name}] is not allowed for querying"
        )))
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn malformed(kind: &str) -> ApiError {
    ApiError::parse(format!("[{kind}] query malformed"))
}

/// `{"field": value}` or `{"field": {"value"|"query": value, ...}}`.
fn single_field(kind: &str, body: &Value, key: &str) -> Result<(String, String), ApiError> {
    let obj = body.as_object().filter(|o| o.len() == 1);
    let (field, spec) = obj
        .and_then(|o| o.iter().next())
        .ok_or_else(|| malformed(kind))?;
    let value = match spec {
        Value::Object(o) => o.get(key).and_then(scalar_text),
        other => scalar_text(other),
    }
    .ok_or_else(|| malformed(kind))?;
    Ok((field_name(field)?, value))
}

fn clauses(v: &Value) -> Result<Vec<Query>, ApiError> {
    match v {
        Value::Array(items) => items.iter().map(parse_query).collect(),
        other => Ok(vec![parse_query(other)?]),
    }
}

fn parse_bool(body: &Value) -> Result<Query, ApiError> {
    let obj = body.as_object().ok_or_else(|| malformed("bool"))?;
    let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
    let mut minimum = None;
    for (k, v) in obj {
        match k.as_str() {
            "must" | "filter" => must.extend(clauses(v)?),
            "should" => should.extend(clauses(v)?),
            "must_not" => must_not.extend(clauses(v)?),
            "minimum_should_match" => {
                minimum = Some(
                    scalar_text(v)
                        .and_then(|s| s.parse::<usize>().ok())
                        .ok_or_else(|| malformed("bool"))?,
                );
            }
            "boost" | "_name" => {}
            other => {
                return Err(ApiError::parse(format!(
                    "[bool] query does not support [{other}]"
                )));
            }
        }
    }
    // As in ES: with no must/filter clause, at least one should clause must match.
    let default = usize::from(must.is_empty() && !should.is_empty());
    Ok(Query::Bool {
        must,
        should,
        must_not,
        minimum_should_match: minimum.unwrap_or(default),
    })
}

fn parse_query(v: &Value) -> Result<Query, ApiError> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| ApiError::parse("query malformed, must start with start_object"))?;
    let Some((kind, body)) = obj.iter().next() else {
        return Err(ApiError::parse("query malformed, empty clause found"));
    };
    match kind.as_str() {
        "match_all" => Ok(Query::All),
        "bool" => parse_bool(body),
        "term" => {
            let (f, v) = single_field(kind, body, "value")?;
            Ok(Query::Term(f, vec![v]))
        }
        "terms" => {
            let obj = body.as_object().ok_or_else(|| malformed(kind))?;
            let (field, values) = obj
                .iter()
                .find(|(k, _)| k.as_str() != "boost")
                .ok_or_else(|| malformed(kind))?;
            let values = values
                .as_array()
                .ok_or_else(|| malformed(kind))?
                .iter()
                .map(|v| scalar_text(v).ok_or_else(|| malformed("terms")))
                .collect::<Result<_, _>>()?;
            Ok(Query::Term(field_name(field)?, values))
        }
        "prefix" => {
            let (f, v) = single_field(kind, body, "value")?;
            Ok(Query::Prefix(f, v))
        }
        "wildcard" => {
            let (f, v) = single_field(kind, body, "value")?;
            Ok(Query::Wildcard(f, v))
        }
        "match" => {
            let (f, v) = single_field(kind, body, "query")?;
            Ok(Query::Match(f, v))
        }
        "exists" => {
            let field = body
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(kind))?;
            Ok(Query::Exists(field_name(field)?))
        }
        other => Err(ApiError::bad_request(format!(
            "Query type [{other}] is not currently supported in this context"
        ))),
    }
}

fn values(user: &UserInfo, field: &str) -> Vec<String> {
    match field {
        "username" => vec![user.username.clone()],
        "roles" => user.roles.clone(),
        "enabled" => vec![user.enabled.to_string()],
        "full_name" => user.full_name.iter().cloned().collect(),
        "email" => user.email.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// `*` and `?` globbing, as ES's wildcard query on keyword fields.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| text.get(i..).is_some_and(|t| glob(rest, t))),
        Some((p, rest)) => text
            .split_first()
            .is_some_and(|(c, t)| (*p == '?' || p == c) && glob(rest, t)),
    }
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn matches(q: &Query, u: &UserInfo) -> bool {
    match q {
        Query::All => true,
        Query::Bool {
            must,
            should,
            must_not,
            minimum_should_match,
        } => {
            must.iter().all(|c| matches(c, u))
                && !must_not.iter().any(|c| matches(c, u))
                && should.iter().filter(|c| matches(c, u)).count() >= *minimum_should_match
        }
        Query::Term(f, wanted) => values(u, f).iter().any(|v| wanted.contains(v)),
        Query::Prefix(f, p) => values(u, f).iter().any(|v| v.starts_with(p.as_str())),
        Query::Wildcard(f, p) => {
            let pattern: Vec<char> = p.chars().collect();
            values(u, f)
                .iter()
                .any(|v| glob(&pattern, &v.chars().collect::<Vec<_>>()))
        }
        Query::Match(f, text) => {
            let wanted = tokens(text);
            values(u, f)
                .iter()
                .any(|v| tokens(v).iter().any(|t| wanted.contains(t)))
        }
        Query::Exists(f) => !values(u, f).is_empty(),
    }
}

fn parse_sort(v: &Value) -> Result<Vec<(String, bool)>, ApiError> {
    let items = match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let sort_field = |name: &str| -> Result<String, ApiError> {
        if FIELDS.contains(&name) {
            Ok(name.to_string())
        } else {
            Err(ApiError::bad_request(format!(
                "sorting is not supported for field [{name}]"
            )))
        }
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(f) => Ok((sort_field(f)?, false)),
            Value::Object(o) if o.len() == 1 => {
                let (f, spec) = o.iter().next().ok_or_else(|| malformed("sort"))?;
                let order = match spec {
                    Value::String(s) => s.clone(),
                    Value::Object(s) => s
                        .get("order")
                        .and_then(Value::as_str)
                        .unwrap_or("asc")
                        .to_string(),
                    _ => return Err(malformed("sort")),
                };
                match order.as_str() {
                    "asc" => Ok((sort_field(f)?, false)),
                    "desc" => Ok((sort_field(f)?, true)),
                    other => Err(ApiError::bad_request(format!(
                        "Unknown SortOrder [{other}]"
                    ))),
                }
            }
            _ => Err(malformed("sort")),
        })
        .collect()
}

fn sort_key(u: &UserInfo, field: &str) -> Value {
    match field {
        "enabled" => json!(u.enabled),
        f => values(u, f)
            .into_iter()
            .min()
            .map_or(Value::Null, Value::String),
    }
}

fn compare_keys(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        // Missing values sort last, as ES does by default.
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

fn compare(a: &[Value], b: &[Value], sort: &[(String, bool)]) -> Ordering {
    for ((x, y), (_, desc)) in a.iter().zip(b).zip(sort) {
        let o = compare_keys(x, y);
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn count_param(body: &Map<String, Value>, name: &str, default: usize) -> Result<usize, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => match v.as_i64() {
            Some(n) if n < 0 => Err(ApiError::bad_request(format!(
                "[{name}] parameter cannot be negative but was [{n}]"
            ))),
            Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            None => Err(ApiError::parse(format!(
                "[query_user_request] failed to parse field [{name}]"
            ))),
        },
    }
}

/// `GET|POST /_security/_query/user` → `{"total","count","users":[…]}`.
pub fn query_users(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let with_profile_uid = req.query_bool("with_profile_uid", false)?;
        let body = match req.json()? {
            None => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(ApiError::parse("request body must be an object")),
        };
        for key in body.keys() {
            if !["query", "from", "size", "sort", "search_after"].contains(&key.as_str()) {
                return Err(ApiError::new(
                    400,
                    "x_content_parse_exception",
                    format!("[query_user_request] unknown field [{key}]"),
                ));
            }
        }
        let query = body.get("query").map(parse_query).transpose()?;
        let from = count_param(&body, "from", 0)?;
        let size = count_param(&body, "size", DEFAULT_SIZE)?;
        let explicit_sort = body.get("sort").map(parse_sort).transpose()?;
        let sort = explicit_sort
            .clone()
            .unwrap_or_else(|| vec![("username".into(), false)]);
        let search_after = body.get("search_after").and_then(Value::as_array).cloned();

        let st = Arc::clone(&ctx.state);
        let (all, profile_uids) = blocking(move || {
            let users = st.store.list_users().map_err(ApiError::internal)?;
            let uids = if with_profile_uid {
                crate::api::profiles::uids_by_username(st.store.as_ref(), "native")?
            } else {
                Default::default()
            };
            Ok((users, uids))
        })
        .await?;
        let mut hits: Vec<(Vec<Value>, UserInfo)> = all
            .into_iter()
            .map(native_info)
            .filter(|u| query.as_ref().is_none_or(|q| matches(q, u)))
            .map(|u| (sort.iter().map(|(f, _)| sort_key(&u, f)).collect(), u))
            .collect();
        hits.sort_by(|(a, ua), (b, ub)| {
            compare(a, b, &sort).then_with(|| ua.username.cmp(&ub.username))
        });
        let total = hits.len();
        if let Some(after) = &search_after {
            hits.retain(|(k, _)| compare(k, after, &sort) == Ordering::Greater);
        }
        let users: Vec<Value> = hits
            .into_iter()
            .skip(from)
            .take(size)
            .map(|(keys, u)| {
                let mut v = u.to_json();
                if let Value::Object(m) = &mut v {
                    if let Some(uid) = profile_uids.get(&u.username) {
                        m.insert("profile_uid".into(), json!(uid));
                    }
                    if explicit_sort.is_some() {
                        m.insert("_sort".into(), Value::Array(keys));
                    }
                }
                v
            })
            .collect();
        Ok(Reply::ok(
            json!({"total": total, "count": users.len(), "users": users}),
        ))
    })
}
