//! The dynamic-mapping rule (section 5.5): a write that adds fields puts a mapping on the
//! concrete index it landed in (`indices:admin/mapping/auto_put`). A caller who may write only
//! through an alias would then be refused by the index, so Elasticsearch authorizes the update
//! against an alias of that index instead when the index itself is not authorized: the first
//! alias (by name) that is authorized and reaches exactly this index for writes (its only
//! index, or its write index).

use crate::authz::{EffectiveRole, IndexDecision, IndexRequest, Subject};
use crate::permission::CompileError;
use crate::resolve::{Abstraction, IndexMetadata};

/// The action of a mapping update caused by a document write.
pub const AUTO_PUT: &str = "indices:admin/mapping/auto_put";

impl EffectiveRole {
    /// Authorize the mapping update a write causes on the concrete index `concrete`. Denied
    /// answers name the concrete index, as Elasticsearch's do.
    pub fn authorize_auto_put(
        &self,
        subject: &Subject,
        concrete: &str,
        meta: &IndexMetadata,
    ) -> Result<IndexDecision, CompileError> {
        let check = |name: &str| {
            let names = [name.to_string()];
            self.authorize_index(
                subject,
                &IndexRequest {
                    action: AUTO_PUT,
                    names: &names,
                    data_streams: true,
                    lookup: meta,
                },
            )
        };
        let direct = check(concrete)?;
        if direct.is_allowed() {
            return Ok(direct);
        }
        let Some(Abstraction::Index(info)) = meta.get(concrete) else {
            return Ok(direct);
        };
        for alias in &info.aliases {
            let Some(Abstraction::Alias(a)) = meta.get(alias) else {
                continue;
            };
            let writes_here = a.targets.len() == 1 || a.write_target.as_deref() == Some(concrete);
            if a.data_stream_alias || !writes_here {
                continue;
            }
            let through_alias = check(alias)?;
            if through_alias.is_allowed() {
                return Ok(through_alias);
            }
        }
        Ok(direct)
    }
}
