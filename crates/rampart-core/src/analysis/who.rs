//! Who can reach a target: roles, users, role mappings, API keys and run-as paths.
//!
//! Built once from the security data ([`AccessIndex::build`]); a query looks up only the
//! roles whose grants overlap the target (the inverted [`NameIndex`]), then the users holding
//! those roles, so the cost grows with the answer rather than with users × roles.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rampart_automaton::{Automaton, PatternSet};
use serde::Serialize;

use super::AnalysisError;
use super::index::{GroupRef, NameIndex};
use super::regions::{Part, covers};
use super::target::{CompiledTarget, Kind, Target};
use crate::authz::{ApplicationCheck, EffectiveRole};
use crate::permission::{ApplicationPrivilegeStore, IndexGroup, Permission, RestrictedIndices};
use crate::role::RoleDescriptor;

/// Where a role is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    Builtin,
    File,
    Native,
}

/// A user and the role names assigned to it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserEntry {
    pub name: String,
    /// Realm type: `reserved`, `file` or `native`.
    pub realm: String,
    pub roles: Vec<String>,
    pub enabled: bool,
}

/// A role mapping: mapped users cannot be enumerated, so the rules are reported as text.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingEntry {
    pub name: String,
    pub roles: Vec<String>,
    pub rules: String,
    pub enabled: bool,
}

/// An API key: its own descriptors (may be empty) limited by the owner's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyEntry {
    pub id: String,
    pub name: Option<String>,
    pub owner: String,
    pub role_descriptors: Vec<RoleDescriptor>,
    pub limited_by: Vec<RoleDescriptor>,
}

/// Everything an [`AccessIndex`] is built from. Roles earlier in the list win on name
/// clashes (pass built-in, then file, then native, as role resolution does).
#[derive(Debug, Clone)]
pub struct AccessInput {
    pub roles: Vec<(RoleDescriptor, RoleSource)>,
    pub users: Vec<UserEntry>,
    pub mappings: Vec<MappingEntry>,
    pub api_keys: Vec<ApiKeyEntry>,
    pub applications: ApplicationPrivilegeStore,
    pub restricted: RestrictedIndices,
}

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

/// The precomputed index answering who-can-reach questions.
#[derive(Debug)]
pub struct AccessIndex {
    roles: Vec<RoleSlot>,
    role_ids: HashMap<String, u32>,
    users: Vec<UserEntry>,
    /// Role slot → users holding it.
    holders: Vec<Vec<u32>>,
    mappings: Vec<MappingEntry>,
    keys: Vec<KeySlot>,
    /// Users whose roles allow running as others, with the combined run_as patterns.
    runners: Vec<(u32, PatternSet, Vec<String>)>,
    names: NameIndex,
    applications: ApplicationPrivilegeStore,
    restricted: RestrictedIndices,
    restricted_language: Automaton,
}

/// One granting entry of a role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryGrant {
    /// Index patterns, application resources, or empty for cluster grants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    pub privileges: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_restricted_indices: bool,
    /// DLS queries of the entry (`None`: no document-level restriction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<Vec<String>>,
    /// Field security alternatives (`None`: no field-level restriction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_security: Option<Vec<serde_json::Value>>,
}

/// A role granting the target on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleGrant {
    pub role: String,
    pub source: RoleSource,
    pub entries: Vec<EntryGrant>,
}

/// A subject (user or mapping) reaching the target through a set of roles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserGrant {
    pub username: String,
    pub realm: String,
    pub enabled: bool,
    /// The subject's roles that contribute to the grant.
    pub roles: Vec<String>,
    /// Every contributing entry carries a DLS query (documents are filtered).
    pub document_level_security: bool,
    /// Every contributing entry carries field security (fields are filtered).
    pub field_level_security: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingGrant {
    pub mapping: String,
    pub enabled: bool,
    pub rules: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyGrant {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub owner: String,
}

/// "`user` can reach the target by running as `run_as`".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunAsPath {
    pub user: String,
    pub run_as: String,
    pub via_roles: Vec<String>,
}

/// The answer to one who-can-reach question.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WhoAnswer {
    pub roles: Vec<RoleGrant>,
    pub users: Vec<UserGrant>,
    pub role_mappings: Vec<MappingGrant>,
    pub api_keys: Vec<KeyGrant>,
    pub run_as: Vec<RunAsPath>,
}

fn compile(
    roles: &[RoleDescriptor],
    apps: &ApplicationPrivilegeStore,
    restricted: &RestrictedIndices,
) -> Result<Arc<Permission>, AnalysisError> {
    Ok(Arc::new(Permission::compile(roles, &[], apps, restricted)?))
}

/// The only member of a one-string language.
fn single_member(lang: &Automaton) -> Option<String> {
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

impl AccessIndex {
    pub fn build(input: AccessInput) -> Result<Self, AnalysisError> {
        let mut roles = Vec::new();
        let mut role_ids = HashMap::new();
        let mut names = NameIndex::default();
        for (descriptor, source) in input.roles {
            if role_ids.contains_key(&descriptor.name) {
                continue;
            }
            let id = roles.len() as u32;
            let permission = compile(
                std::slice::from_ref(&descriptor),
                &input.applications,
                &input.restricted,
            )?;
            for (gid, g) in permission.indices.groups().iter().enumerate() {
                names.add((id, gid as u32), &g.names, g.name_patterns());
            }
            role_ids.insert(descriptor.name.clone(), id);
            roles.push(RoleSlot {
                descriptor,
                source,
                permission,
            });
        }
        let mut holders = vec![Vec::new(); roles.len()];
        let mut runners = Vec::new();
        for (uid, user) in input.users.iter().enumerate() {
            let mut patterns = Vec::new();
            let mut via = Vec::new();
            for r in &user.roles {
                if let Some(&rid) = role_ids.get(r) {
                    if let Some(h) = holders.get_mut(rid as usize) {
                        h.push(uid as u32);
                    }
                    if let Some(slot) = roles.get(rid as usize) {
                        if !slot.descriptor.run_as.is_empty() {
                            patterns.extend(slot.descriptor.run_as.iter().cloned());
                            via.push(r.clone());
                        }
                    }
                }
            }
            if !patterns.is_empty() {
                runners.push((uid as u32, PatternSet::new(&patterns)?, via));
            }
        }
        let mut keys = Vec::new();
        for entry in input.api_keys {
            let owner = compile(&entry.limited_by, &input.applications, &input.restricted)?;
            let role = if entry.role_descriptors.is_empty() {
                EffectiveRole::plain(owner)
            } else {
                let assigned = compile(
                    &entry.role_descriptors,
                    &input.applications,
                    &input.restricted,
                )?;
                EffectiveRole::limited(assigned, owner)
            };
            keys.push(KeySlot { entry, role });
        }
        let restricted_language = input.restricted.patterns().to_automaton()?;
        Ok(AccessIndex {
            roles,
            role_ids,
            users: input.users,
            holders,
            mappings: input.mappings,
            keys,
            runners,
            names,
            applications: input.applications,
            restricted: input.restricted,
            restricted_language,
        })
    }

    /// Answer a who-can-reach question.
    pub fn who(&self, target: Target) -> Result<WhoAnswer, AnalysisError> {
        let t = CompiledTarget::compile(target)?;
        let candidates = self.candidate_roles(&t)?;
        let mut answer = WhoAnswer::default();
        for (&rid, groups) in &candidates {
            let Some(slot) = self.roles.get(rid as usize) else {
                continue;
            };
            if self.parts_reach(&t, &[(rid, groups)])? {
                answer.roles.push(RoleGrant {
                    role: slot.descriptor.name.clone(),
                    source: slot.source,
                    entries: self.entries(&t, rid, groups),
                });
            }
        }
        // Users holding a candidate role; decided once per distinct candidate role set.
        let mut by_user: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &rid in candidates.keys() {
            for &uid in self.holders.get(rid as usize).into_iter().flatten() {
                by_user.entry(uid).or_default().push(rid);
            }
        }
        let mut memo: HashMap<Vec<u32>, Option<(bool, bool)>> = HashMap::new();
        let mut reaching_users = Vec::new();
        for (uid, rids) in by_user {
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
        for m in &self.mappings {
            let mut rids: Vec<u32> = m
                .roles
                .iter()
                .filter_map(|r| self.role_ids.get(r).copied())
                .filter(|rid| candidates.contains_key(rid))
                .collect();
            rids.sort_unstable();
            rids.dedup();
            if !rids.is_empty()
                && self
                    .set_reaches(&t, &candidates, &rids, &mut memo)?
                    .is_some()
            {
                answer.role_mappings.push(MappingGrant {
                    mapping: m.name.clone(),
                    enabled: m.enabled,
                    rules: m.rules.clone(),
                    roles: self.role_names(&rids),
                });
            }
        }
        for k in &self.keys {
            if self.effective_reaches(&t, &k.role)? {
                answer.api_keys.push(KeyGrant {
                    id: k.entry.id.clone(),
                    name: k.entry.name.clone(),
                    owner: k.entry.owner.clone(),
                });
            }
        }
        for &target_uid in &reaching_users {
            let Some(target_user) = self.users.get(target_uid as usize) else {
                continue;
            };
            for (runner, patterns, via) in &self.runners {
                if *runner != target_uid && patterns.matches(&target_user.name) {
                    if let Some(u) = self.users.get(*runner as usize) {
                        answer.run_as.push(RunAsPath {
                            user: u.name.clone(),
                            run_as: target_user.name.clone(),
                            via_roles: via.clone(),
                        });
                    }
                }
            }
        }
        answer.roles.sort_by(|a, b| a.role.cmp(&b.role));
        answer.users.sort_by(|a, b| a.username.cmp(&b.username));
        answer
            .role_mappings
            .sort_by(|a, b| a.mapping.cmp(&b.mapping));
        answer.api_keys.sort_by(|a, b| a.id.cmp(&b.id));
        answer
            .run_as
            .sort_by(|a, b| (&a.user, &a.run_as).cmp(&(&b.user, &b.run_as)));
        Ok(answer)
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

    /// Roles with some grant overlapping the target, with the overlapping index groups.
    fn candidate_roles(
        &self,
        t: &CompiledTarget,
    ) -> Result<BTreeMap<u32, Vec<u32>>, AnalysisError> {
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
                let refs = match literal {
                    Some(l) => self.names.matching(l),
                    None => self.names.overlapping(name, names),
                };
                for r in refs {
                    let Some(g) = self.group(r) else { continue };
                    if self.group_overlaps(g, literal.as_deref(), names, actions)? {
                        out.entry(r.0).or_default().push(r.1);
                    }
                }
            }
            (Kind::Cluster { actions }, _) => {
                // One action: a DFA run per role instead of an automaton product.
                let single = single_member(actions);
                for (rid, slot) in self.roles.iter().enumerate() {
                    let granted = slot.permission.cluster.action_language();
                    let meets = match &single {
                        Some(a) => granted.matches(a),
                        None => !granted.is_empty() && !granted.intersection(actions)?.is_empty(),
                    };
                    if meets {
                        out.insert(rid as u32, Vec::new());
                    }
                }
            }
            (Kind::Application, Target::Application { application, .. }) => {
                for (rid, slot) in self.roles.iter().enumerate() {
                    let entries = slot.permission.applications.entries();
                    if entries.iter().any(|e| e.matches_application(application)) {
                        out.insert(rid as u32, Vec::new());
                    }
                }
            }
            _ => {}
        }
        Ok(out)
    }

    fn group_overlaps(
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

    /// Whether a set of roles (with their overlapping groups) jointly reaches the target;
    /// `Some((dls, fls))` when it does.
    fn set_reaches(
        &self,
        t: &CompiledTarget,
        candidates: &BTreeMap<u32, Vec<u32>>,
        rids: &[u32],
        memo: &mut HashMap<Vec<u32>, Option<(bool, bool)>>,
    ) -> Result<Option<(bool, bool)>, AnalysisError> {
        if let Some(hit) = memo.get(rids) {
            return Ok(*hit);
        }
        let parts: Vec<(u32, &Vec<u32>)> = rids
            .iter()
            .filter_map(|r| candidates.get(r).map(|g| (*r, g)))
            .collect();
        let result = if self.parts_reach(t, &parts)? {
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
        parts: &[(u32, &Vec<u32>)],
    ) -> Result<bool, AnalysisError> {
        match &t.kind {
            Kind::Index { .. } => {
                let groups: Vec<&IndexGroup> = parts
                    .iter()
                    .flat_map(|(r, gs)| gs.iter().filter_map(|g| self.group((*r, *g))))
                    .collect();
                self.groups_reach(t, &groups)
            }
            Kind::Cluster { actions } => {
                let mut granted = Automaton::empty();
                for (r, _) in parts {
                    if let Some(slot) = self.roles.get(*r as usize) {
                        granted = granted.union(slot.permission.cluster.action_language())?;
                    }
                }
                Ok(actions.is_subset_of(&granted))
            }
            Kind::Application => {
                let descriptors: Vec<RoleDescriptor> = parts
                    .iter()
                    .filter_map(|(r, _)| self.roles.get(*r as usize))
                    .map(|s| s.descriptor.clone())
                    .collect();
                let perm = compile(&descriptors, &self.applications, &self.restricted)?;
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
        if let Target::Application {
            application,
            privilege,
            resource,
        } = &t.target
        {
            let check = ApplicationCheck {
                application,
                privilege,
                resource,
            };
            return Ok(role.check_application(&check, &self.applications)?);
        }
        for side in role.sides() {
            let ok = match &t.kind {
                Kind::Cluster { actions } => actions.is_subset_of(side.cluster.action_language()),
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
                Kind::Application => false,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The entries of a role that contribute to the target.
    fn entries(&self, t: &CompiledTarget, rid: u32, groups: &[u32]) -> Vec<EntryGrant> {
        let Some(slot) = self.roles.get(rid as usize) else {
            return Vec::new();
        };
        let p = &slot.permission;
        match &t.target {
            Target::Index { .. } => groups
                .iter()
                .filter_map(|g| p.indices.group(*g))
                .map(|g| EntryGrant {
                    names: g.names.clone(),
                    privileges: g.privileges.clone(),
                    application: None,
                    allow_restricted_indices: g.allow_restricted,
                    query: g.queries.as_ref().map(|q| q.iter().cloned().collect()),
                    field_security: g.field_security.as_ref().map(|fs| {
                        fs.iter()
                            .map(crate::analysis::impact::field_security_json)
                            .collect()
                    }),
                })
                .collect(),
            Target::Cluster { .. } => {
                let Kind::Cluster { actions } = &t.kind else {
                    return Vec::new();
                };
                let privileges: BTreeSet<String> = p
                    .cluster
                    .grants
                    .iter()
                    .filter(|g| {
                        g.value
                            .actions
                            .intersection(actions)
                            .is_ok_and(|a| !a.is_empty())
                    })
                    .map(|g| g.value.name.clone())
                    .collect();
                vec![EntryGrant {
                    names: Vec::new(),
                    privileges: privileges.into_iter().collect(),
                    application: None,
                    allow_restricted_indices: false,
                    query: None,
                    field_security: None,
                }]
            }
            Target::Application { application, .. } => p
                .applications
                .entries()
                .iter()
                .filter(|e| e.matches_application(application))
                .map(|e| EntryGrant {
                    names: e.resources.clone(),
                    privileges: e.privileges.clone(),
                    application: Some(e.application.clone()),
                    allow_restricted_indices: false,
                    query: None,
                    field_security: None,
                })
                .collect(),
        }
    }
}
