//! Opening an index, migrating it first when its text is analysed by the legacy tokenizer.
//!
//! Indices created before the standard analyzer name tantivy's `default` tokenizer in their
//! schema: `test_1` was indexed as `test` + `1`, so a role query `match: test_1` would admit
//! `test_2` (a DLS leak). Such an index is rebuilt from its `_source` (same ids, versions,
//! sequence numbers and mapping) into `<uuid>.migrating`, then swapped in:
//!
//! 1. the rebuilt directory is complete once it holds the [`COMPLETE`] marker (fsynced);
//! 2. `<uuid>` is renamed to `<uuid>.legacy`, `<uuid>.migrating` to `<uuid>`;
//! 3. `<uuid>.legacy` is deleted.
//!
//! A crash at any point leaves a state [`recover`] resolves on the next open: a complete
//! rebuild missing its final name is moved in, an incomplete one is discarded and the legacy
//! index kept. If the rebuild fails, the legacy index is served, and the shard reports
//! [`Shard::is_legacy`]: searches with a document filter (DLS, filtered aliases) on it are
//! refused (fail closed) until a later open migrates it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::mapping::Mapping;
use crate::shard::Shard;

/// Written (and fsynced) into a rebuilt directory once its commit is durable.
const COMPLETE: &str = "MIGRATION_COMPLETE";

fn sibling(live: &Path, suffix: &str) -> PathBuf {
    let mut name = live.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        // Makes renames durable; not supported everywhere, so best effort.
        let _ = d.sync_all();
    }
}

/// Finish or undo a swap interrupted by a crash (see the module documentation).
fn recover(live: &Path) -> Result<()> {
    let building = sibling(live, ".migrating");
    let legacy = sibling(live, ".legacy");
    if !live.exists() {
        if building.join(COMPLETE).exists() {
            fs::rename(&building, live)?;
        } else if legacy.exists() {
            fs::rename(&legacy, live)?;
        }
        if let Some(parent) = live.parent() {
            sync_dir(parent);
        }
    }
    if live.exists() {
        if building.exists() {
            fs::remove_dir_all(&building)?;
        }
        if legacy.exists() {
            fs::remove_dir_all(&legacy)?;
        }
        let marker = live.join(COMPLETE);
        if marker.exists() {
            fs::remove_file(marker)?;
        }
    }
    Ok(())
}

/// Open the index `name` stored at `live`, migrating it to the standard analyzer first if
/// needed. A failed migration is logged and the legacy index returned (fail closed: see the
/// module documentation); only failing to open the index at all is an error.
pub(crate) fn open_shard(name: &str, live: &Path, mapping: &Mapping) -> Result<Shard> {
    recover(live)?;
    let shard = Shard::open(live, mapping)?;
    if !shard.is_legacy() {
        return Ok(shard);
    }
    tracing::warn!(
        index = name,
        "index analyses text with the legacy tokenizer; rebuilding it with the standard analyzer"
    );
    let building = sibling(live, ".migrating");
    match rebuild(name, &shard, &building, mapping) {
        Ok(count) => {
            drop(shard);
            swap(live, &building)?;
            let migrated = Shard::open(live, mapping)?;
            tracing::info!(
                index = name,
                documents = count,
                "index migrated to the standard analyzer"
            );
            Ok(migrated)
        }
        Err(e) => {
            tracing::error!(
                index = name,
                %e,
                "migration to the standard analyzer failed; the index stays on the legacy \
                 analyzer and refuses document-filtered searches"
            );
            if building.exists()
                && let Err(e) = fs::remove_dir_all(&building)
            {
                tracing::warn!(index = name, %e, "could not remove the partial rebuild");
            }
            Ok(shard)
        }
    }
}

fn rebuild(name: &str, shard: &Shard, building: &Path, mapping: &Mapping) -> Result<u64> {
    if building.exists() {
        fs::remove_dir_all(building)?;
    }
    let count = shard.rebuild_into(building, mapping, &mut |done, total| {
        tracing::info!(
            index = name,
            migrated = done,
            total,
            "migrating to the standard analyzer"
        );
    })?;
    let marker = fs::File::create(building.join(COMPLETE))?;
    marker.sync_all()?;
    sync_dir(building);
    Ok(count)
}

fn swap(live: &Path, building: &Path) -> Result<()> {
    let legacy = sibling(live, ".legacy");
    fs::rename(live, &legacy)?;
    fs::rename(building, live)?;
    if let Some(parent) = live.parent() {
        sync_dir(parent);
    }
    fs::remove_dir_all(&legacy)?;
    fs::remove_file(live.join(COMPLETE))?;
    Ok(())
}

#[cfg(test)]
mod tests;
