//! Dotted field paths into a document's `_source`, with the ingest node's error texts.
//!
//! A path `a.b.c` walks objects (and, when reading, arrays by position). The `_source.` prefix
//! names the same source field; metadata fields (`_index`, `_id`, …) and `_ingest.*` would
//! change where or how the document is written, which this server does not do from a
//! pipeline, so processors naming them are refused when the pipeline is stored.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Metadata fields an ingest document exposes besides its source.
const METADATA: &[&str] = &[
    "_index",
    "_id",
    "_routing",
    "_version",
    "_version_type",
    "_if_seq_no",
    "_if_primary_term",
    "_dynamic_templates",
    "_ingest",
];

/// A parsed, non-empty field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// As written in the processor (used in error messages).
    pub text: String,
    segments: Vec<String>,
}

impl FieldPath {
    /// Parse `text`; `Err` carries the reason (the caller wraps it with the processor).
    pub fn parse(text: &str) -> Result<Self, String> {
        let path = text.strip_prefix("_source.").unwrap_or(text);
        let segments: Vec<String> = path.split('.').map(String::from).collect();
        let first = segments.first().map(String::as_str).unwrap_or_default();
        if path.is_empty() || segments.iter().any(String::is_empty) {
            return Err(format!("path [{text}] is not valid"));
        }
        if text.contains("{{") {
            return Err(format!(
                "field name templates ([{text}]) are not supported by this server"
            ));
        }
        if METADATA.contains(&first) {
            return Err(format!(
                "writing the metadata field [{first}] from a pipeline is not supported by this server"
            ));
        }
        Ok(FieldPath {
            text: text.to_string(),
            segments,
        })
    }

    /// The value at this path, if present.
    pub fn get<'a>(&self, doc: &'a Map<String, Value>) -> Option<&'a Value> {
        let (first, rest) = self.segments.split_first()?;
        let mut current = doc.get(first)?;
        for seg in rest {
            current = match current {
                Value::Object(m) => m.get(seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// The parent object of the leaf, created on the way when `create` (ES's `setFieldValue`).
    fn parent_mut<'a>(
        &self,
        doc: &'a mut Map<String, Value>,
        create: bool,
    ) -> Result<(&'a mut Map<String, Value>, &str), ApiError> {
        let Some((leaf, parents)) = self.segments.split_last() else {
            return Err(ApiError::bad_request("path cannot be null nor empty"));
        };
        let mut current = doc;
        for seg in parents {
            if create && !current.contains_key(seg) {
                current.insert(seg.clone(), Value::Object(Map::new()));
            }
            current = match current.get_mut(seg) {
                Some(Value::Object(m)) => m,
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "cannot set [{leaf}] with parent object of type [{}] as part of path [{}]",
                        java_type(other),
                        self.text
                    )));
                }
                None => return Err(self.not_present_segment(seg)),
            };
        }
        Ok((current, leaf.as_str()))
    }

    /// Set the value, creating missing parent objects.
    pub fn set(&self, doc: &mut Map<String, Value>, value: Value) -> Result<(), ApiError> {
        let (parent, leaf) = self.parent_mut(doc, true)?;
        parent.insert(leaf.to_string(), value);
        Ok(())
    }

    /// Remove and return the value; `Ok(None)` when it is absent.
    pub fn remove(&self, doc: &mut Map<String, Value>) -> Result<Option<Value>, ApiError> {
        if self.get(doc).is_none() {
            return Ok(None);
        }
        let (parent, leaf) = self.parent_mut(doc, false)?;
        Ok(parent.remove(leaf))
    }

    /// Mutable access to an existing value.
    pub fn get_mut<'a>(&self, doc: &'a mut Map<String, Value>) -> Option<&'a mut Value> {
        let (first, rest) = self.segments.split_first()?;
        let mut current = doc.get_mut(first)?;
        for seg in rest {
            current = match current {
                Value::Object(m) => m.get_mut(seg)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// ES's error for a missing field.
    pub fn not_present(&self) -> ApiError {
        let leaf = self.segments.last().map(String::as_str).unwrap_or_default();
        self.not_present_segment(leaf)
    }

    fn not_present_segment(&self, seg: &str) -> ApiError {
        ApiError::bad_request(format!(
            "field [{seg}] not present as part of path [{}]",
            self.text
        ))
    }
}

/// The Java class name ES reports for a JSON value in type errors.
pub fn java_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => "java.lang.Integer",
            _ => "java.lang.Long",
        },
        Value::Number(_) => "java.lang.Double",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn get_walks_objects_and_arrays() {
        let d = doc(json!({"a": {"b": [10, {"c": 3}]}}));
        assert_eq!(
            FieldPath::parse("a.b.1.c").unwrap().get(&d),
            Some(&json!(3))
        );
        assert_eq!(
            FieldPath::parse("_source.a.b.0").unwrap().get(&d),
            Some(&json!(10))
        );
        assert_eq!(FieldPath::parse("a.x").unwrap().get(&d), None);
    }

    #[test]
    fn set_creates_parents_and_refuses_scalar_parents() {
        let mut d = doc(json!({"s": "text"}));
        FieldPath::parse("x.y.z")
            .unwrap()
            .set(&mut d, json!(1))
            .unwrap();
        assert_eq!(d["x"], json!({"y": {"z": 1}}));
        let err = FieldPath::parse("s.t")
            .unwrap()
            .set(&mut d, json!(1))
            .unwrap_err();
        assert_eq!(
            err.reason,
            "cannot set [t] with parent object of type [java.lang.String] as part of path [s.t]"
        );
    }

    #[test]
    fn remove_reports_absence() {
        let mut d = doc(json!({"a": {"b": 1, "c": 2}}));
        let p = FieldPath::parse("a.b").unwrap();
        assert_eq!(p.remove(&mut d).unwrap(), Some(json!(1)));
        assert_eq!(p.remove(&mut d).unwrap(), None);
        assert_eq!(d, doc(json!({"a": {"c": 2}})));
        assert_eq!(
            p.not_present().reason,
            "field [b] not present as part of path [a.b]"
        );
    }

    #[test]
    fn metadata_templates_and_empty_segments_are_refused() {
        assert!(FieldPath::parse("_index").is_err());
        assert!(FieldPath::parse("_ingest.timestamp").is_err());
        assert!(FieldPath::parse("{{name}}").is_err());
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("").is_err());
        assert!(FieldPath::parse("_source.").is_err());
    }
}
