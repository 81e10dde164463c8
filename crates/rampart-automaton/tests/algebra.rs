#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Set-algebra identities on automata.

use rampart_automaton::{Automaton, AutomatonError, Limits};

fn a(p: &str) -> Automaton {
    Automaton::from_pattern(p).unwrap()
}

#[test]
fn subsets() {
    assert!(a("logs-a*").is_subset_of(&a("logs-*")));
    assert!(!a("logs-*").is_subset_of(&a("logs-a*")));
    assert!(!a("*").is_subset_of(&a("logs-*")));
    assert!(a("logs-?").is_subset_of(&a("logs-*")));
    assert!(a("/logs-[0-9]{4}/").is_subset_of(&a("logs-????")));
    assert!(Automaton::empty().is_subset_of(&a("x")));
    assert!(a("x").is_subset_of(&Automaton::total()));
    assert!(a("/\\.security-[0-9]+.*/").is_subset_of(&a(".security*")));
    assert!(a("/~(\\.security.*)/").is_subset_of(&a("*")));
}

#[test]
fn complement_identities() {
    for p in [
        "logs-*",
        "/a(b|c)*d/",
        "?",
        "",
        "/~(\\.security.*)/",
        "/<1-100>/",
    ] {
        let l = a(p);
        let not_l = l.complement().unwrap();
        assert!(l.union(&not_l).unwrap().is_total(), "{p}");
        assert!(l.intersection(&not_l).unwrap().is_empty(), "{p}");
        assert!(not_l.complement().unwrap().same_language(&l), "{p}");
        assert!(l.minus(&l).unwrap().is_empty(), "{p}");
        assert!(
            Automaton::total().minus(&l).unwrap().same_language(&not_l),
            "{p}"
        );
    }
}

#[test]
fn de_morgan() {
    let pairs = [("logs-*", "*-prod"), ("/a+/", "/a{2,5}/"), ("?", "*x*")];
    for (p, q) in pairs {
        let (x, y) = (a(p), a(q));
        let left = x.union(&y).unwrap().complement().unwrap();
        let right = x
            .complement()
            .unwrap()
            .intersection(&y.complement().unwrap())
            .unwrap();
        assert!(left.same_language(&right), "{p} {q}");
        let left = x.intersection(&y).unwrap().complement().unwrap();
        let right = x
            .complement()
            .unwrap()
            .union(&y.complement().unwrap())
            .unwrap();
        assert!(left.same_language(&right), "{p} {q}");
    }
}

#[test]
fn regex_and_wildcard_agree() {
    assert!(a("logs-*").same_language(&a("/logs-.*/")));
    assert!(a("a?c").same_language(&a("/a.c/")));
    assert!(
        a("/~(a.*)/").same_language(&Automaton::total().minus(&Automaton::prefix("a")).unwrap())
    );
    assert!(a("/(a|b)*/").same_language(&a("/(a*b*)*/")));
    assert!(!a("/a*/").same_language(&a("/a+/")));
    assert!(
        Automaton::from_patterns(["a*", "b*"])
            .unwrap()
            .same_language(&a("/(a|b).*/"))
    );
}

#[test]
fn complement_is_relative_to_valid_utf8() {
    // "not a" must still only contain real strings: every example decodes.
    let not_a = a("/~a/");
    for s in not_a.examples(50) {
        assert_ne!(s, "a");
    }
    assert!(a("/~#/").is_total());
    assert!(a("/~@/").is_empty());
}

#[test]
fn pathological_regex_is_too_complex() {
    let err = Automaton::from_pattern("/(a|b)*a(a|b){40}/").unwrap_err();
    assert_eq!(err, AutomatonError::TooComplex { limit: 100_000 });
    let small = Limits { max_states: 50 };
    assert!(matches!(
        Automaton::from_pattern_with_limits("/(a|b)*a(a|b){10}/", &small),
        Err(AutomatonError::TooComplex { limit: 50 })
    ));
    // Huge repetition counts are rejected without expanding them.
    assert!(matches!(
        Automaton::from_pattern("/a{4000000000}/"),
        Err(AutomatonError::TooComplex { .. })
    ));
    assert!(matches!(
        Automaton::from_pattern("/((a{1000}){1000}){1000}/"),
        Err(AutomatonError::TooComplex { .. })
    ));
    // Operations respect limits too.
    let x = Automaton::from_pattern("/(a|b)*a(a|b){8}/").unwrap();
    let y = Automaton::from_pattern("/(a|b)*b(a|b){8}/").unwrap();
    assert!(matches!(
        x.union_with_limits(&y, &small),
        Err(AutomatonError::TooComplex { .. })
    ));
}

#[test]
fn examples_are_accepted_and_ordered() {
    let auto = a("/(ab|c)+x?/");
    let examples = auto.examples(20);
    assert_eq!(examples.len(), 20);
    assert_eq!(examples[0], "c");
    for pair in examples.windows(2) {
        assert!(pair[0].len() <= pair[1].len());
    }
    for e in &examples {
        assert!(auto.matches(e), "{e}");
    }
    assert_eq!(auto.examples(20), examples, "deterministic");
    assert_eq!(a("/é/").shortest_example().as_deref(), Some("é"));
}
