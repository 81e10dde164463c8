//! [`TaggedMatcher`]: which of several tagged pattern sets match a name.

use std::sync::Arc;

use crate::automaton::Automaton;
use crate::dfa::{Dfa, determinize};
use crate::error::{AutomatonError, Limits};
use crate::fast_hash::FastHashMap;
use crate::matcher::Matcher;
use crate::minimize::minimize;
use crate::nfa::Nfa;
use crate::pattern_set::PatternSet;
use crate::prefix_map::PrefixMap;

/// Answers "which of these N tagged pattern sets match this name".
///
/// Literals and prefixes of all sets are merged into one hash map and one
/// prefix map from name to tags; the complex patterns of all sets are
/// merged into one DFA whose accepting states carry the set of tags. When
/// that combined DFA would exceed the limits, the per-set automata are
/// scanned instead (slower, same answers).
#[derive(Debug, Clone)]
pub struct TaggedMatcher {
    literals: FastHashMap<String, Vec<u32>>,
    prefixes: PrefixMap<Vec<u32>>,
    complex: ComplexTags,
}

#[derive(Debug, Clone)]
enum ComplexTags {
    None,
    /// `tags[label - 1]` are the tags of an accepting state with `label`.
    Combined {
        matcher: Arc<Matcher>,
        tags: Vec<Vec<u32>>,
    },
    Scan(Vec<(u32, Automaton)>),
}

impl TaggedMatcher {
    /// Builds the matcher with default limits for the combined DFA.
    pub fn new(parts: Vec<(u32, PatternSet)>) -> Result<Self, AutomatonError> {
        Self::new_with_limits(parts, &Limits::default())
    }

    /// Builds the matcher; exceeding `limits` selects the scanning fallback
    /// rather than failing.
    pub fn new_with_limits(
        parts: Vec<(u32, PatternSet)>,
        limits: &Limits,
    ) -> Result<Self, AutomatonError> {
        let mut literals: FastHashMap<String, Vec<u32>> = FastHashMap::default();
        let mut prefixes: PrefixMap<Vec<u32>> = PrefixMap::default();
        let mut complex: Vec<(u32, Automaton)> = Vec::new();
        for (tag, set) in &parts {
            for literal in &set.literals {
                literals.entry(literal.clone()).or_default().push(*tag);
            }
            for prefix in set.prefixes.keys() {
                prefixes.entry_or_insert_with(prefix, Vec::new).push(*tag);
            }
            if let Some(automaton) = &set.complex {
                complex.push((*tag, automaton.clone()));
            }
        }
        for tags in literals.values_mut().chain(prefixes.values_mut()) {
            tags.sort_unstable();
            tags.dedup();
        }
        let complex = if complex.is_empty() {
            ComplexTags::None
        } else {
            match combine(&complex, limits) {
                Ok((dfa, tags)) => ComplexTags::Combined {
                    matcher: Arc::new(Matcher::new(&dfa, false)),
                    tags,
                },
                Err(AutomatonError::TooComplex { .. }) => ComplexTags::Scan(complex),
                Err(other) => return Err(other),
            }
        };
        Ok(Self {
            literals,
            prefixes,
            complex,
        })
    }

    /// Tags of every set matching `s`, sorted and deduplicated.
    pub fn matching_tags(&self, s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some(tags) = self.literals.get(s) {
            out.extend_from_slice(tags);
        }
        for tags in self.prefixes.matches(s) {
            out.extend_from_slice(tags);
        }
        match &self.complex {
            ComplexTags::None => {}
            ComplexTags::Combined { matcher, tags } => {
                let label = matcher.label(s.as_bytes()) as usize;
                if let Some(found) = label.checked_sub(1).and_then(|i| tags.get(i)) {
                    out.extend_from_slice(found);
                }
            }
            ComplexTags::Scan(parts) => {
                out.extend(parts.iter().filter(|(_, a)| a.matches(s)).map(|(t, _)| *t));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Calls `found` with the tag of every set matching `s` (a tag may come more than once);
    /// allocation free, for callers that collect into their own small buffers.
    pub fn for_each_matching_tag(&self, s: &str, mut found: impl FnMut(u32)) {
        if let Some(tags) = self.literals.get(s) {
            tags.iter().copied().for_each(&mut found);
        }
        for tags in self.prefixes.matches(s) {
            tags.iter().copied().for_each(&mut found);
        }
        match &self.complex {
            ComplexTags::None => {}
            ComplexTags::Combined { matcher, tags } => {
                let label = matcher.label(s.as_bytes()) as usize;
                if let Some(tags) = label.checked_sub(1).and_then(|i| tags.get(i)) {
                    tags.iter().copied().for_each(&mut found);
                }
            }
            ComplexTags::Scan(parts) => parts
                .iter()
                .filter(|(_, a)| a.matches(s))
                .for_each(|(t, _)| found(*t)),
        }
    }

    /// Whether any set matches `s`; allocation free.
    pub fn any_match(&self, s: &str) -> bool {
        self.literals.contains_key(s)
            || self.prefixes.any_match(s)
            || match &self.complex {
                ComplexTags::None => false,
                ComplexTags::Combined { matcher, .. } => matcher.matches(s.as_bytes()),
                ComplexTags::Scan(parts) => parts.iter().any(|(_, a)| a.matches(s)),
            }
    }

    /// Whether the complex patterns were merged into one DFA (as opposed to
    /// the scanning fallback). Exposed for tests and diagnostics.
    pub fn is_combined(&self) -> bool {
        !matches!(self.complex, ComplexTags::Scan(_))
    }
}

/// One DFA for all parts; accept labels identify the set of parts.
fn combine(
    parts: &[(u32, Automaton)],
    limits: &Limits,
) -> Result<(Dfa, Vec<Vec<u32>>), AutomatonError> {
    let mut nfa = Nfa::new(limits);
    let start = nfa.add_state()?;
    for (index, (_, automaton)) in parts.iter().enumerate() {
        let frag = automaton.dfa().to_nfa(&mut nfa)?;
        nfa.add_eps(start, frag.start);
        nfa.set_label(
            frag.end,
            u32::try_from(index + 1).map_err(|_| limits.too_complex())?,
        );
    }
    let det = determinize(&nfa, start, true, limits)?;
    let dfa = minimize(&det.dfa);
    let tags = det
        .label_sets
        .iter()
        .map(|indexes| {
            let mut tags: Vec<u32> = indexes
                .iter()
                .filter_map(|&i| parts.get((i as usize).checked_sub(1)?).map(|(t, _)| *t))
                .collect();
            tags.sort_unstable();
            tags.dedup();
            tags
        })
        .collect();
    Ok((dfa, tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> PatternSet {
        PatternSet::new(patterns).unwrap()
    }

    #[test]
    fn tags_from_all_kinds() {
        let m = TaggedMatcher::new(vec![
            (1, set(&["logs-*", "/metrics-.*/"])),
            (2, set(&["logs-app", "/.*-app/"])),
            (3, set(&["*"])),
            (4, set(&[])),
        ])
        .unwrap();
        assert!(m.is_combined());
        assert_eq!(m.matching_tags("logs-app"), vec![1, 2, 3]);
        assert_eq!(m.matching_tags("metrics-app"), vec![1, 2, 3]);
        assert_eq!(m.matching_tags("other"), vec![3]);
        let mut seen = Vec::new();
        m.for_each_matching_tag("logs-app", |t| seen.push(t));
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, vec![1, 2, 3]);
        assert!(m.any_match(""));
    }

    #[test]
    fn fallback_gives_same_answers() {
        let parts = vec![
            (7, set(&["/(a|b)*a(a|b){6}/"])),
            (8, set(&["/(a|b)*b(a|b){6}/"])),
        ];
        let tight = Limits { max_states: 40 };
        let scan = TaggedMatcher::new_with_limits(parts.clone(), &tight).unwrap();
        let combined = TaggedMatcher::new(parts).unwrap();
        assert!(!scan.is_combined());
        assert!(combined.is_combined());
        for s in ["aaaaaaa", "baaaaaaa", "abbbbbbb", "ab", ""] {
            assert_eq!(scan.matching_tags(s), combined.matching_tags(s), "{s}");
            assert_eq!(scan.any_match(s), combined.any_match(s), "{s}");
        }
        assert_eq!(combined.matching_tags("abaaaaaa"), vec![8]);
        assert_eq!(combined.matching_tags("aaaaaaaa"), vec![7]);
    }
}
