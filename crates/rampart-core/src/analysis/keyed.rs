//! Inverted maps for cluster and application targets: one entry per distinct cluster
//! privilege (a named privilege or a raw action pattern) and per distinct application
//! pattern, each listing the roles that hold it. A lookup tests each distinct key once
//! (there are at most a few hundred in practice, however many roles share them) and then
//! touches only the roles that matched, so the cost grows with the answer.
//!
//! A cluster target with several actions (a privilege name) is answered by a
//! [`ClusterCover`]: the target's action language split into regions by the keys that meet
//! it, and each candidate role as the bitset of regions its keys contain. A role set then
//! reaches the target when the union of its bitsets is full: a few word operations per
//! user instead of an automaton union.

use std::collections::HashMap;

use rampart_automaton::{Automaton, PatternSet};

use super::AnalysisError;
use super::regions::split;
use crate::permission::Permission;

#[derive(Debug, Default)]
pub(crate) struct ClusterIndex {
    /// (the privilege's actions, roles holding it)
    entries: Vec<(Automaton, Vec<u32>)>,
    by_name: HashMap<String, usize>,
}

/// Which regions of a cluster target each candidate role covers.
#[derive(Debug, Clone)]
pub(crate) struct ClusterCover {
    /// Candidate role → bitset of covered regions (`words` words each).
    roles: HashMap<u32, Box<[u64]>>,
    /// Every region set.
    full: Box<[u64]>,
}

impl ClusterCover {
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

fn bitset(words: usize, set: impl IntoIterator<Item = usize>) -> Box<[u64]> {
    let mut bits = vec![0u64; words];
    for i in set {
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    bits.into_boxed_slice()
}

impl ClusterIndex {
    /// Record the unconditional cluster privileges of role `role`.
    pub(crate) fn add(&mut self, role: u32, permission: &Permission) {
        for g in &permission.cluster.grants {
            let slot = match self.by_name.get(&g.value.name) {
                Some(&i) => i,
                None => {
                    self.entries.push((g.value.actions.clone(), Vec::new()));
                    let i = self.entries.len() - 1;
                    self.by_name.insert(g.value.name.clone(), i);
                    i
                }
            };
            if let Some((_, roles)) = self.entries.get_mut(slot) {
                if roles.last() != Some(&role) {
                    roles.push(role);
                }
            }
        }
    }

    /// The cover of the target `actions`: which regions of the target each role holding a
    /// key that meets it contains. `single` is the language's only member when it has one
    /// (a DFA run per key instead of a product).
    pub(crate) fn cover(
        &self,
        actions: &Automaton,
        single: Option<&str>,
    ) -> Result<ClusterCover, AnalysisError> {
        let mut meeting = Vec::new();
        for (granted, roles) in &self.entries {
            let meets = match single {
                Some(a) => granted.matches(a),
                None => !granted.intersection(actions)?.is_empty(),
            };
            if meets {
                meeting.push((granted, roles));
            }
        }
        // A single action is one region, inside every key that meets it.
        let (key_regions, regions) = if single.is_some() {
            (vec![vec![0]; meeting.len()], 1)
        } else {
            let langs: Vec<&Automaton> = meeting.iter().map(|(a, _)| *a).collect();
            let regions = split(actions, &langs)?;
            let mut per_key = vec![Vec::new(); meeting.len()];
            for (r, region) in regions.iter().enumerate() {
                for &k in &region.inside {
                    if let Some(list) = per_key.get_mut(k) {
                        list.push(r);
                    }
                }
            }
            (per_key, regions.len())
        };
        Ok(Self::assemble(&meeting, &key_regions, regions))
    }

    fn assemble(
        meeting: &[(&Automaton, &Vec<u32>)],
        key_regions: &[Vec<usize>],
        regions: usize,
    ) -> ClusterCover {
        let words = regions.div_ceil(64).max(1);
        let mut roles: HashMap<u32, Box<[u64]>> = HashMap::new();
        for ((_, holders), inside) in meeting.iter().zip(key_regions) {
            let key_bits = bitset(words, inside.iter().copied());
            for &rid in holders.iter() {
                let row = roles
                    .entry(rid)
                    .or_insert_with(|| vec![0u64; words].into_boxed_slice());
                for (w, k) in row.iter_mut().zip(key_bits.iter()) {
                    *w |= *k;
                }
            }
        }
        ClusterCover {
            roles,
            full: bitset(words, 0..regions),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ApplicationIndex {
    /// (the application pattern, roles with an entry for it)
    entries: Vec<(PatternSet, Vec<u32>)>,
    by_pattern: HashMap<String, usize>,
}

impl ApplicationIndex {
    pub(crate) fn add(&mut self, role: u32, permission: &Permission) -> Result<(), AnalysisError> {
        for e in permission.applications.entries() {
            let slot = match self.by_pattern.get(&e.application) {
                Some(&i) => i,
                None => {
                    self.entries
                        .push((PatternSet::new([e.application.as_str()])?, Vec::new()));
                    let i = self.entries.len() - 1;
                    self.by_pattern.insert(e.application.clone(), i);
                    i
                }
            };
            if let Some((_, roles)) = self.entries.get_mut(slot) {
                if roles.last() != Some(&role) {
                    roles.push(role);
                }
            }
        }
        Ok(())
    }

    /// Roles with an application entry matching `application` (sorted, unique).
    pub(crate) fn matching(&self, application: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for (pattern, roles) in &self.entries {
            if pattern.matches(application) {
                out.extend_from_slice(roles);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
