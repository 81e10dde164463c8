//! A pipeline: its definition as the client wrote it (what `GET` returns) and the compiled
//! processor steps (what runs).

use serde_json::{Map, Value, json};

use super::field::java_type;
use super::processors::Step;
use super::security_user::UserFacts;
use crate::error::ApiError;

/// Top-level keys a pipeline definition may carry besides `processors`.
const DOCUMENTATION_KEYS: &[&str] = &["description", "version", "_meta", "deprecated"];

/// A compiled pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub steps: Vec<Step>,
}

impl Pipeline {
    /// Validate and compile a definition (`id` names it in errors).
    pub fn compile(id: &str, definition: &Value) -> Result<Self, ApiError> {
        let Value::Object(def) = definition else {
            return Err(ApiError::parse(format!(
                "pipeline [{id}] definition isn't a map, but of type [{}]",
                java_type(definition)
            )));
        };
        let unknown: Vec<&str> = def
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "processors" && *k != "on_failure" && !DOCUMENTATION_KEYS.contains(k))
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::parse(format!(
                "pipeline [{id}] doesn't support one or more provided configuration parameters [{}]",
                unknown.join(", ")
            )));
        }
        if def.contains_key("on_failure") {
            return Err(ApiError::parse(
                "[on_failure] pipeline failure handlers are not supported by this server",
            )
            .with_meta("property_name", json!("on_failure")));
        }
        check_documentation(def)?;
        let processors = match def.get("processors") {
            None | Some(Value::Null) => {
                return Err(ApiError::parse("[processors] required property is missing")
                    .with_meta("property_name", json!("processors")));
            }
            Some(Value::Array(list)) => list,
            Some(other) => {
                return Err(ApiError::parse(format!(
                    "[processors] property isn't a list, but of type [{}]",
                    java_type(other)
                ))
                .with_meta("property_name", json!("processors")));
            }
        };
        let mut steps = Vec::with_capacity(processors.len());
        for entry in processors {
            let Value::Object(entry) = entry else {
                return Err(ApiError::parse(format!(
                    "[processors] property isn't a list of maps, but contains [{}]",
                    java_type(entry)
                ))
                .with_meta("property_name", json!("processors")));
            };
            for (kind, options) in entry {
                steps.push(Step::parse(kind, options)?);
            }
        }
        Ok(Pipeline { steps })
    }

    /// Whether any step writes the caller's identity.
    pub fn needs_user(&self) -> bool {
        self.steps.iter().any(Step::needs_user)
    }

    /// Run every step in order on a document's source.
    pub fn run(&self, doc: &mut Map<String, Value>, user: &UserFacts) -> Result<(), ApiError> {
        for step in &self.steps {
            step.run(doc, user)?;
        }
        Ok(())
    }
}

fn check_documentation(def: &Map<String, Value>) -> Result<(), ApiError> {
    let wrong = |key: &str, expected: &str, v: &Value| {
        ApiError::parse(format!(
            "[{key}] property isn't {expected}, but of type [{}]",
            java_type(v)
        ))
        .with_meta("property_name", json!(key))
    };
    match def.get("description") {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(v) => return Err(wrong("description", "a string", v)),
    }
    match def.get("version") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.is_i64() => {}
        Some(v) => return Err(wrong("version", "an integer", v)),
    }
    match def.get("_meta") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(v) => return Err(wrong("_meta", "a map", v)),
    }
    match def.get("deprecated") {
        None | Some(Value::Null | Value::Bool(_)) => {}
        Some(v) => return Err(wrong("deprecated", "a boolean", v)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_runs_steps_in_order() {
        let p = Pipeline::compile(
            "p",
            &json!({"description": "d", "version": 3, "processors": [
                {"set": {"field": "a", "value": "X"}},
                {"lowercase": {"field": "a"}},
                {"rename": {"field": "a", "target_field": "b"}}
            ]}),
        )
        .unwrap();
        assert!(!p.needs_user());
        let mut doc = Map::new();
        p.run(&mut doc, &UserFacts::default()).unwrap();
        assert_eq!(Value::Object(doc), json!({"b": "x"}));
    }

    #[test]
    fn definition_errors_are_parse_exceptions() {
        let e = Pipeline::compile("p", &json!({"description": "d"})).unwrap_err();
        assert_eq!(e.es_type, "parse_exception");
        assert_eq!(e.reason, "[processors] required property is missing");
        let e = Pipeline::compile("p", &json!({"processors": [], "bogus": 1})).unwrap_err();
        assert_eq!(
            e.reason,
            "pipeline [p] doesn't support one or more provided configuration parameters [bogus]"
        );
        let e = Pipeline::compile("p", &json!({"processors": [], "on_failure": []})).unwrap_err();
        assert_eq!(e.status, 400);
        let e = Pipeline::compile("p", &json!({"processors": [{"foo": {}}]})).unwrap_err();
        assert_eq!(e.reason, "No processor type exists with name [foo]");
        let e = Pipeline::compile("p", &json!({"processors": {}})).unwrap_err();
        assert!(e.reason.starts_with("[processors] property isn't a list"));
    }

    #[test]
    fn set_security_user_marks_the_pipeline() {
        let p = Pipeline::compile(
            "p",
            &json!({"processors": [{"set_security_user": {"field": "u"}}]}),
        )
        .unwrap();
        assert!(p.needs_user());
    }
}
