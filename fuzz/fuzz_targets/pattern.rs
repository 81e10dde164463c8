//! Arbitrary text as a pattern: parsing, compiling (with small limits),
//! printing and matching must never panic, hang or disagree with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_automaton::pattern::parse;
use rampart_automaton::{Automaton, Limits, PatternSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits { max_states: 500 };
    let Ok(ast) = parse(text) else {
        return;
    };
    // The printed form must parse back to the same tree.
    let printed = ast.to_string();
    assert_eq!(parse(&printed).ok(), Some(ast));

    let Ok(automaton) = Automaton::from_pattern_with_limits(text, &limits) else {
        return;
    };
    let probes = ["", "a", "abc", ".security", "logs-2024", "é", text];
    let set = PatternSet::new_with_limits([text], &limits).ok();
    for probe in probes {
        let hit = automaton.matches(probe);
        if let Some(set) = &set {
            assert_eq!(set.matches(probe), hit);
        }
    }
    for example in automaton.examples(3) {
        assert!(automaton.matches(&example));
    }
    if let Ok(complement) = automaton.complement_with_limits(&limits) {
        for probe in probes {
            assert_ne!(complement.matches(probe), automaton.matches(probe));
        }
    }
});
