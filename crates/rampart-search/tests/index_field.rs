#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `term`/`terms` queries on `_index` (Elasticsearch's index-name field), as a gateway's
//! index-scoped filters send them: each index matches all of its documents or none.

mod common;

use common::{engine, put};
use rampart_query::{BoolQuery, Query, Scalar, SearchRequest};
use rampart_search::Restrictions;
use serde_json::json;

fn terms(values: &[&str]) -> Query {
    Query::Terms {
        field: "_index".into(),
        values: values.iter().map(|v| Scalar::Str((*v).into())).collect(),
        boost: None,
    }
}

#[test]
fn index_terms_select_whole_indices() {
    let (_dir, e) = engine();
    for (index, id) in [("a", "a1"), ("a", "a2"), ("b", "b1")] {
        put(&e, index, id, json!({"n": 1}));
    }
    e.refresh_all().unwrap();
    let hits = |query: Query| {
        let req = SearchRequest {
            query,
            size: 10,
            ..SearchRequest::default()
        };
        let targets = [
            ("a".to_string(), Restrictions::none()),
            ("b".to_string(), Restrictions::none()),
        ];
        let res = e.search(&targets, &req).unwrap();
        let mut ids: Vec<String> = res["hits"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(hits(terms(&["a"])), ["a1", "a2"]);
    assert_eq!(hits(terms(&["b", "c"])), ["b1"]);
    assert!(hits(terms(&["c"])).is_empty());
    let not_a = Query::Bool(BoolQuery {
        must_not: vec![terms(&["a"])],
        ..BoolQuery::default()
    });
    assert_eq!(hits(not_a), ["b1"]);
    let term = Query::Term {
        field: "_index".into(),
        value: Scalar::Str("B".into()),
        case_insensitive: true,
        boost: None,
    };
    assert_eq!(hits(term), ["b1"]);
}
