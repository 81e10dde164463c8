//! `_has_privileges`: evaluate a request against a role, with pattern-subset semantics
//! (section 14 of the facts), and render ES's response shape.

mod request;

pub use request::{ApplicationCheckItem, HasPrivilegesError, HasPrivilegesRequest, IndexCheck};

use rampart_automaton::Automaton;
use serde_json::{Map, Value, json};

use crate::authz::{ApplicationCheck, EffectiveRole};
use crate::catalog::Selector;
use crate::permission::{
    ApplicationPrivilegeStore, CompileError, CompiledPrivilege, Memo, Permission, PrivilegeError,
    cluster_privilege, index_privilege,
};

/// Privilege answers in request order: (requested privilege, granted).
pub type Answers = Vec<(String, bool)>;

/// The evaluated answer, in request order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HasPrivilegesResponse {
    pub username: String,
    pub cluster: Answers,
    /// (requested name, answers)
    pub index: Vec<(String, Answers)>,
    /// (application, [(resource, answers)])
    pub application: Vec<(String, Vec<(String, Answers)>)>,
}

impl HasPrivilegesResponse {
    /// True iff every listed item is true.
    pub fn has_all_requested(&self) -> bool {
        self.cluster.iter().all(|(_, b)| *b)
            && self.index.iter().all(|(_, p)| p.iter().all(|(_, b)| *b))
            && self
                .application
                .iter()
                .all(|(_, r)| r.iter().all(|(_, p)| p.iter().all(|(_, b)| *b)))
    }

    /// The ES response body.
    pub fn to_json(&self) -> Value {
        let bools = |items: &[(String, bool)]| -> Value {
            Value::Object(
                items
                    .iter()
                    .map(|(k, b)| (k.clone(), Value::Bool(*b)))
                    .collect(),
            )
        };
        let index: Map<String, Value> = self
            .index
            .iter()
            .map(|(n, p)| (n.clone(), bools(p)))
            .collect();
        let application: Map<String, Value> = self
            .application
            .iter()
            .map(|(app, resources)| {
                let r: Map<String, Value> = resources
                    .iter()
                    .map(|(res, p)| (res.clone(), bools(p)))
                    .collect();
                (app.clone(), Value::Object(r))
            })
            .collect();
        json!({
            "username": self.username,
            "has_all_requested": self.has_all_requested(),
            "cluster": bools(&self.cluster),
            "index": index,
            "application": application,
        })
    }
}

fn unknown(e: PrivilegeError) -> HasPrivilegesError {
    HasPrivilegesError::IllegalArgument(e.to_string())
}

fn internal(e: CompileError) -> HasPrivilegesError {
    HasPrivilegesError::IllegalArgument(e.to_string())
}

/// Evaluate `req` for `username` against `role`.
pub fn has_privileges(
    role: &EffectiveRole,
    username: &str,
    req: &HasPrivilegesRequest,
    store: &ApplicationPrivilegeStore,
) -> Result<HasPrivilegesResponse, HasPrivilegesError> {
    let mut resp = HasPrivilegesResponse {
        username: username.to_string(),
        ..Default::default()
    };
    for name in &req.cluster {
        let wanted = cluster_privilege(name).map_err(unknown)?;
        let ok = role.side_iter().all(|p| {
            p.memo
                .get_or::<()>(Memo::key(&["c", &wanted.name]), || {
                    Ok(cluster_implies(p, &wanted))
                })
                .unwrap_or(false)
        });
        push_unique(&mut resp.cluster, name, ok);
    }
    for item in &req.index {
        for name in &item.names {
            let mut answers = Vec::new();
            for privilege in &item.privileges {
                let wanted = index_privilege(privilege).map_err(unknown)?;
                let mut ok = true;
                for p in role.side_iter() {
                    let restricted = if item.allow_restricted_indices {
                        "true"
                    } else {
                        "false"
                    };
                    let key = Memo::key(&["i", name, &wanted.name, restricted]);
                    ok &= p
                        .memo
                        .get_or(key, || {
                            index_covers(p, name, item.allow_restricted_indices, &wanted)
                        })
                        .map_err(internal)?;
                }
                push_unique(&mut answers, privilege, ok);
            }
            merge_named(&mut resp.index, name, answers);
        }
    }
    for item in &req.application {
        let mut resources = Vec::new();
        for resource in &item.resources {
            let mut answers = Vec::new();
            for privilege in &item.privileges {
                let check = ApplicationCheck {
                    application: &item.application,
                    privilege,
                    resource,
                };
                let ok = role.check_application(&check, store).map_err(internal)?;
                push_unique(&mut answers, privilege, ok);
            }
            merge_named(&mut resources, resource, answers);
        }
        match resp
            .application
            .iter_mut()
            .find(|(a, _)| *a == item.application)
        {
            Some((_, existing)) => {
                for (r, answers) in resources {
                    merge_named(existing, &r, answers);
                }
            }
            None => resp.application.push((item.application.clone(), resources)),
        }
    }
    Ok(resp)
}

fn push_unique(list: &mut Vec<(String, bool)>, key: &str, value: bool) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => list.push((key.to_string(), value)),
    }
}

fn merge_named<T: Clone>(
    list: &mut Vec<(String, Vec<(String, T)>)>,
    key: &str,
    items: Vec<(String, T)>,
) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, existing)) => {
            for (k, v) in items {
                match existing.iter_mut().find(|(e, _)| *e == k) {
                    Some((_, old)) => *old = v,
                    None => existing.push((k, v)),
                }
            }
        }
        None => list.push((key.to_string(), items)),
    }
}

/// Whether the permission's cluster privileges imply the requested privilege.
fn cluster_implies(p: &Permission, wanted: &CompiledPrivilege) -> bool {
    if wanted.conditional {
        // Holding the conditional privilege itself, or the unconditional actions it is
        // drawn from (manage_api_key, manage_security, all).
        return p.cluster.holds_conditional(&wanted.name)
            || p.cluster.implies_actions(&wanted.actions);
    }
    p.cluster.implies_actions(&wanted.actions)
}

/// Whether the permission grants `wanted` on every name of the pattern `name`.
pub(crate) fn index_covers(
    p: &Permission,
    name: &str,
    allow_restricted: bool,
    wanted: &CompiledPrivilege,
) -> Result<bool, CompileError> {
    let failures = wanted.selector == Selector::Failures;
    if rampart_automaton::PatternSet::is_literal(name) {
        // A literal name is checked as is: the groups that match it (restricted names only by
        // groups that allow them) must together grant the privilege's actions.
        let restricted = p.indices.restricted().matches(name);
        let ids: Vec<u32> = p
            .indices
            .groups()
            .iter()
            .enumerate()
            .filter(|(_, g)| g.matches_name(name) && (g.allow_restricted || !restricted))
            .map(|(i, _)| i as u32)
            .collect();
        let granted = p.indices.union_actions(&ids, failures)?;
        return Ok(wanted.actions.is_subset_of(&granted));
    }
    let mut target = Automaton::from_pattern(name)?;
    if !allow_restricted {
        target = target.minus(p.indices.restricted().automaton()?)?;
    }
    if target.is_empty() {
        return Ok(false);
    }
    let mut granted = Automaton::empty();
    for pg in p.indices.pattern_groups()? {
        if target.is_subset_of(&pg.names) {
            let actions = if failures {
                &pg.failure_actions
            } else {
                &pg.data_actions
            };
            granted = granted.union(actions)?;
        }
    }
    Ok(wanted.actions.is_subset_of(&granted))
}
