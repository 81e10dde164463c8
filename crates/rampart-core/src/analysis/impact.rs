//! Change impact: what a role edit adds and removes, section by section, and for whom.
//!
//! Each role is compiled alone before and after; index access is compared by splitting the
//! whole name space into regions by the old and new groups' name languages, so every name in
//! a region has the same old and new action sets and the difference is exact.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rampart_automaton::{Automaton, PatternSet};
use serde::Serialize;
use serde_json::{Value, json};

use super::AnalysisError;
use super::regions::split;
use super::who::{ApiKeyEntry, UserEntry, group_actions, group_names};
use crate::authz::{ApplicationCheck, EffectiveRole};
use crate::catalog;
use crate::permission::{
    ApplicationPrivilegeStore, Permission, RestrictedIndices, cluster_privilege, index_privilege,
};
use crate::role::{FieldSecurity, RoleDescriptor};

const EXAMPLES: usize = 3;

/// Two role sets to compare, and the subjects to report on.
#[derive(Debug, Clone)]
pub struct ImpactInput {
    pub old: Vec<RoleDescriptor>,
    pub new: Vec<RoleDescriptor>,
    pub users: Vec<UserEntry>,
    pub api_keys: Vec<ApiKeyEntry>,
    pub applications: ApplicationPrivilegeStore,
    pub restricted: RestrictedIndices,
}

/// An action or name language described for people: privilege names that overlap it,
/// example members, and the role patterns it comes from.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Language {
    pub privileges: Vec<String>,
    pub examples: Vec<String>,
    pub patterns: Vec<String>,
}

/// Added and removed parts of one language.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Delta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<Language>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<Language>,
}

/// One region of index names whose granted actions change.
#[derive(Debug, Clone, Serialize)]
pub struct IndexChange {
    /// Patterns whose names make up the region (a name is in the region when it matches all
    /// of `matching` and none of `not_matching`).
    pub matching: Vec<Vec<String>>,
    pub not_matching: Vec<Vec<String>>,
    pub example_names: Vec<String>,
    #[serde(flatten)]
    pub actions: Delta,
    /// `widened`, `narrowed` or `changed` when document or field restrictions change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_level_security: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_level_security: Option<&'static str>,
    #[serde(skip)]
    region: Automaton,
    #[serde(skip)]
    added: Automaton,
    #[serde(skip)]
    removed: Automaton,
}

/// (application, privilege, resource) triples granted by one side and not the other.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ApplicationDelta {
    pub added: Vec<Value>,
    pub removed: Vec<Value>,
}

/// The change of one role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleChange {
    pub role: String,
    /// `created`, `deleted`, `changed` or `unchanged` (in access; metadata is ignored).
    pub status: &'static str,
    pub widens: bool,
    pub cluster: Delta,
    pub indices: Vec<IndexChange>,
    pub applications: ApplicationDelta,
    pub run_as: Delta,
    /// Sections compared only for equality (global, remote_indices, remote_cluster).
    pub other_changes: Vec<String>,
    #[serde(skip)]
    cluster_added: Automaton,
    #[serde(skip)]
    cluster_removed: Automaton,
}

impl RoleChange {
    /// Whether the change adds `action` on index `name` (exact; for tests and tools).
    pub fn index_added(&self, name: &str, action: &str) -> bool {
        self.indices
            .iter()
            .any(|c| c.region.matches(name) && c.added.matches(action))
    }

    pub fn index_removed(&self, name: &str, action: &str) -> bool {
        self.indices
            .iter()
            .any(|c| c.region.matches(name) && c.removed.matches(action))
    }

    pub fn cluster_added(&self, action: &str) -> bool {
        self.cluster_added.matches(action)
    }

    pub fn cluster_removed(&self, action: &str) -> bool {
        self.cluster_removed.matches(action)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectImpact {
    pub username: String,
    pub realm: String,
    pub gains: bool,
    pub loses: bool,
    pub changed_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeySnapshot {
    pub id: String,
    pub owner: String,
    pub roles: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactReport {
    pub widens: bool,
    pub roles: Vec<RoleChange>,
    /// Users whose combined access changes (other roles may already grant what is added).
    pub users: Vec<SubjectImpact>,
    /// API keys holding a snapshot of a changed role: their access does NOT change (the
    /// owner's roles were captured when the key was created), listed so they can be rotated.
    pub api_keys_with_snapshot: Vec<KeySnapshot>,
}

pub(crate) fn field_security_json(fs: &FieldSecurity) -> Value {
    let mut o = serde_json::Map::new();
    if let Some(g) = &fs.grant {
        o.insert("grant".into(), json!(g));
    }
    if !fs.except.is_empty() {
        o.insert("except".into(), json!(fs.except));
    }
    Value::Object(o)
}

struct Ctx<'a> {
    apps: &'a ApplicationPrivilegeStore,
    restricted: &'a RestrictedIndices,
    restricted_language: Automaton,
}

impl Ctx<'_> {
    fn compile(&self, roles: &[RoleDescriptor]) -> Result<Arc<Permission>, AnalysisError> {
        Ok(Arc::new(Permission::compile(
            roles,
            &[],
            self.apps,
            self.restricted,
        )?))
    }
}

/// Compare two role sets (by role name) and report the impact on users and keys.
pub fn analyze_impact(input: &ImpactInput) -> Result<ImpactReport, AnalysisError> {
    let ctx = Ctx {
        apps: &input.applications,
        restricted: &input.restricted,
        restricted_language: input.restricted.patterns().to_automaton()?,
    };
    let old: BTreeMap<&str, &RoleDescriptor> =
        input.old.iter().map(|r| (r.name.as_str(), r)).collect();
    let new: BTreeMap<&str, &RoleDescriptor> =
        input.new.iter().map(|r| (r.name.as_str(), r)).collect();
    let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    let mut roles = Vec::new();
    for name in names {
        let before: Vec<RoleDescriptor> = old.get(name).map(|r| (*r).clone()).into_iter().collect();
        let after: Vec<RoleDescriptor> = new.get(name).map(|r| (*r).clone()).into_iter().collect();
        let mut change = compare(&ctx, &before, &after, name)?;
        change.status = match (before.is_empty(), after.is_empty()) {
            (true, false) => "created",
            (false, true) => "deleted",
            _ if change.is_empty() => "unchanged",
            _ => "changed",
        };
        roles.push(change);
    }
    let changed: BTreeSet<&str> = roles
        .iter()
        .filter(|c| c.status != "unchanged")
        .map(|c| c.role.as_str())
        .collect();
    let mut users = Vec::new();
    let mut memo: HashMap<Vec<String>, (bool, bool)> = HashMap::new();
    for u in &input.users {
        let touched: Vec<String> = u
            .roles
            .iter()
            .filter(|r| changed.contains(r.as_str()))
            .cloned()
            .collect();
        if touched.is_empty() {
            continue;
        }
        let mut key = u.roles.clone();
        key.sort();
        key.dedup();
        let (gains, loses) = match memo.get(&key) {
            Some(hit) => *hit,
            None => {
                let pick = |set: &BTreeMap<&str, &RoleDescriptor>| -> Vec<RoleDescriptor> {
                    key.iter()
                        .filter_map(|r| set.get(r.as_str()).map(|d| (*d).clone()))
                        .collect()
                };
                let c = compare(&ctx, &pick(&old), &pick(&new), &u.name)?;
                let hit = (c.adds(), c.removes());
                memo.insert(key.clone(), hit);
                hit
            }
        };
        if gains || loses {
            users.push(SubjectImpact {
                username: u.name.clone(),
                realm: u.realm.clone(),
                gains,
                loses,
                changed_roles: touched,
            });
        }
    }
    let api_keys_with_snapshot = input
        .api_keys
        .iter()
        .filter_map(|k| {
            let roles: Vec<String> = k
                .limited_by
                .iter()
                .chain(&k.role_descriptors)
                .map(|r| r.name.clone())
                .filter(|n| changed.contains(n.as_str()))
                .collect();
            (!roles.is_empty()).then(|| KeySnapshot {
                id: k.id.clone(),
                owner: k.owner.clone(),
                roles,
            })
        })
        .collect();
    Ok(ImpactReport {
        widens: roles.iter().any(|r| r.widens),
        roles,
        users,
        api_keys_with_snapshot,
    })
}

impl RoleChange {
    fn is_empty(&self) -> bool {
        !self.adds() && !self.removes()
    }

    fn adds(&self) -> bool {
        self.widens
    }

    fn removes(&self) -> bool {
        self.cluster.removed.is_some()
            || self.indices.iter().any(|c| {
                c.actions.removed.is_some()
                    || matches!(c.document_level_security, Some("narrowed"))
                    || matches!(c.field_level_security, Some("narrowed"))
            })
            || !self.applications.removed.is_empty()
            || self.run_as.removed.is_some()
            || !self.other_changes.is_empty()
    }
}

/// Compare two role sets as one permission each.
fn compare(
    ctx: &Ctx<'_>,
    before: &[RoleDescriptor],
    after: &[RoleDescriptor],
    label: &str,
) -> Result<RoleChange, AnalysisError> {
    let old = ctx.compile(before)?;
    let new = ctx.compile(after)?;
    let old_cluster = old.cluster.action_language();
    let new_cluster = new.cluster.action_language();
    let cluster_added = new_cluster.minus(old_cluster)?;
    let cluster_removed = old_cluster.minus(new_cluster)?;
    let cluster = Delta {
        added: describe_cluster(&cluster_added, &new)?,
        removed: describe_cluster(&cluster_removed, &old)?,
    };
    let indices = compare_indices(ctx, &old, &new)?;
    let applications = compare_applications(ctx, &old, &new, before, after)?;
    let run_as = compare_run_as(&old, &new)?;
    let mut other_changes = Vec::new();
    let pick = |set: &[RoleDescriptor]| {
        set.iter()
            .map(|r| {
                (
                    r.global.clone(),
                    r.remote_indices.clone(),
                    r.remote_cluster.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (o, n) = (pick(before), pick(after));
    if o.iter().map(|x| &x.0).ne(n.iter().map(|x| &x.0)) {
        other_changes.push("global".to_string());
    }
    if o.iter().map(|x| &x.1).ne(n.iter().map(|x| &x.1)) {
        other_changes.push("remote_indices".to_string());
    }
    if o.iter().map(|x| &x.2).ne(n.iter().map(|x| &x.2)) {
        other_changes.push("remote_cluster".to_string());
    }
    // Conservative: a changed global/remote section counts as widening unless it is now empty.
    let other_widens = after.iter().any(|r| {
        (other_changes.iter().any(|s| s == "global") && !r.global.is_empty())
            || (other_changes.iter().any(|s| s == "remote_indices") && !r.remote_indices.is_empty())
            || (other_changes.iter().any(|s| s == "remote_cluster") && !r.remote_cluster.is_empty())
    });
    let widens = cluster.added.is_some()
        || indices.iter().any(|c| {
            c.actions.added.is_some()
                || matches!(c.document_level_security, Some("widened" | "changed"))
                || matches!(c.field_level_security, Some("widened" | "changed"))
        })
        || !applications.added.is_empty()
        || run_as.added.is_some()
        || other_widens;
    Ok(RoleChange {
        role: label.to_string(),
        status: "changed",
        widens,
        cluster,
        indices,
        applications,
        run_as,
        other_changes,
        cluster_added,
        cluster_removed,
    })
}

fn describe_cluster(
    lang: &Automaton,
    side: &Permission,
) -> Result<Option<Language>, AnalysisError> {
    if lang.is_empty() {
        return Ok(None);
    }
    let mut privileges = Vec::new();
    for def in catalog::cluster_privileges() {
        let p = cluster_privilege(def.name).map_err(|e| AnalysisError::BadTarget(e.to_string()))?;
        if p.actions.is_subset_of(lang) && !p.actions.is_empty() {
            privileges.push(def.name.to_string());
        }
    }
    let patterns = side.cluster.grant_names_overlapping(lang).collect();
    Ok(Some(Language {
        privileges,
        examples: lang.examples(EXAMPLES),
        patterns,
    }))
}

fn describe_index_actions(
    lang: &Automaton,
    patterns: Vec<String>,
) -> Result<Option<Language>, AnalysisError> {
    if lang.is_empty() {
        return Ok(None);
    }
    let mut privileges = Vec::new();
    for def in catalog::index_privileges() {
        let p = index_privilege(def.name).map_err(|e| AnalysisError::BadTarget(e.to_string()))?;
        if p.selector.covers_data() && !p.actions.is_empty() && p.actions.is_subset_of(lang) {
            privileges.push(def.name.to_string());
        }
    }
    Ok(Some(Language {
        privileges,
        examples: lang.examples(EXAMPLES),
        patterns,
    }))
}

/// `None` (unrestricted) or the restrictions of the groups covering a region.
fn restriction<T: Clone>(items: &[Option<T>]) -> Option<Vec<T>> {
    if items.is_empty() || items.iter().any(Option::is_none) {
        return None;
    }
    Some(items.iter().flatten().cloned().collect())
}

fn restriction_change<T: PartialEq>(
    old: &Option<Vec<T>>,
    new: &Option<Vec<T>>,
) -> Option<&'static str> {
    match (old, new) {
        (Some(_), None) => Some("widened"),
        (None, Some(_)) => Some("narrowed"),
        (Some(o), Some(n)) if o != n => Some("changed"),
        _ => None,
    }
}

fn compare_indices(
    ctx: &Ctx<'_>,
    old: &Permission,
    new: &Permission,
) -> Result<Vec<IndexChange>, AnalysisError> {
    let groups: Vec<(bool, &crate::permission::IndexGroup)> = old
        .indices
        .groups()
        .iter()
        .map(|g| (false, g))
        .chain(new.indices.groups().iter().map(|g| (true, g)))
        .collect();
    let mut langs = Vec::with_capacity(groups.len());
    let mut actions = Vec::with_capacity(groups.len());
    for (_, g) in &groups {
        langs.push(group_names(g, &ctx.restricted_language)?);
        actions.push(group_actions(g)?);
    }
    let lang_refs: Vec<&Automaton> = langs.iter().collect();
    let mut out = Vec::new();
    for region in split(&Automaton::total(), &lang_refs)? {
        if region.inside.is_empty() {
            continue;
        }
        let mut o = Automaton::empty();
        let mut n = Automaton::empty();
        let (mut o_dls, mut n_dls, mut o_fls, mut n_fls) = (vec![], vec![], vec![], vec![]);
        for &i in &region.inside {
            let (Some((is_new, g)), Some(a)) = (groups.get(i), actions.get(i)) else {
                continue;
            };
            let queries = g
                .queries
                .as_ref()
                .map(|q| q.iter().cloned().collect::<Vec<_>>());
            let fls = g.field_security.clone();
            if *is_new {
                n = n.union(a)?;
                n_dls.push(queries);
                n_fls.push(fls);
            } else {
                o = o.union(a)?;
                o_dls.push(queries);
                o_fls.push(fls);
            }
        }
        let added = n.minus(&o)?;
        let removed = o.minus(&n)?;
        let both = !o.is_empty() && !n.is_empty();
        let dls = if both {
            restriction_change(
                &restriction(&o_dls).map(flatten),
                &restriction(&n_dls).map(flatten),
            )
        } else {
            None
        };
        let fls = if both {
            restriction_change(&restriction(&o_fls), &restriction(&n_fls))
        } else {
            None
        };
        if added.is_empty() && removed.is_empty() && dls.is_none() && fls.is_none() {
            continue;
        }
        let pats = |is_new: bool, lang: &Automaton| -> Vec<String> {
            region
                .inside
                .iter()
                .filter_map(|i| groups.get(*i).zip(actions.get(*i)))
                .filter(|((side, _), a)| {
                    *side == is_new && a.intersection(lang).is_ok_and(|x| !x.is_empty())
                })
                .flat_map(|((_, g), _)| g.privileges.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        // Each list is one role entry's names: the region matches some pattern of every
        // `matching` list and no pattern of any `not_matching` list.
        let entry_names = |inside: bool| -> Vec<Vec<String>> {
            let set: BTreeSet<Vec<String>> = (0..groups.len())
                .filter(|i| region.inside.contains(i) == inside)
                .filter_map(|i| groups.get(i))
                .map(|(_, g)| g.names.clone())
                .collect();
            set.into_iter().collect()
        };
        let matching = entry_names(true);
        let not_matching = entry_names(false);
        out.push(IndexChange {
            matching,
            not_matching,
            example_names: region.names.examples(EXAMPLES),
            actions: Delta {
                added: describe_index_actions(&added, pats(true, &added))?,
                removed: describe_index_actions(&removed, pats(false, &removed))?,
            },
            document_level_security: dls,
            field_level_security: fls,
            region: region.names,
            added,
            removed,
        });
    }
    Ok(out)
}

fn flatten(v: Vec<Vec<String>>) -> Vec<String> {
    let set: BTreeSet<String> = v.into_iter().flatten().collect();
    set.into_iter().collect()
}

fn triples(roles: &[RoleDescriptor]) -> Vec<(String, String, String)> {
    let mut out = BTreeSet::new();
    for r in roles {
        for a in &r.applications {
            for p in &a.privileges {
                for res in &a.resources {
                    out.insert((a.application.clone(), p.clone(), res.clone()));
                }
            }
        }
    }
    out.into_iter().collect()
}

fn compare_applications(
    ctx: &Ctx<'_>,
    old: &Arc<Permission>,
    new: &Arc<Permission>,
    before: &[RoleDescriptor],
    after: &[RoleDescriptor],
) -> Result<ApplicationDelta, AnalysisError> {
    let missing = |side: &Arc<Permission>,
                   wanted: Vec<(String, String, String)>|
     -> Result<Vec<Value>, AnalysisError> {
        let role = EffectiveRole::plain(Arc::clone(side));
        let mut out = Vec::new();
        for (application, privilege, resource) in wanted {
            let check = ApplicationCheck {
                application: &application,
                privilege: &privilege,
                resource: &resource,
            };
            if !role.check_application(&check, ctx.apps)? {
                out.push(json!({"application": application, "privilege": privilege, "resource": resource}));
            }
        }
        Ok(out)
    };
    Ok(ApplicationDelta {
        added: missing(old, triples(after))?,
        removed: missing(new, triples(before))?,
    })
}

fn run_as_language(p: &Permission) -> Result<(Automaton, Vec<String>), AnalysisError> {
    match &p.run_as {
        Some(s) => Ok((s.value.to_automaton()?, s.value.patterns().to_vec())),
        None => Ok((Automaton::empty(), Vec::new())),
    }
}

fn compare_run_as(old: &Permission, new: &Permission) -> Result<Delta, AnalysisError> {
    let (o, op) = run_as_language(old)?;
    let (n, np) = run_as_language(new)?;
    let describe =
        |lang: Automaton, pats: Vec<String>| -> Result<Option<Language>, AnalysisError> {
            if lang.is_empty() {
                return Ok(None);
            }
            let pats = pats
                .into_iter()
                .filter(|p| {
                    PatternSet::new([p.as_str()]).is_ok_and(|s| {
                        s.to_automaton()
                            .is_ok_and(|a| a.intersection(&lang).is_ok_and(|x| !x.is_empty()))
                    })
                })
                .collect();
            Ok(Some(Language {
                privileges: Vec::new(),
                examples: lang.examples(EXAMPLES),
                patterns: pats,
            }))
        };
    Ok(Delta {
        added: describe(n.minus(&o)?, np)?,
        removed: describe(o.minus(&n)?, op)?,
    })
}
