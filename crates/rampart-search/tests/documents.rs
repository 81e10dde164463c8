#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{engine, put};
use rampart_core::error::EsError;
use rampart_search::{Engine, OpType, Refresh, UpdateRequest, WriteConditions, WriteKind};
use serde_json::json;

#[test]
fn index_get_update_delete_with_versions() {
    let (_d, e) = engine();
    let w = e
        .index_doc(
            "books",
            Some("1"),
            &json!({"title": "Dune"}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(w.outcome.kind, WriteKind::Created);
    assert_eq!((w.version().seq_no, w.version().version), (0, 1));
    // Realtime GET sees the unrefreshed write; a non-realtime GET does not.
    assert_eq!(
        e.get_doc("books", "1", true).unwrap().unwrap().source,
        json!({"title": "Dune"})
    );
    assert!(e.get_doc("books", "1", false).unwrap().is_none());
    let w = e
        .index_doc(
            "books",
            Some("1"),
            &json!({"title": "Dune 2"}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::True,
        )
        .unwrap();
    assert_eq!(w.outcome.kind, WriteKind::Updated);
    assert_eq!(w.version().version, 2);
    assert!(w.forced_refresh);
    assert_eq!(
        e.get_doc("books", "1", false).unwrap().unwrap().source["title"],
        "Dune 2"
    );

    let err = e
        .index_doc(
            "books",
            Some("1"),
            &json!({}),
            OpType::Create,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert_eq!(
        err.to_string(),
        "[1]: version conflict, document already exists (current version [2])"
    );

    let stale = WriteConditions {
        if_seq_no: Some(0),
        if_primary_term: Some(1),
        ..Default::default()
    };
    let err = e
        .index_doc(
            "books",
            Some("1"),
            &json!({}),
            OpType::Index,
            stale,
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "version_conflict_engine_exception");
    assert!(
        err.to_string()
            .contains("required seqNo [0], primary term [1]. current document has seqNo [1]")
    );

    let up = UpdateRequest::parse(&json!({"doc": {"year": 1965}})).unwrap();
    let w = e
        .update_doc(
            "books",
            "1",
            &up,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(w.outcome.kind, WriteKind::Updated);
    assert_eq!(
        e.get_doc("books", "1", true).unwrap().unwrap().source,
        json!({"title": "Dune 2", "year": 1965})
    );
    let w = e
        .update_doc(
            "books",
            "1",
            &up,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(w.outcome.kind, WriteKind::Noop);
    let err = e
        .update_doc(
            "books",
            "9",
            &up,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "document_missing_exception");
    assert!(UpdateRequest::parse(&json!({"script": "x"})).is_err());

    let d = e
        .delete_doc("books", "1", WriteConditions::default(), Refresh::False)
        .unwrap();
    assert_eq!(d.outcome.kind, WriteKind::Deleted);
    assert!(e.get_doc("books", "1", true).unwrap().is_none());
    let d = e
        .delete_doc("books", "1", WriteConditions::default(), Refresh::True)
        .unwrap();
    assert_eq!(d.outcome.kind, WriteKind::NotFound);
}

#[test]
fn mapping_errors_and_index_errors() {
    let (_d, e) = engine();
    e.create_index(
        "typed",
        &json!({"mappings": {"properties": {"n": {"type": "long"}}}}),
    )
    .unwrap();
    let err = e
        .index_doc(
            "typed",
            Some("1"),
            &json!({"n": "x"}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "mapper_parsing_exception");
    let err = e.create_index("typed", &json!({})).unwrap_err();
    assert_eq!(err.es_type(), "resource_already_exists_exception");
    let err = e
        .create_index(
            "bad",
            &json!({"mappings": {"properties": {"g": {"type": "geo_point"}}}}),
        )
        .unwrap_err();
    assert_eq!(err.es_type(), "mapper_parsing_exception");
    assert!(!e.index_exists("bad"));
    let err = e.get_doc("missing", "1", true).unwrap_err();
    assert_eq!(
        (err.es_type(), err.status()),
        ("index_not_found_exception", 404)
    );
    e.close_index(&["typed".into()]).unwrap();
    assert_eq!(
        e.get_doc("typed", "1", true).unwrap_err().es_type(),
        "index_closed_exception"
    );
    e.open_index(&["typed".into()]).unwrap();
    assert!(e.get_doc("typed", "1", true).unwrap().is_none());
}

#[test]
fn persistence_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        e.create_index(
            "p",
            &json!({"settings": {"number_of_replicas": 0}, "aliases": {"pa": {}}}),
        )
        .unwrap();
        put(&e, "p", "1", json!({"a": "x", "n": 5}));
        e.refresh(&["p".into()]).unwrap();
    }
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(e.get_doc("p", "1", false).unwrap().unwrap().source["n"], 5);
    let idx = e.get_index("p").unwrap();
    assert_eq!(idx["settings"]["index"]["number_of_replicas"], "0");
    assert_eq!(idx["mappings"]["properties"]["n"]["type"], "long");
    assert!(idx["aliases"]["pa"].is_object());
    let meta = e.metadata();
    assert!(meta.get("pa").is_some());
    // Sequence numbers continue after reopen.
    let w = e
        .index_doc(
            "p",
            Some("2"),
            &json!({}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
    assert_eq!(w.version().seq_no, 1);
}

#[test]
fn templates_data_streams_and_rollover() {
    let (_d, e) = engine();
    e.put_index_template(
        "logs",
        &json!({"index_patterns": ["logs-*"], "data_stream": {},
        "template": {"mappings": {"properties": {"level": {"type": "keyword"}}}}}),
    )
    .unwrap();
    let err = e
        .index_doc(
            "logs-app",
            None,
            &json!({"@timestamp": "2024-01-01", "level": "info"}),
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap_err();
    assert!(err.to_string().contains("op_type of create"));
    let w = e
        .index_doc(
            "logs-app",
            None,
            &json!({"@timestamp": "2024-01-01", "level": "info"}),
            OpType::Create,
            WriteConditions::default(),
            Refresh::True,
        )
        .unwrap();
    assert!(w.index.starts_with(".ds-logs-app-"));
    assert_eq!(
        e.mapping(&w.index).unwrap().get("level").unwrap().ty,
        rampart_search::mapping::FieldType::Keyword
    );
    let ds = e.get_data_streams(Some("logs-app")).unwrap();
    assert_eq!(ds["data_streams"][0]["generation"], 1);
    let unconditional = rampart_search::rollover::RolloverRequest::default();
    let r = e.rollover("logs-app", None, &unconditional).unwrap();
    assert!(r.new_index.ends_with("-000002"));
    let meta = e.metadata();
    assert!(meta.get("logs-app").is_some());
    let err = e.create_data_stream("other").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no matching index template found for data stream [other]"
    );
    // Plain template applies to auto-created indices.
    e.put_index_template(
        "t",
        &json!({"index_patterns": ["kv-*"], "template": {"settings": {"number_of_replicas": 0}}}),
    )
    .unwrap();
    put(&e, "kv-1", "1", json!({"a": 1}));
    assert_eq!(
        e.get_settings("kv-1").unwrap()["settings"]["index"]["number_of_replicas"],
        "0"
    );
    // Alias rollover.
    e.create_index(
        "w-000001",
        &json!({"aliases": {"w": {"is_write_index": true}}}),
    )
    .unwrap();
    let r = e.rollover("w", None, &unconditional).unwrap();
    assert_eq!(r.new_index, "w-000002");
    assert_eq!(
        e.write_target("w").unwrap(),
        rampart_search::WriteTarget::Index("w-000002".into())
    );
    e.delete_data_streams(&["logs-app".into()]).unwrap();
    assert!(
        e.get_data_streams(None).unwrap()["data_streams"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn aliases_and_write_targets() {
    let (_d, e) = engine();
    e.create_index("a1", &json!({})).unwrap();
    e.create_index("a2", &json!({})).unwrap();
    e.update_aliases(&json!({"actions": [
        {"add": {"indices": ["a1", "a2"], "alias": "both", "filter": {"term": {"k": "v"}}}},
        {"add": {"index": "a1", "alias": "one"}}]}))
        .unwrap();
    assert_eq!(
        e.write_target("one").unwrap(),
        rampart_search::WriteTarget::Index("a1".into())
    );
    let err = e.write_target("both").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no write index is defined for alias [both]")
    );
    assert_eq!(
        e.get_index("a1").unwrap()["aliases"]["both"]["filter"],
        json!({"term": {"k": "v"}})
    );
    let err = e
        .update_aliases(&json!({"actions": [{"add": {"index": "a1", "alias": "a2"}}]}))
        .unwrap_err();
    assert_eq!(err.es_type(), "invalid_alias_name_exception");
    e.update_aliases(&json!({"actions": [{"remove": {"index": "a1", "alias": "one"}}]}))
        .unwrap();
    assert_eq!(
        e.write_target("one").unwrap(),
        rampart_search::WriteTarget::AutoCreateIndex("one".into())
    );
    let err = e
        .update_aliases(&json!({"actions": [{"remove": {"index": "a1", "alias": "one"}}]}))
        .unwrap_err();
    assert_eq!(err.status(), 404);
}

#[test]
fn clean_shutdown_keeps_unrefreshed_writes() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = Engine::open(dir.path()).unwrap();
        put(&e, "auto", "1", json!({"v": 1}));
    }
    let e = Engine::open(dir.path()).unwrap();
    assert_eq!(
        e.get_doc("auto", "1", false).unwrap().unwrap().source,
        json!({"v": 1})
    );
}
