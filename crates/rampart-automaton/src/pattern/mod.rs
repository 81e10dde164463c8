//! Pattern syntax: Elasticsearch wildcards and Lucene regular expressions,
//! both parsed into one [`Ast`].

mod display;
mod regex;

use crate::error::AutomatonError;

/// Abstract syntax of a pattern. Wildcard patterns and `/regex/` patterns
/// share this tree so that one compiler handles both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ast {
    /// `#`: matches nothing.
    EmptyLanguage,
    /// `()`: matches only the empty string.
    EmptyString,
    /// `@` (regex) or `*` (wildcard): any string.
    AnyString,
    /// `.` (regex) or `?` (wildcard): exactly one character.
    AnyChar,
    /// One literal character.
    Char(char),
    /// `"..."`: a literal string.
    Literal(String),
    /// `[...]` / `[^...]` / `\d` etc.: one character from (or not from) the ranges.
    Class {
        /// `true` for `[^...]`: any character *not* in `ranges`.
        negated: bool,
        /// Inclusive character ranges, in source order.
        ranges: Vec<(char, char)>,
    },
    /// `<min-max>`: decimal numbers in the interval. `digits > 0` means
    /// exactly that many digits (zero padded); `0` means any number of
    /// leading zeros.
    Interval {
        /// Lower bound (after swapping, so `min <= max`).
        min: u64,
        /// Upper bound.
        max: u64,
        /// Fixed width, or 0 for "leading zeros optional".
        digits: usize,
    },
    /// Sequence of at least two items.
    Concat(Vec<Ast>),
    /// `a|b|...`: at least two alternatives.
    Union(Vec<Ast>),
    /// `a&b&...`: at least two operands.
    Intersection(Vec<Ast>),
    /// `~a`: every (valid UTF-8) string not matched by `a`.
    Complement(Box<Ast>),
    /// `a*`, `a+`, `a?`, `a{n}`, `a{n,}`, `a{n,m}`.
    Repeat {
        /// The repeated expression.
        inner: Box<Ast>,
        /// Minimum number of repetitions.
        min: u32,
        /// Maximum number of repetitions; `None` is unbounded.
        max: Option<u32>,
    },
}

/// Parses one pattern: `/.../` is a Lucene regular expression over the whole
/// name, anything else is a wildcard pattern.
pub fn parse(pattern: &str) -> Result<Ast, AutomatonError> {
    match regex_body(pattern)? {
        Some(body) => regex::parse_regex(body).map_err(|reason| AutomatonError::InvalidRegex {
            pattern: pattern.to_owned(),
            reason,
        }),
        None => Ok(parse_wildcard(pattern)),
    }
}

/// Returns the regex body of a `/.../` pattern, `None` for wildcard
/// patterns, or the "must also end with '/'" error.
pub(crate) fn regex_body(pattern: &str) -> Result<Option<&str>, AutomatonError> {
    let Some(rest) = pattern.strip_prefix('/') else {
        return Ok(None);
    };
    // "/" alone is rejected too: it starts with '/' but has no closing one.
    match rest.strip_suffix('/') {
        Some(body) => Ok(Some(body)),
        None => Err(AutomatonError::UnterminatedRegex {
            pattern: pattern.to_owned(),
        }),
    }
}

/// Wildcard syntax: `*` any string, `?` one character, `\x` literal `x`
/// (a trailing lone `\` is literal), everything else literal.
pub(crate) fn parse_wildcard(pattern: &str) -> Ast {
    let mut items = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        items.push(match c {
            '*' => Ast::AnyString,
            '?' => Ast::AnyChar,
            '\\' => Ast::Char(chars.next().unwrap_or('\\')),
            other => Ast::Char(other),
        });
    }
    concat_of(items)
}

/// Builds the canonical node for a sequence: the parser never produces a
/// `Concat` with fewer than two items.
pub(crate) fn concat_of(mut items: Vec<Ast>) -> Ast {
    match items.len() {
        0 => Ast::EmptyString,
        1 => items.pop().unwrap_or(Ast::EmptyString),
        _ => Ast::Concat(items),
    }
}

/// How a pattern can be matched without an automaton.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternKind {
    /// Matches exactly this string.
    Literal(String),
    /// Matches every string starting with this prefix (`prefix*`).
    Prefix(String),
    /// Needs an automaton (other wildcards or a regex).
    Complex,
}

/// Classifies a pattern cheaply, without building an AST. Regex patterns are
/// always `Complex` (their syntax is validated separately).
pub(crate) fn classify(pattern: &str) -> PatternKind {
    if pattern.starts_with('/') {
        return PatternKind::Complex;
    }
    // Fast path for the common case of a plain name.
    if !pattern.bytes().any(|b| matches!(b, b'*' | b'?' | b'\\')) {
        return PatternKind::Literal(pattern.to_owned());
    }
    let mut text = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek().is_none() => return PatternKind::Prefix(text),
            '*' | '?' => return PatternKind::Complex,
            '\\' => text.push(chars.next().unwrap_or('\\')),
            other => text.push(other),
        }
    }
    PatternKind::Literal(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_parsing() {
        assert_eq!(parse("").unwrap(), Ast::EmptyString);
        assert_eq!(parse("a").unwrap(), Ast::Char('a'));
        assert_eq!(
            parse("a*?").unwrap(),
            Ast::Concat(vec![Ast::Char('a'), Ast::AnyString, Ast::AnyChar])
        );
        assert_eq!(
            parse("\\*\\").unwrap(),
            Ast::Concat(vec![Ast::Char('*'), Ast::Char('\\')])
        );
    }

    #[test]
    fn regex_detection() {
        assert!(matches!(
            parse("/"),
            Err(AutomatonError::UnterminatedRegex { .. })
        ));
        assert!(matches!(
            parse("/abc"),
            Err(AutomatonError::UnterminatedRegex { .. })
        ));
        assert_eq!(parse("//").unwrap(), Ast::EmptyString);
        assert_eq!(
            parse("a/").unwrap(),
            Ast::Concat(vec![Ast::Char('a'), Ast::Char('/')])
        );
    }

    #[test]
    fn classification() {
        assert_eq!(classify("abc"), PatternKind::Literal("abc".into()));
        assert_eq!(classify("a\\*c"), PatternKind::Literal("a*c".into()));
        assert_eq!(classify("a\\"), PatternKind::Literal("a\\".into()));
        assert_eq!(classify("abc*"), PatternKind::Prefix("abc".into()));
        assert_eq!(classify("*"), PatternKind::Prefix(String::new()));
        assert_eq!(classify("a\\**"), PatternKind::Prefix("a*".into()));
        assert_eq!(classify("a*c"), PatternKind::Complex);
        assert_eq!(classify("a?"), PatternKind::Complex);
        assert_eq!(classify("**"), PatternKind::Complex);
        assert_eq!(classify("/a/"), PatternKind::Complex);
    }
}
