#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Text is analysed as Elasticsearch's `standard` analyzer does, which role queries depend
//! on: `match marker: test_1` admits `test_1` only, never `test_2` (ES's YAML test
//! `authenticate/10_field_level_security`).

mod common;

use common::{engine, ids, put};
use rampart_query::{Query, parse_query};
use rampart_search::Restrictions;
use serde_json::json;

#[test]
fn a_dls_match_query_admits_whole_words_only() {
    let (_d, e) = engine();
    e.create_index("test_index", &json!({})).unwrap();
    put(
        &e,
        "test_index",
        "1",
        json!({"marker": "test_1", "city": "bos"}),
    );
    put(
        &e,
        "test_index",
        "2",
        json!({"marker": "test_2", "city": "ams"}),
    );
    put(
        &e,
        "test_index",
        "3",
        json!({"marker": "Test_1 again", "city": "nyc"}),
    );
    e.refresh(&["test_index".into()]).unwrap();
    let limited = Restrictions {
        documents: Some(parse_query(&json!({"match": {"marker": "test_1"}})).unwrap()),
        fields: None,
    };
    let all = Query::MatchAll { boost: None };
    assert_eq!(ids(&e, "test_index", limited, all.clone()), ["1", "3"]);
    let phrase = parse_query(&json!({"match_phrase": {"marker": "test_1 again"}})).unwrap();
    assert_eq!(ids(&e, "test_index", Restrictions::none(), phrase), ["3"]);
    let word = parse_query(&json!({"match": {"marker": "test"}})).unwrap();
    assert!(ids(&e, "test_index", Restrictions::none(), word).is_empty());
}
