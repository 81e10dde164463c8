//! Inverted maps for cluster and application targets: one entry per distinct cluster
//! privilege (a named privilege or a raw action pattern) and per distinct application
//! pattern, each listing the roles that hold it. A lookup tests each distinct key once
//! (there are at most a few hundred in practice, however many roles share them) and then
//! touches only the roles that matched, so the cost grows with the answer.
//!
//! A cluster target is answered by a [`RoleCover`] over the keys that meet it.

use std::collections::HashMap;

use rampart_automaton::{Automaton, PatternSet};

use super::AnalysisError;
use super::cover::RoleCover;
use crate::permission::Permission;

#[derive(Debug, Default)]
pub(crate) struct ClusterIndex {
    /// (the privilege's actions, roles holding it)
    entries: Vec<(Automaton, Vec<u32>)>,
    by_name: HashMap<String, usize>,
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
    ) -> Result<RoleCover, AnalysisError> {
        let mut keys = Vec::new();
        let mut held = Vec::new();
        for (granted, roles) in &self.entries {
            let meets = match single {
                Some(a) => granted.matches(a),
                None => !granted.intersection(actions)?.is_empty(),
            };
            if meets {
                held.extend(roles.iter().map(|&r| (r, keys.len())));
                keys.push(granted);
            }
        }
        RoleCover::build(actions, single.is_some(), &keys, held)
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
