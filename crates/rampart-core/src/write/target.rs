//! Where a bulk item lands: the name it is checked on (date math resolved, aliases kept) and
//! the concrete write index behind that name.

use chrono::{DateTime, Utc};

use super::{BulkItem, ItemFailure, WriteOp};
use crate::resolve::{IndexMetadata, ResolveError, resolve_date_math};

impl BulkItem {
    /// Resolve a target as written (`logs`, `my-alias`, `<logs-{now/d}>`) against the snapshot.
    /// The item keeps the name it used, so an alias stays an alias for every check; only the
    /// `concrete` landing index comes from the alias (its write index, or its only index).
    pub fn resolve(
        written: &str,
        op: WriteOp,
        meta: &IndexMetadata,
        now: DateTime<Utc>,
    ) -> Result<BulkItem, ResolveError> {
        let index = resolve_date_math(written, now)?.into_owned();
        let concrete = meta.write_index(&index).map(String::from);
        Ok(BulkItem {
            index,
            concrete,
            op,
        })
    }
}

/// The item failure for a write through an alias that has no write index (several indices,
/// none designated), which Elasticsearch reports before any shard-level check.
pub fn no_write_index(alias: &str) -> ItemFailure {
    ItemFailure {
        status: 400,
        es_type: "illegal_argument_exception",
        reason: format!(
            "no write index is defined for alias [{alias}]. The write index may be explicitly \
             disabled using is_write_index=false or the alias points to multiple indices \
             without one being designated as a write index"
        ),
    }
}
