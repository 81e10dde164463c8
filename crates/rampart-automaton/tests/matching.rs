#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Table-driven matching tests covering wildcard and Lucene regex syntax.

use rampart_automaton::{Automaton, AutomatonError, PatternSet};

/// (pattern, input, expected)
const CASES: &[(&str, &str, bool)] = &[
    // Wildcards.
    ("logs-*", "logs-", true),
    ("logs-*", "logs-a/b", true),
    ("logs-*", "logs", false),
    ("logs-*", "xlogs-a", false),
    ("logs-?", "logs-1", true),
    ("logs-?", "logs-10", false),
    ("logs-?", "logs-", false),
    ("logs-?", "logs-é", true),
    ("logs-?", "logs-😀", true),
    ("*", "", true),
    ("*", "any.thing:/x", true),
    ("", "", true),
    ("", "a", false),
    ("a*b*c", "abc", true),
    ("a*b*c", "a.x.b.y.c", true),
    ("a*b*c", "acb", false),
    ("*-*", "a-b", true),
    ("*-*", "ab", false),
    ("Logs", "logs", false),
    ("a\\*b", "a*b", true),
    ("a\\*b", "axb", false),
    ("a\\?", "a?", true),
    ("a\\?", "ab", false),
    ("a\\\\", "a\\", true),
    ("a\\", "a\\", true),
    ("\\a", "a", true),
    ("?", "é", true),
    ("??", "é", false),
    ("a/", "a/", true),
    // Regex basics.
    ("/logs-[0-9]{4}/", "logs-2024", true),
    ("/logs-[0-9]{4}/", "logs-202", false),
    ("/logs-[0-9]{4}/", "logs-20245", false),
    ("/a.c/", "abc", true),
    ("/a.c/", "aéc", true),
    ("/a.c/", "ac", false),
    ("/ab*/", "a", true),
    ("/ab*/", "abbb", true),
    ("/ab+/", "a", false),
    ("/ab+/", "abb", true),
    ("/ab?/", "ab", true),
    ("/ab?/", "abb", false),
    ("/a{2,}/", "a", false),
    ("/a{2,}/", "aaaaa", true),
    ("/a{2,3}/", "aaa", true),
    ("/a{2,3}/", "aaaa", false),
    ("/a{0}/", "", true),
    ("/a{3,2}/", "aa", false),
    ("/[a-c]/", "b", true),
    ("/[a-c]/", "d", false),
    ("/[^a-c]/", "d", true),
    ("/[^a-c]/", "é", true),
    ("/[^a-c]/", "a", false),
    ("/[^a-c]/", "", false),
    ("/[\\]\\-]+/", "]-]", true),
    ("/[]]/", "]", true),
    ("/[é-ü]/", "ö", true),
    ("/\\d+/", "0123", true),
    ("/\\d/", "a", false),
    ("/\\D/", "a", true),
    ("/\\D/", "1", false),
    ("/\\s/", " ", true),
    ("/\\s/", "\t", true),
    ("/\\S/", " ", false),
    ("/\\w+/", "a_Z9", true),
    ("/\\w/", "-", false),
    ("/\\W/", "-", true),
    ("/[\\d_]+/", "1_2", true),
    ("/a|b/", "b", true),
    ("/a|b/", "ab", false),
    ("/(ab|cd)e/", "cde", true),
    ("/(ab|cd)e/", "abcde", false),
    ("/a()b/", "ab", true),
    ("/#/", "", false),
    ("/a|#/", "a", true),
    ("/@/", "", true),
    ("/@/", "anything", true),
    ("/a@/", "abc", true),
    ("/\"a.b\"/", "a.b", true),
    ("/\"a.b\"/", "axb", false),
    ("/\\./", ".", true),
    ("/\\./", "a", false),
    ("/\\@/", "@", true),
    ("/*/", "*", true),
    ("/a\\//", "a/", true),
    ("//", "", true),
    ("//", "a", false),
    // Complement and intersection.
    ("/~(abc)/", "abc", false),
    ("/~(abc)/", "abd", true),
    ("/~(abc)/", "", true),
    ("/~a/", "b", true),
    ("/~a/", "a", false),
    ("/~ab/", "bb", true),
    ("/~ab/", "ab", false),
    ("/~ab/", "b", true),
    ("/~(\\.security.*)/", ".security", false),
    ("/~(\\.security.*)/", ".security-7", false),
    ("/~(\\.security.*)/", ".securit", true),
    ("/~(\\.security.*)/", "logs", true),
    ("/~(([.]|ilm-history-).*)/", "logs", true),
    ("/~(([.]|ilm-history-).*)/", ".kibana", false),
    ("/~(([.]|ilm-history-).*)/", "ilm-history-1", false),
    ("/~(([.]|ilm-history-).*)/", "ilm-histor", true),
    ("/~(([.]|ilm-history-).*)/", "", true),
    ("/\\.security-[0-9]+.*/", ".security-7", true),
    ("/\\.security-[0-9]+.*/", ".security-7-x", true),
    ("/\\.security-[0-9]+.*/", ".security-", false),
    ("/\\.fleet-actions~(-results.*)/", ".fleet-actions", true),
    ("/\\.fleet-actions~(-results.*)/", ".fleet-actions-7", true),
    (
        "/\\.fleet-actions~(-results.*)/",
        ".fleet-actions-results",
        false,
    ),
    (
        "/\\.fleet-actions~(-results.*)/",
        ".fleet-actions-results-x",
        false,
    ),
    (
        "/metrics-(beats|elasticsearch|enterprisesearch|kibana|logstash)\\..*/",
        "metrics-kibana.x",
        true,
    ),
    (
        "/metrics-(beats|elasticsearch|enterprisesearch|kibana|logstash)\\..*/",
        "metrics-kibana",
        false,
    ),
    (
        "/metrics-(beats|elasticsearch|enterprisesearch|kibana|logstash)\\..*/",
        "metrics-apm.x",
        false,
    ),
    ("/a.*&.*b/", "axb", true),
    ("/a.*&.*b/", "ax", false),
    ("/a.*&.*b|c/", "c", true),
    ("/[a-z]+&~(admin)/", "admin", false),
    ("/[a-z]+&~(admin)/", "user", true),
    // Intervals.
    ("/<1-10>/", "1", true),
    ("/<1-10>/", "10", true),
    ("/<1-10>/", "010", true),
    ("/<1-10>/", "0001", true),
    ("/<1-10>/", "11", false),
    ("/<1-10>/", "0", false),
    ("/<1-10>/", "", false),
    ("/<01-10>/", "01", true),
    ("/<01-10>/", "1", false),
    ("/<01-10>/", "10", true),
    ("/<01-10>/", "010", false),
    ("/<10-01>/", "05", true),
    ("/<0-5>/", "0", true),
    ("/<0-5>/", "00", false),
    ("/<0-5>/", "6", false),
    ("/<0-10>/", "00", true),
    ("/<0-10>/", "007", true),
    ("/<5-123>/", "4", false),
    ("/<5-123>/", "99", true),
    ("/<5-123>/", "123", true),
    ("/<5-123>/", "124", false),
    ("/<5-123>/", "0124", false),
    ("/<5-123>/", "0050", true),
    ("/<005-123>/", "050", true),
    ("/<005-123>/", "50", false),
    ("/<005-123>/", "004", false),
    ("/<100-199>/", "150", true),
    ("/<100-199>/", "200", false),
    ("/log-<2020-2024>/", "log-2022", true),
    ("/log-<2020-2024>/", "log-2025", false),
    (
        "/<18446744073709551614-18446744073709551615>/",
        "18446744073709551615",
        true,
    ),
];

#[test]
fn pattern_table() {
    let mut failures = Vec::new();
    for &(pattern, input, expected) in CASES {
        let automaton =
            Automaton::from_pattern(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        if automaton.matches(input) != expected {
            failures.push(format!("{pattern} on {input:?}: expected {expected}"));
        }
        let set = PatternSet::new([pattern]).unwrap();
        if set.matches(input) != expected {
            failures.push(format!(
                "PatternSet {pattern} on {input:?}: expected {expected}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn unterminated_regex_message() {
    let err = Automaton::from_pattern("/abc").unwrap_err();
    assert_eq!(
        err,
        AutomatonError::UnterminatedRegex {
            pattern: "/abc".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "invalid pattern [/abc]. patterns starting with '/' indicate regular expression pattern and therefore must also end with '/'. other patterns (those that do not start with '/') will be treated as simple wildcard patterns"
    );
    assert!(matches!(
        Automaton::from_pattern("/"),
        Err(AutomatonError::UnterminatedRegex { .. })
    ));
    assert!(matches!(
        PatternSet::new(["a", "/x"]),
        Err(AutomatonError::UnterminatedRegex { .. })
    ));
}

#[test]
fn regex_syntax_errors() {
    let err = Automaton::from_pattern("/(a|b/").unwrap_err();
    assert_eq!(
        err,
        AutomatonError::InvalidRegex {
            pattern: "/(a|b/".into(),
            reason: "expected ')' at position 4".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "invalid regular expression pattern [/(a|b/]: expected ')' at position 4"
    );
    for bad in [
        "/[a/", "/a{/", "/a{1/", "/a)/", "/<1-/", "/<x>/", "/a\\/", "/~/", "/[b-a]/", "/\"x/",
        "/a|/",
    ] {
        assert!(
            matches!(
                Automaton::from_pattern(bad),
                Err(AutomatonError::InvalidRegex { .. })
            ),
            "{bad} should be invalid"
        );
    }
}
