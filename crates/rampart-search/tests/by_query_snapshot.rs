#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The by-query snapshot (`Engine::matching_docs`) and on-the-fly term vectors
//! (`Engine::term_vectors`) at the engine level: restrictions, limits, versions, statistics.

mod common;

use common::{engine, put};
use rampart_query::{Query, parse_query};
use rampart_search::{Restrictions, TermVectorOptions};
use serde_json::json;

fn dls(q: serde_json::Value) -> Restrictions {
    Restrictions {
        documents: Some(parse_query(&q).unwrap()),
        fields: None,
    }
}

#[test]
fn the_snapshot_holds_visible_matches_with_their_versions() {
    let (_dir, engine) = engine();
    for i in 0..5 {
        put(
            &engine,
            "docs",
            &format!("d{i}"),
            json!({"n": i, "dept": if i < 3 { "a" } else { "b" }}),
        );
    }
    engine.refresh_all().unwrap();
    put(
        &engine,
        "docs",
        "d0",
        json!({"n": 0, "dept": "a", "changed": true}),
    );
    let all = Query::MatchAll { boost: None };
    let targets = [("docs".to_string(), Restrictions::none())];
    let found = engine.matching_docs(&targets, &all, None).unwrap();
    assert_eq!(found.len(), 5);
    // Not refreshed: the snapshot still has d0's first version.
    let d0 = found.iter().find(|d| d.id == "d0").unwrap();
    assert_eq!((d0.version.seq_no, d0.version.version), (0, 1));
    assert_eq!(
        engine.matching_docs(&targets, &all, Some(2)).unwrap().len(),
        2
    );
    let hidden = [("docs".to_string(), dls(json!({"term": {"dept": "a"}})))];
    let mut ids: Vec<String> = engine
        .matching_docs(&hidden, &all, None)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["d0", "d1", "d2"]);
}

#[test]
fn term_vectors_count_only_visible_documents() {
    let (_dir, engine) = engine();
    put(
        &engine,
        "docs",
        "1",
        json!({"text": "fox fox dog", "dept": "a"}),
    );
    put(&engine, "docs", "2", json!({"text": "fox", "dept": "b"}));
    engine.refresh_all().unwrap();
    let options = TermVectorOptions {
        fields: Some(vec!["text".into()]),
        term_statistics: true,
        ..TermVectorOptions::default()
    };
    let source = json!({"text": "fox"});
    let open = engine
        .term_vectors("docs", &Restrictions::none(), &source, &options)
        .unwrap()
        .unwrap();
    let fox = &open["text"]["terms"]["fox"];
    assert_eq!((&fox["doc_freq"], &fox["ttf"]), (&json!(2), &json!(3)));
    let restricted = engine
        .term_vectors(
            "docs",
            &dls(json!({"term": {"dept": "b"}})),
            &source,
            &options,
        )
        .unwrap()
        .unwrap();
    let fox = &restricted["text"]["terms"]["fox"];
    assert_eq!((&fox["doc_freq"], &fox["ttf"]), (&json!(1), &json!(1)));
    assert_eq!(
        restricted["text"]["field_statistics"],
        json!({"sum_doc_freq": 1, "doc_count": 1, "sum_ttf": 1})
    );
    // A multi-valued field: positions continue after Lucene's gap, offsets after a separator.
    let many = json!({"text": ["a b", "c"]});
    let vectors = engine
        .term_vectors(
            "docs",
            &Restrictions::none(),
            &many,
            &TermVectorOptions::default(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        vectors["text"]["terms"]["c"]["tokens"],
        json!([{"position": 102, "start_offset": 4, "end_offset": 5}])
    );
}
