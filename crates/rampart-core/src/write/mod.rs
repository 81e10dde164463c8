//! Document writes and bulk items (section 6 of the facts): which action each operation is
//! authorized as, and per-item decisions so one denied item does not fail the whole bulk.
//!
//! A bulk executes in three stages, as in Elasticsearch, and each stage may fail items:
//! 1. on the coordinating node: `indices:data/write/bulk` name-only (a denial fails the whole
//!    request), `indices:admin/auto_create` for missing targets, and the concrete write index
//!    of every existing target (an alias without a write index fails its items with 400);
//! 2. per shard (one per concrete index here): `indices:data/write/bulk[s]` on the names the
//!    shard's items used, i.e. the alias when an item wrote through an alias
//!    (`BulkShardRequest.indices()`); a denial fails every item of that shard;
//! 3. per item: the operation's own action on the item's name (`item_action`).
//!
//! Because stages 2 and 3 look only at the names the items used, a grant on an alias lets a
//! caller write through that alias without any grant on the indices behind it, and a grant on
//! an alias never helps an item that names the concrete index itself.

mod auto_put;
mod target;

use std::collections::HashMap;

use serde::Serialize;

use crate::authz::{Decision, EffectiveRole, IndexDecision, IndexLookup, IndexRequest, Subject};
use crate::permission::CompileError;

pub use auto_put::AUTO_PUT;
pub use target::no_write_index;

const BULK: &str = "indices:data/write/bulk";
const BULK_SHARD: &str = "indices:data/write/bulk[s]";
const AUTO_CREATE: &str = "indices:admin/auto_create";
const UPDATE_UNDER_DLS_FLS: &str = "Can't execute a bulk item request with update requests embedded if field or document level security is enabled";

/// A write operation as a bulk item (single-document writes execute as one-item bulks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOp {
    /// Index with `op_type=index` (may overwrite).
    Index,
    /// Index with `op_type=create`, `_create`, or an auto-generated id.
    Create,
    Update,
    Delete,
}

impl WriteOp {
    /// The action each item is authorized as (table of section 6.2).
    pub fn item_action(self) -> &'static str {
        match self {
            WriteOp::Index => "indices:data/write/index:op_type/index",
            WriteOp::Create => "indices:data/write/index:op_type/create",
            WriteOp::Update => "indices:data/write/update",
            WriteOp::Delete => "indices:data/write/delete",
        }
    }
}

/// One bulk item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkItem {
    /// The target as written in the request, date math resolved, aliases not expanded
    /// ([`BulkItem::resolve`]): the name every check of the item is made on.
    pub index: String,
    /// The concrete index the item lands in (the index itself, the write index of an alias or
    /// data stream). `None` when the target is missing (auto-create) or is an alias without a
    /// write index (the item fails with 400).
    pub concrete: Option<String>,
    pub op: WriteOp,
}

/// Why one item may not execute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemFailure {
    pub status: u16,
    pub es_type: &'static str,
    pub reason: String,
}

/// The shard-level check of one concrete index (stage 2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShardDecision {
    /// The concrete index (or the missing name the shard's items auto-create).
    pub index: String,
    /// The distinct names the shard's items used, in request order: what `bulk[s]` was
    /// authorized on (an alias, not its index, when items wrote through the alias).
    pub names: Vec<String>,
    /// Positions of the shard's items in the request.
    pub items: Vec<usize>,
    /// `indices:data/write/bulk[s]` on `names`; its reasons name the granting groups per name.
    pub decision: Decision,
}

/// The decision for a whole bulk request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkDecision {
    /// `Denied` means the whole request fails with 403 (no group grants bulk at all).
    pub request: Decision,
    /// Per item, in request order: `None` = may execute.
    pub items: Vec<Option<ItemFailure>>,
    /// The shard-level decisions, one per concrete index reached by items that survived
    /// stage 1 (empty when the request is denied).
    pub shards: Vec<ShardDecision>,
}

fn forbidden(d: &Decision) -> Option<ItemFailure> {
    d.denial().map(|d| ItemFailure {
        status: 403,
        es_type: "security_exception",
        reason: d.message().to_string(),
    })
}

fn restricted(d: &IndexDecision) -> bool {
    d.access()
        .iter()
        .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted())
}

/// Decisions of one bulk, memoized by (action, name): a large bulk usually repeats a handful
/// of targets, and each distinct question is asked once.
struct Checks<'a> {
    role: &'a EffectiveRole,
    subject: &'a Subject,
    lookup: &'a dyn IndexLookup,
    memo: HashMap<(&'static str, String), IndexDecision>,
}

impl Checks<'_> {
    fn names(&self, action: &str, names: &[String]) -> Result<IndexDecision, CompileError> {
        decide(self.role, self.subject, self.lookup, action, names)
    }

    fn one(&mut self, action: &'static str, name: &str) -> Result<&IndexDecision, CompileError> {
        use std::collections::hash_map::Entry;
        Ok(match self.memo.entry((action, name.to_string())) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let names = std::slice::from_ref(&slot.key().1);
                let decision = decide(self.role, self.subject, self.lookup, action, names)?;
                slot.insert(decision)
            }
        })
    }
}

fn decide(
    role: &EffectiveRole,
    subject: &Subject,
    lookup: &dyn IndexLookup,
    action: &str,
    names: &[String],
) -> Result<IndexDecision, CompileError> {
    let req = IndexRequest {
        action,
        names,
        data_streams: true,
        lookup,
    };
    role.authorize_index(subject, &req)
}

/// Stage 2's grouping: items still alive, by the concrete index they land in (a missing
/// target lands in the index created under its own name).
fn shards(items: &[BulkItem], failures: &[Option<ItemFailure>]) -> Vec<(String, Vec<usize>)> {
    let mut order: Vec<(String, Vec<usize>)> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (i, (item, failure)) in items.iter().zip(failures).enumerate() {
        if failure.is_some() {
            continue;
        }
        let shard = item.concrete.as_deref().unwrap_or(&item.index);
        match position.get(shard).and_then(|&p| order.get_mut(p)) {
            Some((_, members)) => members.push(i),
            None => {
                position.insert(shard, order.len());
                order.push((shard.to_string(), vec![i]));
            }
        }
    }
    order
}

impl EffectiveRole {
    /// Authorize a bulk request item by item (see the module documentation for the stages).
    /// `exists` tells whether a target name exists (missing targets need `auto_create`).
    pub fn authorize_bulk(
        &self,
        subject: &Subject,
        items: &[BulkItem],
        lookup: &dyn IndexLookup,
        exists: &dyn Fn(&str) -> bool,
    ) -> Result<BulkDecision, CompileError> {
        let request = self.authorize_index_action_anywhere(subject, BULK, &[])?;
        if !request.is_allowed() {
            return Ok(BulkDecision {
                request,
                items: Vec::new(),
                shards: Vec::new(),
            });
        }
        let mut checks = Checks {
            role: self,
            subject,
            lookup,
            memo: HashMap::new(),
        };
        let mut failures: Vec<Option<ItemFailure>> = Vec::with_capacity(items.len());
        for item in items {
            failures.push(if !exists(&item.index) {
                forbidden(&checks.one(AUTO_CREATE, &item.index)?.decision)
            } else if item.concrete.is_none() {
                Some(no_write_index(&item.index))
            } else {
                None
            });
        }

        let mut shard_decisions = Vec::new();
        for (index, members) in shards(items, &failures) {
            let mut names: Vec<String> = Vec::new();
            for item in members.iter().filter_map(|&i| items.get(i)) {
                if !names.contains(&item.index) {
                    names.push(item.index.clone());
                }
            }
            let decision = checks.names(BULK_SHARD, &names)?.decision;
            if let Some(failure) = forbidden(&decision) {
                for &i in &members {
                    if let Some(slot) = failures.get_mut(i) {
                        *slot = Some(failure.clone());
                    }
                }
            }
            shard_decisions.push(ShardDecision {
                index,
                names,
                items: members,
                decision,
            });
        }

        for (item, slot) in items.iter().zip(failures.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let decision = checks.one(item.op.item_action(), &item.index)?;
            *slot = forbidden(&decision.decision);
            if slot.is_none() && item.op == WriteOp::Update && restricted(decision) {
                *slot = Some(ItemFailure {
                    status: 400,
                    es_type: "security_exception",
                    reason: UPDATE_UNDER_DLS_FLS.into(),
                });
            }
        }
        Ok(BulkDecision {
            request,
            items: failures,
            shards: shard_decisions,
        })
    }
}

#[cfg(test)]
mod tests;
