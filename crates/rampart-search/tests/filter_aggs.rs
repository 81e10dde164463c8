#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `filter` and `filters` aggregations: Elasticsearch's response shapes, sub-aggregations,
//! nesting, and DLS/FLS (hidden documents are never counted, a filter on a hidden field
//! matches nothing).

mod common;

use common::{engine, put, search};
use rampart_core::fls::FieldSecurityDef;
use rampart_query::{Query, Scalar, SearchRequest};
use rampart_search::{Engine, Restrictions};
use serde_json::{Value, json};

fn setup() -> (tempfile::TempDir, Engine) {
    let (d, e) = engine();
    e.create_index(
        "docs",
        &json!({"mappings": {"properties": {
            "tag": {"type": "keyword"}, "owner": {"type": "keyword"},
            "secret": {"type": "keyword"}, "n": {"type": "long"}}}}),
    )
    .unwrap();
    let docs = [
        json!({"tag": "a", "owner": "ann", "secret": "s", "n": 1}),
        json!({"tag": "a", "owner": "bob", "n": 2}),
        json!({"tag": "b", "owner": "ann", "secret": "s", "n": 3}),
        json!({"tag": "c", "owner": "bob", "n": 4}),
        json!({"tag": "b", "owner": "ann", "n": 5}),
    ];
    for (i, doc) in docs.into_iter().enumerate() {
        put(&e, "docs", &(i + 1).to_string(), doc);
    }
    e.refresh(&["docs".into()]).unwrap();
    (d, e)
}

fn aggs(e: &Engine, r: Restrictions, aggs: Value) -> Value {
    let req = SearchRequest {
        size: 0,
        aggs: aggs.as_object().cloned(),
        ..SearchRequest::default()
    };
    search(e, "docs", r, &req)["aggregations"].clone()
}

fn ann_only() -> Restrictions {
    Restrictions {
        documents: Some(Query::Term {
            field: "owner".into(),
            value: Scalar::Str("ann".into()),
            case_insensitive: false,
            boost: None,
        }),
        fields: None,
    }
}

fn hide_secret() -> Restrictions {
    Restrictions {
        documents: None,
        fields: Some(
            FieldSecurityDef::new(["tag", "owner", "n"], Vec::<String>::new())
                .compile()
                .unwrap(),
        ),
    }
}

#[test]
fn named_filters_are_keyed_sorted_and_carry_sub_aggregations() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        Restrictions::none(),
        json!({"f": {"filters": {"filters": {
            "zeta": {"term": {"tag": "a"}},
            "alpha": {"range": {"n": {"gte": 3}}}
        }}, "aggs": {"sum_n": {"sum": {"field": "n"}}}}}),
    );
    let buckets = a["f"]["buckets"].as_object().unwrap();
    assert_eq!(
        buckets.keys().collect::<Vec<_>>(),
        ["alpha", "zeta"],
        "named buckets are ordered by key"
    );
    assert_eq!(buckets["alpha"]["doc_count"], 3);
    assert_eq!(buckets["alpha"]["sum_n"]["value"], 12.0);
    assert_eq!(buckets["zeta"]["doc_count"], 2);
    assert_eq!(buckets["zeta"]["sum_n"]["value"], 3.0);
    assert!(a["f"].get("f>0").is_none() && a.get("f>0").is_none());
}

#[test]
fn other_bucket_and_unkeyed_rendering() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        Restrictions::none(),
        json!({
            "f": {"filters": {"other_bucket": true, "filters": {"a": {"term": {"tag": "a"}}}}},
            "g": {"filters": {"other_bucket_key": "rest", "keyed": false,
                              "filters": {"b": {"term": {"tag": "b"}}}}}
        }),
    );
    assert_eq!(a["f"]["buckets"]["a"]["doc_count"], 2);
    assert_eq!(a["f"]["buckets"]["_other_"]["doc_count"], 3);
    assert_eq!(
        a["g"]["buckets"],
        json!([{"key": "b", "doc_count": 2}, {"key": "rest", "doc_count": 3}])
    );
}

#[test]
fn anonymous_filters_keep_request_order() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        Restrictions::none(),
        json!({"f": {"filters": {"other_bucket": true, "filters": [
            {"term": {"tag": "c"}}, {"match_all": {}}, {"exists": {"field": "secret"}}
        ]}}}),
    );
    assert_eq!(
        a["f"]["buckets"],
        json!([{"doc_count": 1}, {"doc_count": 5}, {"doc_count": 2}, {"doc_count": 0}])
    );
}

#[test]
fn filter_and_filters_nest_under_other_aggregations() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        Restrictions::none(),
        json!({
            "by_tag": {"terms": {"field": "tag"}, "aggs": {
                "f": {"filters": {"filters": {"big": {"range": {"n": {"gt": 2}}}}}}}},
            "one": {"filter": {"term": {"owner": "ann"}}, "aggs": {
                "inner": {"filters": {"filters": [{"term": {"tag": "b"}}]},
                          "aggs": {"max_n": {"max": {"field": "n"}}}}}}
        }),
    );
    let by_tag = a["by_tag"]["buckets"].as_array().unwrap();
    let b = by_tag.iter().find(|b| b["key"] == "b").unwrap();
    assert_eq!(b["f"]["buckets"]["big"]["doc_count"], 2);
    let tag_a = by_tag.iter().find(|b| b["key"] == "a").unwrap();
    assert_eq!(tag_a["f"]["buckets"]["big"]["doc_count"], 0);
    assert_eq!(a["one"]["doc_count"], 3);
    assert_eq!(a["one"]["inner"]["buckets"][0]["doc_count"], 2);
    assert_eq!(a["one"]["inner"]["buckets"][0]["max_n"]["value"], 5.0);
}

#[test]
fn dls_hidden_documents_are_never_counted() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        ann_only(),
        json!({
            "all": {"filters": {"filters": [{"match_all": {}}]}},
            "bob": {"filters": {"other_bucket": true, "filters": {"bob": {"term": {"owner": "bob"}}}}},
            "one": {"filter": {"exists": {"field": "n"}}}
        }),
    );
    assert_eq!(a["all"]["buckets"][0]["doc_count"], 3);
    assert_eq!(a["bob"]["buckets"]["bob"]["doc_count"], 0);
    assert_eq!(a["bob"]["buckets"]["_other_"]["doc_count"], 3);
    assert_eq!(a["one"]["doc_count"], 3);
}

#[test]
fn fls_a_filter_on_a_hidden_field_matches_nothing() {
    let (_d, e) = setup();
    let a = aggs(
        &e,
        hide_secret(),
        json!({
            "f": {"filters": {"other_bucket": true, "filters": {
                "has": {"exists": {"field": "secret"}},
                "is": {"term": {"secret": "s"}}}}},
            "not": {"filter": {"bool": {"must_not": [{"term": {"secret": "s"}}]}}}
        }),
    );
    assert_eq!(a["f"]["buckets"]["has"]["doc_count"], 0);
    assert_eq!(a["f"]["buckets"]["is"]["doc_count"], 0);
    assert_eq!(a["f"]["buckets"]["_other_"]["doc_count"], 5);
    assert_eq!(a["not"]["doc_count"], 5);
    // Unrestricted, the same filters see the field.
    let open = aggs(
        &e,
        Restrictions::none(),
        json!({"f": {"filters": {"filters": {"has": {"exists": {"field": "secret"}}}}}}),
    );
    assert_eq!(open["f"]["buckets"]["has"]["doc_count"], 2);
}

#[test]
fn empty_filters_are_refused() {
    let (_d, e) = setup();
    let req = SearchRequest {
        aggs: json!({"f": {"filters": {"filters": {}}}})
            .as_object()
            .cloned(),
        ..SearchRequest::default()
    };
    let err = e
        .search(&[("docs".into(), Restrictions::none())], &req)
        .unwrap_err();
    assert!(
        err.to_string().contains("[filters] cannot be empty"),
        "{err}"
    );
}
