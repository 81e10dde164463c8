//! Rollover conditions (`max_age`, `max_docs`, `max_size`, `max_primary_shard_size`,
//! `max_primary_shard_docs` and their `min_*` forms): parsed as ES's `rollover_conditions`
//! parser, labelled `[<name>: <value>]` and evaluated against the source index.

use serde_json::{Map, Value};

use super::units::{ByteSize, TimeValue};
use super::{ParseFailure, XCONTENT, token};

/// Which condition, and so which value type and which statistic it compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    MaxAge,
    MaxDocs,
    MaxSize,
    MaxPrimaryShardSize,
    MaxPrimaryShardDocs,
    MinAge,
    MinDocs,
    MinSize,
    MinPrimaryShardSize,
    MinPrimaryShardDocs,
}

const KINDS: [ConditionKind; 10] = [
    ConditionKind::MaxAge,
    ConditionKind::MaxDocs,
    ConditionKind::MaxSize,
    ConditionKind::MaxPrimaryShardSize,
    ConditionKind::MaxPrimaryShardDocs,
    ConditionKind::MinAge,
    ConditionKind::MinDocs,
    ConditionKind::MinSize,
    ConditionKind::MinPrimaryShardSize,
    ConditionKind::MinPrimaryShardDocs,
];

impl ConditionKind {
    pub fn name(self) -> &'static str {
        match self {
            ConditionKind::MaxAge => "max_age",
            ConditionKind::MaxDocs => "max_docs",
            ConditionKind::MaxSize => "max_size",
            ConditionKind::MaxPrimaryShardSize => "max_primary_shard_size",
            ConditionKind::MaxPrimaryShardDocs => "max_primary_shard_docs",
            ConditionKind::MinAge => "min_age",
            ConditionKind::MinDocs => "min_docs",
            ConditionKind::MinSize => "min_size",
            ConditionKind::MinPrimaryShardSize => "min_primary_shard_size",
            ConditionKind::MinPrimaryShardDocs => "min_primary_shard_docs",
        }
    }

    pub fn is_min(self) -> bool {
        self.name().starts_with("min_")
    }

    fn from_name(name: &str) -> Option<Self> {
        KINDS.into_iter().find(|k| k.name() == name)
    }
}

/// A condition's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    Age(TimeValue),
    Docs(i64),
    Size(ByteSize),
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threshold::Age(t) => t.fmt(f),
            Threshold::Docs(n) => n.fmt(f),
            Threshold::Size(s) => s.fmt(f),
        }
    }
}

/// One condition of a rollover request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub kind: ConditionKind,
    pub threshold: Threshold,
}

/// What the conditions are evaluated on: the source (write) index's primary statistics.
/// One shard per index here, so the largest primary shard is the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexFacts {
    pub docs: u64,
    pub size_bytes: u64,
    pub created_ms: i64,
}

impl Condition {
    /// `[max_docs: 2]`, the key of the response's `conditions`.
    pub fn label(&self) -> String {
        format!("[{}: {}]", self.kind.name(), self.threshold)
    }

    /// ES compares every condition with `>=` on the index's statistic (age = now − creation).
    pub fn is_met(&self, facts: &IndexFacts, now_ms: i64) -> bool {
        let docs = i128::from(facts.docs);
        let size = i128::from(facts.size_bytes);
        let age = i128::from(now_ms) - i128::from(facts.created_ms);
        match (self.kind, self.threshold) {
            (_, Threshold::Age(t)) => age >= t.millis(),
            (_, Threshold::Docs(n)) => docs >= i128::from(n),
            (_, Threshold::Size(s)) => size >= i128::from(s.bytes()),
        }
    }
}

const PARSER: &str = "rollover_conditions";

/// The `conditions` object, in body order.
pub(super) fn parse(fields: &Map<String, Value>) -> Result<Vec<Condition>, ParseFailure> {
    let mut out: Vec<Condition> = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let Some(kind) = ConditionKind::from_name(name) else {
            return Err(ParseFailure::new(
                XCONTENT,
                format!("[{PARSER}] unknown field [{name}]"),
            ));
        };
        let threshold = threshold(kind, name, value)?;
        out.push(Condition { kind, threshold });
    }
    Ok(out)
}

fn threshold(kind: ConditionKind, name: &str, value: &Value) -> Result<Threshold, ParseFailure> {
    let unsupported = || {
        ParseFailure::new(
            XCONTENT,
            format!(
                "[{PARSER}] {name} doesn't support values of type: {}",
                token(value)
            ),
        )
    };
    let failed = |cause: ParseFailure| {
        cause.wrapped(
            XCONTENT,
            format!("[{PARSER}] failed to parse field [{name}]"),
        )
    };
    match kind {
        ConditionKind::MaxAge | ConditionKind::MinAge => {
            let text = value.as_str().ok_or_else(unsupported)?;
            TimeValue::parse(text, name)
                .map(Threshold::Age)
                .map_err(failed)
        }
        ConditionKind::MaxSize
        | ConditionKind::MinSize
        | ConditionKind::MaxPrimaryShardSize
        | ConditionKind::MinPrimaryShardSize => {
            let text = value.as_str().ok_or_else(unsupported)?;
            ByteSize::parse(text, name)
                .map(Threshold::Size)
                .map_err(failed)
        }
        ConditionKind::MaxDocs
        | ConditionKind::MinDocs
        | ConditionKind::MaxPrimaryShardDocs
        | ConditionKind::MinPrimaryShardDocs => long(value)
            .ok_or_else(unsupported)?
            .map(Threshold::Docs)
            .map_err(failed),
    }
}

/// A long as ES's lenient `declareLong` reads it: a number (decimals truncated) or a string
/// holding one. `None`: a token type it does not accept.
fn long(value: &Value) -> Option<Result<i64, ParseFailure>> {
    let number_format = |text: &str| {
        ParseFailure::new(
            "number_format_exception",
            format!("For input string: \"{text}\""),
        )
    };
    match value {
        Value::Number(n) => Some(
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.is_finite())
                        .map(|f| f.trunc() as i64)
                })
                .ok_or_else(|| number_format(&n.to_string())),
        ),
        Value::String(s) => Some(
            s.trim()
                .parse::<i64>()
                .ok()
                .or_else(|| {
                    s.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(|f| f.trunc() as i64)
                })
                .ok_or_else(|| number_format(s)),
        ),
        _ => None,
    }
}
