use serde_json::json;

use crate::ast::*;
use crate::error::QueryError;
use crate::parse_query;
use rampart_core::error::EsError;

fn qs(query: &str) -> Query {
    parse_query(&json!({"query_string": {"query": query, "default_field": "body"}}))
        .unwrap_or_else(|e| panic!("{query}: {e:?}"))
}

fn m(field: &str, text: &str) -> Query {
    Query::Match {
        field: field.into(),
        query: Scalar::Str(text.into()),
        operator: Operator::Or,
        minimum_should_match: None,
        fuzziness: None,
        boost: None,
    }
}

fn bool_of(must: Vec<Query>, should: Vec<Query>, must_not: Vec<Query>) -> Query {
    Query::Bool(BoolQuery {
        must,
        should,
        must_not,
        ..BoolQuery::default()
    })
}

#[test]
fn single_terms_and_fields() {
    assert_eq!(qs("foo"), m("body", "foo"));
    assert_eq!(qs("title:foo"), m("title", "foo"));
    assert_eq!(
        qs("*"),
        Query::Exists {
            field: "body".into()
        }
    );
    assert_eq!(
        qs("title:*"),
        Query::Exists {
            field: "title".into()
        }
    );
    assert_eq!(
        qs("_exists_:title"),
        Query::Exists {
            field: "title".into()
        }
    );
    let all = parse_query(&json!({"query_string": {"query": "*"}})).unwrap();
    assert_eq!(all, Query::MatchAll { boost: None });
}

#[test]
fn operators_follow_lucene() {
    assert_eq!(
        qs("a AND b"),
        bool_of(vec![m("body", "a"), m("body", "b")], vec![], vec![])
    );
    assert_eq!(
        qs("a OR b"),
        bool_of(vec![], vec![m("body", "a"), m("body", "b")], vec![])
    );
    assert_eq!(
        qs("a -b +c"),
        bool_of(
            vec![m("body", "c")],
            vec![m("body", "a")],
            vec![m("body", "b")]
        )
    );
    assert_eq!(
        qs("a AND NOT b"),
        bool_of(vec![m("body", "a")], vec![], vec![m("body", "b")])
    );
    assert_eq!(qs("NOT b"), bool_of(vec![], vec![], vec![m("body", "b")]));
    let and_default = parse_query(&json!({"query_string": {
        "query": "a b OR c", "default_field": "body", "default_operator": "AND"}}))
    .unwrap();
    let mut a_and = m("body", "a");
    if let Query::Match { operator, .. } = &mut a_and {
        *operator = Operator::And;
    }
    assert!(matches!(and_default, Query::Bool(ref b) if b.must.len() == 1 && b.should.len() == 2));
}

#[test]
fn groups_phrases_ranges_and_boosts() {
    assert_eq!(
        qs("title:(a OR b)"),
        bool_of(vec![], vec![m("title", "a"), m("title", "b")], vec![])
    );
    assert_eq!(
        qs("\"quick fox\"~2"),
        Query::MatchPhrase {
            field: "body".into(),
            query: "quick fox".into(),
            slop: 2,
            boost: None
        }
    );
    assert_eq!(
        qs("age:[1 TO 5}"),
        Query::Range {
            field: "age".into(),
            lower: Some(Bound {
                value: Scalar::Str("1".into()),
                inclusive: true
            }),
            upper: Some(Bound {
                value: Scalar::Str("5".into()),
                inclusive: false
            }),
            format: None,
            boost: None
        }
    );
    assert!(matches!(
        qs("age:>=3"),
        Query::Range {
            lower: Some(Bound {
                inclusive: true,
                ..
            }),
            upper: None,
            ..
        }
    ));
    assert!(matches!(qs("foo^2"), Query::Match { boost: Some(b), .. } if b == 2.0));
    assert!(matches!(qs("qu?ck"), Query::Wildcard { ref value, .. } if value == "qu?ck"));
    assert!(matches!(qs("qui*"), Query::Prefix { ref value, .. } if value == "qui"));
    assert!(matches!(
        qs("quikc~1"),
        Query::Fuzzy {
            fuzziness: Fuzziness::Distance(1),
            ..
        }
    ));
    assert!(matches!(qs("/jo.n/"), Query::Regexp { ref value, .. } if value == "jo.n"));
}

#[test]
fn several_fields_take_the_best() {
    let q = parse_query(
        &json!({"query_string": {"query": "x", "fields": ["a", "b^3"], "tie_breaker": 0.5}}),
    )
    .unwrap();
    let Query::DisMax {
        queries,
        tie_breaker,
        ..
    } = q
    else {
        panic!("dis_max expected");
    };
    assert_eq!(tie_breaker, 0.5);
    assert!(
        matches!(&queries[1], Query::Match { field, boost: Some(b), .. } if field == "b" && *b == 3.0)
    );
}

#[test]
fn syntax_errors_are_query_shard_exceptions() {
    for bad in ["a:(b", "(a", "\"open", "a)", "AND"] {
        let e = parse_query(&json!({"query_string": {"query": bad}})).unwrap_err();
        assert!(matches!(e, QueryError::QueryString { .. }), "{bad}: {e:?}");
        assert_eq!(e.es_type(), "query_shard_exception");
        assert_eq!(e.reason(), format!("Failed to parse query [{bad}]"));
    }
    let e = parse_query(&json!({"query_string": {"default_field": "a"}})).unwrap_err();
    assert_eq!(e.reason(), "[query_string] must be provided with a [query]");
    let e = parse_query(&json!({"query_string": {"query": "a", "bogus": 1}})).unwrap_err();
    assert_eq!(e.reason(), "[query_string] query does not support [bogus]");
}

fn sqs(query: &str) -> Query {
    parse_query(&json!({"simple_query_string": {"query": query, "fields": ["body"]}})).unwrap()
}

#[test]
fn simple_syntax() {
    assert_eq!(sqs("a"), m("body", "a"));
    assert_eq!(
        sqs("a b"),
        bool_of(vec![], vec![m("body", "a"), m("body", "b")], vec![])
    );
    assert_eq!(
        sqs("a + b"),
        bool_of(vec![m("body", "a"), m("body", "b")], vec![], vec![])
    );
    assert_eq!(
        sqs("a | -b"),
        bool_of(
            vec![],
            vec![
                m("body", "a"),
                bool_of(vec![], vec![], vec![m("body", "b")])
            ],
            vec![]
        )
    );
    assert!(matches!(
        sqs("\"a b\"~3"),
        Query::MatchPhrase { slop: 3, .. }
    ));
    assert!(matches!(sqs("pre*"), Query::Prefix { ref value, .. } if value == "pre"));
    // Never fails on stray syntax.
    for odd in ["(a", "a)", "\"x", "+", "|||", "", "~"] {
        parse_query(&json!({"simple_query_string": {"query": odd}})).unwrap();
    }
    let e = parse_query(&json!({"simple_query_string": {"query": "a", "flags": "OR|AND"}}))
        .unwrap_err();
    assert!(matches!(e, QueryError::Unsupported(_)));
}
