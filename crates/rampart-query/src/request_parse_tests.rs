use serde_json::json;

use super::*;
use crate::ast::Query;
use crate::request::{Missing, SortOrder, SourceFilter, TrackTotalHits};
use crate::request_url::{UrlParams, parse_search_request_with_params};
use rampart_core::error::EsError;

fn reason(body: serde_json::Value) -> String {
    parse_search_request(&body).unwrap_err().reason()
}

#[test]
fn empty_body_is_match_all() {
    let r = parse_search_request(&serde_json::Value::Null).unwrap();
    assert_eq!(r, SearchRequest::default());
    assert_eq!(
        parse_search_request(&json!({})).unwrap(),
        SearchRequest::default()
    );
}

#[test]
fn full_body() {
    let r = parse_search_request(&json!({
        "query": {"term": {"a": 1}},
        "post_filter": {"match_none": {}},
        "from": 5, "size": "20",
        "sort": ["_score", {"b": "desc"}, {"c": {"order": "asc", "missing": "_first"}}, "d"],
        "search_after": [1, "x"],
        "_source": {"includes": ["a*"], "excludes": "b"},
        "fields": ["x", {"field": "y", "format": "epoch_millis"}],
        "docvalue_fields": ["z"],
        "track_total_hits": 100,
        "aggs": {"t": {"terms": {"field": "a"}}},
        "min_score": 0.5, "terminate_after": 10,
        "highlight": {"fields": {"a": {}}}, "timeout": "1s",
        "version": true, "seq_no_primary_term": true, "explain": false,
        "stored_fields": "_none_", "profile": false, "track_scores": true
    }))
    .unwrap();
    assert!(matches!(r.query, Query::Term { .. }));
    assert_eq!(r.post_filter, Some(Query::MatchNone));
    assert_eq!((r.from, r.size), (5, 20));
    let sorts: Vec<_> = r.sort.iter().map(|s| (s.field.as_str(), s.order)).collect();
    assert_eq!(
        sorts,
        [
            ("_score", SortOrder::Desc),
            ("b", SortOrder::Desc),
            ("c", SortOrder::Asc),
            ("d", SortOrder::Asc)
        ]
    );
    assert_eq!(r.sort[2].missing, Some(Missing::First));
    assert_eq!(
        r.source,
        SourceFilter::Filter {
            includes: vec!["a*".into()],
            excludes: vec!["b".into()]
        }
    );
    assert_eq!(r.fields, ["x", "y"]);
    assert_eq!(r.docvalue_fields, ["z"]);
    assert_eq!(r.track_total_hits, TrackTotalHits::UpTo(100));
    assert!(r.aggs.is_some());
    assert_eq!(r.min_score, Some(0.5));
    assert_eq!(r.terminate_after, Some(10));
    assert!(r.version && r.seq_no_primary_term && r.track_scores && !r.explain);
    assert_eq!(r.stored_fields, Some(vec![]));
    assert_eq!(r.timeout.as_deref(), Some("1s"));
}

#[test]
fn unknown_and_malformed_keys() {
    assert_eq!(
        reason(json!({"foo": {}})),
        "Unknown key for a START_OBJECT in [foo]."
    );
    assert_eq!(
        reason(json!({"foo": 1})),
        "Unknown key for a VALUE_NUMBER in [foo]."
    );
    assert_eq!(
        reason(json!({"query": "x"})),
        "Unknown key for a VALUE_STRING in [query]."
    );
    assert_eq!(
        reason(json!({"size": [1]})),
        "Unknown key for a START_ARRAY in [size]."
    );
    assert_eq!(
        reason(json!({"size": -1})),
        "[size] parameter cannot be negative, found [-1]"
    );
    assert_eq!(
        reason(json!({"from": -2})),
        "[from] parameter cannot be negative, found [-2]"
    );
    assert_eq!(
        reason(json!({"track_total_hits": -2})),
        "[track_total_hits] parameter must be positive or equals to -1, got -2"
    );
    assert_eq!(
        reason(json!({"script_fields": {}})),
        "[script_fields] in a search request is not supported by this server"
    );
    assert_eq!(
        reason(json!({"_source": {"include": ["a"], "nope": true}})),
        "Unknown key for a VALUE_BOOLEAN in [nope]."
    );
    assert_eq!(
        reason(json!({"sort": [{"a": {"order": "up"}}]})),
        "Unknown SortOrder [up]"
    );
    assert_eq!(
        reason(json!({"sort": [{"a": {"bogus": 1}}]})),
        "[field_sort] unknown field [bogus]"
    );
    assert_eq!(
        reason(json!({"sort": {"_script": {}}})),
        "[_script] sort is not supported by this server"
    );
}

#[test]
fn track_total_hits_forms() {
    let t = |v| {
        parse_search_request(&json!({"track_total_hits": v}))
            .unwrap()
            .track_total_hits
    };
    assert_eq!(t(json!(true)), TrackTotalHits::Accurate);
    assert_eq!(t(json!(false)), TrackTotalHits::Off);
    assert_eq!(t(json!(-1)), TrackTotalHits::Accurate);
    assert_eq!(t(json!(7)), TrackTotalHits::UpTo(7));
}

#[test]
fn url_parameters_override_the_body() {
    let params = UrlParams::from_pairs([
        ("q", "title:x"),
        ("size", "3"),
        ("from", "1"),
        ("sort", "a:desc,b"),
        ("_source_includes", "a,b"),
        ("track_total_hits", "true"),
        ("pretty", "true"),
        ("version", "true"),
    ]);
    let r = parse_search_request_with_params(
        &json!({"size": 50, "query": {"match_none": {}}}),
        &params,
    )
    .unwrap();
    assert!(matches!(r.query, Query::Match { ref field, .. } if field == "title"));
    assert_eq!((r.from, r.size), (1, 3));
    assert_eq!(r.sort[0].order, SortOrder::Desc);
    assert_eq!(r.sort[1].order, SortOrder::Asc);
    assert_eq!(
        r.source,
        SourceFilter::Filter {
            includes: vec!["a".into(), "b".into()],
            excludes: vec![]
        }
    );
    assert_eq!(r.track_total_hits, TrackTotalHits::Accurate);
    assert!(r.version);
    let bad = UrlParams::from_pairs([("size", "x")]);
    let e = parse_search_request_with_params(&json!(null), &bad).unwrap_err();
    assert_eq!(e.es_type(), "number_format_exception");
    let q = UrlParams::from_pairs([("q", "a"), ("df", "body"), ("default_operator", "AND")]);
    let r = parse_search_request_with_params(&json!(null), &q).unwrap();
    assert!(matches!(r.query, Query::Match { ref field, .. } if field == "body"));
}
