//! The processors this server executes: `set`, `remove`, `rename`, `lowercase`, `uppercase`,
//! `append` and `set_security_user`. Any other type is refused when the pipeline is stored,
//! with the ingest node's "No processor type exists" error, so a stored pipeline always runs
//! exactly as written.

use serde_json::{Map, Value};

use super::config::{ProcessorConfig, processor_error};
use super::field::{FieldPath, java_type};
use super::security_user::{SetSecurityUser, UserFacts};
use crate::error::ApiError;

/// One configured processor with its common options.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub processor: Processor,
    pub tag: Option<String>,
    /// `ignore_failure`: a failure of this processor leaves the document as it was.
    pub ignore_failure: bool,
}

/// The processor types.
#[derive(Debug, Clone, PartialEq)]
pub enum Processor {
    Set {
        field: FieldPath,
        value: Value,
        override_existing: bool,
        ignore_empty_value: bool,
    },
    Remove {
        fields: Vec<FieldPath>,
        ignore_missing: bool,
    },
    Rename {
        field: FieldPath,
        target: FieldPath,
        ignore_missing: bool,
        override_existing: bool,
    },
    Case {
        field: FieldPath,
        target: FieldPath,
        ignore_missing: bool,
        upper: bool,
    },
    Append {
        field: FieldPath,
        value: Value,
        allow_duplicates: bool,
    },
    SetSecurityUser(SetSecurityUser),
}

impl Step {
    /// Parse `{"<type>": {options}}`'s type and options.
    pub fn parse(kind: &str, options: &Value) -> Result<Self, ApiError> {
        let Value::Object(options) = options else {
            return Err(processor_error(
                kind,
                None,
                format!("property isn't a map, but of type [{}]", java_type(options)),
            ));
        };
        let mut config = ProcessorConfig::new(kind, options.clone())?;
        // Descriptions document the pipeline; they change nothing.
        config.optional_string("description")?;
        for unsupported in ["if", "on_failure"] {
            if config.take(unsupported).is_some() {
                return Err(config.error(
                    unsupported,
                    "is not supported by this server (no painless conditions or failure handlers)",
                ));
            }
        }
        let ignore_failure = config.boolean("ignore_failure", false)?;
        let processor = match kind {
            "set" => parse_set(&mut config)?,
            "remove" => Processor::Remove {
                fields: {
                    let texts = config.string_or_list("field")?;
                    texts
                        .iter()
                        .map(|t| FieldPath::parse(t).map_err(|r| config.error("field", r)))
                        .collect::<Result<_, _>>()?
                },
                ignore_missing: config.boolean("ignore_missing", false)?,
            },
            "rename" => Processor::Rename {
                field: config.required_field("field")?,
                target: config.required_field("target_field")?,
                ignore_missing: config.boolean("ignore_missing", false)?,
                override_existing: config.boolean("override", false)?,
            },
            "lowercase" | "uppercase" => {
                let field = config.required_field("field")?;
                Processor::Case {
                    target: config
                        .optional_field("target_field")?
                        .unwrap_or_else(|| field.clone()),
                    field,
                    ignore_missing: config.boolean("ignore_missing", false)?,
                    upper: kind == "uppercase",
                }
            }
            "append" => Processor::Append {
                field: config.required_field("field")?,
                value: config
                    .literal("value")?
                    .ok_or_else(|| config.error("value", "required property is missing"))?,
                allow_duplicates: config.boolean("allow_duplicates", true)?,
            },
            "set_security_user" => Processor::SetSecurityUser(SetSecurityUser::parse(&mut config)?),
            other => {
                return Err(processor_error(
                    other,
                    None,
                    format!("No processor type exists with name [{other}]"),
                ));
            }
        };
        let tag = config.tag.clone();
        config.finish()?;
        Ok(Step {
            processor,
            tag,
            ignore_failure,
        })
    }

    /// Whether this step needs the caller's identity.
    pub fn needs_user(&self) -> bool {
        matches!(self.processor, Processor::SetSecurityUser(_))
    }

    /// Run on `doc`; with `ignore_failure` a failing step changes nothing.
    pub fn run(&self, doc: &mut Map<String, Value>, user: &UserFacts) -> Result<(), ApiError> {
        if !self.ignore_failure {
            return self.processor.run(doc, user);
        }
        let mut attempt = doc.clone();
        if self.processor.run(&mut attempt, user).is_ok() {
            *doc = attempt;
        }
        Ok(())
    }
}

fn parse_set(config: &mut ProcessorConfig) -> Result<Processor, ApiError> {
    let field = config.required_field("field")?;
    if config.take("copy_from").is_some() {
        return Err(config.error("copy_from", "is not supported by this server"));
    }
    let value = config
        .literal("value")?
        .ok_or_else(|| config.error("value", "required property is missing"))?;
    Ok(Processor::Set {
        field,
        value,
        override_existing: config.boolean("override", true)?,
        ignore_empty_value: config.boolean("ignore_empty_value", false)?,
    })
}

impl Processor {
    fn run(&self, doc: &mut Map<String, Value>, user: &UserFacts) -> Result<(), ApiError> {
        match self {
            Processor::Set {
                field,
                value,
                override_existing,
                ignore_empty_value,
            } => {
                let empty = value.is_null() || value.as_str().is_some_and(str::is_empty);
                if *ignore_empty_value && empty {
                    return Ok(());
                }
                let present = field.get(doc).is_some_and(|v| !v.is_null());
                if *override_existing || !present {
                    field.set(doc, value.clone())?;
                }
                Ok(())
            }
            Processor::Remove {
                fields,
                ignore_missing,
            } => {
                for field in fields {
                    if field.remove(doc)?.is_none() && !ignore_missing {
                        return Err(field.not_present());
                    }
                }
                Ok(())
            }
            Processor::Rename {
                field,
                target,
                ignore_missing,
                override_existing,
            } => {
                if field.get(doc).is_none() {
                    return if *ignore_missing {
                        Ok(())
                    } else {
                        Err(ApiError::bad_request(format!(
                            "field [{}] doesn't exist",
                            field.text
                        )))
                    };
                }
                if target.get(doc).is_some() && !override_existing {
                    return Err(ApiError::bad_request(format!(
                        "field [{}] already exists",
                        target.text
                    )));
                }
                let value = field.remove(doc)?.unwrap_or(Value::Null);
                target.set(doc, value)
            }
            Processor::Case {
                field,
                target,
                ignore_missing,
                upper,
            } => {
                let value = match field.get(doc) {
                    None | Some(Value::Null) if *ignore_missing => return Ok(()),
                    None => return Err(field.not_present()),
                    Some(Value::Null) => {
                        return Err(ApiError::bad_request(format!(
                            "field [{}] is null, cannot process it.",
                            field.text
                        )));
                    }
                    Some(v) => change_case(v, &field.text, *upper)?,
                };
                target.set(doc, value)
            }
            Processor::Append {
                field,
                value,
                allow_duplicates,
            } => {
                let additions: Vec<Value> = match value {
                    Value::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                let mut list = match field.get_mut(doc).map(Value::take) {
                    None => Vec::new(),
                    Some(Value::Array(items)) => items,
                    Some(other) => vec![other],
                };
                for v in additions {
                    if *allow_duplicates || !list.contains(&v) {
                        list.push(v);
                    }
                }
                field.set(doc, Value::Array(list))
            }
            Processor::SetSecurityUser(p) => p.apply(doc, user),
        }
    }
}

fn change_case(value: &Value, field: &str, upper: bool) -> Result<Value, ApiError> {
    let convert = |s: &str| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_lowercase()
        }
    };
    match value {
        Value::String(s) => Ok(Value::String(convert(s))),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(Value::String(convert(s))),
                other => Err(cast_error(field, other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Err(cast_error(field, other)),
    }
}

fn cast_error(field: &str, value: &Value) -> ApiError {
    ApiError::bad_request(format!(
        "field [{field}] of type [{}] cannot be cast to [java.lang.String]",
        java_type(value)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(kind: &str, options: Value, doc: Value) -> Result<Value, ApiError> {
        let step = Step::parse(kind, &options)?;
        let mut d = doc.as_object().cloned().unwrap();
        step.run(&mut d, &UserFacts::default())?;
        Ok(Value::Object(d))
    }

    #[test]
    fn set_respects_override_and_empty_values() {
        let doc = json!({"a": 1});
        assert_eq!(
            run("set", json!({"field": "a", "value": 2}), doc.clone()).unwrap(),
            json!({"a": 2})
        );
        assert_eq!(
            run(
                "set",
                json!({"field": "a", "value": 2, "override": false}),
                doc.clone()
            )
            .unwrap(),
            json!({"a": 1})
        );
        assert_eq!(
            run(
                "set",
                json!({"field": "b.c", "value": "", "ignore_empty_value": true}),
                doc
            )
            .unwrap(),
            json!({"a": 1})
        );
    }

    #[test]
    fn remove_and_rename_report_missing_fields() {
        let doc = json!({"a": {"b": 1}, "c": 2});
        assert_eq!(
            run("remove", json!({"field": ["a.b", "c"]}), doc.clone()).unwrap(),
            json!({"a": {}})
        );
        let e = run("remove", json!({"field": "x"}), doc.clone()).unwrap_err();
        assert_eq!(e.reason, "field [x] not present as part of path [x]");
        assert_eq!(
            run(
                "remove",
                json!({"field": "x", "ignore_missing": true}),
                doc.clone()
            )
            .unwrap(),
            doc
        );
        assert_eq!(
            run(
                "rename",
                json!({"field": "c", "target_field": "d.e"}),
                doc.clone()
            )
            .unwrap(),
            json!({"a": {"b": 1}, "d": {"e": 2}})
        );
        let e = run(
            "rename",
            json!({"field": "c", "target_field": "a"}),
            doc.clone(),
        )
        .unwrap_err();
        assert_eq!(e.reason, "field [a] already exists");
        let e = run("rename", json!({"field": "zz", "target_field": "y"}), doc).unwrap_err();
        assert_eq!(e.reason, "field [zz] doesn't exist");
    }

    #[test]
    fn case_changes_strings_and_refuses_other_types() {
        let doc = json!({"s": "MiXed", "l": ["A", "b"], "n": 3});
        assert_eq!(
            run("lowercase", json!({"field": "s"}), doc.clone()).unwrap()["s"],
            json!("mixed")
        );
        assert_eq!(
            run(
                "uppercase",
                json!({"field": "l", "target_field": "u"}),
                doc.clone()
            )
            .unwrap()["u"],
            json!(["A", "B"])
        );
        let e = run("uppercase", json!({"field": "n"}), doc).unwrap_err();
        assert_eq!(
            e.reason,
            "field [n] of type [java.lang.Integer] cannot be cast to [java.lang.String]"
        );
    }

    #[test]
    fn append_builds_lists() {
        let doc = json!({"t": "a"});
        assert_eq!(
            run(
                "append",
                json!({"field": "t", "value": ["a", "b"], "allow_duplicates": false}),
                doc.clone()
            )
            .unwrap(),
            json!({"t": ["a", "b"]})
        );
        assert_eq!(
            run("append", json!({"field": "new", "value": 1}), doc).unwrap()["new"],
            json!([1])
        );
    }

    #[test]
    fn ignore_failure_keeps_the_document() {
        let doc = json!({"n": 1});
        assert_eq!(
            run(
                "uppercase",
                json!({"field": "n", "ignore_failure": true}),
                doc.clone()
            )
            .unwrap(),
            doc
        );
    }

    #[test]
    fn unknown_types_conditions_and_options_are_refused() {
        let e = Step::parse("grok", &json!({"field": "m"})).unwrap_err();
        assert_eq!(e.reason, "No processor type exists with name [grok]");
        assert_eq!(e.metadata["processor_type"], json!("grok"));
        let e = Step::parse("set", &json!({"field": "a", "value": 1, "if": "ctx.x"})).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.reason.starts_with("[if] is not supported"),
            "{}",
            e.reason
        );
        let e = Step::parse("set", &json!("a")).unwrap_err();
        assert_eq!(
            e.reason,
            "property isn't a map, but of type [java.lang.String]"
        );
    }
}
