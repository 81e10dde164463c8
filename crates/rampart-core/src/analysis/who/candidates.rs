//! Which roles can contribute to a target: looked up in the inverted maps, never by
//! scanning every role.

use std::collections::{BTreeMap, HashMap};

use rampart_automaton::Automaton;

use super::AccessIndex;
use crate::analysis::AnalysisError;
use crate::analysis::cover::RoleCover;
use crate::analysis::target::{CompiledTarget, Kind, Target};
use crate::permission::IndexGroup;

/// The only member of a one-string language.
pub(crate) fn single_member(lang: &Automaton) -> Option<String> {
    let mut ex = lang.examples(2);
    if ex.len() == 1 { ex.pop() } else { None }
}

/// The actions a group grants on data (including the BWC mapping rule).
pub(crate) fn group_actions(g: &IndexGroup) -> Result<Automaton, AnalysisError> {
    if g.bwc_mapping {
        let bwc = Automaton::from_patterns([
            "indices:admin/mapping/put",
            "indices:admin/mapping/auto_put",
        ])?;
        Ok(g.data_actions.union(&bwc)?)
    } else {
        Ok(g.data_actions.clone())
    }
}

/// The names a group matches, restricted names removed unless it allows them.
pub(crate) fn group_names(
    g: &IndexGroup,
    restricted: &Automaton,
) -> Result<Automaton, AnalysisError> {
    let names = g.name_patterns().to_automaton()?;
    if g.allow_restricted {
        Ok(names)
    } else {
        Ok(names.minus(restricted)?)
    }
}

/// The roles that can contribute to one target.
#[derive(Debug, Default)]
pub(super) struct Candidates {
    /// Roles with some grant overlapping the target, with the overlapping index groups
    /// (empty for cluster and application targets).
    pub(super) roles: BTreeMap<u32, Vec<u32>>,
    /// For a cluster target or a literal index name: the regions of the wanted actions each
    /// candidate covers (then no automaton is built per user).
    pub(super) cover: Option<RoleCover>,
}

impl AccessIndex {
    pub(super) fn candidate_roles(&self, t: &CompiledTarget) -> Result<Candidates, AnalysisError> {
        let mut out: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        match (&t.kind, &t.target) {
            (
                Kind::Index {
                    literal,
                    names,
                    actions,
                },
                Target::Index { name, .. },
            ) => {
                if let Some(l) = literal {
                    return self.literal_candidates(l, actions);
                }
                for r in self.names.overlapping(name, names) {
                    let Some(g) = self.group(r) else { continue };
                    if self.group_overlaps(g, literal.as_deref(), names, actions)? {
                        out.entry(r.0).or_default().push(r.1);
                    }
                }
            }
            (Kind::Cluster { actions, single }, _) => {
                let cover = self.cluster.cover(actions, single.as_deref())?;
                out.extend(cover.roles().map(|rid| (rid, Vec::new())));
                return Ok(Candidates {
                    roles: out,
                    cover: Some(cover),
                });
            }
            (Kind::Application, Target::Application { application, .. })
            | (Kind::ApplicationActions, Target::ApplicationActions { application, .. }) => {
                for rid in self.applications.matching(application) {
                    out.insert(rid, Vec::new());
                }
            }
            _ => {}
        }
        Ok(Candidates {
            roles: out,
            cover: None,
        })
    }

    /// Candidates for one index name: every group matching the name grants its actions on
    /// all of the target, so a role's contribution is the union of its groups' actions.
    /// Groups with the same privileges grant the same actions: each distinct privilege list
    /// is compared with the wanted actions once, then covered by region bitsets.
    fn literal_candidates(
        &self,
        name: &str,
        actions: &Automaton,
    ) -> Result<Candidates, AnalysisError> {
        let single = single_member(actions);
        let mut roles: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut langs: Vec<Automaton> = Vec::new();
        let mut by_privileges: HashMap<&[String], Option<usize>> = HashMap::new();
        let mut held = Vec::new();
        let restricted = self.restricted.matches(name);
        for r in self.names.matching(name) {
            let Some(g) = self.group(r) else { continue };
            if !g.matches_name(name) || (restricted && !g.allow_restricted) {
                continue;
            }
            let key = match by_privileges.get(g.privileges.as_slice()) {
                Some(k) => *k,
                None => {
                    let meets = match &single {
                        Some(a) => g.grants_action(a, false),
                        None => !group_actions(g)?.intersection(actions)?.is_empty(),
                    };
                    let k = if meets {
                        langs.push(group_actions(g)?);
                        Some(langs.len() - 1)
                    } else {
                        None
                    };
                    by_privileges.insert(g.privileges.as_slice(), k);
                    k
                }
            };
            if let Some(k) = key {
                roles.entry(r.0).or_default().push(r.1);
                held.push((r.0, k));
            }
        }
        let keys: Vec<&Automaton> = langs.iter().collect();
        let cover = RoleCover::build(actions, single.is_some(), &keys, held)?;
        Ok(Candidates {
            roles,
            cover: Some(cover),
        })
    }

    pub(super) fn group_overlaps(
        &self,
        g: &IndexGroup,
        literal: Option<&str>,
        names: &Automaton,
        actions: &Automaton,
    ) -> Result<bool, AnalysisError> {
        let actions_meet = match single_member(actions) {
            Some(a) => g.grants_action(&a, false),
            None => !group_actions(g)?.intersection(actions)?.is_empty(),
        };
        if !actions_meet {
            return Ok(false);
        }
        Ok(match literal {
            Some(l) => g.matches_name(l) && (g.allow_restricted || !self.restricted.matches(l)),
            None => !group_names(g, &self.restricted_language)?
                .intersection(names)?
                .is_empty(),
        })
    }
}
