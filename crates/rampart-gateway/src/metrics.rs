//! Gateway counters and the upstream latency histogram, rendered in the Prometheus text
//! exposition format (version 0.0.4) for `GET /_rampart/metrics`. Lock-free: every update is
//! one relaxed atomic add.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the upstream latency buckets; `+Inf` is implied.
const LATENCY_BOUNDS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    decisions_allowed: AtomicU64,
    decisions_denied: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    /// Per bucket of `LATENCY_BOUNDS`, not cumulative (summed when rendered).
    latency_buckets: [AtomicU64; LATENCY_BOUNDS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_decision(&self, allowed: bool) {
        let counter = if allowed {
            &self.decisions_allowed
        } else {
            &self.decisions_denied
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_cache(&self, hit: bool) {
        let counter = if hit {
            &self.cache_hits
        } else {
            &self.cache_misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn observe_upstream(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = LATENCY_BOUNDS
            .iter()
            .position(|bound| seconds <= *bound)
            .and_then(|i| self.latency_buckets.get(i))
        {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// How many upstream requests were timed (attempts, retries included).
    pub fn upstream_requests(&self) -> u64 {
        self.latency_count.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        counter(
            &mut out,
            "rampart_requests_total",
            "Requests received.",
            &[("", load(&self.requests))],
        );
        counter(
            &mut out,
            "rampart_decisions_total",
            "Authorization decisions, by outcome.",
            &[
                ("outcome=\"allowed\"", load(&self.decisions_allowed)),
                ("outcome=\"denied\"", load(&self.decisions_denied)),
            ],
        );
        counter(
            &mut out,
            "rampart_denials_total",
            "Requests denied by authorization.",
            &[("", load(&self.decisions_denied))],
        );
        counter(
            &mut out,
            "rampart_cache_requests_total",
            "Permission cache lookups, by result.",
            &[
                ("result=\"hit\"", load(&self.cache_hits)),
                ("result=\"miss\"", load(&self.cache_misses)),
            ],
        );
        let name = "rampart_upstream_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Latency of requests to the upstream cluster."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BOUNDS.iter().zip(&self.latency_buckets) {
            cumulative += load(bucket);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = load(&self.latency_count);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        // Micro-seconds to seconds without float accumulation drift.
        let sum = load(&self.latency_sum_micros);
        let _ = writeln!(out, "{name}_sum {}.{:06}", sum / 1_000_000, sum % 1_000_000);
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, samples: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(text: &'a str, series: &str) -> &'a str {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{series} missing in\n{text}"))
    }

    #[test]
    fn counters_render_with_help_and_type() {
        let m = Metrics::default();
        m.count_request();
        m.count_request();
        m.count_decision(true);
        m.count_decision(false);
        m.count_cache(true);
        let text = m.render();
        assert!(text.contains("# TYPE rampart_requests_total counter\n"));
        assert_eq!(sample(&text, "rampart_requests_total"), "2");
        assert_eq!(
            sample(&text, "rampart_decisions_total{outcome=\"allowed\"}"),
            "1"
        );
        assert_eq!(sample(&text, "rampart_denials_total"), "1");
        assert_eq!(
            sample(&text, "rampart_cache_requests_total{result=\"hit\"}"),
            "1"
        );
        assert_eq!(
            sample(&text, "rampart_cache_requests_total{result=\"miss\"}"),
            "0"
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.observe_upstream(Duration::from_micros(500));
        m.observe_upstream(Duration::from_millis(30));
        m.observe_upstream(Duration::from_secs(9));
        let text = m.render();
        let h = "rampart_upstream_request_duration_seconds";
        assert_eq!(sample(&text, &format!("{h}_bucket{{le=\"0.001\"}}")), "1");
        assert_eq!(sample(&text, &format!("{h}_bucket{{le=\"0.025\"}}")), "1");
        assert_eq!(sample(&text, &format!("{h}_bucket{{le=\"0.05\"}}")), "2");
        assert_eq!(sample(&text, &format!("{h}_bucket{{le=\"5\"}}")), "2");
        assert_eq!(sample(&text, &format!("{h}_bucket{{le=\"+Inf\"}}")), "3");
        assert_eq!(sample(&text, &format!("{h}_count")), "3");
        assert_eq!(sample(&text, &format!("{h}_sum")), "9.030500");
    }

    #[test]
    fn every_line_is_a_comment_or_a_sample() {
        let text = Metrics::default().render();
        for line in text.lines() {
            let ok = line.starts_with("# HELP ")
                || line.starts_with("# TYPE ")
                || line
                    .rsplit_once(' ')
                    .is_some_and(|(_, v)| v.parse::<f64>().is_ok());
            assert!(ok, "bad line {line:?}");
        }
    }
}
