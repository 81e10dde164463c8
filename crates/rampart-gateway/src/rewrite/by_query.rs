//! `_delete_by_query` and `_update_by_query` for a restricted caller. Elasticsearch runs the
//! by-query's search phase through the caller's DLS/FLS reader, so it only ever touches the
//! documents (and sees the fields) the caller may see. A gateway reproduces that on the
//! request: the query becomes the search rewrite's scoped query (the group's DLS filter ANDed
//! in, hidden fields matching nothing, each group limited to its `_index`es), and the body is
//! rebuilt from the keys whose meaning is known; anything else is refused rather than
//! forwarded. `_update_by_query` under FLS and scripted requests under any restriction are
//! refused by `check_operation`.

use serde_json::{Map, Value, json};

use rampart_query::{Query, parse_query, to_es_json};

use super::Target;
use super::refuse::{Operation, Refusal, check_operation, refused};
use super::search::{Scope, scoped};
use crate::error::GatewayError;

/// Body keys forwarded as they are: they select or pace documents, never widen the query.
const PASSED_KEYS: &[&str] = &["max_docs", "conflicts", "slice"];

/// URL parameters that build a query of their own (`q` and its options): the rewrite could
/// not scope them, so a restricted caller is refused when one is present.
pub const QUERY_PARAMS: &[&str] = &[
    "q",
    "df",
    "analyzer",
    "analyze_wildcard",
    "default_operator",
    "lenient",
];

/// The upstream body of a by-query request over `targets` (concrete indices, authorized);
/// `raw` is the body as received (`None`: no body). Unrestricted callers get it back as is.
pub fn plan_by_query(
    operation: Operation,
    raw: Option<&Value>,
    targets: &[Target],
) -> Result<Option<Value>, GatewayError> {
    let dls = targets.iter().any(|t| t.restrictions.has_dls());
    let fls = targets.iter().any(|t| t.restrictions.has_fls());
    if !dls && !fls {
        return Ok(raw.cloned());
    }
    check_operation(operation, dls, fls, raw)?;
    let empty = Map::new();
    let body = match raw {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(body)) => body,
        Some(_) => {
            return Err(Refusal("a by-query request body must be an object".into()).into());
        }
    };
    let query = match body.get("query") {
        Some(query) => parse_query(query)?,
        None => Query::MatchAll { boost: None },
    };
    let scope = Scope::new(targets, false)?;
    let mut out = Map::new();
    out.insert("query".into(), to_es_json(&scoped(&query, &scope, true)));
    for (key, value) in body {
        match key.as_str() {
            "query" => {}
            known if PASSED_KEYS.contains(&known) => {
                out.insert(key.clone(), value.clone());
            }
            other => return Err(refused(&format!("[{other}] in a by-query request")).into()),
        }
    }
    Ok(Some(Value::Object(out)))
}

/// `_update_by_query` under FLS would write the filtered source back: refused on both planes
/// with this one message (`check_operation`'s).
pub fn check_by_query_fls(operation: Operation, fls: bool) -> Result<(), Refusal> {
    if operation == Operation::UpdateByQuery {
        check_operation(operation, false, fls, None)
    } else {
        Ok(())
    }
}

/// The answer of a by-query request that matched nothing, in Elasticsearch's shape:
/// `_update_by_query` reports `updated` and `deleted`, `_delete_by_query` only `deleted`.
pub fn empty_by_query_answer(operation: Operation) -> Value {
    let mut answer = Map::new();
    answer.insert("took".into(), json!(0));
    answer.insert("timed_out".into(), json!(false));
    answer.insert("total".into(), json!(0));
    if operation == Operation::UpdateByQuery {
        answer.insert("updated".into(), json!(0));
    }
    answer.insert("deleted".into(), json!(0));
    for (key, value) in [
        ("batches", json!(0)),
        ("version_conflicts", json!(0)),
        ("noops", json!(0)),
        ("retries", json!({"bulk": 0, "search": 0})),
        ("throttled_millis", json!(0)),
        ("requests_per_second", json!(-1.0)),
        ("throttled_until_millis", json!(0)),
        ("failures", json!([])),
    ] {
        answer.insert(key.into(), value);
    }
    Value::Object(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::IndexRestrictions;
    use rampart_core::fls::FieldSecurityDef;

    fn target(index: &str, dls: Option<Value>, grant: Option<&[&str]>) -> Target {
        Target {
            index: index.into(),
            restrictions: IndexRestrictions {
                documents: dls.map(|d| parse_query(&d).unwrap()),
                fields: grant.map(|g| {
                    FieldSecurityDef::new(g.iter().copied(), Vec::<String>::new())
                        .compile()
                        .unwrap()
                }),
            },
        }
    }

    #[test]
    fn unrestricted_bodies_are_forwarded_unchanged() {
        let body = json!({"query": {"match": {"a": "b"}}, "script": {"source": "x"}});
        let plan = plan_by_query(
            Operation::UpdateByQuery,
            Some(&body),
            &[target("i", None, None)],
        );
        assert_eq!(plan.unwrap(), Some(body));
    }

    #[test]
    fn dls_is_anded_into_the_query() {
        let dls = json!({"term": {"dept": "public"}});
        let body = json!({"query": {"match": {"title": "note"}}, "max_docs": 5});
        let plan = plan_by_query(
            Operation::DeleteByQuery,
            Some(&body),
            &[target("docs", Some(dls.clone()), None)],
        )
        .unwrap()
        .unwrap();
        assert_eq!(plan["max_docs"], json!(5));
        let query = parse_query(&plan["query"]).unwrap();
        let Query::Bool(b) = query else {
            panic!("{plan}")
        };
        assert_eq!(b.must, vec![parse_query(&body["query"]).unwrap()]);
        assert!(b.filter.contains(&parse_query(&dls).unwrap()), "{plan}");
    }

    #[test]
    fn hidden_fields_match_nothing_in_delete_by_query() {
        let body = json!({"query": {"term": {"salary": 100}}});
        let plan = plan_by_query(
            Operation::DeleteByQuery,
            Some(&body),
            &[target("docs", None, Some(&["title"]))],
        )
        .unwrap()
        .unwrap();
        let Query::Bool(b) = parse_query(&plan["query"]).unwrap() else {
            panic!("{plan}")
        };
        assert_eq!(b.must, vec![Query::MatchNone]);
    }

    #[test]
    fn refusals() {
        let dls = Some(json!({"term": {"dept": "public"}}));
        let t = [target("docs", dls, None)];
        let scripted = json!({"script": {"source": "ctx._source.n = 1"}});
        assert!(plan_by_query(Operation::UpdateByQuery, Some(&scripted), &t).is_err());
        let unknown = json!({"query": {"match_all": {}}, "sort": ["n"]});
        let err = plan_by_query(Operation::DeleteByQuery, Some(&unknown), &t).unwrap_err();
        assert!(err.to_string().contains("[sort]"), "{err}");
        let fls = [target("docs", None, Some(&["title"]))];
        assert!(plan_by_query(Operation::UpdateByQuery, None, &fls).is_err());
        let script_query = json!({"query": {"script": {"script": "true"}}});
        assert!(plan_by_query(Operation::DeleteByQuery, Some(&script_query), &fls).is_err());
    }

    #[test]
    fn empty_answers_name_their_counter() {
        assert_eq!(
            empty_by_query_answer(Operation::DeleteByQuery)["deleted"],
            json!(0)
        );
        assert_eq!(
            empty_by_query_answer(Operation::UpdateByQuery)["updated"],
            json!(0)
        );
        assert!(
            empty_by_query_answer(Operation::DeleteByQuery)
                .get("updated")
                .is_none()
        );
    }

    #[test]
    fn update_by_query_is_refused_under_fls_only() {
        assert!(check_by_query_fls(Operation::UpdateByQuery, false).is_ok());
        assert!(check_by_query_fls(Operation::DeleteByQuery, true).is_ok());
        let refusal = check_by_query_fls(Operation::UpdateByQuery, true).unwrap_err();
        assert!(
            refusal
                .0
                .starts_with("[_update_by_query] under field level security"),
            "{refusal}"
        );
    }
}
