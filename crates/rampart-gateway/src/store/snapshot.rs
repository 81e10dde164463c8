//! A consistent copy of every record, keyed by document id, with typed decoding.
//!
//! Document ids: `<kind>-<key>`, where composite keys are length-prefixed
//! (`privilege-3:app:read`) so no two keys can produce the same id.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use rampart_store::StoreError;

use super::wire::{DocVersion, FORMAT, StoredDoc};

pub(crate) fn user_id(name: &str) -> String {
    format!("user-{name}")
}
pub(crate) fn reserved_id(name: &str) -> String {
    format!("reserved-{name}")
}
pub(crate) fn role_id(name: &str) -> String {
    format!("role-{name}")
}
pub(crate) fn mapping_id(name: &str) -> String {
    format!("mapping-{name}")
}
pub(crate) fn privilege_prefix(application: &str) -> String {
    format!("privilege-{}:{application}:", application.len())
}
pub(crate) fn privilege_id(application: &str, name: &str) -> String {
    format!("{}{name}", privilege_prefix(application))
}
pub(crate) fn api_key_id(id: &str) -> String {
    format!("apikey-{id}")
}
pub(crate) fn token_id(access_hash: &str) -> String {
    format!("token-{access_hash}")
}
pub(crate) fn service_prefix(namespace: &str, service: &str) -> String {
    format!(
        "service_token-{}:{namespace}:{}:{service}:",
        namespace.len(),
        service.len()
    )
}
pub(crate) fn service_token_id(namespace: &str, service: &str, name: &str) -> String {
    format!("{}{name}", service_prefix(namespace, service))
}
pub(crate) fn object_prefix(kind: &str) -> String {
    format!("object-{}:{kind}:", kind.len())
}
pub(crate) fn object_id(kind: &str, id: &str) -> String {
    format!("{}{id}", object_prefix(kind))
}

/// The document stored for a record: the record itself under `record`, plus the envelope
/// fields the index maps (`format`, `kind`, `key`) and any extra store-private fields.
pub(crate) fn envelope<T: Serialize>(
    kind: &str,
    id: &str,
    record: &T,
    extra: &[(&str, Value)],
) -> Result<Value, StoreError> {
    let record = serde_json::to_value(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut doc = json!({"format": FORMAT, "kind": kind, "key": id, "record": record});
    if let Some(object) = doc.as_object_mut() {
        for (name, value) in extra {
            object.insert((*name).to_owned(), value.clone());
        }
    }
    Ok(doc)
}

#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub revision: u64,
    pub changes: u64,
    pub docs: BTreeMap<String, StoredDoc>,
    /// Refresh-token hash → token document id.
    pub refresh_index: HashMap<String, String>,
}

impl Snapshot {
    pub fn new(revision: u64, changes: u64, docs: Vec<(String, StoredDoc)>) -> Self {
        let docs: BTreeMap<String, StoredDoc> = docs.into_iter().collect();
        let refresh_index = docs
            .range("token-".to_owned()..)
            .take_while(|(id, _)| id.starts_with("token-"))
            .filter_map(|(id, doc)| {
                let hash = doc.source.pointer("/record/refresh_hash")?.as_str()?;
                Some((hash.to_owned(), id.clone()))
            })
            .collect();
        Self {
            revision,
            changes,
            docs,
            refresh_index,
        }
    }

    pub fn version(&self, id: &str) -> Option<DocVersion> {
        self.docs.get(id).map(|d| d.version)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.docs.contains_key(id)
    }

    pub fn get<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, StoreError> {
        self.docs.get(id).map(|d| decode(id, &d.source)).transpose()
    }

    pub fn list<T: DeserializeOwned>(&self, prefix: &str) -> Result<Vec<T>, StoreError> {
        self.with_prefix(prefix)
            .map(|(id, doc)| decode(id, &doc.source))
            .collect()
    }

    /// The documents whose id starts with `prefix`, in id order.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a StoredDoc)> + 'a {
        self.docs
            .range(prefix.to_owned()..)
            .take_while(move |(id, _)| id.starts_with(prefix))
    }
}

/// The record of a stored document, refusing formats this binary does not know.
pub(crate) fn decode<T: DeserializeOwned>(id: &str, source: &Value) -> Result<T, StoreError> {
    let format = source.get("format").and_then(Value::as_u64);
    if format != Some(FORMAT) {
        return Err(StoreError::Corrupt(format!(
            "document [{id}] has format {format:?}; this binary reads {FORMAT}"
        )));
    }
    let record = source
        .get("record")
        .cloned()
        .ok_or_else(|| StoreError::Corrupt(format!("document [{id}] has no record")))?;
    serde_json::from_value(record).map_err(|e| StoreError::Corrupt(format!("document [{id}]: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(source: Value) -> StoredDoc {
        StoredDoc {
            version: DocVersion {
                seq_no: 1,
                primary_term: 1,
            },
            source,
        }
    }

    #[test]
    fn composite_ids_cannot_collide() {
        assert_ne!(privilege_id("a:b", "c"), privilege_id("a", "b:c"));
        assert_ne!(
            service_token_id("a", "b:c", "d"),
            service_token_id("a:b", "c", "d")
        );
        assert_ne!(object_id("space", "x"), object_id("spac", "e:x"));
        assert!(privilege_id("app", "read").starts_with(&privilege_prefix("app")));
    }

    #[test]
    fn prefixes_select_one_kind() {
        let docs = vec![
            (
                role_id("a"),
                stored(envelope("role", "role-a", &1, &[]).unwrap()),
            ),
            (
                mapping_id("a"),
                stored(envelope("mapping", "mapping-a", &2, &[]).unwrap()),
            ),
            (
                role_id("b"),
                stored(envelope("role", "role-b", &3, &[]).unwrap()),
            ),
        ];
        let snapshot = Snapshot::new(0, 0, docs);
        assert_eq!(snapshot.list::<u32>("role-").unwrap(), [1, 3]);
        assert_eq!(snapshot.list::<u32>("mapping-").unwrap(), [2]);
    }

    #[test]
    fn unknown_formats_are_corrupt() {
        let err = decode::<u32>("x", &json!({"format": 99, "record": 1})).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        let err = decode::<u32>("x", &json!({"format": 1})).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn refresh_hashes_are_indexed() {
        let source = json!({"format": 1, "record": {"refresh_hash": "r1"}});
        let snapshot = Snapshot::new(0, 0, vec![(token_id("a1"), stored(source))]);
        assert_eq!(snapshot.refresh_index.get("r1"), Some(&token_id("a1")));
    }
}
