//! Migration of legacy-analyzer indices: fixtures are created with the legacy schema
//! (`Shard::create_legacy`) under a normally created index, then the engine is reopened.

use std::path::Path;
use std::sync::Arc;

use rampart_query::{SearchRequest, parse_query};
use serde_json::{Value, json};

use super::{COMPLETE, recover, sibling};
use crate::engine::Engine;
use crate::error::SearchError;
use crate::mapping::Mapping;
use crate::search::Restrictions;
use crate::shard::{DocVersion, OpType, Shard, WriteConditions};
use crate::{Refresh, cluster};

/// `old` with a text `marker` and a long `n`, its shard replaced by an empty legacy one.
fn legacy_fixture(dir: &Path) -> Engine {
    let engine = Engine::open(dir).unwrap();
    engine
        .create_index(
            "old",
            &json!({"mappings": {"properties": {
                "marker": {"type": "text"}, "n": {"type": "long"}
            }}}),
        )
        .unwrap();
    let uuid = engine.state().indices["old"].uuid.clone();
    let path = engine.index_dir(&uuid);
    drop(engine.take_shard("old"));
    std::fs::remove_dir_all(&path).unwrap();
    engine.put_shard("old", Arc::new(Shard::create_legacy(&path).unwrap()));
    assert!(engine.shard("old").unwrap().0.is_legacy());
    engine
}

fn put(engine: &Engine, id: &str, doc: Value) {
    engine
        .index_doc(
            "old",
            Some(id),
            &doc,
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
}

fn search_ids(
    engine: &Engine,
    documents: Option<Value>,
    query: Value,
) -> Result<Vec<String>, SearchError> {
    let restrictions = Restrictions {
        documents: documents.map(|d| parse_query(&d).unwrap()),
        fields: None,
    };
    let req = SearchRequest {
        query: parse_query(&query).unwrap(),
        size: 100,
        ..SearchRequest::default()
    };
    let res = engine.search(&[("old".to_string(), restrictions)], &req)?;
    let mut ids: Vec<String> = res["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    Ok(ids)
}

fn versions(engine: &Engine, ids: &[&str]) -> Vec<(DocVersion, Value)> {
    ids.iter()
        .map(|id| {
            let d = engine.get_doc("old", id, false).unwrap().unwrap();
            (d.version, d.source)
        })
        .collect()
}

fn role_query() -> Option<Value> {
    Some(json!({"match": {"marker": "test_1"}}))
}

#[test]
fn legacy_indices_are_rebuilt_on_open_keeping_documents_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let engine = legacy_fixture(dir.path());
    put(&engine, "1", json!({"marker": "test_1", "n": 1}));
    put(&engine, "2", json!({"marker": "test_2", "n": 2}));
    put(&engine, "3", json!({"marker": "other", "n": 3}));
    put(&engine, "3", json!({"marker": "other again", "n": 4}));
    engine
        .delete_doc("old", "2", WriteConditions::default(), Refresh::False)
        .unwrap();
    put(&engine, "2", json!({"marker": "test_2", "n": 5}));
    engine.refresh(&["old".into()]).unwrap();

    // The fixture is really legacy: `test_1` is split, so it matches `test_2` too, and a
    // role query on it is refused rather than evaluated.
    let match_all = json!({"match_all": {}});
    let unrestricted = search_ids(&engine, None, json!({"match": {"marker": "test_1"}}));
    assert_eq!(unrestricted.unwrap(), ["1", "2"]);
    let refused = search_ids(&engine, role_query(), match_all.clone());
    assert!(matches!(refused, Err(SearchError::LegacyAnalyzer { ref index }) if index == "old"));
    let before = versions(&engine, &["1", "2", "3"]);
    let max_seq_no = engine.shard("old").unwrap().0.max_seq_no_assigned();
    let uuid = engine.state().indices["old"].uuid.clone();
    drop(engine);

    let engine = Engine::open(dir.path()).unwrap();
    let shard = engine.shard("old").unwrap().0;
    assert!(!shard.is_legacy());
    assert_eq!(versions(&engine, &["1", "2", "3"]), before);
    assert_eq!(shard.max_seq_no_assigned(), max_seq_no);
    assert_eq!(engine.state().indices["old"].uuid, uuid);
    assert_eq!(search_ids(&engine, role_query(), match_all).unwrap(), ["1"]);
    let live = engine.index_dir(&uuid);
    assert!(!sibling(&live, ".migrating").exists());
    assert!(!sibling(&live, ".legacy").exists());
    assert!(!live.join(COMPLETE).exists());
    // Writes continue the sequence where the legacy index stopped.
    put(&engine, "4", json!({"marker": "test_1 again", "n": 6}));
    let four = engine.get_doc("old", "4", true).unwrap().unwrap();
    assert_eq!(i64::try_from(four.version.seq_no).unwrap(), max_seq_no + 1);
}

#[test]
fn a_failed_migration_keeps_the_legacy_index_and_refuses_document_filters() {
    let dir = tempfile::tempdir().unwrap();
    let engine = legacy_fixture(dir.path());
    put(&engine, "1", json!({"marker": "test_1", "n": 1}));
    // A stored document the index's mapping cannot take (as if written under another
    // mapping) makes the rebuild fail.
    let (shard, _) = engine.shard("old").unwrap();
    let bad = json!({"n": "not a number"});
    let converted = Mapping::default().convert("bad", &bad).unwrap();
    shard
        .index(
            "bad",
            &bad,
            &converted,
            OpType::Index,
            WriteConditions::default(),
        )
        .unwrap();
    drop(shard);
    engine.refresh(&["old".into()]).unwrap();
    let uuid = engine.state().indices["old"].uuid.clone();
    drop(engine);

    let engine = Engine::open(dir.path()).unwrap();
    assert!(engine.shard("old").unwrap().0.is_legacy());
    let refused = search_ids(&engine, role_query(), json!({"match_all": {}}));
    assert!(matches!(refused, Err(SearchError::LegacyAnalyzer { .. })));
    let unrestricted = search_ids(&engine, None, json!({"match_all": {}})).unwrap();
    assert_eq!(unrestricted, ["1", "bad"]);
    // A point in time pins the legacy searcher: the same refusal.
    let pit = engine
        .open_pit(
            "owner",
            std::time::Duration::from_secs(60),
            10,
            &[crate::search::pit::PitIndex {
                index: "old".into(),
                alias_filter: None,
            }],
        )
        .unwrap();
    let restricted = Restrictions {
        documents: role_query().map(|d| parse_query(&d).unwrap()),
        fields: None,
    };
    let req = SearchRequest {
        query: parse_query(&json!({"match_all": {}})).unwrap(),
        ..SearchRequest::default()
    };
    let refused = engine.search_pit("owner", &pit, None, &[("old".into(), restricted)], &req);
    assert!(matches!(refused, Err(SearchError::LegacyAnalyzer { .. })));
    assert!(!sibling(&engine.index_dir(&uuid), ".migrating").exists());
}

#[test]
fn a_format_1_directory_is_read_and_rewritten_as_the_current_format() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    engine.create_index("i", &json!({})).unwrap();
    drop(engine);
    let file = dir.path().join("indices").join("cluster_state.json");
    state_with_format(&file, 1);
    let engine = Engine::open(dir.path()).unwrap();
    assert!(engine.index_exists("i"));
    drop(engine);
    let state: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(state["format"], json!(cluster::FORMAT_VERSION));
    state_with_format(&file, 99);
    assert!(Engine::open(dir.path()).is_err());
}

fn state_with_format(file: &Path, format: u32) {
    let mut state: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    state["format"] = json!(format);
    std::fs::write(file, serde_json::to_vec(&state).unwrap()).unwrap();
}

/// A directory holding one file `which`, standing for an index's contents.
fn index_dir(path: &Path, which: &str, complete: bool) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::write(path.join(which), b"x").unwrap();
    if complete {
        std::fs::write(path.join(COMPLETE), b"").unwrap();
    }
}

#[test]
fn interrupted_swaps_are_finished_or_undone() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("uuid");
    let building = sibling(&live, ".migrating");
    let legacy = sibling(&live, ".legacy");

    // Crashed between the two renames: the complete rebuild takes the live name.
    index_dir(&building, "new", true);
    index_dir(&legacy, "old", false);
    recover(&live).unwrap();
    assert!(live.join("new").exists() && !live.join(COMPLETE).exists());
    assert!(!building.exists() && !legacy.exists());

    // An incomplete rebuild is discarded; a legacy index without a live one comes back.
    std::fs::remove_dir_all(&live).unwrap();
    index_dir(&building, "new", false);
    index_dir(&legacy, "old", false);
    recover(&live).unwrap();
    assert!(live.join("old").exists());
    assert!(!building.exists() && !legacy.exists());

    // Crashed during the rebuild (live untouched): the rebuild is discarded.
    index_dir(&building, "new", true);
    recover(&live).unwrap();
    assert!(live.join("old").exists() && !building.exists());

    // Nothing at all: a new index, nothing to do.
    let fresh = dir.path().join("fresh");
    recover(&fresh).unwrap();
    assert!(!fresh.exists());
}

#[test]
fn a_rebuild_reports_its_progress_and_copies_only_live_documents() {
    let dir = tempfile::tempdir().unwrap();
    let engine = legacy_fixture(dir.path());
    for i in 0..5 {
        put(&engine, &i.to_string(), json!({"marker": "m", "n": i}));
    }
    engine
        .delete_doc("old", "4", WriteConditions::default(), Refresh::False)
        .unwrap();
    let (shard, mapping) = engine.shard("old").unwrap();
    let target = dir.path().join("rebuilt");
    let mut reports = Vec::new();
    // Unrefreshed writes would be lost by a copy of the last commit: refused.
    assert!(
        shard
            .rebuild_into(&target, &mapping, &mut |d, t| reports.push((d, t)))
            .is_err()
    );
    engine.refresh(&["old".into()]).unwrap();
    let copied = shard
        .rebuild_into(&target, &mapping, &mut |d, t| reports.push((d, t)))
        .unwrap();
    assert_eq!(copied, 4);
    assert_eq!(reports, [(4, 4)]);
    let rebuilt = Shard::open(&target, &mapping).unwrap();
    assert!(!rebuilt.is_legacy());
    assert_eq!(rebuilt.stats().0, 4);
    assert_eq!(rebuilt.max_seq_no_assigned(), shard.max_seq_no_assigned());
}
