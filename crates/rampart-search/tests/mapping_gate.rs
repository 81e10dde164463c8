#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The mapping gate of a write batch is asked exactly when a write updates a mapping (new
//! fields, or the root mapping of an index's first document), with the concrete index, and
//! its refusal leaves the mapping and the document untouched.

mod common;

use std::cell::RefCell;

use common::engine;
use rampart_search::{
    Engine, OpType, Refresh, SearchError, UpdateRequest, WriteConditions, WriteKind,
};
use serde_json::{Value, json};

/// Run `writes` in one batch whose gate records each index it is asked about and refuses
/// the ones in `refused`. Returns each write's outcome (or error type) and the gate's log.
fn gated(
    engine: &Engine,
    refused: &[&str],
    writes: &[(&str, &str, Value, bool)],
) -> (Vec<Result<WriteKind, String>>, Vec<String>) {
    let asked = RefCell::new(Vec::new());
    let mut out = Vec::new();
    {
        let mut batch = engine
            .write_batch()
            .with_mapping_gate(Box::new(|index: &str| {
                asked.borrow_mut().push(index.to_string());
                if refused.contains(&index) {
                    Err(SearchError::Forbidden(format!("no auto_put on [{index}]")))
                } else {
                    Ok(())
                }
            }));
        for (target, id, body, update) in writes {
            let result = if *update {
                let req = UpdateRequest::parse(body).unwrap();
                batch.update_doc(target, id, &req, WriteConditions::default(), Refresh::False)
            } else {
                batch.index_doc(
                    target,
                    Some(id),
                    body,
                    OpType::Index,
                    WriteConditions::default(),
                    Refresh::False,
                )
            };
            out.push(result.map(|w| w.outcome.kind).map_err(|e| match e {
                SearchError::Forbidden(m) => m,
                other => panic!("unexpected error {other}"),
            }));
        }
        batch.finish().unwrap();
    }
    (out, asked.into_inner())
}

fn fields(engine: &Engine, index: &str) -> Vec<String> {
    engine
        .mapping(index)
        .unwrap()
        .fields
        .keys()
        .cloned()
        .collect()
}

#[test]
fn the_gate_is_asked_only_for_mapping_updates() {
    let (_d, e) = engine();
    e.create_index(
        "known",
        &json!({"mappings": {"properties": {"a": {"type": "long"}}}}),
    )
    .unwrap();
    let (out, asked) = gated(
        &e,
        &["known"],
        &[
            ("known", "1", json!({"a": 1}), false),
            ("known", "2", json!({"b": 1}), false),
        ],
    );
    assert_eq!(out[0], Ok(WriteKind::Created));
    assert_eq!(out[1], Err("no auto_put on [known]".to_string()));
    assert_eq!(asked, ["known"]);
    assert_eq!(fields(&e, "known"), ["a"]);
    assert!(e.get_doc("known", "2", true).unwrap().is_none());
}

#[test]
fn a_first_document_creates_the_root_mapping_even_when_empty() {
    let (_d, e) = engine();
    e.create_index("bare", &json!({})).unwrap();
    let (out, asked) = gated(&e, &["bare"], &[("bare", "1", json!({}), false)]);
    assert!(out[0].is_err());
    assert_eq!(asked, ["bare"]);
    // Auto-created as the write reached it, then refused: the index stays, empty.
    let (out, asked) = gated(&e, &["auto"], &[("auto", "1", json!({"x": 1}), false)]);
    assert!(out[0].is_err());
    assert_eq!(asked, ["auto"]);
    assert!(e.index_exists("auto"));
    // Once a document created the root mapping, `{}` is no update.
    let (out, _) = gated(&e, &[], &[("bare", "1", json!({}), false)]);
    assert_eq!(out[0], Ok(WriteKind::Created));
    let (out, asked) = gated(&e, &["bare"], &[("bare", "2", json!({}), false)]);
    assert_eq!(out[0], Ok(WriteKind::Created));
    assert!(asked.is_empty());
    // Explicit mappings, even empty ones, are a root mapping.
    e.create_index("mapped", &json!({"mappings": {}})).unwrap();
    let (out, asked) = gated(&e, &["mapped"], &[("mapped", "1", json!({}), false)]);
    assert_eq!(out[0], Ok(WriteKind::Created));
    assert!(asked.is_empty());
}

#[test]
fn updates_are_gated_on_the_document_they_write() {
    let (_d, e) = engine();
    e.create_index(
        "u",
        &json!({"mappings": {"properties": {"k": {"type": "keyword"}}}}),
    )
    .unwrap();
    gated(&e, &[], &[("u", "1", json!({"k": "a"}), false)]);
    let (out, asked) = gated(
        &e,
        &["u"],
        &[
            // Exists: the merged document adds nothing; the unused upsert does not count.
            (
                "u",
                "1",
                json!({"doc": {"k": "b"}, "upsert": {"new": 1}}),
                true,
            ),
            // Noop: nothing written.
            ("u", "1", json!({"doc": {"k": "b"}}), true),
            ("u", "1", json!({"doc": {"new": 1}}), true),
            // Missing: the upsert is written, not the doc.
            (
                "u",
                "2",
                json!({"doc": {"new": 1}, "upsert": {"k": "c"}}),
                true,
            ),
            (
                "u",
                "3",
                json!({"doc": {"k": "c"}, "upsert": {"new": 1}}),
                true,
            ),
            (
                "u",
                "4",
                json!({"doc": {"new": 1}, "doc_as_upsert": true}),
                true,
            ),
        ],
    );
    assert_eq!(out[0], Ok(WriteKind::Updated));
    assert_eq!(out[1], Ok(WriteKind::Noop));
    assert!(out[2].is_err());
    assert_eq!(out[3], Ok(WriteKind::Created));
    assert!(out[4].is_err());
    assert!(out[5].is_err());
    assert_eq!(asked, ["u", "u", "u"]);
    assert_eq!(fields(&e, "u"), ["k"]);
}

#[test]
fn backing_indices_are_born_with_a_timestamp_mapping() {
    let (_d, e) = engine();
    e.put_index_template(
        "streams",
        &json!({"index_patterns": ["logs-*"], "data_stream": {}}),
    )
    .unwrap();
    e.create_data_stream("logs-a").unwrap();
    let backing = e
        .index_names()
        .into_iter()
        .find(|n| n.starts_with(".ds-logs-a-"))
        .unwrap();
    let mapping = e.mapping(&backing).unwrap();
    assert_eq!(mapping.get("@timestamp").map(|f| f.ty.name()), Some("date"));
    assert!(!mapping.creates_root());
}
