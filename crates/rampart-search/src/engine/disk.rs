//! On-disk size of an index (`store.size` of `_cat/indices`).

use std::path::Path;

use super::Engine;
use crate::error::Result;

/// Total bytes of the files under `dir` (recursively). Files removed while counting (a
/// merge finishing) are skipped: the size is a snapshot, not an invariant.
fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0u64;
    for entry in std::fs::read_dir(dir)?.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        total = total.saturating_add(if meta.is_dir() {
            dir_size(&entry.path()).unwrap_or(0)
        } else {
            meta.len()
        });
    }
    Ok(total)
}

impl Engine {
    /// Bytes the index's files take on disk (segments and translog); `None` when the index
    /// does not exist.
    pub fn store_size(&self, index: &str) -> Result<Option<u64>> {
        let Some(uuid) = self.state().indices.get(index).map(|m| m.uuid.clone()) else {
            return Ok(None);
        };
        let dir = self.index_dir(&uuid);
        if !dir.exists() {
            return Ok(Some(0));
        }
        dir_size(&dir).map(Some)
    }
}
