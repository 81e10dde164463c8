//! Remote index expressions (`alias:expr`) authorized through `remote_indices` (issue 7).
//!
//! A gateway forwards such expressions to an upstream that follows them to its own remote
//! clusters, so Rampart must decide them. The remote's concrete indices are unknown here, so
//! the check is strict: the expression (a name or `*` pattern) must lie inside the union of
//! the names granted for the action in that cluster, on every side of the role. DLS/FLS are
//! those of the granted entries covering the whole expression (ignoring entries that cover
//! only part of it can only narrow access, never widen it).

use std::collections::BTreeSet;

use rampart_automaton::{Automaton, PatternSet};

use super::EffectiveRole;
use super::decision::{DocumentAccess, FieldAccess};
use super::denial::Denial;
use super::index::split_selector;
use super::subject::Subject;
use crate::permission::{CompileError, IndexGroup, IndicesPermission, Permission};
use crate::resolve::RemoteExpression;
use crate::role::FieldSecurity;

/// What a granted action may see through one remote target `alias:index`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RemoteAccess {
    /// The remote cluster alias.
    pub alias: String,
    /// The index expression sent to that cluster (with its selector, if any).
    pub index: String,
    pub documents: DocumentAccess,
    pub fields: FieldAccess,
}

impl RemoteAccess {
    /// The target as written to the upstream (and as `_index` values come back).
    pub fn target(&self) -> String {
        format!("{}:{}", self.alias, self.index)
    }

    /// Whether DLS or FLS applies.
    pub fn is_restricted(&self) -> bool {
        !self.documents.is_unrestricted() || !self.fields.is_unrestricted()
    }
}

/// The outcome for a request's remote expressions.
#[derive(Debug, Clone)]
pub enum RemoteDecision {
    Allowed(Vec<RemoteAccess>),
    Denied(Box<Denial>),
}

/// Characters that make an index expression something other than a name or `*` pattern
/// (they are invalid in index names; date math is not evaluated here): never authorized.
const NOT_A_PLAIN_PATTERN: &[char] = &['?', '/', '\\', '<', '>', '|', '"', ' ', ',', '#'];

/// One side's answer for one target: `None` when denied, else its DLS/FLS.
type SideAccess = Option<(Option<BTreeSet<String>>, Option<Vec<FieldSecurity>>)>;

impl EffectiveRole {
    /// Authorize `action` on every remote target of `remote` (each expression once per
    /// matched alias). All targets must be granted, else one denial lists the refused ones.
    pub fn authorize_remote(
        &self,
        subject: &Subject,
        action: &str,
        remote: &[RemoteExpression],
    ) -> Result<RemoteDecision, CompileError> {
        let mut allowed = Vec::new();
        let mut denied: Vec<String> = Vec::new();
        let mut failures = false;
        for expression in remote {
            for alias in &expression.clusters {
                let (base, on_failures) = split_selector(&expression.index);
                failures |= on_failures;
                let mut documents = DocumentAccess::default();
                let mut fields = FieldAccess::default();
                let mut ok = true;
                for side in self.side_iter() {
                    match side_access(side, alias, action, base, on_failures)? {
                        Some((docs, flds)) => {
                            documents.sides.push(docs);
                            fields.sides.push(flds);
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    allowed.push(RemoteAccess {
                        alias: alias.clone(),
                        index: expression.index.clone(),
                        documents,
                        fields,
                    });
                } else {
                    denied.push(format!("{alias}:{}", expression.index));
                }
            }
        }
        if denied.is_empty() {
            return Ok(RemoteDecision::Allowed(allowed));
        }
        let names: Vec<&str> = denied.iter().map(String::as_str).collect();
        Ok(RemoteDecision::Denied(Denial::index(
            subject,
            self,
            action,
            &names,
            &[],
            failures,
        )?))
    }
}

/// The remote index entries of one side that apply to the cluster `alias`, compiled like
/// local index entries (same merging of DLS/FLS).
fn remote_groups(side: &Permission, alias: &str) -> Result<IndicesPermission, CompileError> {
    let mut builder = crate::permission::IndicesBuilder::default();
    for entry in &side.remote_indices {
        let clusters = PatternSet::new(entry.clusters.iter().map(String::as_str))?;
        if clusters.matches(alias) {
            builder.add_role("remote_indices", std::slice::from_ref(&entry.indices));
        }
    }
    builder.build(side.indices.restricted().clone())
}

/// The names a group grants: its patterns, minus restricted indices unless it allows them.
fn granted_names(group: &IndexGroup, side: &Permission) -> Result<Automaton, CompileError> {
    let names = group.name_patterns().to_automaton()?;
    if group.allow_restricted {
        return Ok(names);
    }
    let restricted = side.indices.restricted().automaton()?;
    Ok(names.minus(restricted)?)
}

fn side_access(
    side: &Permission,
    alias: &str,
    action: &str,
    expression: &str,
    failures: bool,
) -> Result<SideAccess, CompileError> {
    if expression.is_empty() || expression.contains(NOT_A_PLAIN_PATTERN) {
        return Ok(None);
    }
    let wanted = Automaton::from_pattern(expression)?;
    let groups = remote_groups(side, alias)?;
    let mut union = Automaton::empty();
    let mut covering: Vec<&IndexGroup> = Vec::new();
    let mut partial_restricted = false;
    for group in groups
        .groups()
        .iter()
        .filter(|g| g.grants_action(action, failures))
    {
        let names = granted_names(group, side)?;
        if wanted.is_subset_of(&names) {
            covering.push(group);
        } else if !wanted.intersection(&names)?.is_empty() {
            partial_restricted |= group.queries.is_some() || group.field_security.is_some();
        }
        union = union.union(&names)?;
    }
    if !wanted.is_subset_of(&union) {
        return Ok(None);
    }
    if covering.is_empty() {
        // Granted only piecewise: exact only when no piece restricts anything.
        return Ok((!partial_restricted).then_some((None, None)));
    }
    let documents = if covering.iter().any(|g| g.queries.is_none()) {
        None
    } else {
        Some(
            covering
                .iter()
                .filter_map(|g| g.queries.as_ref())
                .flatten()
                .cloned()
                .collect(),
        )
    };
    let fields = if covering.iter().any(|g| g.field_security.is_none()) {
        None
    } else {
        Some(
            covering
                .iter()
                .filter_map(|g| g.field_security.as_ref())
                .flatten()
                .cloned()
                .collect(),
        )
    };
    Ok(Some((documents, fields)))
}

#[cfg(test)]
mod tests;
