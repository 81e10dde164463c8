#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{engine, ids, put, search};
use rampart_core::fls::FieldSecurityDef;
use rampart_query::ast::{Bound, Fuzziness, MinimumShouldMatch};
use rampart_query::{
    BoolQuery, Operator, Query, Scalar, SearchRequest, SortField, SortOrder, SourceFilter,
    TrackTotalHits,
};
use rampart_search::{Engine, Restrictions};
use serde_json::json;

fn setup() -> (tempfile::TempDir, Engine) {
    let (d, e) = engine();
    e.create_index(
        "docs",
        &json!({"mappings": {"properties": {
        "tag": {"type": "keyword"}, "price": {"type": "double"}, "at": {"type": "date"}}}}),
    )
    .unwrap();
    put(
        &e,
        "docs",
        "1",
        json!({"title": "The quick brown fox", "tag": "animal", "n": 1, "price": 1.5, "ok": true, "at": "2024-01-01", "secret": "s1", "owner": "ann"}),
    );
    put(
        &e,
        "docs",
        "2",
        json!({"title": "Lazy brown dog", "tag": "animal", "n": 2, "price": 2.0, "ok": false, "at": "2024-02-01", "secret": "s2", "owner": "bob"}),
    );
    put(
        &e,
        "docs",
        "3",
        json!({"title": "Quick thinking", "tag": "idea", "n": 3, "price": 10.25, "at": "2024-03-01", "owner": "ann"}),
    );
    put(
        &e,
        "docs",
        "4",
        json!({"title": "Nothing here", "tag": "misc", "n": 4, "obj": {"inner": "x"}, "owner": "bob"}),
    );
    e.refresh(&["docs".into()]).unwrap();
    (d, e)
}

fn s(v: &str) -> Scalar {
    Scalar::Str(v.into())
}

fn q_ids(e: &Engine, q: Query) -> Vec<String> {
    ids(e, "docs", Restrictions::none(), q)
}

#[test]
fn every_query_type() {
    let (_d, e) = setup();
    assert_eq!(
        q_ids(&e, Query::MatchAll { boost: None }),
        ["1", "2", "3", "4"]
    );
    assert!(q_ids(&e, Query::MatchNone).is_empty());
    let term = |f: &str, v: Scalar| Query::Term {
        field: f.into(),
        value: v,
        case_insensitive: false,
        boost: None,
    };
    assert_eq!(q_ids(&e, term("tag", s("animal"))), ["1", "2"]);
    assert_eq!(q_ids(&e, term("n", Scalar::Int(3))), ["3"]);
    assert_eq!(q_ids(&e, term("price", Scalar::Float(1.5))), ["1"]);
    assert_eq!(q_ids(&e, term("price", Scalar::Int(2))), ["2"]);
    assert_eq!(q_ids(&e, term("ok", Scalar::Bool(false))), ["2"]);
    assert_eq!(q_ids(&e, term("at", s("2024-02-01"))), ["2"]);
    assert_eq!(q_ids(&e, term("title.keyword", s("Quick thinking"))), ["3"]);
    assert_eq!(q_ids(&e, term("title", s("brown"))), ["1", "2"]);
    assert_eq!(
        q_ids(
            &e,
            Query::Term {
                field: "tag".into(),
                value: s("ANIMAL"),
                case_insensitive: true,
                boost: None
            }
        ),
        ["1", "2"]
    );
    assert!(q_ids(&e, term("nope", s("x"))).is_empty());
    assert_eq!(
        q_ids(
            &e,
            Query::Terms {
                field: "tag".into(),
                values: vec![s("idea"), s("misc")],
                boost: None
            }
        ),
        ["3", "4"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Ids {
                values: vec!["2".into(), "9".into()]
            }
        ),
        ["2"]
    );
    let m = |text: &str, op| Query::Match {
        field: "title".into(),
        query: s(text),
        operator: op,
        minimum_should_match: None,
        fuzziness: None,
        boost: None,
    };
    assert_eq!(q_ids(&e, m("quick dog", Operator::Or)), ["1", "2", "3"]);
    assert_eq!(q_ids(&e, m("quick brown", Operator::And)), ["1"]);
    assert_eq!(
        q_ids(
            &e,
            Query::Match {
                field: "title".into(),
                query: s("quick brown fox"),
                operator: Operator::Or,
                minimum_should_match: Some(MinimumShouldMatch::Count(2)),
                fuzziness: None,
                boost: None
            }
        ),
        ["1"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Match {
                field: "title".into(),
                query: s("quikc"),
                operator: Operator::Or,
                minimum_should_match: None,
                fuzziness: Some(Fuzziness::Auto { low: 3, high: 6 }),
                boost: None
            }
        ),
        ["1", "3"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::MatchPhrase {
                field: "title".into(),
                query: "brown fox".into(),
                slop: 0,
                boost: None
            }
        ),
        ["1"]
    );
    assert!(
        q_ids(
            &e,
            Query::MatchPhrase {
                field: "title".into(),
                query: "fox brown".into(),
                slop: 0,
                boost: None
            }
        )
        .is_empty()
    );
    assert_eq!(
        q_ids(
            &e,
            Query::MatchPhrasePrefix {
                field: "title".into(),
                query: "lazy bro".into(),
                boost: None
            }
        ),
        ["2"]
    );
    let range = |f: &str, lo: Option<Scalar>, hi: Option<Scalar>| Query::Range {
        field: f.into(),
        lower: lo.map(|value| Bound {
            value,
            inclusive: true,
        }),
        upper: hi.map(|value| Bound {
            value,
            inclusive: false,
        }),
        format: None,
        boost: None,
    };
    assert_eq!(
        q_ids(&e, range("n", Some(Scalar::Int(2)), Some(Scalar::Int(4)))),
        ["2", "3"]
    );
    assert_eq!(
        q_ids(&e, range("price", Some(Scalar::Float(1.6)), None)),
        ["2", "3"]
    );
    assert_eq!(
        q_ids(
            &e,
            range("at", Some(s("2024-01-15")), Some(s("2024-03-01")))
        ),
        ["2"]
    );
    assert_eq!(q_ids(&e, range("tag", Some(s("b")), Some(s("j")))), ["3"]);
    assert_eq!(
        q_ids(
            &e,
            Query::Exists {
                field: "secret".into()
            }
        ),
        ["1", "2"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Exists {
                field: "obj".into()
            }
        ),
        ["4"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Prefix {
                field: "tag".into(),
                value: "an".into(),
                case_insensitive: false,
                boost: None
            }
        ),
        ["1", "2"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Wildcard {
                field: "tag".into(),
                value: "*i?c".into(),
                case_insensitive: false,
                boost: None
            }
        ),
        ["4"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Regexp {
                field: "tag".into(),
                value: "i.e[a-z]".into(),
                case_insensitive: false,
                boost: None
            }
        ),
        ["3"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Prefix {
                field: "title".into(),
                value: "thin".into(),
                case_insensitive: false,
                boost: None
            }
        ),
        ["3"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::Fuzzy {
                field: "tag".into(),
                value: "idee".into(),
                fuzziness: Fuzziness::Distance(1),
                prefix_length: 0,
                transpositions: true,
                boost: None
            }
        ),
        ["3"]
    );
    let b = Query::Bool(BoolQuery {
        must: vec![term("owner", s("ann"))],
        must_not: vec![term("tag", s("idea"))],
        ..BoolQuery::default()
    });
    assert_eq!(q_ids(&e, b), ["1"]);
    let only_not = Query::Bool(BoolQuery {
        must_not: vec![term("tag", s("animal"))],
        ..BoolQuery::default()
    });
    assert_eq!(q_ids(&e, only_not), ["3", "4"]);
    let should = Query::Bool(BoolQuery {
        should: vec![
            term("tag", s("idea")),
            term("tag", s("misc")),
            term("n", Scalar::Int(4)),
        ],
        minimum_should_match: Some(MinimumShouldMatch::Count(2)),
        ..BoolQuery::default()
    });
    assert_eq!(q_ids(&e, should), ["4"]);
    let filter = Query::Bool(BoolQuery {
        filter: vec![term("tag", s("animal"))],
        should: vec![term("n", Scalar::Int(9))],
        ..BoolQuery::default()
    });
    assert_eq!(q_ids(&e, filter), ["1", "2"]);
    assert_eq!(
        q_ids(
            &e,
            Query::DisMax {
                queries: vec![term("n", Scalar::Int(1)), term("n", Scalar::Int(2))],
                tie_breaker: 0.0,
                boost: None
            }
        ),
        ["1", "2"]
    );
    assert_eq!(
        q_ids(
            &e,
            Query::ConstantScore {
                filter: Box::new(term("tag", s("misc"))),
                boost: Some(2.0)
            }
        ),
        ["4"]
    );
    // Prefix on a numeric field is a 400.
    let err = e
        .search(
            &[("docs".into(), Restrictions::none())],
            &SearchRequest {
                query: Query::Prefix {
                    field: "n".into(),
                    value: "1".into(),
                    case_insensitive: false,
                    boost: None,
                },
                ..SearchRequest::default()
            },
        )
        .unwrap_err();
    assert_eq!(rampart_core::error::EsError::status(&err), 400);
}

fn fls(grant: &[&str]) -> Option<rampart_core::fls::FieldPermissions> {
    Some(
        FieldSecurityDef::new(grant.iter().copied(), Vec::<String>::new())
            .compile()
            .unwrap(),
    )
}

#[test]
fn dls_and_fls_restrict_hits_queries_sorts_and_sources() {
    let (_d, e) = setup();
    let ann = Query::Term {
        field: "owner".into(),
        value: s("ann"),
        case_insensitive: false,
        boost: None,
    };
    let r = Restrictions {
        documents: Some(ann.clone()),
        fields: fls(&["title*", "tag", "n", "owner"]),
    };
    assert_eq!(
        ids(&e, "docs", r.clone(), Query::MatchAll { boost: None }),
        ["1", "3"]
    );
    // Hidden field: queries match nothing, must_not matches all, exists is false.
    let on_secret = Query::Term {
        field: "secret".into(),
        value: s("s1"),
        case_insensitive: false,
        boost: None,
    };
    assert!(ids(&e, "docs", r.clone(), on_secret.clone()).is_empty());
    let not_secret = Query::Bool(BoolQuery {
        must_not: vec![on_secret],
        ..BoolQuery::default()
    });
    assert_eq!(ids(&e, "docs", r.clone(), not_secret), ["1", "3"]);
    assert!(
        ids(
            &e,
            "docs",
            r.clone(),
            Query::Exists {
                field: "secret".into()
            }
        )
        .is_empty()
    );
    // Sources are filtered.
    let res = search(&e, "docs", r.clone(), &SearchRequest::default());
    for hit in res["hits"]["hits"].as_array().unwrap() {
        assert!(hit["_source"].get("secret").is_none());
        assert!(hit["_source"].get("price").is_none());
        assert!(hit["_source"].get("title").is_some());
    }
    assert_eq!(res["hits"]["total"]["value"], 2);
    // The DLS filter was cached for the segment.
    assert_eq!(
        e.count(
            &[("docs".into(), r.clone())],
            &Query::MatchAll { boost: None }
        )
        .unwrap(),
        2
    );
    // Sorting on a hidden field sorts as missing (documents keep their order by index).
    let req = SearchRequest {
        sort: vec![SortField {
            field: "price".into(),
            order: SortOrder::Desc,
            missing: None,
        }],
        ..SearchRequest::default()
    };
    let res = search(&e, "docs", r.clone(), &req);
    assert_eq!(res["hits"]["hits"][0]["sort"][0], json!(i64::MIN));
    // Unrestricted sort works.
    let res = search(&e, "docs", Restrictions::none(), &req);
    let order: Vec<&str> = res["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["3", "2", "1", "4"]);
    assert_eq!(res["hits"]["hits"][0]["sort"][0], json!(10.25));
    // `fields` never returns hidden fields.
    let req = SearchRequest {
        fields: vec!["*".into()],
        ..SearchRequest::default()
    };
    let res = search(&e, "docs", r, &req);
    let f = &res["hits"]["hits"][0]["fields"];
    assert!(f.get("secret").is_none() && f.get("tag").is_some());
}

#[test]
fn aggregations_sort_paging_and_scroll() {
    let (_d, e) = setup();
    let aggs = json!({"tags": {"terms": {"field": "tag"}}, "avg_n": {"avg": {"field": "n"}},
        "hist": {"histogram": {"field": "n", "interval": 2}}, "secret": {"terms": {"field": "secret.keyword"}}});
    let req = SearchRequest {
        size: 0,
        aggs: aggs.as_object().cloned(),
        ..SearchRequest::default()
    };
    let res = search(&e, "docs", Restrictions::none(), &req);
    let a = &res["aggregations"];
    assert_eq!(
        a["tags"]["buckets"][0],
        json!({"key": "animal", "doc_count": 2})
    );
    assert_eq!(a["avg_n"]["value"], 2.5);
    assert_eq!(a["secret"]["buckets"].as_array().unwrap().len(), 2);
    // With FLS hiding `secret*`, its aggregation is empty as for an unmapped field; DLS limits
    // what is counted.
    let ann = Query::Term {
        field: "owner".into(),
        value: s("ann"),
        case_insensitive: false,
        boost: None,
    };
    let r = Restrictions {
        documents: Some(ann),
        fields: fls(&["tag", "n", "owner"]),
    };
    let res = search(&e, "docs", r, &req);
    let a = &res["aggregations"];
    assert_eq!(a["secret"]["buckets"], json!([]));
    assert_eq!(a["avg_n"]["value"], 2.0);
    // Text fields are not aggregatable.
    let bad = SearchRequest {
        aggs: json!({"t": {"terms": {"field": "title"}}})
            .as_object()
            .cloned(),
        ..SearchRequest::default()
    };
    assert!(
        e.search(&[("docs".into(), Restrictions::none())], &bad)
            .is_err()
    );
    let bad = SearchRequest {
        aggs: json!({"t": {"filter": {"query_string": "x"}}})
            .as_object()
            .cloned(),
        ..SearchRequest::default()
    };
    assert!(
        e.search(&[("docs".into(), Restrictions::none())], &bad)
            .is_err()
    );

    // from/size, search_after, track_total_hits, _source filtering.
    let req = SearchRequest {
        sort: vec![SortField {
            field: "n".into(),
            order: SortOrder::Asc,
            missing: None,
        }],
        from: 1,
        size: 2,
        source: SourceFilter::Filter {
            includes: vec!["tag".into()],
            excludes: vec![],
        },
        track_total_hits: TrackTotalHits::UpTo(3),
        ..SearchRequest::default()
    };
    let res = search(&e, "docs", Restrictions::none(), &req);
    assert_eq!(res["hits"]["total"], json!({"value": 3, "relation": "gte"}));
    assert_eq!(res["hits"]["hits"][0]["_id"], "2");
    assert_eq!(res["hits"]["hits"][0]["_source"], json!({"tag": "animal"}));
    assert_eq!(res["hits"]["hits"][0]["sort"], json!([2]));
    let after = SearchRequest {
        from: 0,
        search_after: Some(vec![json!(3)]),
        ..req.clone()
    };
    let res = search(&e, "docs", Restrictions::none(), &after);
    assert_eq!(res["hits"]["hits"].as_array().unwrap().len(), 1);
    assert_eq!(res["hits"]["hits"][0]["_id"], "4");

    let scroll_req = SearchRequest {
        size: 3,
        sort: req.sort.clone(),
        ..SearchRequest::default()
    };
    let first = e
        .start_scroll(
            "alice",
            std::time::Duration::from_secs(60),
            &[("docs".into(), Restrictions::none())],
            &scroll_req,
        )
        .unwrap();
    let id = first["_scroll_id"].as_str().unwrap().to_string();
    assert_eq!(first["hits"]["hits"].as_array().unwrap().len(), 3);
    assert!(e.scroll("mallory", &id, None).is_err());
    let next = e.scroll("alice", &id, None).unwrap();
    assert_eq!(next["hits"]["hits"].as_array().unwrap().len(), 1);
    assert_eq!(e.clear_scroll("alice", Some(std::slice::from_ref(&id))), 1);
    assert!(e.scroll("alice", &id, None).is_err());
}

#[test]
fn matches_evaluates_unrefreshed_documents_and_explain() {
    let (_d, e) = setup();
    put(&e, "docs", "5", json!({"owner": "ann", "tag": "new"}));
    let ann = Query::Term {
        field: "owner".into(),
        value: s("ann"),
        case_insensitive: false,
        boost: None,
    };
    assert!(e.matches("docs", "5", &ann).unwrap());
    assert!(!e.matches("docs", "2", &ann).unwrap());
    let r = Restrictions {
        documents: Some(ann),
        fields: None,
    };
    let ex = e
        .explain("docs", "1", &r, &Query::MatchAll { boost: None })
        .unwrap();
    assert_eq!(ex["matched"], true);
    let ex = e
        .explain("docs", "2", &r, &Query::MatchAll { boost: None })
        .unwrap();
    assert_eq!(ex["matched"], false);
    let caps = e
        .field_caps(&[("docs".into(), fls(&["tag"]))], &["*".into()])
        .unwrap();
    assert!(caps["fields"].get("tag").is_some());
    assert!(caps["fields"].get("secret").is_none());
}
