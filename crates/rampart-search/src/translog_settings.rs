//! `index.translog.durability` and `index.translog.sync_interval`, validated as
//! Elasticsearch validates them.
//!
//! `request` (the default): a write is fsynced before it is acknowledged. `async`: the
//! translog is fsynced in the background every `sync_interval` (default 5s, at least 100ms),
//! so a crash (power loss, `kill -9`) loses acknowledged writes of at most the last interval;
//! a clean shutdown loses nothing (the final refresh commits every index). See
//! docs/translog-durability.md.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{Result, SearchError};

pub const DURABILITY: &str = "index.translog.durability";
pub const SYNC_INTERVAL: &str = "index.translog.sync_interval";

const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(5);
pub(crate) const MIN_SYNC_INTERVAL: Duration = Duration::from_millis(100);

/// When an index's writes become durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Fsync before acknowledging.
    Request,
    /// Fsync in the background every `interval`.
    Async { interval: Duration },
}

impl Durability {
    /// The durability of an index from its (already validated) flat settings; a value that
    /// does not parse falls back to the safe default.
    pub fn of(settings: &BTreeMap<String, String>) -> Self {
        match settings.get(DURABILITY).map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "async" => Durability::Async {
                interval: settings
                    .get(SYNC_INTERVAL)
                    .and_then(|v| parse_time(SYNC_INTERVAL, v).ok())
                    .unwrap_or(DEFAULT_SYNC_INTERVAL),
            },
            _ => Durability::Request,
        }
    }
}

/// Refuse invalid translog settings with Elasticsearch's messages.
pub fn validate(settings: &BTreeMap<String, String>) -> Result<()> {
    if let Some(v) = settings.get(DURABILITY)
        && !matches!(v.to_ascii_uppercase().as_str(), "REQUEST" | "ASYNC")
    {
        // ES parses the value with Java's `Enum.valueOf` and reports its message.
        return Err(SearchError::IllegalArgument(format!(
            "No enum constant org.elasticsearch.index.translog.Translog.Durability.{}",
            v.to_ascii_uppercase()
        )));
    }
    if let Some(v) = settings.get(SYNC_INTERVAL) {
        let interval = parse_time(SYNC_INTERVAL, v)?;
        if interval < MIN_SYNC_INTERVAL {
            return Err(SearchError::IllegalArgument(format!(
                "failed to parse value [{v}] for setting [{SYNC_INTERVAL}], must be >= [100ms]"
            )));
        }
    }
    Ok(())
}

/// An Elasticsearch time value (`500ms`, `5s`, `1m`, ...). `-1` and `0` are accepted as ES
/// does (as zero here; the minimum check refuses them for the sync interval).
fn parse_time(setting: &str, value: &str) -> Result<Duration> {
    let v = value.trim().to_ascii_lowercase();
    if v == "-1" || v == "0" {
        return Ok(Duration::ZERO);
    }
    let units: [(&str, u64); 7] = [
        ("nanos", 1),
        ("micros", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
    ];
    let unit_error = || {
        SearchError::IllegalArgument(format!(
            "failed to parse setting [{setting}] with value [{value}] as a time value: unit is missing or unrecognized"
        ))
    };
    let (number, nanos_per_unit) = units
        .iter()
        .find_map(|(suffix, factor)| v.strip_suffix(suffix).map(|n| (n.trim(), *factor)))
        .ok_or_else(unit_error)?;
    let n: u64 = number.parse().map_err(|_| {
        SearchError::IllegalArgument(format!(
            "failed to parse setting [{setting}] with value [{value}] as a time value"
        ))
    })?;
    Ok(Duration::from_nanos(n.saturating_mul(nanos_per_unit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn reason(pairs: &[(&str, &str)]) -> String {
        match validate(&settings(pairs)).unwrap_err() {
            SearchError::IllegalArgument(r) => r,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn default_is_request() {
        assert_eq!(Durability::of(&settings(&[])), Durability::Request);
        assert_eq!(
            Durability::of(&settings(&[(DURABILITY, "REQUEST")])),
            Durability::Request
        );
    }

    #[test]
    fn async_uses_the_interval_or_five_seconds() {
        assert_eq!(
            Durability::of(&settings(&[(DURABILITY, "async")])),
            Durability::Async {
                interval: Duration::from_secs(5)
            }
        );
        assert_eq!(
            Durability::of(&settings(&[
                (DURABILITY, "Async"),
                (SYNC_INTERVAL, "250ms")
            ])),
            Durability::Async {
                interval: Duration::from_millis(250)
            }
        );
    }

    #[test]
    fn valid_values_pass() {
        validate(&settings(&[
            (DURABILITY, "async"),
            (SYNC_INTERVAL, "100ms"),
        ]))
        .unwrap();
        validate(&settings(&[(DURABILITY, "request"), (SYNC_INTERVAL, "1m")])).unwrap();
    }

    #[test]
    fn invalid_values_get_es_messages() {
        assert_eq!(
            reason(&[(DURABILITY, "sometimes")]),
            "No enum constant org.elasticsearch.index.translog.Translog.Durability.SOMETIMES"
        );
        assert_eq!(
            reason(&[(SYNC_INTERVAL, "50ms")]),
            "failed to parse value [50ms] for setting [index.translog.sync_interval], must be >= [100ms]"
        );
        assert_eq!(
            reason(&[(SYNC_INTERVAL, "5")]),
            "failed to parse setting [index.translog.sync_interval] with value [5] as a time value: unit is missing or unrecognized"
        );
        assert_eq!(
            reason(&[(SYNC_INTERVAL, "-1")]),
            "failed to parse value [-1] for setting [index.translog.sync_interval], must be >= [100ms]"
        );
        assert!(reason(&[(SYNC_INTERVAL, "1.5s")]).contains("as a time value"));
    }
}
