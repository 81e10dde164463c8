//! Atomic persistence of the cluster state.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use super::ClusterState;
use crate::error::{Result, SearchError};

/// The stored format; bump with a migration when the layout changes.
pub const FORMAT_VERSION: u32 = 1;
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
    if state.format != FORMAT_VERSION {
        return Err(SearchError::Internal(format!(
            "unsupported cluster state format {} (expected {FORMAT_VERSION})",
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
