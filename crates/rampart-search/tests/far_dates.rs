#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Dates beyond what tantivy's nanosecond dates reach (1677–2262) are accepted, as
//! Elasticsearch accepts them, and compare as their true dates with every accepted bound.

mod common;

use common::{engine, put};
use rampart_query::parse_search_request;
use rampart_search::Restrictions;
use serde_json::{Value, json};

fn ids(res: &Value) -> Vec<String> {
    res["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn far_dates_are_kept_and_compare_as_their_true_dates() {
    let (_dir, e) = engine();
    put(&e, "d", "y2000", json!({"at": "2000-12-12"}));
    put(&e, "d", "y2555", json!({"at": "2555-12-12"}));
    put(&e, "d", "y1500", json!({"at": "1500-01-01"}));
    e.refresh_all().unwrap();
    let run = |body: Value| {
        let req = parse_search_request(&body).unwrap();
        e.search(&[("d".to_string(), Restrictions::none())], &req)
    };
    let after = run(json!({"query": {"range": {"at": {"gte": "2100-01-01"}}}})).unwrap();
    assert_eq!(ids(&after), ["y2555"]);
    let before = run(json!({"query": {"range": {"at": {"lt": "1800-01-01"}}}})).unwrap();
    assert_eq!(ids(&before), ["y1500"]);
    let middle =
        run(json!({"query": {"range": {"at": {"gt": "1800-01-01", "lt": "2100-01-01"}}}})).unwrap();
    assert_eq!(ids(&middle), ["y2000"]);
    let sorted = run(json!({"sort": [{"at": "asc"}]})).unwrap();
    assert_eq!(ids(&sorted), ["y1500", "y2000", "y2555"]);
    // The source keeps the exact date.
    let far = run(json!({"query": {"ids": {"values": ["y2555"]}}})).unwrap();
    assert_eq!(far["hits"]["hits"][0]["_source"]["at"], "2555-12-12");
}

#[test]
fn a_bound_beyond_the_comparable_window_is_refused_not_answered_wrongly() {
    let (_dir, e) = engine();
    put(&e, "d", "y2555", json!({"at": "2555-12-12"}));
    put(&e, "d", "y2600", json!({"at": "2600-01-01"}));
    e.refresh_all().unwrap();
    for body in [
        json!({"query": {"range": {"at": {"lte": "2300-01-01"}}}}),
        json!({"query": {"term": {"at": "2555-12-12"}}}),
        json!({"query": {"range": {"at": {"gt": "1000-01-01"}}}}),
    ] {
        let req = parse_search_request(&body).unwrap();
        let err = e
            .search(&[("d".to_string(), Restrictions::none())], &req)
            .unwrap_err();
        assert!(err.to_string().contains("[at]"), "{body}: {err}");
    }
}
