//! The body of `GET /_rampart/health`: upstream reachability and store sync lag, with an
//! overall status (red: upstream unreachable or never synced; yellow: the store has not
//! been synced within the propagation bound; green otherwise).

use std::time::Duration;

use serde_json::{Value, json};

use crate::store::SyncStatus;

/// The longest sync lag that still keeps the 1 s propagation promise.
pub const MAX_HEALTHY_LAG: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthStatus {
    Green,
    Yellow,
    Red,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }

    /// The HTTP status of the health answer: load balancers take a node out on 503.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Green | Self::Yellow => 200,
            Self::Red => 503,
        }
    }
}

pub fn status(sync: SyncStatus) -> HealthStatus {
    match (sync.upstream_reachable, sync.lag) {
        (false, _) | (_, None) => HealthStatus::Red,
        (true, Some(lag)) if lag > MAX_HEALTHY_LAG => HealthStatus::Yellow,
        (true, Some(_)) => HealthStatus::Green,
    }
}

pub fn report(sync: SyncStatus) -> Value {
    let lag_ms = sync
        .lag
        .map(|lag| u64::try_from(lag.as_millis()).unwrap_or(u64::MAX));
    json!({
        "status": status(sync).as_str(),
        "upstream": {"reachable": sync.upstream_reachable},
        "store": {"sync_lag_ms": lag_ms}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(reachable: bool, lag_ms: Option<u64>) -> SyncStatus {
        SyncStatus {
            upstream_reachable: reachable,
            lag: lag_ms.map(Duration::from_millis),
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(status(sync(true, Some(150))), HealthStatus::Green);
        assert_eq!(status(sync(true, Some(1_500))), HealthStatus::Yellow);
        assert_eq!(status(sync(false, Some(10))), HealthStatus::Red);
        assert_eq!(status(sync(true, None)), HealthStatus::Red);
        assert_eq!(HealthStatus::Red.http_status(), 503);
    }

    #[test]
    fn report_shape() {
        assert_eq!(
            report(sync(true, Some(120))),
            json!({"status": "green", "upstream": {"reachable": true}, "store": {"sync_lag_ms": 120}})
        );
        assert_eq!(
            report(sync(false, None))["store"]["sync_lag_ms"],
            Value::Null
        );
    }
}
