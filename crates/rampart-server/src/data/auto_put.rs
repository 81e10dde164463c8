//! Dynamic mapping updates under write privileges (section 6.2 of the facts): a document that
//! adds fields to an existing index's mapping also needs `indices:admin/mapping/auto_put` on
//! that index. `create_doc`, `create` and `index` grant it on indices and aliases only (the BWC
//! rule), never on a data stream's backing indices, so an ingest role with `create_doc` alone
//! may append documents that fit a data stream's mapping but not ones that extend it.

use rampart_core::authz::IndexRequest;
use rampart_core::resolve::IndexMetadata;
use rampart_core::write::{BulkItem, ItemFailure, WriteOp};

use super::write::WriteItem;
use crate::routes::Ctx;

pub const AUTO_PUT: &str = "indices:admin/mapping/auto_put";

/// Turn every allowed index/create item whose document would extend its existing target's
/// mapping into a 403 item failure when the caller may not update that mapping. Targets that
/// do not exist yet (auto-create) are created from their template and are not checked here.
pub(crate) fn refuse_unauthorized(
    ctx: &Ctx,
    items: &[WriteItem],
    bulk_items: &[BulkItem],
    failures: &mut [Option<ItemFailure>],
    meta: &IndexMetadata,
) {
    // One decision per target index (a bulk usually writes few indices).
    let mut decided: Vec<(String, Option<ItemFailure>)> = Vec::new();
    for ((item, bulk), failure) in items.iter().zip(bulk_items).zip(failures.iter_mut()) {
        let (None, WriteOp::Index | WriteOp::Create, Some(target), Some(body)) = (
            &failure,
            item.op,
            bulk.concrete.as_deref(),
            item.body.as_ref(),
        ) else {
            continue;
        };
        // An index that cannot be read answers its own error on write.
        if !ctx.state.data.adds_fields(target, body).unwrap_or(false) {
            continue;
        }
        let refusal = match decided.iter().find(|(name, _)| name == target) {
            Some((_, refusal)) => refusal.clone(),
            None => {
                let refusal = decide(ctx, target, meta);
                decided.push((target.to_string(), refusal.clone()));
                refusal
            }
        };
        *failure = refusal;
    }
}

/// ES's 403 for `auto_put` on `index`, or `None` when it is granted.
fn decide(ctx: &Ctx, index: &str, meta: &IndexMetadata) -> Option<ItemFailure> {
    let names = [index.to_string()];
    let request = IndexRequest {
        action: AUTO_PUT,
        names: &names,
        data_streams: true,
        lookup: meta,
    };
    match ctx.role.authorize_index(&ctx.subject, &request) {
        Ok(decision) => decision.decision.denial().map(|denial| ItemFailure {
            status: 403,
            es_type: "security_exception",
            reason: denial.message().to_owned(),
        }),
        // Fail closed: an undecidable mapping update is refused.
        Err(e) => {
            tracing::warn!(error = %e, "auto_put decision failed; refusing the item");
            Some(ItemFailure {
                status: 403,
                es_type: "security_exception",
                reason: format!("action [{AUTO_PUT}] is unauthorized on indices [{index}]"),
            })
        }
    }
}
