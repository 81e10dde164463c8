//! Privileges compiled into action automata, once per process.
//!
//! A named privilege grants `actions − excluded`; a raw action privilege grants `<name>*`.
//! The automata of the predefined privileges are built on first use and shared.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use rampart_automaton::{Automaton, AutomatonError};

use crate::catalog::{self, ClusterPrivilegeName, IndexPrivilegeName, Selector};

/// A privilege's granted action language.
#[derive(Debug, Clone)]
pub struct CompiledPrivilege {
    /// The privilege name as it appears in roles and messages (lower-cased).
    pub name: String,
    pub actions: Automaton,
    pub selector: Selector,
    /// `manage_own_api_key`: only grants when the request concerns the caller's own keys.
    pub conditional: bool,
}

type Table = HashMap<&'static str, Arc<CompiledPrivilege>>;

fn compile_def(
    name: &str,
    actions: &[&str],
    excluded: &[&str],
    selector: Selector,
    conditional: bool,
) -> Result<Arc<CompiledPrivilege>, AutomatonError> {
    let granted = Automaton::from_patterns(actions.iter().copied())?;
    let actions = if excluded.is_empty() {
        granted
    } else {
        granted.minus(&Automaton::from_patterns(excluded.iter().copied())?)?
    };
    Ok(Arc::new(CompiledPrivilege {
        name: name.to_string(),
        actions,
        selector,
        conditional,
    }))
}

fn build_cluster() -> Result<Table, AutomatonError> {
    catalog::cluster_privileges()
        .iter()
        .map(|p| {
            let c = compile_def(p.name, p.actions, p.excluded, Selector::Data, p.conditional)?;
            Ok((p.name, c))
        })
        .collect()
}

fn build_index() -> Result<Table, AutomatonError> {
    catalog::index_privileges()
        .iter()
        .map(|p| {
            Ok((
                p.name,
                compile_def(p.name, p.actions, &[], p.selector, false)?,
            ))
        })
        .collect()
}

static CLUSTER: LazyLock<Result<Table, AutomatonError>> = LazyLock::new(build_cluster);
static INDEX: LazyLock<Result<Table, AutomatonError>> = LazyLock::new(build_index);

fn lookup(
    table: &'static LazyLock<Result<Table, AutomatonError>>,
    name: &str,
) -> Result<Option<Arc<CompiledPrivilege>>, AutomatonError> {
    match &**table {
        Ok(t) => Ok(t.get(name).cloned()),
        Err(e) => Err(e.clone()),
    }
}

/// Errors while compiling a privilege name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrivilegeError {
    #[error(transparent)]
    Unknown(#[from] catalog::UnknownPrivilege),
    #[error(transparent)]
    Automaton(#[from] AutomatonError),
}

/// Compile a cluster privilege string from a role (named or raw action pattern).
pub fn cluster_privilege(name: &str) -> Result<Arc<CompiledPrivilege>, PrivilegeError> {
    match catalog::resolve_cluster_privilege(name)? {
        ClusterPrivilegeName::Named(def) => lookup(&CLUSTER, def.name)?
            .ok_or_else(|| catalog::UnknownPrivilege::Cluster(name.to_string()).into()),
        ClusterPrivilegeName::RawAction(raw) => Ok(raw_action(raw, Selector::Data)?),
    }
}

/// Compile an index privilege string from a role (named or raw action pattern).
pub fn index_privilege(name: &str) -> Result<Arc<CompiledPrivilege>, PrivilegeError> {
    match catalog::resolve_index_privilege(name)? {
        IndexPrivilegeName::Named(def) => lookup(&INDEX, def.name)?
            .ok_or_else(|| catalog::UnknownPrivilege::Index(name.to_string()).into()),
        IndexPrivilegeName::RawAction(raw) => Ok(raw_action(raw, Selector::Data)?),
    }
}

type RawCache = RwLock<HashMap<String, Arc<CompiledPrivilege>>>;
static RAW_ACTIONS: LazyLock<RawCache> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// A raw action privilege grants the pattern with prefix semantics (compiled once per name).
fn raw_action(raw: String, selector: Selector) -> Result<Arc<CompiledPrivilege>, AutomatonError> {
    if let Ok(cache) = RAW_ACTIONS.read() {
        if let Some(hit) = cache.get(&raw) {
            return Ok(Arc::clone(hit));
        }
    }
    let actions = Automaton::from_pattern(&format!("{raw}*"))?;
    let compiled = Arc::new(CompiledPrivilege {
        name: raw.clone(),
        actions,
        selector,
        conditional: false,
    });
    if let Ok(mut cache) = RAW_ACTIONS.write() {
        if cache.len() >= MAX_CACHED_LISTS {
            cache.clear();
        }
        cache.insert(raw, Arc::clone(&compiled));
    }
    Ok(compiled)
}

/// Whether the predefined privilege tables compiled: the one way the `*_privileges_granting`
/// functions can fail. Denials check it when they are decided, so rendering their message
/// later cannot fail.
pub(crate) fn granting_tables_ready() -> Result<(), AutomatonError> {
    if let Err(e) = &*CLUSTER {
        return Err(e.clone());
    }
    if let Err(e) = &*INDEX {
        return Err(e.clone());
    }
    Ok(())
}

/// The predefined cluster privileges that grant `action`, in denial-message order.
/// `conditional_ok` says whether a conditional privilege's request condition passes.
pub fn cluster_privileges_granting(
    action: &str,
    conditional_ok: bool,
) -> Result<Vec<&'static str>, AutomatonError> {
    let table = match &*CLUSTER {
        Ok(t) => t,
        Err(e) => return Err(e.clone()),
    };
    Ok(catalog::cluster_denial_order()
        .iter()
        .copied()
        .filter(|name| {
            table
                .get(name)
                .is_some_and(|p| p.actions.matches(action) && (!p.conditional || conditional_ok))
        })
        .collect())
}

type GrantingCache = RwLock<HashMap<(String, bool), Vec<&'static str>>>;
static INDEX_GRANTING: LazyLock<GrantingCache> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// The predefined index privileges that grant `action` for data access, in denial order
/// (cached per action: denials repeat).
pub fn index_privileges_granting(
    action: &str,
    selector_failures: bool,
) -> Result<Vec<&'static str>, AutomatonError> {
    let key = (action.to_string(), selector_failures);
    if let Ok(c) = INDEX_GRANTING.read() {
        if let Some(hit) = c.get(&key) {
            return Ok(hit.clone());
        }
    }
    let computed = compute_index_privileges_granting(action, selector_failures)?;
    if let Ok(mut c) = INDEX_GRANTING.write() {
        if c.len() >= MAX_CACHED_LISTS {
            c.clear();
        }
        c.insert(key, computed.clone());
    }
    Ok(computed)
}

fn compute_index_privileges_granting(
    action: &str,
    selector_failures: bool,
) -> Result<Vec<&'static str>, AutomatonError> {
    let table = match &*INDEX {
        Ok(t) => t,
        Err(e) => return Err(e.clone()),
    };
    Ok(catalog::index_denial_order()
        .iter()
        .copied()
        .filter(|name| {
            table.get(name).is_some_and(|p| {
                let selector_ok = if selector_failures {
                    p.selector.covers_failures()
                } else {
                    p.selector.covers_data()
                };
                selector_ok && p.actions.matches(action)
            })
        })
        .collect())
}

/// Compiled action languages of privilege lists, shared by every compilation: roles repeat
/// the same lists (`read`, `read,view_index_metadata`, …), so each is built once per process.
type ListCache = RwLock<HashMap<Vec<String>, (Automaton, Automaton)>>;

static INDEX_LISTS: LazyLock<ListCache> = LazyLock::new(|| RwLock::new(HashMap::new()));
static CLUSTER_LISTS: LazyLock<ListCache> = LazyLock::new(|| RwLock::new(HashMap::new()));
const MAX_CACHED_LISTS: usize = 4096;

fn cached(
    cache: &ListCache,
    names: &[String],
    build: impl FnOnce(&[String]) -> Result<(Automaton, Automaton), PrivilegeError>,
) -> Result<(Automaton, Automaton), PrivilegeError> {
    let mut key: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    key.sort();
    key.dedup();
    if let Ok(c) = cache.read() {
        if let Some(hit) = c.get(&key) {
            return Ok(hit.clone());
        }
    }
    let built = build(&key)?;
    if let Ok(mut c) = cache.write() {
        if c.len() >= MAX_CACHED_LISTS {
            c.clear();
        }
        c.insert(key, built.clone());
    }
    Ok(built)
}

/// The (data, failures) action languages of a list of index privilege strings, built with one
/// determinization per selector (index privileges have no exclusions).
pub fn index_privilege_list(names: &[String]) -> Result<(Automaton, Automaton), PrivilegeError> {
    cached(&INDEX_LISTS, names, |names| {
        let mut data: Vec<String> = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        for name in names {
            match catalog::resolve_index_privilege(name)? {
                IndexPrivilegeName::Named(def) => {
                    let patterns = def.actions.iter().map(|a| a.to_string());
                    match def.selector {
                        Selector::Data => data.extend(patterns),
                        Selector::Failures => failures.extend(patterns),
                        Selector::DataAndFailures | Selector::All => {
                            let p: Vec<String> = patterns.collect();
                            failures.extend(p.iter().cloned());
                            data.extend(p);
                        }
                    }
                }
                IndexPrivilegeName::RawAction(raw) => data.push(format!("{raw}*")),
            }
        }
        Ok((
            Automaton::from_patterns(&data)?,
            Automaton::from_patterns(&failures)?,
        ))
    })
}

/// The union of the unconditional cluster privileges in `names`: privileges without
/// exclusions go into one determinization; the few with exclusions are unioned in.
pub fn cluster_privilege_list(names: &[String]) -> Result<Automaton, PrivilegeError> {
    let (combined, _) = cached(&CLUSTER_LISTS, names, |names| {
        let mut patterns: Vec<String> = Vec::new();
        let mut with_exclusions: Vec<Arc<CompiledPrivilege>> = Vec::new();
        for name in names {
            match catalog::resolve_cluster_privilege(name)? {
                ClusterPrivilegeName::Named(def) if def.conditional => {}
                ClusterPrivilegeName::Named(def) if def.excluded.is_empty() => {
                    patterns.extend(def.actions.iter().map(|a| a.to_string()));
                }
                ClusterPrivilegeName::Named(def) => {
                    if let Some(p) = lookup(&CLUSTER, def.name)? {
                        with_exclusions.push(p);
                    }
                }
                ClusterPrivilegeName::RawAction(raw) => patterns.push(format!("{raw}*")),
            }
        }
        let mut combined = Automaton::from_patterns(&patterns)?;
        for p in with_exclusions {
            combined = combined.union(&p.actions)?;
        }
        Ok((combined, Automaton::empty()))
    })?;
    Ok(combined)
}
