#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Durability and the version map: acknowledged writes survive a crash (the data directory as
//! a crash leaves it: no final refresh, no clean close), the translog is replayed once, and
//! delete tombstones keep the version sequence across refreshes.

mod common;

use std::path::Path;

use common::{engine, put};
use rampart_core::error::EsError;
use rampart_search::{Engine, OpType, Refresh, WriteConditions, WriteKind};
use serde_json::json;

/// Copy a live data directory: exactly what a crash at this instant leaves on disk (every
/// acknowledged write has returned, nothing was flushed or closed since). Background work
/// (tantivy's segment garbage collection) may delete a file between listing and copying it:
/// such a file was no longer referenced, so a crash image without it is just as real.
fn crash_copy(from: &Path, to: &Path) {
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        match entry.file_type() {
            Ok(t) if t.is_dir() => crash_copy(&entry.path(), &target),
            Ok(_) => match std::fs::copy(entry.path(), target) {
                Ok(_) => {}
                Err(e) if gone(&e) => {}
                Err(e) => panic!("copy {}: {e}", entry.path().display()),
            },
            Err(e) if gone(&e) => {}
            Err(e) => panic!("stat {}: {e}", entry.path().display()),
        }
    }
}

fn source(engine: &Engine, index: &str, id: &str) -> Option<serde_json::Value> {
    engine.get_doc(index, id, true).unwrap().map(|d| d.source)
}

#[test]
fn acknowledged_writes_survive_a_crash_without_refresh() {
    let (dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    put(&engine, "idx", "committed", json!({"n": 0}));
    engine.refresh(&["idx".to_string()]).unwrap();
    for i in 0..20 {
        put(
            &engine,
            "idx",
            &format!("d{i}"),
            json!({"n": i, "tag": "x"}),
        );
    }
    engine
        .delete_doc("idx", "d3", WriteConditions::default(), Refresh::False)
        .unwrap();
    put(&engine, "idx", "d4", json!({"n": 44}));
    let crashed = tempfile::tempdir().unwrap();
    crash_copy(dir.path(), crashed.path());

    let recovered = Engine::open(crashed.path()).unwrap();
    assert_eq!(
        source(&recovered, "idx", "committed"),
        Some(json!({"n": 0}))
    );
    assert_eq!(
        source(&recovered, "idx", "d0"),
        Some(json!({"n": 0, "tag": "x"}))
    );
    assert_eq!(source(&recovered, "idx", "d3"), None);
    let d4 = recovered.get_doc("idx", "d4", false).unwrap().unwrap();
    assert_eq!(d4.source, json!({"n": 44}));
    assert_eq!(d4.version.version, 2);
    // Replayed writes are searchable at once and sequence numbers continue after them.
    let count = recovered
        .count(
            &[("idx".to_string(), rampart_search::Restrictions::none())],
            &rampart_query::Query::MatchAll { boost: None },
        )
        .unwrap();
    assert_eq!(count, 20);
    let w = recovered
        .index_doc(
            "idx",
            Some("new"),
            &json!({}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(w.version().seq_no, 23);
}

#[test]
fn replay_happens_once_and_survives_a_second_crash() {
    let (dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    put(&engine, "idx", "a", json!({"v": 1}));
    put(&engine, "idx", "a", json!({"v": 2}));
    let first = tempfile::tempdir().unwrap();
    crash_copy(dir.path(), first.path());
    {
        let recovered = Engine::open(first.path()).unwrap();
        assert_eq!(
            recovered
                .get_doc("idx", "a", true)
                .unwrap()
                .unwrap()
                .version
                .version,
            2
        );
        put(&recovered, "idx", "b", json!({"v": 3}));
        // Crash again, after recovery and one more write.
        let second = tempfile::tempdir().unwrap();
        crash_copy(first.path(), second.path());
        let again = Engine::open(second.path()).unwrap();
        let a = again.get_doc("idx", "a", false).unwrap().unwrap();
        assert_eq!((a.version.version, a.source), (2, json!({"v": 2})));
        assert_eq!(source(&again, "idx", "b"), Some(json!({"v": 3})));
        assert_eq!(
            again
                .get_doc("idx", "b", false)
                .unwrap()
                .unwrap()
                .version
                .seq_no,
            2
        );
    }
}

#[test]
fn bulk_batch_is_durable_after_finish() {
    let (dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    let mut batch = engine.write_batch();
    for i in 0..50 {
        batch
            .index_doc(
                "idx",
                Some(&i.to_string()),
                &json!({"i": i}),
                OpType::Index,
                WriteConditions::default(),
                Refresh::False,
            )
            .unwrap();
    }
    batch
        .delete_doc("idx", "7", WriteConditions::default(), Refresh::False)
        .unwrap();
    batch.finish().unwrap();
    let crashed = tempfile::tempdir().unwrap();
    crash_copy(dir.path(), crashed.path());
    let recovered = Engine::open(crashed.path()).unwrap();
    assert_eq!(source(&recovered, "idx", "49"), Some(json!({"i": 49})));
    assert_eq!(source(&recovered, "idx", "7"), None);
}

#[test]
fn dynamic_mapping_of_replayed_documents_is_kept() {
    let (dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    put(&engine, "idx", "a", json!({"fresh_field": 5}));
    let crashed = tempfile::tempdir().unwrap();
    crash_copy(dir.path(), crashed.path());
    let recovered = Engine::open(crashed.path()).unwrap();
    let hits = common::ids(
        &recovered,
        "idx",
        rampart_search::Restrictions::none(),
        rampart_query::Query::Exists {
            field: "fresh_field".into(),
        },
    );
    assert_eq!(hits, vec!["a".to_string()]);
}

#[test]
fn recreated_id_continues_the_version_sequence_across_refresh() {
    let (_dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    put(&engine, "idx", "1", json!({}));
    put(&engine, "idx", "1", json!({}));
    let del = engine
        .delete_doc("idx", "1", WriteConditions::default(), Refresh::True)
        .unwrap();
    assert_eq!(
        (del.outcome.kind, del.version().version),
        (WriteKind::Deleted, 3)
    );
    let w = engine
        .index_doc(
            "idx",
            Some("1"),
            &json!({}),
            OpType::Create,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(
        (w.outcome.kind, w.version().version),
        (WriteKind::Created, 4)
    );
}

#[test]
fn delete_of_a_missing_document_leaves_a_tombstone() {
    let (_dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    let del = engine
        .delete_doc("idx", "ghost", WriteConditions::default(), Refresh::True)
        .unwrap();
    assert_eq!(
        (del.outcome.kind, del.version().version),
        (WriteKind::NotFound, 1)
    );
    let again = engine
        .delete_doc("idx", "ghost", WriteConditions::default(), Refresh::False)
        .unwrap();
    assert_eq!(again.version().version, 2);
    let w = engine
        .index_doc(
            "idx",
            Some("ghost"),
            &json!({}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(
        (w.outcome.kind, w.version().version),
        (WriteKind::Created, 3)
    );
}

#[test]
fn external_versions_compare_against_the_tombstone() {
    let (_dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    let external = |v: u64| WriteConditions {
        external_version: Some(v),
        ..WriteConditions::default()
    };
    engine
        .index_doc(
            "idx",
            Some("1"),
            &json!({}),
            OpType::Index,
            external(10),
            Refresh::False,
        )
        .unwrap();
    engine
        .delete_doc("idx", "1", external(12), Refresh::True)
        .unwrap();
    let err = engine
        .index_doc(
            "idx",
            Some("1"),
            &json!({}),
            OpType::Index,
            external(11),
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "version_conflict_engine_exception");
    let ok = engine
        .index_doc(
            "idx",
            Some("1"),
            &json!({}),
            OpType::Index,
            external(13),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(ok.version().version, 13);
}

#[test]
fn if_seq_no_ignores_tombstones() {
    let (_dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    put(&engine, "idx", "1", json!({}));
    let del = engine
        .delete_doc("idx", "1", WriteConditions::default(), Refresh::True)
        .unwrap();
    let cond = WriteConditions {
        if_seq_no: Some(del.version().seq_no),
        if_primary_term: Some(1),
        ..WriteConditions::default()
    };
    let err = engine
        .index_doc(
            "idx",
            Some("1"),
            &json!({}),
            OpType::Index,
            cond,
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "version_conflict_engine_exception");
}
