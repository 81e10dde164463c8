//! Role covers: a target's action language split into regions by the distinct grant
//! languages that meet it (a few per query: named privileges, raw action patterns, index
//! privilege lists), and each candidate role as the bitset of regions its grants contain.
//! A set of roles then reaches the target when the union of its bitsets is full: a few
//! word operations per user instead of an automaton union and subset test.

use std::collections::HashMap;

use rampart_automaton::Automaton;

use super::AnalysisError;
use super::regions::split;

/// Which regions of a target each candidate role covers.
#[derive(Debug, Clone)]
pub(crate) struct RoleCover {
    /// Candidate role → bitset of covered regions.
    roles: HashMap<u32, Box<[u64]>>,
    /// Every region set.
    full: Box<[u64]>,
}

fn bitset(words: usize, set: impl IntoIterator<Item = usize>) -> Box<[u64]> {
    let mut bits = vec![0u64; words];
    for i in set {
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    bits.into_boxed_slice()
}

impl RoleCover {
    /// The cover of `actions` by the grant languages `keys` (each meeting `actions`), held by
    /// roles as `(role, key position)` pairs. `single`: `actions` has one member (then it is
    /// one region, inside every key, and no automaton is split).
    pub(crate) fn build(
        actions: &Automaton,
        single: bool,
        keys: &[&Automaton],
        held: impl IntoIterator<Item = (u32, usize)>,
    ) -> Result<Self, AnalysisError> {
        let (key_regions, regions) = if single {
            (vec![vec![0]; keys.len()], 1)
        } else {
            // A key containing every wanted action is inside every region: only the keys
            // that meet the target partly split it (one subset test instead of a split step).
            let mut whole = vec![false; keys.len()];
            let mut partial = Vec::new();
            let mut partial_ids = Vec::new();
            for (k, key) in keys.iter().enumerate() {
                if actions.is_subset_of(key) {
                    if let Some(w) = whole.get_mut(k) {
                        *w = true;
                    }
                } else {
                    partial.push(*key);
                    partial_ids.push(k);
                }
            }
            let regions = split(actions, &partial)?;
            let mut per_key = vec![Vec::new(); keys.len()];
            for (r, region) in regions.iter().enumerate() {
                for &i in &region.inside {
                    if let Some(list) = partial_ids.get(i).and_then(|k| per_key.get_mut(*k)) {
                        list.push(r);
                    }
                }
            }
            for (list, _) in per_key.iter_mut().zip(&whole).filter(|(_, w)| **w) {
                list.extend(0..regions.len());
            }
            (per_key, regions.len())
        };
        let words = regions.div_ceil(64).max(1);
        let key_bits: Vec<Box<[u64]>> = key_regions
            .iter()
            .map(|inside| bitset(words, inside.iter().copied()))
            .collect();
        let mut roles: HashMap<u32, Box<[u64]>> = HashMap::new();
        for (rid, k) in held {
            let Some(bits) = key_bits.get(k) else {
                continue;
            };
            let row = roles
                .entry(rid)
                .or_insert_with(|| vec![0u64; words].into_boxed_slice());
            for (w, b) in row.iter_mut().zip(bits.iter()) {
                *w |= *b;
            }
        }
        Ok(RoleCover {
            roles,
            full: bitset(words, 0..regions),
        })
    }

    /// The candidate roles (unsorted).
    pub(crate) fn roles(&self) -> impl Iterator<Item = u32> + '_ {
        self.roles.keys().copied()
    }

    /// Whether the roles `rids` together cover every region (non-candidates add nothing).
    pub(crate) fn covered_by(&self, rids: &[u32]) -> bool {
        let word = |w: usize| {
            rids.iter()
                .filter_map(|r| self.roles.get(r))
                .fold(0u64, |acc, row| acc | row.get(w).copied().unwrap_or(0))
        };
        !rids.is_empty()
            && self
                .full
                .iter()
                .enumerate()
                .all(|(w, full)| word(w) == *full)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn union_of_parts_covers_what_no_part_covers_alone() {
        let wanted = Automaton::from_patterns(["a:1", "a:2", "b:1"]).unwrap();
        let a = Automaton::from_pattern("a:*").unwrap();
        let b = Automaton::from_pattern("b:*").unwrap();
        let all = Automaton::from_pattern("*").unwrap();
        let cover =
            RoleCover::build(&wanted, false, &[&a, &b, &all], [(1, 0), (2, 1), (3, 2)]).unwrap();
        assert!(!cover.covered_by(&[1]));
        assert!(!cover.covered_by(&[2]));
        assert!(cover.covered_by(&[1, 2]));
        assert!(cover.covered_by(&[3]));
        assert!(!cover.covered_by(&[]));
        assert!(!cover.covered_by(&[9]));
    }
}
