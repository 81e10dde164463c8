//! The inverted name index: index-name patterns of every role's groups, keyed so that a
//! lookup touches only the groups that can match (literal names by exact key, `prefix*`
//! patterns by each prefix of the name, and only the few complex patterns by automaton).

use std::collections::BTreeMap;

use rampart_automaton::{Automaton, PatternSet};

use super::target::is_plain_name;

/// A group of a role: (role slot, group id within the role's permission).
pub(crate) type GroupRef = (u32, u32);

#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    literals: BTreeMap<String, Vec<GroupRef>>,
    prefixes: BTreeMap<String, Vec<GroupRef>>,
    /// Groups with at least one pattern that is neither literal nor `prefix*`.
    complex: Vec<(GroupRef, PatternSet)>,
}

/// The literal text before the first pattern metacharacter ("" for regexes).
fn literal_prefix(pattern: &str) -> &str {
    if pattern.starts_with('/') {
        return "";
    }
    let end = pattern.find(['*', '?', '\\', '"']).unwrap_or(pattern.len());
    pattern.get(..end).unwrap_or("")
}

impl NameIndex {
    pub(crate) fn add(&mut self, group: GroupRef, names: &[String], patterns: &PatternSet) {
        let mut complex = false;
        for p in names {
            if is_plain_name(p) {
                self.literals.entry(p.clone()).or_default().push(group);
            } else if let Some(prefix) = p
                .strip_suffix('*')
                .filter(|s| s.is_empty() || is_plain_name(s))
            {
                self.prefixes
                    .entry(prefix.to_string())
                    .or_default()
                    .push(group);
            } else {
                complex = true;
            }
        }
        if complex {
            self.complex.push((group, patterns.clone()));
        }
    }

    /// Groups whose patterns match the plain name `name` (sorted, deduplicated).
    pub(crate) fn matching(&self, name: &str) -> Vec<GroupRef> {
        let mut out: Vec<GroupRef> = self.literals.get(name).cloned().unwrap_or_default();
        for (i, _) in name
            .char_indices()
            .chain(std::iter::once((name.len(), ' ')))
        {
            if let Some(refs) = name.get(..i).and_then(|p| self.prefixes.get(p)) {
                out.extend(refs);
            }
        }
        out.extend(
            self.complex
                .iter()
                .filter(|(_, set)| set.matches(name))
                .map(|(g, _)| *g),
        );
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Groups whose patterns may intersect the language of `pattern` (a superset of the
    /// exact answer for complex patterns; exact for literals and prefixes).
    pub(crate) fn overlapping(&self, pattern: &str, language: &Automaton) -> Vec<GroupRef> {
        let lp = literal_prefix(pattern);
        let mut out = Vec::new();
        for (lit, refs) in self.literals.range(lp.to_string()..) {
            if !lit.starts_with(lp) {
                break;
            }
            if language.matches(lit) {
                out.extend(refs);
            }
        }
        // Shorter prefixes of `lp` contain the whole language; longer ones need a check.
        for (i, _) in lp.char_indices() {
            if let Some(refs) = lp.get(..i).and_then(|p| self.prefixes.get(p)) {
                out.extend(refs);
            }
        }
        for (prefix, refs) in self.prefixes.range(lp.to_string()..) {
            if !prefix.starts_with(lp) {
                break;
            }
            let meets = Automaton::prefix(prefix)
                .intersection(language)
                .is_ok_and(|a| !a.is_empty());
            if meets {
                out.extend(refs);
            }
        }
        out.extend(self.complex.iter().map(|(g, _)| *g));
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn index() -> NameIndex {
        let mut idx = NameIndex::default();
        for (i, pats) in [
            vec!["logs-1"],
            vec!["logs-*"],
            vec!["*"],
            vec!["/met.*/"],
            vec!["metrics-*"],
        ]
        .into_iter()
        .enumerate()
        {
            let names: Vec<String> = pats.iter().map(|s| s.to_string()).collect();
            idx.add((i as u32, 0), &names, &PatternSet::new(&names).unwrap());
        }
        idx
    }

    #[test]
    fn literal_lookup_finds_literals_prefixes_and_complex() {
        let idx = index();
        assert_eq!(idx.matching("logs-1"), vec![(0, 0), (1, 0), (2, 0)]);
        assert_eq!(idx.matching("metrics-a"), vec![(2, 0), (3, 0), (4, 0)]);
    }

    #[test]
    fn pattern_lookup_keeps_overlapping_groups() {
        let idx = index();
        let lang = Automaton::from_pattern("logs-*").unwrap();
        let got = idx.overlapping("logs-*", &lang);
        assert!(got.contains(&(0, 0)) && got.contains(&(1, 0)) && got.contains(&(2, 0)));
        assert!(!got.contains(&(4, 0)));
    }
}
