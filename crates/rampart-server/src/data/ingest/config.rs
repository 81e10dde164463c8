//! Reading one processor's configuration the way the ingest node does: every option is taken
//! out of the map as it is read, and whatever is left over is an error, so a misspelt option
//! is refused rather than ignored. Errors are `parse_exception`s carrying the processor's
//! type, tag and the property at fault.

use serde_json::{Map, Value, json};

use super::field::{FieldPath, java_type};
use crate::error::ApiError;

/// One processor's options being read.
#[derive(Debug)]
pub struct ProcessorConfig {
    pub kind: String,
    pub tag: Option<String>,
    options: Map<String, Value>,
}

/// A configuration error in ES's shape, outside any processor option (`processor_type` only).
pub fn processor_error(kind: &str, tag: Option<&str>, reason: impl Into<String>) -> ApiError {
    let mut e = ApiError::parse(reason).with_meta("processor_type", json!(kind));
    if let Some(tag) = tag {
        e = e.with_meta("processor_tag", json!(tag));
    }
    e
}

impl ProcessorConfig {
    /// Take a processor's options (`tag` is read at once: every error names it).
    pub fn new(kind: &str, options: Map<String, Value>) -> Result<Self, ApiError> {
        let mut config = ProcessorConfig {
            kind: kind.to_string(),
            tag: None,
            options,
        };
        config.tag = config.optional_string("tag")?;
        Ok(config)
    }

    /// An error about `property`.
    pub fn error(&self, property: &str, reason: impl std::fmt::Display) -> ApiError {
        processor_error(
            &self.kind,
            self.tag.as_deref(),
            format!("[{property}] {reason}"),
        )
        .with_meta("property_name", json!(property))
    }

    fn type_error(&self, property: &str, expected: &str, value: &Value) -> ApiError {
        self.error(
            property,
            format!(
                "property isn't {expected}, but of type [{}]",
                java_type(value)
            ),
        )
    }

    /// Take a raw option.
    pub fn take(&mut self, property: &str) -> Option<Value> {
        self.options.remove(property)
    }

    pub fn optional_string(&mut self, property: &str) -> Result<Option<String>, ApiError> {
        match self.take(property) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.type_error(property, "a string", &other)),
        }
    }

    pub fn required_string(&mut self, property: &str) -> Result<String, ApiError> {
        self.optional_string(property)?
            .ok_or_else(|| self.error(property, "required property is missing"))
    }

    pub fn boolean(&mut self, property: &str, default: bool) -> Result<bool, ApiError> {
        match self.take(property) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(b),
            // ES accepts the strings "true" and "false" here too.
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            Some(other) => Err(self.type_error(property, "a boolean", &other)),
        }
    }

    /// A field path option.
    pub fn required_field(&mut self, property: &str) -> Result<FieldPath, ApiError> {
        let text = self.required_string(property)?;
        FieldPath::parse(&text).map_err(|reason| self.error(property, reason))
    }

    pub fn optional_field(&mut self, property: &str) -> Result<Option<FieldPath>, ApiError> {
        match self.optional_string(property)? {
            None => Ok(None),
            Some(text) => FieldPath::parse(&text)
                .map(Some)
                .map_err(|reason| self.error(property, reason)),
        }
    }

    /// A string or a list of strings (`remove`'s `field`).
    pub fn string_or_list(&mut self, property: &str) -> Result<Vec<String>, ApiError> {
        match self.take(property) {
            None | Some(Value::Null) => Err(self.error(property, "required property is missing")),
            Some(Value::String(s)) => Ok(vec![s]),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(self.type_error(property, "a string", &other)),
                })
                .collect(),
            Some(other) => Err(self.type_error(property, "a string or a list", &other)),
        }
    }

    /// An optional list of strings.
    pub fn optional_strings(&mut self, property: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.take(property) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(self.type_error(property, "a string", &other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.type_error(property, "a list", &other)),
        }
    }

    /// A literal value option; mustache templates are refused (this server renders none).
    pub fn literal(&mut self, property: &str) -> Result<Option<Value>, ApiError> {
        let value = self.take(property);
        if let Some(v) = &value
            && contains_template(v)
        {
            return Err(self.error(
                property,
                "mustache templates are not supported by this server",
            ));
        }
        Ok(value)
    }

    /// The options nobody read: ES's "doesn't support" error when any remain.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.options.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self.options.keys().map(String::as_str).collect();
        Err(processor_error(
            &self.kind,
            self.tag.as_deref(),
            format!(
                "processor [{}] doesn't support one or more provided configuration parameters [{}]",
                self.kind,
                names.join(", ")
            ),
        ))
    }
}

fn contains_template(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(contains_template),
        Value::Object(m) => m.values().any(contains_template),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(v: Value) -> ProcessorConfig {
        ProcessorConfig::new("set", v.as_object().cloned().unwrap()).unwrap()
    }

    #[test]
    fn missing_and_mistyped_options_name_the_property() {
        let mut c = config(json!({"tag": "t1", "override": 3}));
        let e = c.required_string("field").unwrap_err();
        assert_eq!(e.reason, "[field] required property is missing");
        assert_eq!(e.metadata["property_name"], json!("field"));
        assert_eq!(e.metadata["processor_type"], json!("set"));
        assert_eq!(e.metadata["processor_tag"], json!("t1"));
        let e = c.boolean("override", true).unwrap_err();
        assert_eq!(
            e.reason,
            "[override] property isn't a boolean, but of type [java.lang.Integer]"
        );
    }

    #[test]
    fn leftover_options_are_refused() {
        let mut c = config(json!({"field": "a", "valu": 1}));
        c.required_string("field").unwrap();
        let e = c.finish().unwrap_err();
        assert_eq!(
            e.reason,
            "processor [set] doesn't support one or more provided configuration parameters [valu]"
        );
    }

    #[test]
    fn templates_in_values_are_refused() {
        let mut c = config(json!({"value": {"x": ["{{name}}"]}}));
        assert!(c.literal("value").is_err());
    }
}
