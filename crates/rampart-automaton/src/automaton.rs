//! The public, immutable [`Automaton`] type.

use std::fmt;
use std::sync::Arc;

use crate::compile::compile_union;
use crate::dfa::Dfa;
use crate::error::{AutomatonError, Limits};
use crate::examples;
use crate::matcher::Matcher;
use crate::ops::{self, any_utf8};
use crate::pattern::{self, PatternKind, classify};
use crate::trie::trie_dfa;

/// A minimal deterministic automaton over UTF-8 strings.
///
/// Immutable and cheap to clone (the tables are shared). Its language only
/// ever contains well-formed UTF-8, so complement is relative to "all
/// strings" and all set operations are exact.
#[derive(Clone)]
pub struct Automaton {
    inner: Arc<Inner>,
}

struct Inner {
    dfa: Dfa,
    matcher: Matcher,
}

impl fmt::Debug for Automaton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Automaton")
            .field("states", &self.dfa().state_count())
            .field("byte_classes", &self.dfa().nclasses)
            .field("example", &self.shortest_example())
            .finish()
    }
}

impl Automaton {
    pub(crate) fn from_dfa(dfa: Dfa) -> Self {
        let matcher = Matcher::new(&dfa, true);
        Self {
            inner: Arc::new(Inner { dfa, matcher }),
        }
    }

    pub(crate) fn dfa(&self) -> &Dfa {
        &self.inner.dfa
    }

    /// Matches nothing.
    pub fn empty() -> Self {
        Self::from_dfa(Dfa {
            classes: [0; 256],
            nclasses: 1,
            table: vec![0],
            labels: vec![0],
            start: 0,
            dead: Some(0),
        })
    }

    /// Matches every (valid UTF-8) string, including the empty one.
    pub fn total() -> Self {
        Self::from_dfa(any_utf8().clone())
    }

    /// Matches exactly `s`.
    pub fn literal(s: &str) -> Self {
        Self::from_dfa(trie_dfa([(s, false)]))
    }

    /// Matches every string starting with `p`.
    pub fn prefix(p: &str) -> Self {
        Self::from_dfa(trie_dfa([(p, true)]))
    }

    /// Compiles one wildcard or `/regex/` pattern with default limits.
    pub fn from_pattern(p: &str) -> Result<Self, AutomatonError> {
        Self::from_patterns_with_limits([p], &Limits::default())
    }

    /// Compiles one pattern with explicit limits.
    pub fn from_pattern_with_limits(p: &str, limits: &Limits) -> Result<Self, AutomatonError> {
        Self::from_patterns_with_limits([p], limits)
    }

    /// The union of all patterns, determinized once as a whole.
    pub fn from_patterns<I, S>(patterns: I) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::from_patterns_with_limits(patterns, &Limits::default())
    }

    /// [`Automaton::from_patterns`] with explicit limits.
    pub fn from_patterns_with_limits<I, S>(
        patterns: I,
        limits: &Limits,
    ) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let patterns: Vec<S> = patterns.into_iter().collect();
        let kinds: Vec<PatternKind> = patterns.iter().map(|p| classify(p.as_ref())).collect();
        if kinds.iter().all(|k| *k != PatternKind::Complex) {
            // Literals and prefixes need no determinization at all.
            let entries = kinds.iter().filter_map(|k| match k {
                PatternKind::Literal(text) => Some((text.as_str(), false)),
                PatternKind::Prefix(text) => Some((text.as_str(), true)),
                PatternKind::Complex => None,
            });
            return Ok(Self::from_dfa(trie_dfa(entries)));
        }
        let asts = patterns
            .iter()
            .map(|p| pattern::parse(p.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_dfa(compile_union(&asts, limits)?))
    }

    /// Strings in either automaton.
    pub fn union(&self, other: &Self) -> Result<Self, AutomatonError> {
        self.union_with_limits(other, &Limits::default())
    }

    /// [`Automaton::union`] with explicit limits.
    pub fn union_with_limits(&self, other: &Self, limits: &Limits) -> Result<Self, AutomatonError> {
        ops::product(self.dfa(), other.dfa(), |a, b| a || b, limits).map(Self::from_dfa)
    }

    /// Strings in both automata.
    pub fn intersection(&self, other: &Self) -> Result<Self, AutomatonError> {
        self.intersection_with_limits(other, &Limits::default())
    }

    /// [`Automaton::intersection`] with explicit limits.
    pub fn intersection_with_limits(
        &self,
        other: &Self,
        limits: &Limits,
    ) -> Result<Self, AutomatonError> {
        ops::product(self.dfa(), other.dfa(), |a, b| a && b, limits).map(Self::from_dfa)
    }

    /// Strings in `self` but not in `other`.
    pub fn minus(&self, other: &Self) -> Result<Self, AutomatonError> {
        self.minus_with_limits(other, &Limits::default())
    }

    /// [`Automaton::minus`] with explicit limits.
    pub fn minus_with_limits(&self, other: &Self, limits: &Limits) -> Result<Self, AutomatonError> {
        ops::product(self.dfa(), other.dfa(), |a, b| a && !b, limits).map(Self::from_dfa)
    }

    /// Every valid UTF-8 string not in `self`.
    pub fn complement(&self) -> Result<Self, AutomatonError> {
        self.complement_with_limits(&Limits::default())
    }

    /// [`Automaton::complement`] with explicit limits.
    pub fn complement_with_limits(&self, limits: &Limits) -> Result<Self, AutomatonError> {
        ops::complement(self.dfa(), limits).map(Self::from_dfa)
    }

    /// Accepts no string at all.
    pub fn is_empty(&self) -> bool {
        // Minimal automata have only reachable states.
        self.dfa().labels.iter().all(|&l| l == 0)
    }

    /// Accepts every valid UTF-8 string.
    pub fn is_total(&self) -> bool {
        ops::is_subset(any_utf8(), self.dfa())
    }

    /// Every string accepted by `self` is accepted by `other`. Explores the
    /// product on the fly and stops at the first counterexample.
    pub fn is_subset_of(&self, other: &Self) -> bool {
        ops::is_subset(self.dfa(), other.dfa())
    }

    /// Both accept exactly the same strings.
    pub fn same_language(&self, other: &Self) -> bool {
        ops::same_language(self.dfa(), other.dfa())
    }

    /// Whole-string match.
    pub fn matches(&self, s: &str) -> bool {
        self.inner.matcher.matches(s.as_bytes())
    }

    /// Number of states of the minimal DFA (including a dead state, if any).
    pub fn state_count(&self) -> usize {
        self.dfa().state_count()
    }

    /// A shortest accepted string, or `None` for the empty language.
    pub fn shortest_example(&self) -> Option<String> {
        examples::shortest_example(self.dfa())
    }

    /// Up to `n` short accepted strings, shortest first, deterministic.
    pub fn examples(&self, n: usize) -> Vec<String> {
        examples::examples(self.dfa(), n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(Automaton::empty().is_empty());
        assert!(!Automaton::empty().matches(""));
        assert!(Automaton::total().is_total());
        assert!(Automaton::total().matches(""));
        let lit = Automaton::literal("abc");
        assert!(lit.matches("abc"));
        assert!(!lit.matches("ab"));
        assert!(!lit.matches("abcd"));
        let pre = Automaton::prefix("ab");
        assert!(pre.matches("ab"));
        assert!(pre.matches("abé"));
        assert!(!pre.matches("a"));
        assert!(Automaton::prefix("").is_total());
    }

    #[test]
    fn minimal_and_canonical() {
        // Two spellings of the same language minimize to identical tables.
        let a = Automaton::from_pattern("/(a|b)*/").unwrap();
        let b = Automaton::from_pattern("/(a*b*)*/").unwrap();
        assert_eq!(a.dfa(), b.dfa());
        assert_eq!(Automaton::literal("abc").state_count(), 5);
    }

    #[test]
    fn examples_are_shortest_first() {
        // Bytes that behave identically share a class and one representative.
        let a = Automaton::from_pattern("/ab|c|d(e|fh|x)g/").unwrap();
        assert_eq!(a.shortest_example().as_deref(), Some("c"));
        assert_eq!(a.examples(10), vec!["c", "ab", "deg", "dfhg"]);
        assert_eq!(Automaton::empty().shortest_example(), None);
        assert!(Automaton::empty().examples(3).is_empty());
    }
}
