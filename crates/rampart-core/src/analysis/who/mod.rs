//! Who can reach a target: roles, users, role mappings, API keys and run-as paths.
//!
//! Built once from the security data ([`AccessIndex::build`]); a query looks up only the
//! roles whose grants overlap the target (the inverted name, cluster and application maps),
//! then the users holding those roles, so the cost grows with the answer rather than with
//! users × roles.

mod build;
mod candidates;
mod entries;
mod mappings;
mod model;

use std::collections::HashMap;
use std::sync::Arc;

use rampart_automaton::{Automaton, PatternSet};

use candidates::Candidates;
pub(crate) use candidates::{group_actions, group_names};
pub use model::{
    AccessInput, ApiKeyEntry, EntryGrant, KeyGrant, MappingEntry, MappingGrant, RoleGrant,
    RoleSource, RoleTemplate, RunAsPath, UserEntry, UserGrant, WhoAnswer,
};

use super::AnalysisError;
use super::index::{GroupRef, NameIndex};
use super::keyed::{ApplicationIndex, ClusterIndex};
use super::regions::{Part, covers};
use super::target::{CompiledTarget, Kind, Target};
use super::templates::TemplateShape;
use crate::authz::{ApplicationCheck, EffectiveRole};
use crate::permission::{ApplicationPrivilegeStore, IndexGroup, Permission, RestrictedIndices};
use crate::role::RoleDescriptor;

#[derive(Debug)]
struct RoleSlot {
    descriptor: RoleDescriptor,
    source: RoleSource,
    permission: Arc<Permission>,
}

#[derive(Debug)]
struct KeySlot {
    entry: ApiKeyEntry,
    role: EffectiveRole,
}

#[derive(Debug)]
struct MappingSlot {
    entry: MappingEntry,
    templates: Vec<(RoleTemplate, TemplateShape)>,
}

/// Whether a role set reaches a target: `Some((dls, fls))` when it does.
type Reach = Option<(bool, bool)>;

/// The precomputed index answering who-can-reach questions.
#[derive(Debug)]
pub struct AccessIndex {
    roles: Vec<RoleSlot>,
    role_ids: HashMap<String, u32>,
    users: Vec<UserEntry>,
    /// Role slot → users holding it.
    holders: Vec<Vec<u32>>,
    mappings: Vec<MappingSlot>,
    keys: Vec<KeySlot>,
    /// Users whose roles allow running as others, with the combined run_as patterns.
    runners: Vec<(u32, PatternSet, Vec<String>)>,
    names: NameIndex,
    cluster: ClusterIndex,
    applications: ApplicationIndex,
    app_privileges: ApplicationPrivilegeStore,
    restricted: RestrictedIndices,
    restricted_language: Automaton,
}

impl AccessIndex {
    /// Answer a who-can-reach question.
    pub fn who(&self, target: Target) -> Result<WhoAnswer, AnalysisError> {
        let t = CompiledTarget::compile(target)?;
        let candidates = self.candidate_roles(&t)?;
        let mut answer = WhoAnswer::default();
        for (&rid, groups) in &candidates.roles {
            let Some(slot) = self.roles.get(rid as usize) else {
                continue;
            };
            if self.parts_reach(&t, &candidates, &[(rid, groups)])? {
                answer.roles.push(RoleGrant {
                    role: slot.descriptor.name.clone(),
                    source: slot.source,
                    entries: self.entries(&t, rid, groups),
                });
            }
        }
        let mut memo: HashMap<Vec<u32>, Reach> = HashMap::new();
        let mut reaching_users = Vec::new();
        for (uid, rids) in self.holders_of(&candidates) {
            let Some(user) = self.users.get(uid as usize) else {
                continue;
            };
            if let Some((dls, fls)) = self.set_reaches(&t, &candidates, &rids, &mut memo)? {
                reaching_users.push(uid);
                answer.users.push(UserGrant {
                    username: user.name.clone(),
                    realm: user.realm.clone(),
                    enabled: user.enabled,
                    roles: self.role_names(&rids),
                    document_level_security: dls,
                    field_level_security: fls,
                });
            }
        }
        answer.role_mappings = self.mapping_grants(&t, &candidates, &mut memo)?;
        for k in &self.keys {
            if self.effective_reaches(&t, &k.role)? {
                answer.api_keys.push(KeyGrant {
                    id: k.entry.id.clone(),
                    name: k.entry.name.clone(),
                    owner: k.entry.owner.clone(),
                });
            }
        }
        answer.run_as = self.run_as_paths(&reaching_users);
        answer.roles.sort_by(|a, b| a.role.cmp(&b.role));
        answer.users.sort_by(|a, b| a.username.cmp(&b.username));
        answer
            .role_mappings
            .sort_by(|a, b| a.mapping.cmp(&b.mapping));
        answer.api_keys.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(answer)
    }

    /// Users holding a candidate role, each with its candidate roles (ascending by user,
    /// roles ascending): one sort of (user, role) pairs instead of a map of vectors.
    fn holders_of(&self, candidates: &Candidates) -> Vec<(u32, Vec<u32>)> {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for &rid in candidates.roles.keys() {
            for &uid in self.holders.get(rid as usize).into_iter().flatten() {
                pairs.push((uid, rid));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut out: Vec<(u32, Vec<u32>)> = Vec::new();
        for (uid, rid) in pairs {
            match out.last_mut() {
                Some((last, rids)) if *last == uid => rids.push(rid),
                _ => out.push((uid, vec![rid])),
            }
        }
        out
    }

    /// "A can reach it by running as B" for every runner whose run_as matches a reaching user.
    fn run_as_paths(&self, reaching_users: &[u32]) -> Vec<RunAsPath> {
        let mut out = Vec::new();
        for &target_uid in reaching_users {
            let Some(target_user) = self.users.get(target_uid as usize) else {
                continue;
            };
            for (runner, patterns, via) in &self.runners {
                if *runner == target_uid || !patterns.matches(&target_user.name) {
                    continue;
                }
                if let Some(u) = self.users.get(*runner as usize) {
                    out.push(RunAsPath {
                        user: u.name.clone(),
                        run_as: target_user.name.clone(),
                        via_roles: via.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.user, &a.run_as).cmp(&(&b.user, &b.run_as)));
        out
    }

    fn role_names(&self, rids: &[u32]) -> Vec<String> {
        rids.iter()
            .filter_map(|r| self.roles.get(*r as usize))
            .map(|s| s.descriptor.name.clone())
            .collect()
    }

    fn group(&self, (rid, gid): GroupRef) -> Option<&IndexGroup> {
        self.roles.get(rid as usize)?.permission.indices.group(gid)
    }

    /// Whether a set of roles (with their overlapping groups) jointly reaches the target.
    fn set_reaches(
        &self,
        t: &CompiledTarget,
        candidates: &Candidates,
        rids: &[u32],
        memo: &mut HashMap<Vec<u32>, Reach>,
    ) -> Result<Reach, AnalysisError> {
        // A cluster cover answers in a few word operations: cheaper than the memo.
        if let (Kind::Cluster { .. }, Some(cover)) = (&t.kind, &candidates.cover) {
            return Ok(cover.covered_by(rids).then_some((false, false)));
        }
        if let Some(hit) = memo.get(rids) {
            return Ok(*hit);
        }
        let parts: Vec<(u32, &Vec<u32>)> = rids
            .iter()
            .filter_map(|r| candidates.roles.get(r).map(|g| (*r, g)))
            .collect();
        let result = if self.parts_reach(t, candidates, &parts)? {
            let groups: Vec<&IndexGroup> = parts
                .iter()
                .flat_map(|(r, gs)| gs.iter().filter_map(|g| self.group((*r, *g))))
                .collect();
            let dls = !groups.is_empty() && groups.iter().all(|g| g.queries.is_some());
            let fls = !groups.is_empty() && groups.iter().all(|g| g.field_security.is_some());
            Some((dls, fls))
        } else {
            None
        };
        memo.insert(rids.to_vec(), result);
        Ok(result)
    }

    /// Whether the given roles' overlapping grants jointly reach the target.
    fn parts_reach(
        &self,
        t: &CompiledTarget,
        candidates: &Candidates,
        parts: &[(u32, &Vec<u32>)],
    ) -> Result<bool, AnalysisError> {
        if let Some(cover) = &candidates.cover {
            let rids: Vec<u32> = parts.iter().map(|(r, _)| *r).collect();
            return Ok(cover.covered_by(&rids));
        }
        match &t.kind {
            Kind::Index { .. } => {
                let groups: Vec<&IndexGroup> = parts
                    .iter()
                    .flat_map(|(r, gs)| gs.iter().filter_map(|g| self.group((*r, *g))))
                    .collect();
                self.groups_reach(t, &groups)
            }
            // Cluster targets always have a cover.
            Kind::Cluster { .. } => Ok(false),
            Kind::Application | Kind::ApplicationActions => {
                let descriptors: Vec<RoleDescriptor> = parts
                    .iter()
                    .filter_map(|(r, _)| self.roles.get(*r as usize))
                    .map(|s| s.descriptor.clone())
                    .collect();
                let perm = build::compile(&descriptors, &self.app_privileges, &self.restricted)?;
                self.effective_reaches(t, &EffectiveRole::plain(perm))
            }
        }
    }

    /// Whether index groups (each overlapping the target) jointly reach an index target.
    fn groups_reach(
        &self,
        t: &CompiledTarget,
        groups: &[&IndexGroup],
    ) -> Result<bool, AnalysisError> {
        let Kind::Index {
            literal,
            names,
            actions,
        } = &t.kind
        else {
            return Ok(false);
        };
        if groups.is_empty() {
            return Ok(false);
        }
        if literal.is_some() {
            let mut granted = Automaton::empty();
            for g in groups {
                granted = granted.union(&group_actions(g)?)?;
            }
            return Ok(actions.is_subset_of(&granted));
        }
        let mut parts = Vec::with_capacity(groups.len());
        for g in groups {
            parts.push(Part {
                names: group_names(g, &self.restricted_language)?,
                actions: group_actions(g)?,
            });
        }
        covers(names, &parts, actions)
    }

    /// Whether an effective role (every side) reaches the target.
    fn effective_reaches(
        &self,
        t: &CompiledTarget,
        role: &EffectiveRole,
    ) -> Result<bool, AnalysisError> {
        match &t.target {
            Target::Application {
                application,
                privilege,
                resource,
            } => {
                let check = ApplicationCheck {
                    application,
                    privilege,
                    resource,
                };
                return Ok(role.check_application(&check, &self.app_privileges)?);
            }
            Target::ApplicationActions {
                application,
                actions,
                resource,
            } => {
                for action in actions {
                    let check = ApplicationCheck {
                        application,
                        privilege: action,
                        resource,
                    };
                    if !role.check_application(&check, &self.app_privileges)? {
                        return Ok(false);
                    }
                }
                return Ok(true);
            }
            Target::Index { .. } | Target::Cluster { .. } => {}
        }
        for side in role.sides() {
            let ok = match &t.kind {
                Kind::Cluster { actions, .. } => {
                    actions.is_subset_of(side.cluster.action_language())
                }
                Kind::Index {
                    literal,
                    names,
                    actions,
                } => {
                    let mut groups = Vec::new();
                    for g in side.indices.groups() {
                        if self.group_overlaps(g, literal.as_deref(), names, actions)? {
                            groups.push(g);
                        }
                    }
                    self.groups_reach(t, &groups)?
                }
                Kind::Application | Kind::ApplicationActions => false,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
