//! [`PatternSet`]: a set of patterns matched without automata where possible.

use std::sync::OnceLock;

use crate::automaton::Automaton;
use crate::compile::compile_union;
use crate::error::{AutomatonError, Limits};
use crate::fast_hash::FastHashSet;
use crate::ops;
use crate::pattern::{self, Ast, PatternKind, classify};
use crate::prefix_map::PrefixMap;
use crate::trie::trie_dfa;

/// A set of patterns with a hybrid matcher: literal patterns live in a hash
/// set, `prefix*` patterns in a prefix map, and only the remaining
/// ("complex") patterns are compiled, together, into one DFA.
///
/// Sets of thousands of literal names (e.g. Kibana privileges) therefore
/// build in time linear in their size and never hit determinization.
#[derive(Debug, Clone)]
pub struct PatternSet {
    patterns: Vec<String>,
    pub(crate) literals: FastHashSet<String>,
    pub(crate) prefixes: PrefixMap<()>,
    pub(crate) complex: Option<Automaton>,
    limits: Limits,
    /// Exact totality, computed on first request (may need the full automaton).
    total: OnceLock<bool>,
    /// The whole set as one automaton, built on first request (subset questions repeat).
    automaton: OnceLock<Result<Automaton, AutomatonError>>,
}

impl PatternSet {
    /// Builds a set with default limits. Every pattern is validated.
    pub fn new<I, S>(patterns: I) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::new_with_limits(patterns, &Limits::default())
    }

    /// Builds a set with explicit limits for its complex patterns.
    pub fn new_with_limits<I, S>(patterns: I, limits: &Limits) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = Self {
            patterns: Vec::new(),
            literals: FastHashSet::default(),
            prefixes: PrefixMap::default(),
            complex: None,
            limits: *limits,
            total: OnceLock::new(),
            automaton: OnceLock::new(),
        };
        let mut complex: Vec<Ast> = Vec::new();
        for p in patterns {
            let p = p.as_ref();
            match classify(p) {
                PatternKind::Literal(text) => {
                    set.literals.insert(text);
                }
                PatternKind::Prefix(text) => {
                    set.prefixes.entry_or_insert_with(&text, || ());
                }
                PatternKind::Complex => complex.push(pattern::parse(p)?),
            }
            set.patterns.push(p.to_owned());
        }
        if !complex.is_empty() {
            set.complex = Some(Automaton::from_dfa(compile_union(&complex, limits)?));
        }
        Ok(set)
    }

    /// Whole-string match against any pattern of the set.
    pub fn matches(&self, s: &str) -> bool {
        self.literals.contains(s)
            || self.prefixes.any_match(s)
            || self.complex.as_ref().is_some_and(|a| a.matches(s))
    }

    /// The set has no pattern at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The set matches every string (contains `*`, or its patterns
    /// together cover everything, e.g. a total regex).
    pub fn is_total(&self) -> bool {
        if self.prefixes.contains_key("") {
            return true;
        }
        if self.complex.is_none() {
            // Finitely many literals and non-empty prefixes never cover
            // every string.
            return false;
        }
        *self
            .total
            .get_or_init(|| self.to_automaton().is_ok_and(|a| a.is_total()))
    }

    /// The patterns as given, in order.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    fn simple_automaton(&self) -> Automaton {
        let entries = self
            .literals
            .iter()
            .map(|l| (l.as_str(), false))
            .chain(self.prefixes.keys().map(|p| (p, true)));
        Automaton::from_dfa(trie_dfa(entries))
    }

    /// One automaton for the whole set. Literals and prefixes go through a
    /// trie (linear in their size); complex patterns reuse their DFA.
    pub fn to_automaton(&self) -> Result<Automaton, AutomatonError> {
        self.automaton
            .get_or_init(|| self.build_automaton())
            .clone()
    }

    fn build_automaton(&self) -> Result<Automaton, AutomatonError> {
        let simple = self.simple_automaton();
        match &self.complex {
            None => Ok(simple),
            Some(complex) if self.literals.is_empty() && self.prefixes.is_empty() => {
                Ok(complex.clone())
            }
            Some(complex) => simple.union_with_limits(complex, &self.limits),
        }
    }

    /// Every string matched by `self` is matched by `other`.
    ///
    /// Literal patterns are checked with `other.matches`, prefixes against
    /// `other`'s prefixes; automata are built only for what remains.
    pub fn is_subset_of(&self, other: &PatternSet) -> Result<bool, AutomatonError> {
        if self.is_empty() || other.prefixes.contains_key("") {
            return Ok(true);
        }
        if !self.literals.iter().all(|l| other.matches(l)) {
            return Ok(false);
        }
        let uncovered_prefixes: Vec<&str> = self
            .prefixes
            .keys()
            .filter(|p| !other.prefixes.any_match(p))
            .collect();
        if uncovered_prefixes.is_empty() && self.complex.is_none() {
            return Ok(true);
        }
        let mut rest = Automaton::from_dfa(trie_dfa(uncovered_prefixes.iter().map(|p| (*p, true))));
        if let Some(complex) = &self.complex {
            rest = rest.union_with_limits(complex, &self.limits)?;
        }
        let other_automaton = other.to_automaton()?;
        Ok(ops::is_subset(rest.dfa(), other_automaton.dfa()))
    }

    /// The pattern has no wildcard or regex meaning: it matches exactly one
    /// string (escapes such as `\*` still count as literal).
    pub fn is_literal(p: &str) -> bool {
        matches!(classify(p), PatternKind::Literal(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_matching() {
        let set = PatternSet::new(["read", "logs-*", "/met.*/", "a\\*"]).unwrap();
        assert!(set.matches("read"));
        assert!(set.matches("logs-"));
        assert!(set.matches("metrics"));
        assert!(set.matches("a*"));
        assert!(!set.matches("ab"));
        assert!(!set.matches("rea"));
        assert_eq!(set.literals.len(), 2);
        assert!(set.complex.is_some());
        assert_eq!(set.patterns(), ["read", "logs-*", "/met.*/", "a\\*"]);
    }

    #[test]
    fn validation_and_totality() {
        assert!(PatternSet::new(["ok", "/bad"]).is_err());
        assert!(PatternSet::new(["ok", "/(bad/"]).is_err());
        assert!(PatternSet::new(["x", "*"]).unwrap().is_total());
        assert!(PatternSet::new(["/@/"]).unwrap().is_total());
        assert!(PatternSet::new(["/a.*/", "/~(a.*)/"]).unwrap().is_total());
        assert!(PatternSet::new(["a*", "/~(a.*)/"]).unwrap().is_total());
        assert!(!PatternSet::new(["a*", "b"]).unwrap().is_total());
        assert!(PatternSet::new(Vec::<String>::new()).unwrap().is_empty());
    }

    #[test]
    fn subsets() {
        let small = PatternSet::new(["logs-a", "logs-b*"]).unwrap();
        let big = PatternSet::new(["logs-*"]).unwrap();
        assert!(small.is_subset_of(&big).unwrap());
        assert!(!big.is_subset_of(&small).unwrap());
        let regex = PatternSet::new(["/logs-[ab].*/"]).unwrap();
        assert!(regex.is_subset_of(&big).unwrap());
        assert!(!big.is_subset_of(&regex).unwrap());
        assert!(small.is_subset_of(&regex).unwrap());
    }

    #[test]
    fn literal_detection() {
        assert!(PatternSet::is_literal("indices:data/read/search"));
        assert!(PatternSet::is_literal("a\\*b"));
        assert!(!PatternSet::is_literal("a*"));
        assert!(!PatternSet::is_literal("a?"));
        assert!(!PatternSet::is_literal("/a/"));
    }
}
