//! Lexical helpers for request index expressions: the `*`-only wildcard, `::` selectors.
//!
//! Request expressions are NOT role patterns: only `*` is special (no `?`, no escapes, no regex),
//! so a tiny allocation-free matcher is enough here.

use super::error::ResolveError;

/// A data-stream component selector (`ds::data`, `ds::failures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Selector {
    /// `::data`: the backing indices (the default).
    Data,
    /// `::failures`: the failure-store indices.
    Failures,
}

impl Selector {
    /// The selector as written after `::`.
    pub fn as_str(self) -> &'static str {
        match self {
            Selector::Data => "data",
            Selector::Failures => "failures",
        }
    }
}

/// Whether a request expression is a wildcard: only `*` counts.
pub fn is_wildcard(expression: &str) -> bool {
    expression.contains('*')
}

/// Split a trailing `::data` / `::failures` selector off an expression.
///
/// An unknown selector is an `invalid_index_name_exception`, as in Elasticsearch.
pub fn parse_selector(expression: &str) -> Result<(&str, Option<Selector>), ResolveError> {
    let Some((name, suffix)) = expression.rsplit_once("::") else {
        return Ok((expression, None));
    };
    let selector = match suffix {
        "data" => Selector::Data,
        "failures" => Selector::Failures,
        _ => {
            return Err(ResolveError::InvalidIndexName {
                name: expression.to_owned(),
                reason: format!(
                    "invalid usage of :: separator, [{suffix}] is not a recognized selector"
                ),
            });
        }
    };
    Ok((name, Some(selector)))
}

/// Match `text` against a pattern where `*` is any sequence and every other byte is literal.
///
/// Greedy two-pointer matching with single backtrack point: linear for typical patterns and
/// never allocates. Byte-wise matching is sound for UTF-8 because `*` is ASCII.
pub fn simple_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match (p.get(pi), t.get(ti)) {
            (Some(b'*'), _) => {
                star = Some((pi, ti));
                pi += 1;
            }
            (Some(pc), Some(tc)) if pc == tc => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// The literal part of a wildcard before its first `*` (used for range scans).
pub fn literal_prefix(pattern: &str) -> &str {
    pattern.split('*').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_sequence_and_question_mark_is_literal() {
        assert!(simple_match("logs-*", "logs-"));
        assert!(simple_match("logs-*", "logs-a/b"));
        assert!(simple_match("*", ""));
        assert!(simple_match("*a*b*", "xxaybz"));
        assert!(simple_match("a*b", "ab"));
        assert!(!simple_match("a*b", "abc"));
        assert!(!simple_match("logs-?", "logs-1"));
        assert!(simple_match("logs-?", "logs-?"));
        assert!(simple_match("*-*-x", "a-b-c-x"));
        assert!(!simple_match("abc", "abcd"));
        assert!(simple_match("é*", "éa"));
    }

    #[test]
    fn literal_prefix_stops_at_first_star() {
        assert_eq!(literal_prefix("logs-*-x*"), "logs-");
        assert_eq!(literal_prefix("*"), "");
        assert_eq!(literal_prefix("abc"), "abc");
    }

    #[test]
    fn selectors_are_split_and_unknown_ones_rejected() {
        assert_eq!(
            parse_selector("ds::failures").unwrap(),
            ("ds", Some(Selector::Failures))
        );
        assert_eq!(
            parse_selector("ds::data").unwrap(),
            ("ds", Some(Selector::Data))
        );
        assert_eq!(parse_selector("remote:ds").unwrap(), ("remote:ds", None));
        let err = parse_selector("ds::nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid index name [ds::nope], invalid usage of :: separator, [nope] is not a recognized selector"
        );
    }
}
