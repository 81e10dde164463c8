//! Index metadata snapshots with a chosen number of known indices.

use rampart_core::resolve::{DataStreamSpec, IndexMetadata, MetadataError};

/// The index every decision bench asks about in the allowed case (exists at every size).
pub const ALLOWED_INDEX: &str = "logs-web-0000042";
/// The index every decision bench asks about in the denied case (exists at every size).
pub const DENIED_INDEX: &str = ".internal-0000042";

/// Name of the `i`-th generated index: mostly data-like names, one in ten dot-prefixed
/// (never granted by the decision role set), so every family is present at every size.
pub fn index_name(i: usize) -> String {
    match i % 10 {
        0..=4 => format!("logs-web-{i:07}"),
        5..=7 => format!("metrics-host-{i:07}"),
        8 => format!("orders-eu-{i:07}"),
        _ => format!(".internal-{i:07}"),
    }
}

/// A snapshot with exactly `known` names (at least the two probe names and one data stream
/// with its backing index), so lookups by the decision layer see a realistic map size.
pub fn decision_snapshot(known: usize) -> Result<IndexMetadata, MetadataError> {
    let mut builder = IndexMetadata::builder()
        .index(ALLOWED_INDEX)
        .index(DENIED_INDEX)
        .data_stream(DataStreamSpec::new("logs-ds").backing_index(".ds-logs-ds-2024.06.01-000001"));
    let fixed = 4;
    let mut added = 0;
    let mut i = 0;
    while added + fixed < known {
        let name = index_name(i);
        i += 1;
        if name == ALLOWED_INDEX || name == DENIED_INDEX {
            continue;
        }
        builder = builder.index(name.as_str());
        added += 1;
    }
    builder.build()
}

/// Name of the `i`-th index of the resolution snapshot: three in five are `logs-team<t>-…`,
/// the rest `metrics-team<t>-…`, with every team of 200 getting both kinds (so a user with
/// 100 team patterns sees about half of the `logs-*` names).
pub fn team_index_name(i: usize) -> String {
    let team = (i / 5) % 200;
    if i % 5 < 3 {
        format!("logs-team{team:03}-{i:07}")
    } else {
        format!("metrics-team{team:03}-{i:07}")
    }
}

/// A snapshot of `known` team indices for the resolution bench.
pub fn team_snapshot(known: usize) -> Result<IndexMetadata, MetadataError> {
    let mut builder = IndexMetadata::builder();
    for i in 0..known {
        builder = builder.index(team_index_name(i).as_str());
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_snapshot_has_exactly_the_requested_size_and_the_probes() {
        for known in [10, 1000] {
            let meta = decision_snapshot(known).unwrap();
            assert_eq!(meta.len(), known);
            assert!(meta.contains(ALLOWED_INDEX) && meta.contains(DENIED_INDEX));
            assert!(meta.contains("logs-ds"));
        }
    }

    #[test]
    fn team_snapshot_is_three_fifths_logs() {
        let meta = team_snapshot(1000).unwrap();
        let logs = meta.iter().filter(|(n, _)| n.starts_with("logs-")).count();
        assert_eq!((meta.len(), logs), (1000, 600));
    }
}
