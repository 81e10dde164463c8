//! Atomic persistence of the cluster state.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use super::ClusterState;
use crate::error::{Result, SearchError};

/// The stored format; bump with a migration when the layout changes.
///
/// - 1: the first format.
/// - 2: written by builds that migrate indices to the standard analyzer. A format-1
///   directory may hold indices whose schema names the legacy tokenizer; every open of an
///   index checks its schema and rebuilds such an index (`engine::migrate`), so format 1 is
///   read as is and rewritten as 2 by `Engine::open` (which keeps older builds, which would
///   serve legacy indices without refusing DLS on them, from opening the directory).
///   Mappings may carry `created` (the root mapping exists); its absence reads as "not yet".
pub const FORMAT_VERSION: u32 = 2;
/// Formats [`load`] accepts (older ones are migrated as described above).
const READABLE: &[u32] = &[1, FORMAT_VERSION];
const FILE: &str = "cluster_state.json";

/// Load the state from `dir`, or an empty state when there is none yet.
pub fn load(dir: &Path) -> Result<ClusterState> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(ClusterState {
            format: FORMAT_VERSION,
            ..ClusterState::default()
        });
    }
    let bytes = fs::read(&path)?;
    let state: ClusterState = serde_json::from_slice(&bytes)
        .map_err(|e| SearchError::internal("read cluster state", e))?;
    if !READABLE.contains(&state.format) {
        return Err(SearchError::Internal(format!(
            "unsupported cluster state format {} (expected at most {FORMAT_VERSION})",
            state.format
        )));
    }
    Ok(state)
}

/// Write the state to `dir` atomically: a crash leaves the old or the new file, never half.
pub fn store(dir: &Path, state: &ClusterState) -> Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    let bytes =
        serde_json::to_vec(state).map_err(|e| SearchError::internal("encode cluster state", e))?;
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, dir.join(FILE))?;
    if let Ok(d) = File::open(dir) {
        // Directory fsync makes the rename durable; not supported everywhere, so best effort.
        let _ = d.sync_all();
    }
    Ok(())
}
