//! Scores of a restricted caller do not depend on what it cannot see; tantivy's own statistics
//! (what an unrestricted caller gets) do, which is what makes these tests able to fail.

use rampart_core::fls::FieldSecurityDef;
use rampart_query::{Query, SearchRequest, parse_query};
use serde_json::{Value, json};
use tantivy::{DocAddress, DocSet, TERMINATED, TantivyDocument};

use super::super::Restrictions;
use super::super::exec::scoring;
use crate::{Engine, OpType, Refresh, WriteConditions};

fn put(engine: &Engine, id: &str, doc: Value) {
    engine
        .index_doc(
            "docs",
            Some(id),
            &doc,
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
}

fn refresh(engine: &Engine) {
    engine.refresh(&["docs".to_string()]).unwrap();
}

fn public(i: usize) -> Value {
    let title = format!("public note {i} {}", "note ".repeat(i % 3));
    json!({"title": title, "dept": "public", "salary": 100 + i})
}

/// Ten public documents over two segments; `hidden` adds secret documents between them (some
/// later updated or deleted) and `updated_salary` rewrites public documents with another value
/// of the FLS-hidden `salary` (same visible content, but deleted versions left behind).
fn dataset(hidden: bool, updated_salary: bool) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    engine
        .create_index(
            "docs",
            &json!({"mappings": {"properties": {
                "title": {"type": "text"}, "dept": {"type": "keyword"}, "salary": {"type": "long"}
            }}}),
        )
        .unwrap();
    for i in 0..10 {
        put(&engine, &format!("p{i}"), public(i));
        if hidden && i < 7 {
            let title = format!("secret note note note {i}");
            put(
                &engine,
                &format!("s{i}"),
                json!({"title": title, "dept": "secret"}),
            );
        }
        if i == 4 {
            refresh(&engine);
        }
    }
    refresh(&engine);
    if hidden {
        put(
            &engine,
            "s1",
            json!({"title": "secret note again", "dept": "secret"}),
        );
        engine
            .delete_doc("docs", "s2", WriteConditions::default(), Refresh::False)
            .unwrap();
    }
    if updated_salary {
        for i in [1, 6] {
            let mut doc = public(i);
            doc["salary"] = json!(9999);
            put(&engine, &format!("p{i}"), doc);
        }
    }
    refresh(&engine);
    (dir, engine)
}

fn dls() -> Restrictions {
    Restrictions {
        documents: Some(parse_query(&json!({"term": {"dept": "public"}})).unwrap()),
        fields: None,
    }
}

fn fls_only() -> Restrictions {
    Restrictions {
        documents: None,
        fields: Some(
            FieldSecurityDef::new(["title", "dept"], Vec::<String>::new())
                .compile()
                .unwrap(),
        ),
    }
}

fn queries() -> Vec<Query> {
    [
        json!({"match": {"title": "note"}}),
        json!({"match": {"title": "public note 3"}}),
        json!({"match_phrase": {"title": "public note"}}),
        json!({"bool": {"should": [{"match": {"title": "secret note"}}, {"term": {"dept": "public"}}]}}),
    ]
    .iter()
    .map(|q| parse_query(q).unwrap())
    .collect()
}

/// `(id, score)` of every document the restricted query matches, scored with tantivy's
/// whole-index statistics or with the caller's visible-only ones.
fn scores(engine: &Engine, r: &Restrictions, query: &Query, visible: bool) -> Vec<(String, f32)> {
    let prepared = engine
        .prepare(&[("docs".to_string(), r.clone())], query, None, &[])
        .unwrap();
    let p = &prepared[0];
    let stats = if visible { p.statistics() } else { None };
    assert_eq!(
        stats.is_some(),
        visible,
        "a restricted caller has statistics"
    );
    let weight = p
        .query
        .weight(scoring(&p.searcher, stats.as_ref()))
        .unwrap();
    let mut out = Vec::new();
    for (ord, seg) in p.searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(seg, 1.0).unwrap();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if !seg.is_deleted(doc) {
                let stored: TantivyDocument =
                    p.searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
                out.push((p.shard.stored_doc(&stored).unwrap().id, scorer.score()));
            }
            doc = scorer.advance();
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn assert_statistics_close_the_channel(r: &Restrictions, plain: &Engine, other: &Engine) {
    let mut some_differ = false;
    for q in queries() {
        let visible_a = scores(plain, r, &q, true);
        let visible_b = scores(other, r, &q, true);
        assert!(!visible_a.is_empty(), "{q:?} matches visible documents");
        assert_eq!(visible_a, visible_b, "{q:?}");
        some_differ |= scores(plain, r, &q, false) != scores(other, r, &q, false);
    }
    assert!(some_differ, "tantivy's own statistics see the hidden data");
}

#[test]
fn dls_scores_do_not_depend_on_hidden_documents() {
    let (_a, plain) = dataset(false, false);
    let (_b, hidden) = dataset(true, false);
    assert_statistics_close_the_channel(&dls(), &plain, &hidden);
}

#[test]
fn fls_scores_do_not_depend_on_rewritten_hidden_fields() {
    let (_a, plain) = dataset(false, false);
    let (_b, rewritten) = dataset(false, true);
    assert_statistics_close_the_channel(&fls_only(), &plain, &rewritten);
}

#[test]
fn unrestricted_callers_keep_tantivys_statistics() {
    let (_a, plain) = dataset(false, false);
    let prepared = plain
        .prepare(
            &[("docs".to_string(), Restrictions::none())],
            &queries()[0],
            None,
            &[],
        )
        .unwrap();
    assert!(prepared[0].statistics().is_none());
}

/// The response without `took`, hits in (score, id) order: hits of equal score come in
/// segment order, and tantivy's segment order is not the indexing order.
fn without_took(mut v: Value) -> Value {
    if let Value::Object(o) = &mut v {
        o.remove("took");
    }
    if let Some(hits) = v["hits"]["hits"].as_array_mut() {
        hits.sort_by(|a, b| {
            let score = |h: &Value| h["_score"].as_f64().unwrap();
            score(b)
                .total_cmp(&score(a))
                .then_with(|| a["_id"].as_str().cmp(&b["_id"].as_str()))
        });
    }
    v
}

#[test]
fn restricted_search_and_explain_answer_identically() {
    let (_a, plain) = dataset(false, false);
    let (_b, hidden) = dataset(true, false);
    let targets = [("docs".to_string(), dls())];
    for query in queries() {
        let mut req = SearchRequest {
            query: query.clone(),
            size: 50,
            ..SearchRequest::default()
        };
        let a = without_took(plain.search(&targets, &req).unwrap());
        let b = without_took(hidden.search(&targets, &req).unwrap());
        assert_eq!(a, b, "{query:?}");
        // `min_score` between the scores: which hits pass depends on the statistics too.
        let max = a["hits"]["max_score"].as_f64().unwrap();
        assert!(max > 0.0, "{a}");
        req.min_score = Some((max * 0.9) as f32);
        let a = without_took(plain.search(&targets, &req).unwrap());
        let b = without_took(hidden.search(&targets, &req).unwrap());
        assert_eq!(a, b, "{query:?} min_score");
        for id in ["p1", "p3", "s1"] {
            let a = plain.explain("docs", id, &dls(), &query).unwrap();
            let b = hidden.explain("docs", id, &dls(), &query).unwrap();
            assert_eq!(a, b, "{id} {query:?}");
        }
    }
}

#[test]
fn statistics_are_cached_per_segment_and_delete_generation() {
    let (_a, engine) = dataset(true, false);
    let (shard, _) = engine.shard("docs").unwrap();
    let req = SearchRequest {
        query: queries()[0].clone(),
        ..SearchRequest::default()
    };
    engine.search(&[("docs".to_string(), dls())], &req).unwrap();
    let cached = shard.filter_cache.stats_len();
    assert!(cached > 0);
    engine.search(&[("docs".to_string(), dls())], &req).unwrap();
    assert_eq!(
        shard.filter_cache.stats_len(),
        cached,
        "a warm search reuses them"
    );
    engine
        .delete_doc("docs", "p0", WriteConditions::default(), Refresh::False)
        .unwrap();
    refresh(&engine);
    let after = engine.search(&[("docs".to_string(), dls())], &req).unwrap();
    assert!(
        shard.filter_cache.stats_len() > cached,
        "a deletion is a new generation"
    );
    assert_eq!(after["hits"]["total"]["value"], json!(9));
}
