//! Optimistic concurrency checks (`if_seq_no`/`if_primary_term`, external versions), with
//! Elasticsearch's conflict messages.

use super::{DocVersion, PRIMARY_TERM, WriteConditions};
use crate::error::{Result, SearchError};

/// `existing`: the live document; `deleted`: its delete tombstone when it was deleted (ES
/// ignores tombstones for `if_seq_no` but compares external versions against them).
pub(super) fn check_conditions(
    id: &str,
    existing: Option<DocVersion>,
    deleted: Option<DocVersion>,
    cond: WriteConditions,
) -> Result<()> {
    if let Some(seq) = cond.if_seq_no {
        let term = cond.if_primary_term.unwrap_or(PRIMARY_TERM);
        match existing {
            None => {
                return Err(SearchError::VersionConflict {
                    id: id.to_string(),
                    detail: format!(
                        "required seqNo [{seq}], primary term [{term}]. but no document was found"
                    ),
                });
            }
            Some(v) if v.seq_no != seq || v.primary_term != term => {
                return Err(SearchError::VersionConflict {
                    id: id.to_string(),
                    detail: format!(
                        "required seqNo [{seq}], primary term [{term}]. current document has \
                         seqNo [{}] and primary term [{}]",
                        v.seq_no, v.primary_term
                    ),
                });
            }
            Some(_) => {}
        }
    }
    if let (Some(wanted), Some(v)) = (cond.external_version, existing.or(deleted)) {
        let ok = if cond.external_gte {
            wanted >= v.version
        } else {
            wanted > v.version
        };
        if !ok {
            return Err(SearchError::VersionConflict {
                id: id.to_string(),
                detail: format!(
                    "current version [{}] is higher{} than the one provided [{wanted}]",
                    v.version,
                    if cond.external_gte {
                        ""
                    } else {
                        " or equal to"
                    }
                ),
            });
        }
    }
    Ok(())
}
