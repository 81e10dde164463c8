//! Privileges compiled into action automata, once per process.
//!
//! A named privilege grants `actions − excluded`; a raw action privilege grants `<name>*`.
//! The automata of the predefined privileges are built on first use and shared.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

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

/// A raw action privilege grants the pattern with prefix semantics.
fn raw_action(raw: String, selector: Selector) -> Result<Arc<CompiledPrivilege>, AutomatonError> {
    let actions = Automaton::from_pattern(&format!("{raw}*"))?;
    Ok(Arc::new(CompiledPrivilege {
        name: raw,
        actions,
        selector,
        conditional: false,
    }))
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

/// The predefined index privileges that grant `action` for data access, in denial order.
pub fn index_privileges_granting(
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
