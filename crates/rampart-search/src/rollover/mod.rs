//! The `_rollover` request: its body (`conditions`, and `settings`/`mappings`/`aliases` for
//! the new index) parsed strictly as Elasticsearch's `RolloverRequest` parser does, its
//! `dry_run`/`lazy` parameters, the conditions evaluated against the source index, and the
//! response. Pure: the engine supplies the index facts and the clock.

mod conditions;
mod units;

use serde_json::{Map, Value, json};

pub use conditions::{Condition, ConditionKind, IndexFacts, Threshold};
pub use units::{ByteSize, TimeValue};

/// A parse failure as Elasticsearch reports it: an outermost exception and its causes
/// (`(type, reason)`, outermost first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason_text())]
pub struct ParseFailure {
    pub chain: Vec<(&'static str, String)>,
}

impl ParseFailure {
    fn new(es_type: &'static str, reason: impl Into<String>) -> Self {
        ParseFailure {
            chain: vec![(es_type, reason.into())],
        }
    }

    /// This failure wrapped by an outer exception (ES's `ObjectParser` wraps every field's
    /// failure in `[<parser>] failed to parse field [<field>]`).
    fn wrapped(self, es_type: &'static str, reason: impl Into<String>) -> Self {
        let mut chain = vec![(es_type, reason.into())];
        chain.extend(self.chain);
        ParseFailure { chain }
    }

    fn reason_text(&self) -> String {
        self.chain
            .first()
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }

    /// The error object's `caused_by`, nested as ES renders it (none for a single failure).
    pub fn caused_by(&self) -> Option<Value> {
        self.chain.iter().skip(1).rev().fold(None, |inner, (t, r)| {
            let mut o = json!({"type": t, "reason": r});
            if let (Some(inner), Some(obj)) = (inner, o.as_object_mut()) {
                obj.insert("caused_by".into(), inner);
            }
            Some(o)
        })
    }
}

impl rampart_core::error::EsError for ParseFailure {
    fn es_type(&self) -> &'static str {
        self.chain
            .first()
            .map_or("x_content_parse_exception", |(t, _)| t)
    }
    fn status(&self) -> u16 {
        400
    }
    fn caused_by(&self) -> Option<(&'static str, String)> {
        self.chain.get(1).cloned()
    }
}

pub(crate) const XCONTENT: &str = "x_content_parse_exception";
const VALIDATION: &str = "action_request_validation_exception";

/// A parsed rollover request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolloverRequest {
    /// In body order; an empty list rolls over unconditionally.
    pub conditions: Vec<Condition>,
    /// `settings`, `mappings`, `aliases` for the new index (a create-index body).
    pub create: Map<String, Value>,
    pub dry_run: bool,
    pub lazy: bool,
}

impl RolloverRequest {
    /// Parses the body (absent or `{}`: no conditions) and validates it as ES's
    /// `RolloverRequest.validate` does.
    pub fn parse(body: Option<&Value>, dry_run: bool, lazy: bool) -> Result<Self, ParseFailure> {
        let mut out = RolloverRequest {
            dry_run,
            lazy,
            ..Default::default()
        };
        let Some(body) = body else { return Ok(out) };
        let Some(obj) = body.as_object() else {
            return Err(ParseFailure::new(
                XCONTENT,
                "[rollover] Expected START_OBJECT but was: ".to_string() + token(body),
            ));
        };
        for (key, value) in obj {
            match key.as_str() {
                "conditions" => {
                    let fields = object_field("rollover", key, value)?;
                    out.conditions = conditions::parse(fields).map_err(|e| {
                        e.wrapped(XCONTENT, "[rollover] failed to parse field [conditions]")
                    })?;
                }
                "settings" | "aliases" => {
                    object_field("rollover", key, value)?;
                    out.create.insert(key.clone(), value.clone());
                }
                "mappings" => {
                    let fields = object_field("rollover", key, value)?;
                    if fields.len() == 1 && fields.contains_key("_doc") {
                        return Err(ParseFailure::new(
                            "illegal_argument_exception",
                            "The mapping definition cannot be nested under a type",
                        )
                        .wrapped(XCONTENT, "[rollover] failed to parse field [mappings]"));
                    }
                    out.create.insert(key.clone(), value.clone());
                }
                other => {
                    return Err(ParseFailure::new(
                        XCONTENT,
                        format!("[rollover] unknown field [{other}]"),
                    ));
                }
            }
        }
        let has_min = out.conditions.iter().any(|c| c.kind.is_min());
        let has_max = out.conditions.iter().any(|c| !c.kind.is_min());
        if has_min && !has_max {
            return Err(ParseFailure::new(
                VALIDATION,
                "Validation Failed: 1: at least one max_* rollover condition must be set when using min_* conditions;",
            ));
        }
        Ok(out)
    }

    /// Whether the body names settings, mappings or aliases for the new index.
    pub fn has_create_body(&self) -> bool {
        !self.create.is_empty()
    }

    /// Each condition's label (`[max_docs: 2]`) and whether the index meets it.
    pub fn evaluate(&self, facts: &IndexFacts, now_ms: i64) -> Vec<(String, bool)> {
        self.conditions
            .iter()
            .map(|c| (c.label(), c.is_met(facts, now_ms)))
            .collect()
    }

    /// ES's rule: no conditions, or every `min_*` condition and at least one `max_*` met.
    pub fn conditions_met(&self, results: &[(String, bool)]) -> bool {
        if results.is_empty() {
            return true;
        }
        let met = |c: &Condition| results.iter().any(|(l, m)| *m && *l == c.label());
        let mins = self.conditions.iter().filter(|c| c.kind.is_min()).all(met);
        let any_max = self.conditions.iter().filter(|c| !c.kind.is_min()).any(met);
        mins && any_max
    }
}

/// The rollover response (`RolloverResponse`'s fields, in its order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloverOutcome {
    pub old_index: String,
    pub new_index: String,
    pub conditions: Vec<(String, bool)>,
    pub dry_run: bool,
    pub rolled_over: bool,
    pub acknowledged: bool,
    pub lazy: bool,
}

impl RolloverOutcome {
    pub fn render(&self) -> Value {
        let conditions: Map<String, Value> = self
            .conditions
            .iter()
            .map(|(label, met)| (label.clone(), Value::Bool(*met)))
            .collect();
        json!({
            "acknowledged": self.acknowledged,
            "shards_acknowledged": self.acknowledged && self.rolled_over,
            "old_index": self.old_index,
            "new_index": self.new_index,
            "rolled_over": self.rolled_over,
            "dry_run": self.dry_run,
            "lazy": self.lazy,
            "conditions": conditions,
        })
    }
}

/// The object value of `field` in the `parser` object, or ES's type error.
pub(crate) fn object_field<'a>(
    parser: &str,
    field: &str,
    value: &'a Value,
) -> Result<&'a Map<String, Value>, ParseFailure> {
    value.as_object().ok_or_else(|| {
        ParseFailure::new(
            XCONTENT,
            format!(
                "[{parser}] {field} doesn't support values of type: {}",
                token(value)
            ),
        )
    })
}

pub(crate) use rampart_core::json_token as token;

#[cfg(test)]
mod tests;
