#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Properties: a wildcard never yields an unauthorized name, and wildcard resolution equals a
//! naive filter over every name in the snapshot.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rampart_core::resolve::{
    ExpandWildcards, IndexMetadata, IndexSpec, IndicesOptions, Origin, resolve, simple_match,
};

const ALPHABET: &str = "[ab.-]{1,5}";

fn build(indices: &[(String, bool, bool)]) -> IndexMetadata {
    let mut b = IndexMetadata::builder();
    let mut seen = std::collections::BTreeSet::new();
    for (name, hidden, closed) in indices {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut spec = IndexSpec::new(name.clone());
        if *hidden {
            spec = spec.hidden();
        }
        if *closed {
            spec = spec.closed();
        }
        b = b.index(spec);
    }
    b.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn wildcard_resolution_is_a_filter_over_authorized_visible_names(
        indices in proptest::collection::vec((ALPHABET, any::<bool>(), any::<bool>()), 0..30),
        role in proptest::collection::vec("[ab.*-]{1,4}", 0..3),
        pattern in "[ab.-]{0,2}\\*[ab.*-]{0,3}",
        open in any::<bool>(), closed in any::<bool>(), hidden in any::<bool>(),
    ) {
        let meta = build(&indices);
        let authorized = |n: &str| role.iter().any(|p| simple_match(p, n));
        let opts = IndicesOptions {
            expand_wildcards: ExpandWildcards { open, closed, hidden },
            ..IndicesOptions::strict_expand_open()
        };
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let got = resolve("indices:data/read/search", std::slice::from_ref(&pattern), &opts, &meta, &authorized, now).unwrap();

        let expected: Vec<&str> = if !(open || closed) {
            vec![]
        } else {
            meta.iter()
                .filter(|(name, _)| simple_match(&pattern, name))
                .filter(|(name, a)| {
                    let rampart_core::resolve::Abstraction::Index(i) = a else { return false };
                    let hidden_ok = !i.hidden || hidden || (pattern.starts_with('.') && name.starts_with('.'));
                    let state_ok = match i.state {
                        rampart_core::resolve::IndexState::Open => open,
                        rampart_core::resolve::IndexState::Closed => closed,
                    };
                    hidden_ok && state_ok && authorized(name)
                })
                .map(|(n, _)| n)
                .collect()
        };
        if !(open || closed) && pattern == "*" {
            // `*` alone with expansion off selects nothing (like `_all`).
            prop_assert!(got.local.is_empty());
        } else if !(open || closed) {
            // Expansion off: any other pattern is kept as an explicit name.
            prop_assert_eq!(got.local_names().collect::<Vec<_>>(), vec![pattern.as_str()]);
        } else {
            prop_assert_eq!(got.local_names().collect::<Vec<_>>(), expected.clone());
            prop_assert_eq!(got.is_empty_placeholder(), expected.is_empty());
            for name in &got.local {
                prop_assert_eq!(name.origin, Origin::Wildcard);
                prop_assert!(authorized(&name.name), "unauthorized name {}", name.name);
            }
        }
    }

    #[test]
    fn wildcards_never_yield_unauthorized_names_in_any_list(
        indices in proptest::collection::vec((ALPHABET, any::<bool>(), any::<bool>()), 0..30),
        role in proptest::collection::vec("[ab.*-]{1,4}", 0..3),
        exprs in proptest::collection::vec("-?[ab.*-]{0,4}", 0..4),
    ) {
        let meta = build(&indices);
        let authorized = |n: &str| role.iter().any(|p| simple_match(p, n));
        let opts = IndicesOptions { expand_wildcards: ExpandWildcards::ALL, ..IndicesOptions::strict_expand_open() };
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let got = resolve("indices:data/read/search", &exprs, &opts, &meta, &authorized, now).unwrap();
        for name in &got.local {
            if name.origin == Origin::Wildcard {
                prop_assert!(authorized(&name.name), "unauthorized wildcard result {}", name.name);
                prop_assert!(meta.contains(&name.name));
            } else {
                prop_assert!(exprs.iter().any(|e| e.as_str() == name.name), "explicit {} not written", name.name);
            }
        }
        let mut names: Vec<_> = got.local_names().collect();
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        prop_assert_eq!(names.len(), before, "duplicates");
    }
}
