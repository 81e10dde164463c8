//! The index part of a permission: role index entries merged into groups (section 4 of the
//! facts), and per-action views that answer "may this name be accessed" in one automaton pass.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use rampart_automaton::{Automaton, PatternSet, TaggedMatcher};

use super::CompileError;
use super::patterns::pattern_set;
use super::privileges::index_privilege_list;
use super::restricted::RestrictedIndices;
use crate::role::{FieldSecurity, IndicesPrivileges};

/// Privileges that also grant mapping updates on indices and aliases (BWC rule, section 6.1).
const BWC_MAPPING_PRIVILEGES: [&str; 4] = ["create", "create_doc", "index", "write"];
const BWC_MAPPING_ACTIONS: [&str; 2] = [
    "indices:admin/mapping/put",
    "indices:admin/mapping/auto_put",
];

/// What a decision reason says about a group (shared, so reasons cost no copies).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupSummary {
    pub patterns: Vec<String>,
    pub privileges: Vec<String>,
    pub roles: Vec<String>,
}

/// Role index entries with the same name set and restricted flag, merged.
#[derive(Debug, Clone)]
pub struct IndexGroup {
    /// Index name patterns (the merge key, sorted).
    pub names: Vec<String>,
    pub allow_restricted: bool,
    /// Union of the entries' privilege strings, lower-cased, in first-seen order.
    pub privileges: Vec<String>,
    /// Actions granted on the data selector.
    pub(crate) data_actions: Automaton,
    /// Actions granted on the `::failures` selector.
    pub(crate) failure_actions: Automaton,
    /// Field security alternatives; `None` when some merged entry had none (no FLS).
    pub field_security: Option<Vec<FieldSecurity>>,
    /// DLS queries (OR); `None` when some merged entry had no query (no DLS).
    pub queries: Option<BTreeSet<String>>,
    /// The same queries in the order the roles gave them (for rendering, as ES does).
    pub queries_in_order: Vec<String>,
    /// Roles whose entries were merged here.
    pub roles: Vec<String>,
    pub(crate) matcher: Arc<PatternSet>,
    pub(crate) bwc_mapping: bool,
    pub(crate) summary: Arc<GroupSummary>,
}

impl IndexGroup {
    /// Whether the group grants `action` on the given selector.
    pub fn grants_action(&self, action: &str, failures: bool) -> bool {
        if failures {
            self.failure_actions.matches(action)
        } else {
            self.data_actions.matches(action)
                || (self.bwc_mapping && BWC_MAPPING_ACTIONS.contains(&action))
        }
    }

    /// Whether the group's patterns match `name` (ignoring restricted-index rules).
    pub fn matches_name(&self, name: &str) -> bool {
        self.matcher.matches(name)
    }

    /// The action language of this group on the data selector.
    pub fn data_actions(&self) -> &Automaton {
        &self.data_actions
    }

    /// The action language of this group on the failures selector.
    pub fn failure_actions(&self) -> &Automaton {
        &self.failure_actions
    }

    /// The name patterns as a matcher.
    pub fn name_patterns(&self) -> &PatternSet {
        &self.matcher
    }
}

#[derive(Debug, Default)]
struct GroupBuilder {
    privileges: Vec<String>,
    field_security: Option<Vec<FieldSecurity>>,
    fls_free: bool,
    queries: BTreeSet<String>,
    queries_in_order: Vec<String>,
    dls_free: bool,
    roles: Vec<String>,
}

/// Accumulates role index entries, merging per (restricted flag, exact name set).
#[derive(Debug, Default)]
pub(crate) struct IndicesBuilder {
    groups: Vec<((bool, Vec<String>), GroupBuilder)>,
}

impl IndicesBuilder {
    pub(crate) fn add_role(&mut self, role: &str, entries: &[IndicesPrivileges]) {
        // A role whose only entry is the single privilege `none` contributes nothing.
        if let [only] = entries {
            if only.privileges.len() == 1
                && only
                    .privileges
                    .iter()
                    .all(|p| p.eq_ignore_ascii_case("none"))
            {
                return;
            }
        }
        for entry in entries {
            self.add_entry(role, entry);
        }
    }

    fn add_entry(&mut self, role: &str, entry: &IndicesPrivileges) {
        let mut names = entry.names.clone();
        names.sort();
        names.dedup();
        let key = (entry.allow_restricted_indices, names);
        let pos = match self.groups.iter().position(|(k, _)| *k == key) {
            Some(pos) => pos,
            None => {
                self.groups.push((key, GroupBuilder::default()));
                self.groups.len() - 1
            }
        };
        let Some((_, g)) = self.groups.get_mut(pos) else {
            return;
        };
        for p in &entry.privileges {
            let p = p.to_lowercase();
            if !g.privileges.contains(&p) {
                g.privileges.push(p);
            }
        }
        match effective_fls(entry.field_security.as_ref()) {
            None => g.fls_free = true,
            Some(fs) => g
                .field_security
                .get_or_insert_with(Vec::new)
                .push(fs.clone()),
        }
        match entry.query.as_deref().filter(|q| !q.trim().is_empty()) {
            None => g.dls_free = true,
            Some(q) => {
                if g.queries.insert(q.to_string()) {
                    g.queries_in_order.push(q.to_string());
                }
            }
        }
        if !g.roles.iter().any(|r| r == role) {
            g.roles.push(role.to_string());
        }
    }

    pub(crate) fn build(
        self,
        restricted: RestrictedIndices,
    ) -> Result<IndicesPermission, CompileError> {
        let mut groups = Vec::with_capacity(self.groups.len());
        for ((allow_restricted, names), g) in self.groups {
            let role = g.roles.first().cloned().unwrap_or_default();
            let (data, failures) = index_privilege_list(&g.privileges)
                .map_err(|e| CompileError::privilege(&role, e))?;
            let matcher = pattern_set(&names).map_err(CompileError::automaton)?;
            let bwc_mapping = g
                .privileges
                .iter()
                .any(|p| BWC_MAPPING_PRIVILEGES.contains(&p.as_str()));
            let summary = Arc::new(GroupSummary {
                patterns: names.clone(),
                privileges: g.privileges.clone(),
                roles: g.roles.clone(),
            });
            groups.push(IndexGroup {
                summary,
                names,
                allow_restricted,
                privileges: g.privileges,
                data_actions: data,
                failure_actions: failures,
                field_security: if g.fls_free { None } else { g.field_security },
                queries: if g.dls_free { None } else { Some(g.queries) },
                queries_in_order: if g.dls_free {
                    Vec::new()
                } else {
                    g.queries_in_order
                },
                roles: g.roles,
                matcher,
                bwc_mapping,
            });
        }
        Ok(IndicesPermission {
            groups,
            restricted,
            views: RwLock::new(HashMap::default()),
            action_unions: RwLock::new(HashMap::new()),
            pattern_groups: std::sync::OnceLock::new(),
        })
    }
}

/// `grant: ["*"]` without `except` is the same as no field security.
fn effective_fls(fs: Option<&FieldSecurity>) -> Option<&FieldSecurity> {
    let fs = fs?;
    let grants_all = fs.grant.as_ref().is_none_or(|g| g.iter().any(|p| p == "*"));
    if grants_all && fs.except.is_empty() {
        None
    } else {
        Some(fs)
    }
}

/// Which groups grant one action, compiled for fast name checks.
#[derive(Debug)]
pub(crate) struct ActionView {
    /// Groups granting the action on the data selector.
    pub(crate) granting: Vec<u32>,
    /// Granting groups that may match restricted names.
    with_restricted: TaggedMatcher,
    /// Granting groups that never match restricted names.
    without_restricted: TaggedMatcher,
    /// Groups that grant only through the BWC mapping rule (not on data streams).
    bwc_only: Vec<u32>,
}

impl ActionView {
    /// Whether some group grants the action only through the BWC mapping rule.
    pub(crate) fn has_bwc_only(&self) -> bool {
        !self.bwc_only.is_empty()
    }
}

const MAX_CACHED_VIEWS: usize = 4096;

/// The index part of a permission.
#[derive(Debug)]
pub struct IndicesPermission {
    groups: Vec<IndexGroup>,
    restricted: RestrictedIndices,
    /// Per-action views, built on first use (action strings are few and repeat).
    views: RwLock<HashMap<Box<str>, Arc<ActionView>, ActionHasher>>,
    /// Unions of group action languages, per (sorted group ids, failures selector), for
    /// `_has_privileges` (requests repeat the same questions).
    action_unions: RwLock<HashMap<(Vec<u32>, bool), Automaton>>,
    /// Name languages (restricted names removed unless allowed), grouped by identical
    /// privilege sets, for pattern questions of `_has_privileges`.
    pattern_groups: std::sync::OnceLock<Result<Vec<PatternGroup>, CompileError>>,
}

/// A word-at-a-time multiply-rotate hash for the per-action view map: keys are action names
/// from the route table, looked up on every decision, so a cheap hash matters more than
/// flooding resistance (the map is bounded and cleared when full).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ActionNameHasher(u64);

const ACTION_HASH_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl ActionNameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(ACTION_HASH_SEED);
    }
}

impl std::hash::Hasher for ActionNameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        for (slot, b) in word.iter_mut().zip(rest) {
            *slot = *b;
        }
        // The length keeps "a" and "a\0" apart.
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type ActionHasher = std::hash::BuildHasherDefault<ActionNameHasher>;

/// Groups with identical privilege sets, their names unioned (section 14 of the facts).
#[derive(Debug, Clone)]
pub(crate) struct PatternGroup {
    pub(crate) names: Automaton,
    pub(crate) data_actions: Automaton,
    pub(crate) failure_actions: Automaton,
}

impl Clone for IndicesPermission {
    fn clone(&self) -> Self {
        IndicesPermission {
            groups: self.groups.clone(),
            restricted: self.restricted.clone(),
            views: RwLock::new(HashMap::default()),
            action_unions: RwLock::new(HashMap::new()),
            pattern_groups: std::sync::OnceLock::new(),
        }
    }
}

impl IndicesPermission {
    pub fn groups(&self) -> &[IndexGroup] {
        &self.groups
    }

    pub fn group(&self, id: u32) -> Option<&IndexGroup> {
        self.groups.get(id as usize)
    }

    pub fn restricted(&self) -> &RestrictedIndices {
        &self.restricted
    }

    /// The union of the action languages of `ids` on one selector (cached).
    pub(crate) fn union_actions(
        &self,
        ids: &[u32],
        failures: bool,
    ) -> Result<Automaton, CompileError> {
        let key = (ids.to_vec(), failures);
        if let Ok(cache) = self.action_unions.read() {
            if let Some(hit) = cache.get(&key) {
                return Ok(hit.clone());
            }
        }
        let mut union = Automaton::empty();
        for g in ids.iter().filter_map(|id| self.group(*id)) {
            let actions = if failures {
                &g.failure_actions
            } else {
                &g.data_actions
            };
            union = union.union(actions).map_err(CompileError::automaton)?;
        }
        if let Ok(mut cache) = self.action_unions.write() {
            if cache.len() >= MAX_CACHED_VIEWS {
                cache.clear();
            }
            cache.insert(key, union.clone());
        }
        Ok(union)
    }

    /// Name languages per distinct privilege set (built once).
    pub(crate) fn pattern_groups(&self) -> Result<&[PatternGroup], CompileError> {
        let built = self.pattern_groups.get_or_init(|| {
            let restricted = self
                .restricted
                .automaton()
                .map_err(CompileError::automaton)?;
            let mut out: Vec<(Vec<String>, PatternGroup)> = Vec::new();
            for g in &self.groups {
                let mut names = g.matcher.to_automaton().map_err(CompileError::automaton)?;
                if !g.allow_restricted {
                    names = names.minus(restricted).map_err(CompileError::automaton)?;
                }
                let mut key = g.privileges.clone();
                key.sort();
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, pg)) => {
                        pg.names = pg.names.union(&names).map_err(CompileError::automaton)?
                    }
                    None => out.push((
                        key,
                        PatternGroup {
                            names,
                            data_actions: g.data_actions.clone(),
                            failure_actions: g.failure_actions.clone(),
                        },
                    )),
                }
            }
            Ok(out.into_iter().map(|(_, pg)| pg).collect())
        });
        match built {
            Ok(v) => Ok(v),
            Err(e) => Err(e.clone()),
        }
    }

    pub(crate) fn view(&self, action: &str) -> Result<Arc<ActionView>, CompileError> {
        if let Ok(views) = self.views.read() {
            if let Some(v) = views.get(action) {
                return Ok(Arc::clone(v));
            }
        }
        let view = Arc::new(self.build_view(action)?);
        if let Ok(mut views) = self.views.write() {
            if views.len() >= MAX_CACHED_VIEWS {
                views.clear();
            }
            views.insert(action.into(), Arc::clone(&view));
        }
        Ok(view)
    }

    fn build_view(&self, action: &str) -> Result<ActionView, CompileError> {
        let mut granting = Vec::new();
        let mut bwc_only = Vec::new();
        let mut with_r = Vec::new();
        let mut without_r = Vec::new();
        for (id, g) in self.groups.iter().enumerate() {
            let id = id as u32;
            let direct = g.data_actions.matches(action);
            let bwc = !direct && g.bwc_mapping && BWC_MAPPING_ACTIONS.contains(&action);
            if !direct && !bwc {
                continue;
            }
            granting.push(id);
            if bwc {
                bwc_only.push(id);
            }
            let part = (id, PatternSet::clone(&g.matcher));
            if g.allow_restricted {
                with_r.push(part);
            } else {
                without_r.push(part);
            }
        }
        Ok(ActionView {
            granting,
            with_restricted: TaggedMatcher::new(with_r).map_err(CompileError::automaton)?,
            without_restricted: TaggedMatcher::new(without_r).map_err(CompileError::automaton)?,
            bwc_only,
        })
    }

    /// Whether some group grants `action` on any index at all (the pre-check of section 5.4).
    pub fn grants_action_anywhere(&self, action: &str) -> Result<bool, CompileError> {
        Ok(!self.view(action)?.granting.is_empty())
    }

    /// Whether a group granting the view's action matches `name` (restricted rules applied),
    /// without allocating. `allow_bwc` is false for data streams and their backing indices.
    pub(crate) fn name_allowed(&self, view: &ActionView, name: &str, allow_bwc: bool) -> bool {
        if !allow_bwc && view.has_bwc_only() {
            return !self.matching_groups(view, name, false).is_empty();
        }
        view.with_restricted.any_match(name)
            || (view.without_restricted.any_match(name) && !self.restricted.matches(name))
    }

    /// The granting groups matching `name` (sorted ids).
    pub(crate) fn matching_groups(
        &self,
        view: &ActionView,
        name: &str,
        allow_bwc: bool,
    ) -> Vec<u32> {
        let mut ids = GroupIds::new();
        let restricted = self.restricted.matches(name);
        self.matching_groups_into(view, name, allow_bwc, restricted, &mut ids);
        ids.into_vec()
    }

    /// [`Self::matching_groups`] into a small inline buffer (no allocation for the usual few
    /// groups), with the restricted-name check done by the caller (it reuses the answer).
    pub(crate) fn matching_groups_into(
        &self,
        view: &ActionView,
        name: &str,
        allow_bwc: bool,
        restricted: bool,
        ids: &mut GroupIds,
    ) {
        ids.clear();
        view.with_restricted
            .for_each_matching_tag(name, |id| ids.push(id));
        if !restricted {
            view.without_restricted
                .for_each_matching_tag(name, |id| ids.push(id));
        }
        if !allow_bwc {
            ids.retain(|id| !view.bwc_only.contains(id));
        }
        ids.sort_unstable();
        ids.dedup();
    }
}

/// Group ids of one name's match: inline for the usual handful of groups.
pub(crate) type GroupIds = smallvec::SmallVec<[u32; 4]>;
