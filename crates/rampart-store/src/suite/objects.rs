//! Objects: typed opaque documents with per-row optimistic concurrency.

use std::sync::Arc;

use serde_json::json;

use super::Case;
use crate::error::StoreError;
use crate::records::WriteCondition;
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    ("object put, get, list and delete", object_crud),
    ("object write conditions", object_conditions),
    (
        "objects of other kinds are separate",
        object_kinds_are_separate,
    ),
];

fn object_crud(store: Arc<dyn SecurityStore>) {
    assert_eq!(store.get_object("space", "a").unwrap(), None);
    let seq = store
        .put_object("space", "b", &json!({"name": "B"}), WriteCondition::Any)
        .unwrap();
    assert_eq!(seq, 1);
    let seq = store
        .put_object("space", "a", &json!({"name": "A"}), WriteCondition::Any)
        .unwrap();
    assert_eq!(seq, 1);
    let seq = store
        .put_object("space", "a", &json!({"name": "A2"}), WriteCondition::Any)
        .unwrap();
    assert_eq!(seq, 2);
    let got = store.get_object("space", "a").unwrap().unwrap();
    assert_eq!((got.seq_no, got.doc), (2, json!({"name": "A2"})));
    let ids: Vec<String> = store
        .list_objects("space")
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(store.delete_object("space", "a").unwrap());
    assert!(!store.delete_object("space", "a").unwrap());
    assert_eq!(store.list_objects("space").unwrap().len(), 1);
}

fn object_conditions(store: Arc<dyn SecurityStore>) {
    let doc = json!({"v": 1});
    store
        .put_object("profile", "p", &doc, WriteCondition::Absent)
        .unwrap();
    let again = store.put_object("profile", "p", &doc, WriteCondition::Absent);
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let stale = store.put_object("profile", "p", &json!({"v": 2}), WriteCondition::SeqNo(7));
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert_eq!(store.get_object("profile", "p").unwrap().unwrap().doc, doc);
    let seq = store
        .put_object("profile", "p", &json!({"v": 2}), WriteCondition::SeqNo(1))
        .unwrap();
    assert_eq!(seq, 2);
    let missing = store.put_object("profile", "q", &doc, WriteCondition::SeqNo(1));
    assert!(
        matches!(missing, Err(StoreError::Conflict(_))),
        "{missing:?}"
    );
    let empty = store.put_object("profile", "", &doc, WriteCondition::Any);
    assert!(matches!(empty, Err(StoreError::Invalid(_))), "{empty:?}");
}

fn object_kinds_are_separate(store: Arc<dyn SecurityStore>) {
    store
        .put_object("space", "x", &json!(1), WriteCondition::Any)
        .unwrap();
    store
        .put_object("profile", "x", &json!(2), WriteCondition::Any)
        .unwrap();
    assert_eq!(
        store.get_object("space", "x").unwrap().unwrap().doc,
        json!(1)
    );
    assert_eq!(
        store.get_object("profile", "x").unwrap().unwrap().doc,
        json!(2)
    );
    assert!(store.delete_object("space", "x").unwrap());
    assert!(store.get_object("profile", "x").unwrap().is_some());
}
