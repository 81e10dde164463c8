//! The engine's points in time: snapshot isolation, ownership, paging with the implicit
//! tiebreaker, expiry through the reaper, the open cap and release on close/delete.

use std::time::{Duration, Instant};

use rampart_query::{SearchRequest, SortField, SortOrder, parse_query};
use serde_json::{Value, json};

use super::*;
use crate::{OpType, Refresh, WriteConditions};

const OWNER: &str = "native/native1/alice/";
const MINUTE: Duration = Duration::from_secs(60);

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    engine
        .create_index(
            "docs",
            &json!({"mappings": {"properties": {"n": {"type": "long"}, "k": {"type": "keyword"}}}}),
        )
        .unwrap();
    (dir, engine)
}

fn put(engine: &Engine, id: &str, doc: Value, refresh: Refresh) {
    engine
        .index_doc(
            "docs",
            Some(id),
            &doc,
            OpType::Index,
            WriteConditions::default(),
            refresh,
        )
        .unwrap();
}

fn docs_pit() -> Vec<PitIndex> {
    vec![PitIndex {
        index: "docs".into(),
        alias_filter: None,
    }]
}

fn unrestricted() -> Vec<(String, Restrictions)> {
    vec![("docs".into(), Restrictions::none())]
}

fn ids(answer: &Value) -> Vec<String> {
    answer["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect()
}

fn sorted_by_k(size: usize, after: Option<Vec<Value>>) -> SearchRequest {
    SearchRequest {
        size,
        sort: vec![SortField {
            field: "k".into(),
            order: SortOrder::Asc,
            missing: None,
        }],
        search_after: after,
        ..SearchRequest::default()
    }
}

#[test]
fn writes_after_opening_are_invisible() {
    let (_dir, engine) = engine();
    put(&engine, "1", json!({"n": 1}), Refresh::True);
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    put(&engine, "2", json!({"n": 2}), Refresh::True);
    engine
        .delete_doc("docs", "1", WriteConditions::default(), Refresh::True)
        .unwrap();
    let req = SearchRequest::default();
    let in_pit = engine
        .search_pit(OWNER, &id, None, &unrestricted(), &req)
        .unwrap();
    assert_eq!(ids(&in_pit), ["1"]);
    let now = engine.search(&unrestricted(), &req).unwrap();
    assert_eq!(ids(&now), ["2"]);
}

#[test]
fn another_owner_finds_no_context() {
    let (_dir, engine) = engine();
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    let req = SearchRequest::default();
    let err = engine
        .search_pit("native/native1/bob/", &id, None, &unrestricted(), &req)
        .unwrap_err();
    assert!(matches!(err, SearchError::SearchContextMissing(_)));
    assert!(engine.pit_indices("native/native1/bob/", &id).is_err());
    assert_eq!(
        engine.close_pits("native/native1/bob/", std::slice::from_ref(&id)),
        0
    );
    assert_eq!(engine.pit_indices(OWNER, &id).unwrap(), docs_pit());
    assert_eq!(engine.close_pits(OWNER, std::slice::from_ref(&id)), 1);
    assert!(engine.pit_indices(OWNER, &id).is_err());
}

#[test]
fn search_after_pages_through_equal_sort_values_once() {
    let (_dir, engine) = engine();
    for i in 0..7 {
        // Only two distinct sort values: the tiebreaker decides the pages.
        let k = if i % 2 == 0 { "a" } else { "b" };
        put(&engine, &format!("d{i}"), json!({"k": k}), Refresh::False);
    }
    engine.refresh_all().unwrap();
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = engine
            .search_pit(OWNER, &id, None, &unrestricted(), &sorted_by_k(3, after))
            .unwrap();
        let hits = page["hits"]["hits"].as_array().unwrap().clone();
        if hits.is_empty() {
            break;
        }
        let last = hits.last().unwrap()["sort"].as_array().unwrap().clone();
        assert_eq!(last.len(), 2, "the tiebreaker is appended: {last:?}");
        seen.extend(ids(&page));
        after = Some(last);
    }
    seen.sort();
    let expected: Vec<String> = (0..7).map(|i| format!("d{i}")).collect();
    assert_eq!(seen, expected);
}

#[test]
fn tiebreaker_is_added_only_to_sorted_requests() {
    let plain = with_tiebreaker(&SearchRequest::default());
    assert!(plain.sort.is_empty());
    let sorted = with_tiebreaker(&sorted_by_k(1, None));
    assert_eq!(sorted.sort.len(), 2);
    assert_eq!(sorted.sort[1].field, "_shard_doc");
    // A `search_after` naming only the given sorts keeps them as they are.
    let short_after = with_tiebreaker(&sorted_by_k(1, Some(vec![json!("a")])));
    assert_eq!(short_after.sort.len(), 1);
    let explicit = SearchRequest {
        sort: vec![SortField {
            field: "_shard_doc".into(),
            order: SortOrder::Desc,
            missing: None,
        }],
        ..SearchRequest::default()
    };
    assert_eq!(with_tiebreaker(&explicit).sort, explicit.sort);
}

#[test]
fn keep_alive_renews_and_the_reaper_drops_expired() {
    let (_dir, engine) = engine();
    let short = engine
        .open_pit(OWNER, Duration::from_secs(30), 10, &docs_pit())
        .unwrap();
    let renewed = engine
        .open_pit(OWNER, Duration::from_secs(30), 10, &docs_pit())
        .unwrap();
    let req = SearchRequest::default();
    engine
        .search_pit(OWNER, &renewed, Some(10 * MINUTE), &unrestricted(), &req)
        .unwrap();
    assert_eq!(engine.expire_pits(Instant::now() + MINUTE), 1);
    assert!(engine.pit_indices(OWNER, &short).is_err());
    assert!(engine.pit_indices(OWNER, &renewed).is_ok());
    assert_eq!(engine.expire_pits(Instant::now() + 11 * MINUTE), 1);
    assert_eq!(engine.open_pit_count(), 0);
}

#[test]
fn the_open_cap_refuses_with_429() {
    let (_dir, engine) = engine();
    engine.open_pit(OWNER, MINUTE, 2, &docs_pit()).unwrap();
    engine.open_pit(OWNER, MINUTE, 2, &docs_pit()).unwrap();
    let err = engine.open_pit(OWNER, MINUTE, 2, &docs_pit()).unwrap_err();
    assert_eq!(rampart_core::error::EsError::status(&err), 429);
    assert!(err.to_string().contains("[search.max_open_pit_context]"));
}

#[test]
fn closing_or_deleting_an_index_releases_its_pits() {
    let (_dir, engine) = engine();
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    engine.close_index(&["docs".to_string()]).unwrap();
    assert!(engine.pit_indices(OWNER, &id).is_err());
    // The released shard's writer is gone: the index opens again.
    engine.open_index(&["docs".to_string()]).unwrap();
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    engine.delete_index(&["docs".to_string()]).unwrap();
    assert!(engine.pit_indices(OWNER, &id).is_err());
    assert_eq!(engine.open_pit_count(), 0);
}

#[test]
fn restrictions_come_with_each_search() {
    let (_dir, engine) = engine();
    put(&engine, "a", json!({"k": "a"}), Refresh::False);
    put(&engine, "b", json!({"k": "b"}), Refresh::True);
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    let only_a = Restrictions {
        documents: Some(parse_query(&json!({"term": {"k": "a"}})).unwrap()),
        fields: None,
    };
    let req = SearchRequest::default();
    let restricted = engine
        .search_pit(OWNER, &id, None, &[("docs".into(), only_a)], &req)
        .unwrap();
    assert_eq!(ids(&restricted), ["a"]);
    let all = engine
        .search_pit(OWNER, &id, None, &unrestricted(), &req)
        .unwrap();
    assert_eq!(all["hits"]["total"]["value"], 2);
}

#[test]
fn pit_doc_reads_the_snapshot_copy_and_matches_role_queries_on_it() {
    let (_dir, engine) = engine();
    put(&engine, "1", json!({"n": 1, "k": "old"}), Refresh::True);
    let id = engine.open_pit(OWNER, MINUTE, 10, &docs_pit()).unwrap();
    put(&engine, "1", json!({"n": 2, "k": "new"}), Refresh::True);
    put(&engine, "2", json!({"n": 3, "k": "new"}), Refresh::True);
    let old = parse_query(&json!({"term": {"k": "old"}})).unwrap();
    let new = parse_query(&json!({"term": {"k": "new"}})).unwrap();
    let (source, admits) = engine
        .pit_doc(OWNER, &id, "docs", "1", &[None, Some(&old), Some(&new)])
        .unwrap()
        .unwrap();
    assert_eq!(source, json!({"n": 1, "k": "old"}));
    assert_eq!(admits, vec![true, true, false]);
    // Written after the PIT was opened, or in no index of it: not there.
    assert_eq!(engine.pit_doc(OWNER, &id, "docs", "2", &[]).unwrap(), None);
    assert_eq!(engine.pit_doc(OWNER, &id, "other", "1", &[]).unwrap(), None);
    // Another owner finds no context.
    assert!(matches!(
        engine.pit_doc("native/native1/bob/", &id, "docs", "1", &[]),
        Err(SearchError::SearchContextMissing(_))
    ));
}
