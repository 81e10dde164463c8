//! Field-name patterns (`*`, `?`, `\` escapes) as small NFAs whose states we can step by hand.
//!
//! Stepping every pattern in lock-step lets us answer language questions about a boolean
//! combination of patterns (is it everything? is anything under `a.b.` in it?) without building
//! automata. Lucene regular expressions (`/…/`) need the shared automaton crate and are refused
//! here, so a role using them fails instead of being silently misread.

use std::collections::BTreeSet;

use super::FlsError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
}

/// One compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Glob {
    source: String,
    tokens: Vec<Token>,
}

/// The set of pattern positions an NFA can be in (position `len` = matched).
pub(crate) type Positions = BTreeSet<usize>;

impl Glob {
    pub(crate) fn parse(pattern: &str) -> Result<Self, FlsError> {
        if pattern.starts_with('/') {
            let message = if pattern.len() > 1 && pattern.ends_with('/') {
                format!("regular expression field patterns are not supported yet [{pattern}]")
            } else {
                format!(
                    "invalid pattern [{pattern}]. patterns starting with '/' indicate regular \
                     expression pattern and therefore must also end with '/'. other patterns \
                     (those that do not start with '/') will be treated as simple wildcard patterns"
                )
            };
            return Err(FlsError::Pattern(message));
        }
        let mut tokens = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::AnyRun,
                '?' => Token::AnyOne,
                // a trailing lone backslash is literal
                '\\' => Token::Literal(chars.next().unwrap_or('\\')),
                other => Token::Literal(other),
            });
        }
        Ok(Self {
            source: pattern.to_string(),
            tokens,
        })
    }

    /// `*`: every name.
    pub(crate) fn match_all() -> Self {
        Self {
            source: "*".to_string(),
            tokens: vec![Token::AnyRun],
        }
    }

    /// `_*`: the metadata fields, always visible when a `grant` list is given.
    pub(crate) fn metadata() -> Self {
        Self {
            source: "_*".to_string(),
            tokens: vec![Token::Literal('_'), Token::AnyRun],
        }
    }

    /// The positions before any input.
    pub(crate) fn start(&self) -> Positions {
        self.closure([0].into_iter().collect())
    }

    /// `*` may match nothing, so a position on a `*` also stands for the position after it.
    fn closure(&self, mut positions: Positions) -> Positions {
        let mut pending: Vec<usize> = positions.iter().copied().collect();
        while let Some(p) = pending.pop() {
            if self.tokens.get(p) == Some(&Token::AnyRun) && positions.insert(p + 1) {
                pending.push(p + 1);
            }
        }
        positions
    }

    pub(crate) fn step(&self, positions: &Positions, c: char) -> Positions {
        let mut next = Positions::new();
        for &p in positions {
            match self.tokens.get(p) {
                Some(Token::AnyRun) => {
                    next.insert(p);
                }
                Some(Token::AnyOne) => {
                    next.insert(p + 1);
                }
                Some(Token::Literal(l)) if *l == c => {
                    next.insert(p + 1);
                }
                _ => {}
            }
        }
        self.closure(next)
    }

    pub(crate) fn accepts(&self, positions: &Positions) -> bool {
        positions.contains(&self.tokens.len())
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        let mut positions = self.start();
        for c in text.chars() {
            positions = self.step(&positions, c);
            if positions.is_empty() {
                return false;
            }
        }
        self.accepts(&positions)
    }

    /// Characters the pattern treats specially by name; all others behave alike.
    pub(crate) fn literals(&self) -> impl Iterator<Item = char> + '_ {
        self.tokens.iter().filter_map(|t| match t {
            Token::Literal(c) => Some(*c),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Glob::parse(pattern).unwrap().matches(text)
    }

    #[test]
    fn wildcards_and_escapes() {
        assert!(m("*", ""));
        assert!(m("a*", "a.b.c"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a*b*c", "a.xx.b.c"));
        assert!(!m("a*b", "a.b.c"));
        assert!(m(r"a\*", "a*"));
        assert!(!m(r"a\*", "ab"));
        assert!(m("a\\", "a\\"));
        assert!(m("name", "name"));
        assert!(!m("name", "names"));
    }

    #[test]
    fn slash_patterns_are_refused() {
        assert!(Glob::parse("/a.*/").is_err());
        let err = Glob::parse("/abc").unwrap_err().to_string();
        assert!(
            err.starts_with("invalid pattern [/abc]. patterns starting with '/'"),
            "{err}"
        );
    }
}
