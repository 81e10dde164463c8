#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Property tests against simple reference implementations.

use proptest::prelude::*;
use rampart_automaton::pattern::parse;
use rampart_automaton::{Automaton, AutomatonError, Limits, PatternSet, TaggedMatcher};

/// Reference wildcard matcher: plain backtracking over characters.
fn naive_wildcard(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| naive_wildcard(rest, &text[i..])),
        Some(('?', rest)) => !text.is_empty() && naive_wildcard(rest, &text[1..]),
        Some(('\\', rest)) => {
            let (literal, rest) = match rest.split_first() {
                Some((c, r)) => (*c, r),
                None => ('\\', rest),
            };
            text.first() == Some(&literal) && naive_wildcard(rest, &text[1..])
        }
        Some((c, rest)) => text.first() == Some(c) && naive_wildcard(rest, &text[1..]),
    }
}

fn wildcard_pattern() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "é", "-", "*", "?", "\\", "\\*"]),
        0..7,
    )
    .prop_map(|parts| parts.concat())
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "é", "-", "*", "?", "\\"]),
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn regex_pattern() -> impl Strategy<Value = String> {
    let tokens = vec![
        "a", "b", "é", ".", "*", "+", "?", "|", "&", "~", "(", ")", "[a-c]", "[^b]", "{2}",
        "{1,3}", "{0,}", "@", "#", "\"ab\"", "<1-12>", "<01-12>", "\\d", "\\W", "\\.", "()", "-",
    ];
    prop::collection::vec(prop::sample::select(tokens), 0..10)
        .prop_map(|parts| format!("/{}/", parts.concat()))
}

/// Wildcard translated to an equivalent regex, as a second reference.
fn wildcard_to_regex(pattern: &str) -> String {
    let mut out = String::from("/");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => {
                out.push('\\');
                out.push(chars.next().unwrap_or('\\'));
            }
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out.push('/');
    out
}

fn small_limits() -> Limits {
    Limits { max_states: 2_000 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn wildcard_matches_reference(p in wildcard_pattern(), s in text()) {
        let expected = naive_wildcard(&p.chars().collect::<Vec<_>>(), &s.chars().collect::<Vec<_>>());
        let automaton = Automaton::from_pattern(&p).unwrap();
        prop_assert_eq!(automaton.matches(&s), expected);
        prop_assert_eq!(PatternSet::new([&p]).unwrap().matches(&s), expected);
        let regex = Automaton::from_pattern(&wildcard_to_regex(&p)).unwrap();
        prop_assert!(regex.same_language(&automaton), "{} vs {}", p, wildcard_to_regex(&p));
    }

    #[test]
    fn boolean_operations_agree(p in wildcard_pattern(), q in regex_pattern(), strings in prop::collection::vec(text(), 1..8)) {
        let x = Automaton::from_pattern(&p).unwrap();
        let Ok(y) = Automaton::from_pattern_with_limits(&q, &small_limits()) else { return Ok(()); };
        let union = x.union(&y).unwrap();
        let inter = x.intersection(&y).unwrap();
        let minus = x.minus(&y).unwrap();
        let not_y = y.complement().unwrap();
        for s in &strings {
            let (a, b) = (x.matches(s), y.matches(s));
            prop_assert_eq!(union.matches(s), a || b);
            prop_assert_eq!(inter.matches(s), a && b);
            prop_assert_eq!(minus.matches(s), a && !b);
            prop_assert_eq!(not_y.matches(s), !b);
        }
        prop_assert_eq!(x.is_subset_of(&y), minus.is_empty());
        prop_assert!(x.is_subset_of(&union) && y.is_subset_of(&union));
        prop_assert!(inter.is_subset_of(&x) && inter.is_subset_of(&y));
        for e in union.examples(5) {
            prop_assert!(x.matches(&e) || y.matches(&e));
        }
        if let Some(e) = minus.shortest_example() {
            prop_assert!(x.matches(&e) && !y.matches(&e));
        }
    }

    #[test]
    fn pattern_set_agrees_with_automaton(
        patterns in prop::collection::vec(prop_oneof![wildcard_pattern(), regex_pattern()], 0..5),
        strings in prop::collection::vec(text(), 1..8),
    ) {
        let set = match PatternSet::new_with_limits(&patterns, &small_limits()) {
            Ok(set) => set,
            Err(AutomatonError::TooComplex { .. }) => return Ok(()),
            Err(e) => {
                // Errors are per pattern: the same error as parsing alone.
                prop_assert!(patterns.iter().any(|p| parse(p).is_err()), "{e}");
                return Ok(());
            }
        };
        let automaton = Automaton::from_patterns_with_limits(&patterns, &small_limits()).unwrap();
        let whole = set.to_automaton().unwrap();
        prop_assert!(whole.same_language(&automaton));
        prop_assert_eq!(set.is_total(), automaton.is_total());
        prop_assert_eq!(set.patterns(), &patterns[..]);
        for s in &strings {
            prop_assert_eq!(set.matches(s), automaton.matches(s));
        }
        let other = PatternSet::new([&patterns.first().cloned().unwrap_or_default(), "a*"]).unwrap();
        prop_assert_eq!(set.is_subset_of(&other).unwrap(), automaton.is_subset_of(&other.to_automaton().unwrap()));
    }

    #[test]
    fn tagged_matcher_agrees_with_scanning(
        sets in prop::collection::vec(prop::collection::vec(prop_oneof![wildcard_pattern(), regex_pattern()], 0..4), 0..5),
        strings in prop::collection::vec(text(), 1..8),
        tight in any::<bool>(),
    ) {
        let mut parts = Vec::new();
        for (i, patterns) in sets.iter().enumerate() {
            if let Ok(set) = PatternSet::new_with_limits(patterns, &small_limits()) {
                parts.push((u32::try_from(i % 3).unwrap(), set));
            }
        }
        let limits = if tight { Limits { max_states: 8 } } else { Limits::default() };
        let matcher = TaggedMatcher::new_with_limits(parts.clone(), &limits).unwrap();
        for s in &strings {
            let mut expected: Vec<u32> = parts.iter().filter(|(_, set)| set.matches(s)).map(|(t, _)| *t).collect();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(matcher.any_match(s), !expected.is_empty());
            prop_assert_eq!(matcher.matching_tags(s), expected);
        }
    }

    #[test]
    fn display_round_trips(p in prop_oneof![regex_pattern(), wildcard_pattern()]) {
        if let Ok(ast) = parse(&p) {
            let printed = ast.to_string();
            prop_assert_eq!(parse(&printed).unwrap(), ast.clone(), "{} printed as {}", p, printed);
            if let (Ok(a), Ok(b)) = (
                Automaton::from_pattern_with_limits(&p, &small_limits()),
                Automaton::from_pattern_with_limits(&printed, &small_limits()),
            ) {
                prop_assert!(a.same_language(&b));
            }
        }
    }
}
