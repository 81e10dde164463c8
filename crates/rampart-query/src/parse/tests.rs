use serde_json::json;

use super::*;
use crate::ast::*;
use rampart_core::error::EsError;

fn ok(v: serde_json::Value) -> Query {
    parse_query(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"))
}

fn err(v: serde_json::Value) -> (String, &'static str) {
    let e = parse_query(&v).unwrap_err();
    (e.reason(), e.es_type())
}

fn term(field: &str, value: Scalar) -> Query {
    Query::Term {
        field: field.into(),
        value,
        case_insensitive: false,
        boost: None,
    }
}

#[test]
fn envelope_errors() {
    assert_eq!(
        err(json!({"nope": {}})),
        ("unknown query [nope]".into(), "parsing_exception")
    );
    assert_eq!(
        err(json!({"term": {"a": 1}, "match": {"b": 2}})),
        (
            "[term] malformed query, expected [END_OBJECT] but found [FIELD_NAME]".into(),
            "parsing_exception"
        )
    );
    assert_eq!(
        err(json!({"term": "x"})),
        (
            "[term] query malformed, no start_object after query name".into(),
            "parsing_exception"
        )
    );
    assert_eq!(
        err(json!([])),
        (
            "[_na] query malformed, must start with start_object".into(),
            "parsing_exception"
        )
    );
    assert_eq!(err(json!({})).1, "illegal_argument_exception");
    assert_eq!(
        err(json!({"script": {"script": "1"}})),
        (
            "[script] query is not supported by this server".into(),
            "illegal_argument_exception"
        )
    );
}

#[test]
fn term_short_and_long_forms() {
    assert_eq!(
        ok(json!({"term": {"a": "v"}})),
        term("a", Scalar::Str("v".into()))
    );
    assert_eq!(
        ok(json!({"term": {"a": {"value": 5, "boost": 2, "case_insensitive": true}}})),
        Query::Term {
            field: "a".into(),
            value: Scalar::Int(5),
            case_insensitive: true,
            boost: Some(2.0)
        }
    );
    assert_eq!(
        err(json!({"term": {"a": {"value": 1, "foo": 2}}})).0,
        "[term] query does not support [foo]"
    );
    assert_eq!(
        err(json!({"term": {"a": 1, "b": 2}})).0,
        "[term] query doesn't support multiple fields, found [a] and [b]"
    );
    assert_eq!(
        err(json!({"term": {"a": [1]}})).0,
        "[term] query does not support array of values"
    );
}

#[test]
fn terms_ids_exists() {
    assert_eq!(
        ok(json!({"terms": {"a": [1, "x"], "boost": 1.5}})),
        Query::Terms {
            field: "a".into(),
            values: vec![Scalar::Int(1), Scalar::Str("x".into())],
            boost: Some(1.5)
        }
    );
    assert_eq!(
        err(json!({"terms": {"a": {"index": "i", "id": "1", "path": "p"}}})).0,
        "[terms] query with a terms lookup is not supported by this server"
    );
    assert_eq!(
        err(json!({"terms": {"a": [1], "b": [2]}})).0,
        "[terms] query does not support multiple fields"
    );
    assert_eq!(
        ok(json!({"ids": {"values": ["1", 2]}})),
        Query::Ids {
            values: vec!["1".into(), "2".into()]
        }
    );
    assert_eq!(
        ok(json!({"exists": {"field": "f"}})),
        Query::Exists { field: "f".into() }
    );
    assert_eq!(
        err(json!({"exists": {}})).0,
        "[exists] must be provided with a [field]"
    );
    assert_eq!(
        err(json!({"exists": {"field": "f", "x": 1}})).0,
        "[exists] query does not support [x]"
    );
}

#[test]
fn ranges_modern_and_legacy() {
    let range = ok(json!({"range": {"age": {"gte": 10, "lt": "20", "format": "yyyy"}}}));
    assert_eq!(
        range,
        Query::Range {
            field: "age".into(),
            lower: Some(Bound {
                value: Scalar::Int(10),
                inclusive: true
            }),
            upper: Some(Bound {
                value: Scalar::Str("20".into()),
                inclusive: false
            }),
            format: Some("yyyy".into()),
            boost: None
        }
    );
    let legacy =
        ok(json!({"range": {"d": {"from": "now-1d", "to": null, "include_lower": false}}}));
    assert_eq!(
        legacy,
        Query::Range {
            field: "d".into(),
            lower: Some(Bound {
                value: Scalar::Str("now-1d".into()),
                inclusive: false
            }),
            upper: None,
            format: None,
            boost: None
        }
    );
    assert_eq!(
        err(json!({"range": {"a": {"gte": 1}, "b": {"lt": 2}}})).0,
        "[range] query doesn't support multiple fields, found [a] and [b]"
    );
    assert_eq!(
        err(json!({"range": {"a": {"between": 1}}})).0,
        "[range] query does not support [between]"
    );
    assert!(matches!(
        parse_query(&json!({"range": {"a": {"gte": 1, "time_zone": "+01:00"}}})),
        Err(QueryError::Unsupported(_))
    ));
}

#[test]
fn patterns_and_fuzzy() {
    assert_eq!(
        ok(json!({"prefix": {"f": "ab"}})),
        Query::Prefix {
            field: "f".into(),
            value: "ab".into(),
            case_insensitive: false,
            boost: None
        }
    );
    assert_eq!(
        ok(json!({"wildcard": {"f": {"wildcard": "a*b", "boost": 3}}})),
        Query::Wildcard {
            field: "f".into(),
            value: "a*b".into(),
            case_insensitive: false,
            boost: Some(3.0)
        }
    );
    assert!(matches!(
        ok(json!({"regexp": {"f": {"value": "a.*", "flags": "ALL"}}})),
        Query::Regexp { .. }
    ));
    assert_eq!(
        err(json!({"regexp": {"f": {"value": "a", "nope": 1}}})).0,
        "[regexp] query does not support [nope]"
    );
    assert_eq!(
        ok(json!({"fuzzy": {"f": {"value": "ab", "fuzziness": 1, "prefix_length": 2}}})),
        Query::Fuzzy {
            field: "f".into(),
            value: "ab".into(),
            fuzziness: Fuzziness::Distance(1),
            prefix_length: 2,
            transpositions: true,
            boost: None
        }
    );
}

#[test]
fn match_family() {
    assert_eq!(
        ok(
            json!({"match": {"t": {"query": "a b", "operator": "AND", "minimum_should_match": "75%", "fuzziness": "AUTO"}}})
        ),
        Query::Match {
            field: "t".into(),
            query: Scalar::Str("a b".into()),
            operator: Operator::And,
            minimum_should_match: Some(MinimumShouldMatch::Percent(75)),
            fuzziness: Some(Fuzziness::Auto { low: 3, high: 6 }),
            boost: None
        }
    );
    assert_eq!(
        err(json!({"match": {"t": {"query": ["a"]}}})).0,
        "[match] unknown token [START_ARRAY] after [query]"
    );
    assert_eq!(
        err(json!({"match": {"t": {"query": "a", "foo": 1}}})).0,
        "[match] query does not support [foo]"
    );
    assert_eq!(
        ok(json!({"match": {"t": {"query": "  ", "zero_terms_query": "all"}}})),
        Query::MatchAll { boost: None }
    );
    assert_eq!(
        ok(json!({"match_phrase": {"t": {"query": "a b", "slop": 2}}})),
        Query::MatchPhrase {
            field: "t".into(),
            query: "a b".into(),
            slop: 2,
            boost: None
        }
    );
    assert_eq!(
        ok(json!({"match_phrase_prefix": {"t": "a b"}})),
        Query::MatchPhrasePrefix {
            field: "t".into(),
            query: "a b".into(),
            boost: None
        }
    );
    assert_eq!(
        err(json!({"match_phrase": {"t": {"query": "a", "operator": "and"}}})).0,
        "[match_phrase] query does not support [operator]"
    );
}

#[test]
fn multi_match_lowering() {
    let best =
        ok(json!({"multi_match": {"query": "x", "fields": ["a", "b^2"], "tie_breaker": 0.3}}));
    let Query::DisMax {
        queries,
        tie_breaker,
        ..
    } = best
    else {
        panic!("dis_max expected");
    };
    assert_eq!(tie_breaker, 0.3);
    assert!(
        matches!(&queries[1], Query::Match { field, boost: Some(b), .. } if field == "b" && *b == 2.0)
    );
    let most =
        ok(json!({"multi_match": {"query": "x", "fields": ["a", "b"], "type": "most_fields"}}));
    assert!(matches!(most, Query::Bool(BoolQuery { ref should, .. }) if should.len() == 2));
    let phrase =
        ok(json!({"multi_match": {"query": "x y", "fields": "a", "type": "phrase", "slop": 1}}));
    assert!(matches!(phrase, Query::MatchPhrase { slop: 1, .. }));
    let default_fields = ok(json!({"multi_match": {"query": "x"}}));
    assert!(matches!(default_fields, Query::Match { ref field, .. } if field == "*"));
    assert_eq!(
        err(json!({"multi_match": {"query": "x", "type": "nope"}})),
        (
            "failed to parse [multi_match] query type [nope]. unknown type.".into(),
            "parse_exception"
        )
    );
    assert_eq!(
        err(json!({"multi_match": {"fields": ["a"]}})).0,
        "No text specified for multi_match query"
    );
}

#[test]
fn bool_and_friends() {
    let q = ok(json!({"bool": {
        "must": {"term": {"a": 1}},
        "filter": [{"term": {"b": 2}}],
        "should": [],
        "must_not": [{"exists": {"field": "c"}}],
        "minimum_should_match": "-1",
        "boost": 2
    }}));
    assert_eq!(
        q,
        Query::Bool(BoolQuery {
            must: vec![term("a", Scalar::Int(1))],
            should: vec![],
            filter: vec![term("b", Scalar::Int(2))],
            must_not: vec![Query::Exists { field: "c".into() }],
            minimum_should_match: Some(MinimumShouldMatch::Count(-1)),
            boost: Some(2.0)
        })
    );
    assert_eq!(
        err(json!({"bool": {"mus": []}})).0,
        "[bool] query does not support [mus]"
    );
    assert_eq!(
        err(json!({"bool": {"must": "x"}})).0,
        "[bool] unknown token [VALUE_STRING] after [must]"
    );
    assert_eq!(
        err(json!({"dis_max": {}})).0,
        "[dis_max] requires 'queries' field with at least one clause"
    );
    assert_eq!(
        err(json!({"constant_score": {"boost": 1}})).0,
        "[constant_score] requires a 'filter' element"
    );
    assert_eq!(
        ok(json!({"constant_score": {"filter": {"match_none": {}}, "boost": 1.2}})),
        Query::ConstantScore {
            filter: Box::new(Query::MatchNone),
            boost: Some(1.2)
        }
    );
}

#[test]
fn nesting_is_bounded() {
    let mut q = json!({"match_all": {}});
    for _ in 0..MAX_NESTED_DEPTH {
        q = json!({"bool": {"must": q}});
    }
    let e = parse_query(&q).unwrap_err();
    assert!(e.reason().contains("max_nested_depth"), "{e:?}");
}

#[test]
fn negative_boosts_are_rejected() {
    assert_eq!(
        err(json!({"match_all": {"boost": -1}})).0,
        "negative [boost] are not allowed."
    );
}
