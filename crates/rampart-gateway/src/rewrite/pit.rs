//! Point-in-time ids through the gateway. The client's PIT id is a `ScrollBinder` token whose
//! bound payload holds the upstream's id *and* the concrete indices the PIT was opened on:
//! Elasticsearch authorizes a PIT search on the PIT's indices (the request names none), and
//! the MAC makes that list as unforgeable as the owner, so a search can be authorized and
//! rewritten exactly without asking the upstream what the PIT covers.

use serde_json::{Map, Value, json};

use super::scroll::{ScrollBinder, ScrollError};

/// What a client's PIT id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PitBinding {
    /// The concrete indices the PIT was opened on (as authorized then).
    pub indices: Vec<String>,
    /// The upstream's own PIT id.
    pub upstream_id: String,
}

impl PitBinding {
    /// The id handed to `owner`.
    pub fn bind(&self, binder: &ScrollBinder, owner: &str) -> String {
        let payload = json!({"pit": self.upstream_id, "indices": self.indices});
        binder.bind(owner, &payload.to_string())
    }

    /// The binding behind `token`, if it was issued to `owner` as a PIT id. A scroll id (or
    /// anything else) presented as a PIT id finds no context, as in Elasticsearch.
    pub fn unbind(binder: &ScrollBinder, owner: &str, token: &str) -> Result<Self, ScrollError> {
        let payload = binder.unbind(owner, token)?;
        let not_found = || ScrollError::NotFound(token.to_owned());
        let value: Value = serde_json::from_str(&payload).map_err(|_| not_found())?;
        let upstream_id = value
            .get("pit")
            .and_then(Value::as_str)
            .ok_or_else(not_found)?
            .to_owned();
        let indices = value
            .get("indices")
            .and_then(Value::as_array)
            .ok_or_else(not_found)?
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(not_found))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            indices,
            upstream_id,
        })
    }

    /// Replaces the upstream's `pit_id` in a search answer by one bound like this PIT (the
    /// upstream may hand out a new id for the same PIT).
    pub fn bind_answer(&self, binder: &ScrollBinder, owner: &str, answer: &mut Value) {
        if let Some(Value::String(id)) = answer.get_mut("pit_id") {
            let rebound = Self {
                indices: self.indices.clone(),
                upstream_id: std::mem::take(id),
            };
            *id = rebound.bind(binder, owner);
        }
    }
}

/// A search body's `pit` section, taken out so the rest can be parsed and planned as an
/// ordinary search: `(body without pit, pit section)`; `None` if it has no `pit`.
pub fn split_pit(body: &Value) -> Option<(Value, Map<String, Value>)> {
    let object = body.as_object()?;
    let pit = object.get("pit")?;
    let pit = pit.as_object().cloned().unwrap_or_default();
    let mut rest = object.clone();
    rest.remove("pit");
    Some((Value::Object(rest), pit))
}

/// The client's PIT id in a `pit` section.
pub fn pit_id(pit: &Map<String, Value>) -> Option<&str> {
    pit.get("id").and_then(Value::as_str)
}

/// `body` with the `pit` section restored, its id replaced by the upstream's.
pub fn with_upstream_pit(mut body: Value, mut pit: Map<String, Value>, upstream_id: &str) -> Value {
    pit.insert("id".into(), json!(upstream_id));
    if let Some(object) = body.as_object_mut() {
        object.insert("pit".into(), Value::Object(pit));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binder() -> ScrollBinder {
        ScrollBinder::new(&[9u8; 32]).unwrap()
    }

    fn binding() -> PitBinding {
        PitBinding {
            indices: vec!["docs".into(), "logs-1".into()],
            upstream_id: "upstream-pit==".into(),
        }
    }

    #[test]
    fn the_opener_gets_indices_and_id_back() {
        let b = binder();
        let token = binding().bind(&b, "native/alice");
        assert_eq!(
            PitBinding::unbind(&b, "native/alice", &token).unwrap(),
            binding()
        );
        let other = PitBinding::unbind(&b, "native/bob", &token).unwrap_err();
        assert!(matches!(other, ScrollError::NotFound(_)));
    }

    #[test]
    fn a_scroll_id_is_no_pit_id() {
        let b = binder();
        let scroll = b.bind("alice", "a-scroll-id");
        assert!(matches!(
            PitBinding::unbind(&b, "alice", &scroll),
            Err(ScrollError::NotFound(_))
        ));
    }

    #[test]
    fn answers_keep_the_indices() {
        let b = binder();
        let mut answer = json!({"pit_id": "new-upstream-id", "hits": {}});
        binding().bind_answer(&b, "alice", &mut answer);
        let again = PitBinding::unbind(&b, "alice", answer["pit_id"].as_str().unwrap()).unwrap();
        assert_eq!(again.indices, binding().indices);
        assert_eq!(again.upstream_id, "new-upstream-id");
    }

    #[test]
    fn pit_sections_split_and_restore() {
        let body = json!({"query": {"match_all": {}}, "pit": {"id": "c", "keep_alive": "1m"}});
        let (rest, pit) = split_pit(&body).unwrap();
        assert_eq!(rest, json!({"query": {"match_all": {}}}));
        assert_eq!(pit_id(&pit), Some("c"));
        let restored = with_upstream_pit(rest, pit, "u");
        assert_eq!(restored["pit"], json!({"id": "u", "keep_alive": "1m"}));
        assert!(split_pit(&json!({"size": 1})).is_none());
    }
}
