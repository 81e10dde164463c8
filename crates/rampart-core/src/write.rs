//! Document writes and bulk items (section 6 of the facts): which action each operation is
//! authorized as, and per-item decisions so one denied item does not fail the whole bulk.

use serde::Serialize;

use crate::authz::{Decision, EffectiveRole, IndexLookup, IndexRequest, Subject};
use crate::permission::CompileError;

const BULK: &str = "indices:data/write/bulk";
const BULK_SHARD: &str = "indices:data/write/bulk[s]";
const AUTO_CREATE: &str = "indices:admin/auto_create";

/// A write operation as a bulk item (single-document writes execute as one-item bulks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    /// The target as written in the request (date math already resolved; aliases not expanded).
    pub index: String,
    /// The concrete index the item lands in, when the target exists.
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

/// The decision for a whole bulk request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkDecision {
    /// `Denied` means the whole request fails with 403 (no group grants bulk at all).
    pub request: Decision,
    /// Per item, in request order: `None` = may execute.
    pub items: Vec<Option<ItemFailure>>,
}

fn forbidden(d: &Decision) -> Option<ItemFailure> {
    d.denial().map(|d| ItemFailure {
        status: 403,
        es_type: "security_exception",
        reason: d.message().to_string(),
    })
}

impl EffectiveRole {
    /// Authorize a bulk request item by item. `exists` tells whether a target exists (missing
    /// targets need `auto_create`).
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
            });
        }
        let check = |action: &str, name: &str| -> Result<Decision, CompileError> {
            let names = [name.to_string()];
            let req = IndexRequest {
                action,
                names: &names,
                data_streams: true,
                lookup,
            };
            Ok(self.authorize_index(subject, &req)?.decision)
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if !exists(&item.index) {
                let d = check(AUTO_CREATE, &item.index)?;
                if let Some(f) = forbidden(&d) {
                    out.push(Some(f));
                    continue;
                }
            }
            if let Some(concrete) = &item.concrete {
                let d = check(BULK_SHARD, concrete)?;
                if let Some(f) = forbidden(&d) {
                    out.push(Some(f));
                    continue;
                }
            }
            let names = [item.index.clone()];
            let req = IndexRequest {
                action: item.op.item_action(),
                names: &names,
                data_streams: true,
                lookup,
            };
            let decision = self.authorize_index(subject, &req)?;
            if let Some(f) = forbidden(&decision.decision) {
                out.push(Some(f));
                continue;
            }
            let restricted = decision
                .access()
                .iter()
                .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted());
            if item.op == WriteOp::Update && restricted {
                out.push(Some(ItemFailure {
                    status: 400,
                    es_type: "security_exception",
                    reason: "Can't execute a bulk item request with update requests embedded if field or document level security is enabled".into(),
                }));
                continue;
            }
            out.push(None);
        }
        Ok(BulkDecision {
            request,
            items: out,
        })
    }
}
