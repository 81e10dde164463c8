//! Where pipelines live: the node's store, as generic objects of kind `ingest_pipeline`.
//!
//! The store is the node's durable cluster-level state (WAL, `synchronous=FULL`, versioned
//! schema), which is what ES's cluster state is for pipelines; the document engine's
//! `cluster_state.json` describes indices only. Each object wraps the definition with its own
//! `format` version so the payload can evolve independently of the store's schema.

use rampart_store::{SecurityStore, WriteCondition};
use serde_json::{Value, json};

use crate::error::ApiError;

/// The store object kind.
pub const KIND: &str = "ingest_pipeline";
/// The payload format written by this version.
const FORMAT: u64 = 1;

/// Store (create or replace) a definition.
pub fn put(store: &dyn SecurityStore, id: &str, definition: &Value) -> Result<(), ApiError> {
    let doc = json!({"format": FORMAT, "definition": definition});
    store
        .put_object(KIND, id, &doc, WriteCondition::Any)
        .map(|_| ())
        .map_err(ApiError::internal)
}

/// One definition.
pub fn get(store: &dyn SecurityStore, id: &str) -> Result<Option<Value>, ApiError> {
    store
        .get_object(KIND, id)
        .map_err(ApiError::internal)?
        .map(|o| definition_of(&o.id, o.doc))
        .transpose()
}

/// Every definition, sorted by id.
pub fn list(store: &dyn SecurityStore) -> Result<Vec<(String, Value)>, ApiError> {
    store
        .list_objects(KIND)
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|o| definition_of(&o.id, o.doc).map(|d| (o.id, d)))
        .collect()
}

/// `true` when it existed.
pub fn delete(store: &dyn SecurityStore, id: &str) -> Result<bool, ApiError> {
    store.delete_object(KIND, id).map_err(ApiError::internal)
}

fn definition_of(id: &str, mut doc: Value) -> Result<Value, ApiError> {
    match doc.get("format").and_then(Value::as_u64) {
        Some(FORMAT) => Ok(doc
            .get_mut("definition")
            .map(Value::take)
            .unwrap_or(Value::Null)),
        other => Err(ApiError::internal(format!(
            "stored ingest pipeline [{id}] has unknown format {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_store::SqliteStore;

    #[test]
    fn definitions_round_trip_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let def = json!({"description": "d", "processors": [{"set": {"field": "a", "value": 1}}]});
        {
            let store = SqliteStore::open(&path).unwrap();
            put(&store, "b", &def).unwrap();
            put(&store, "a", &json!({"processors": []})).unwrap();
            assert!(delete(&store, "a").unwrap());
            assert!(!delete(&store, "a").unwrap());
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(get(&store, "b").unwrap(), Some(def.clone()));
        assert_eq!(get(&store, "a").unwrap(), None);
        assert_eq!(list(&store).unwrap(), vec![("b".to_string(), def)]);
    }

    #[test]
    fn an_unknown_format_is_an_error_not_a_guess() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store
            .put_object(
                KIND,
                "x",
                &json!({"format": 99, "definition": {}}),
                WriteCondition::Any,
            )
            .unwrap();
        assert_eq!(get(&store, "x").unwrap_err().status, 500);
    }
}
