//! The engine facade: cluster metadata plus one [`Shard`] per open index. Synchronous; the
//! server calls it from blocking tasks. Metadata changes go through [`Engine::mutate`], which
//! persists the new state atomically before publishing it and rebuilds the authorization
//! snapshot once per change.

mod batch;
mod disk;
mod docs;
mod durability;
mod indices;
mod migrate;
mod stream_stats;
pub(crate) mod streams;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use rampart_core::resolve::IndexMetadata;

use crate::cluster::{self, ClusterState};
use crate::error::{Result, SearchError};
use crate::mapping::Mapping;
use crate::search::pit::PitStore;
use crate::search::scroll::ScrollStore;
use crate::shard::Shard;

pub use batch::WriteBatch;
pub use docs::{DocWrite, MappingGate, Refresh, UpdateRequest, WriteTarget};
pub use indices::IndexStats;
pub use stream_stats::DataStreamStats;

/// The document engine over one data directory.
pub struct Engine {
    dir: PathBuf,
    state: RwLock<ClusterState>,
    shards: RwLock<HashMap<String, Arc<Shard>>>,
    snapshot: RwLock<Arc<IndexMetadata>>,
    revision: AtomicU64,
    pub(crate) scrolls: Mutex<ScrollStore>,
    pub(crate) pits: Mutex<PitStore>,
    stop_refresh: Arc<AtomicBool>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop_refresh.store(true, Ordering::Relaxed);
        // Acknowledged writes are already durable in the translogs; a final refresh commits
        // them so the next start has nothing to replay.
        if let Err(e) = self.refresh_all() {
            tracing::warn!(%e, "final refresh failed");
        }
    }
}

impl Engine {
    /// Open (or create) the engine under `<data_dir>/indices/`.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let dir = data_dir.join("indices");
        std::fs::create_dir_all(&dir)?;
        let mut state = cluster::load(&dir)?;
        let mut shards = HashMap::new();
        for (name, meta) in &state.indices {
            if !meta.closed {
                let shard = migrate::open_shard(name, &dir.join(&meta.uuid), &meta.mapping)?;
                shards.insert(name.clone(), Arc::new(shard));
            }
        }
        if state.format != cluster::FORMAT_VERSION {
            // Every format this build reads differs only in what opening an index migrates
            // (see `cluster::persist`); record that this build now owns the directory.
            state.format = cluster::FORMAT_VERSION;
            cluster::store(&dir, &state)?;
        }
        let snapshot = Arc::new(cluster::build_index_metadata(&state)?);
        Ok(Engine {
            dir,
            state: RwLock::new(state),
            shards: RwLock::new(shards),
            snapshot: RwLock::new(snapshot),
            revision: AtomicU64::new(1),
            scrolls: Mutex::new(ScrollStore::default()),
            pits: Mutex::new(PitStore::default()),
            stop_refresh: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Start the periodic refresh (every `interval`) on a background thread that stops when
    /// the engine is dropped.
    pub fn start_refresh_thread(self: &Arc<Self>, interval: Duration) {
        let weak = Arc::downgrade(self);
        let stop = Arc::clone(&self.stop_refresh);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(interval);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Some(engine) = weak.upgrade() else { return };
                if let Err(e) = engine.refresh_all() {
                    tracing::warn!(%e, "periodic refresh failed");
                }
                engine.expire_scrolls();
                engine.expire_pits(std::time::Instant::now());
            }
        });
        self.start_translog_sync_thread();
    }

    /// The authorization snapshot of the current metadata.
    pub fn metadata(&self) -> Arc<IndexMetadata> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Increases on every metadata change.
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Acquire)
    }

    pub(crate) fn state(&self) -> RwLockReadGuard<'_, ClusterState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of the cluster state (for rendering GET APIs).
    pub fn cluster_state(&self) -> ClusterState {
        self.state().clone()
    }

    /// Apply a change to the metadata: persisted first, then published.
    pub(crate) fn mutate<T>(&self, f: impl FnOnce(&mut ClusterState) -> Result<T>) -> Result<T> {
        let mut guard = self.state.write().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        let out = f(&mut next)?;
        if next != *guard {
            cluster::store(&self.dir, &next)?;
            let snapshot = Arc::new(cluster::build_index_metadata(&next)?);
            *guard = next;
            *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = snapshot;
            self.revision.fetch_add(1, Ordering::AcqRel);
        }
        Ok(out)
    }

    pub(crate) fn index_dir(&self, uuid: &str) -> PathBuf {
        self.dir.join(uuid)
    }

    /// The open shard and mapping of a concrete index.
    pub(crate) fn shard(&self, index: &str) -> Result<(Arc<Shard>, Arc<Mapping>)> {
        let mapping = {
            let state = self.state();
            let meta = state
                .indices
                .get(index)
                .ok_or_else(|| SearchError::not_found(index))?;
            if meta.closed {
                return Err(SearchError::IndexClosed {
                    index: index.to_string(),
                });
            }
            Arc::clone(&meta.mapping)
        };
        let shard = self
            .shards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(index)
            .cloned()
            .ok_or_else(|| SearchError::IndexClosed {
                index: index.to_string(),
            })?;
        Ok((shard, mapping))
    }

    pub(crate) fn put_shard(&self, index: &str, shard: Arc<Shard>) {
        self.shards
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(index.to_string(), shard);
    }

    /// Remove an index's shard (closed or deleted); the PITs pinning it are released.
    pub(crate) fn take_shard(&self, index: &str) -> Option<Arc<Shard>> {
        let shard = self
            .shards
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(index);
        // The shard map's lock is released first: `open_pit` locks them the other way round.
        if let Some(shard) = &shard {
            self.release_pits_of(shard);
        }
        shard
    }

    /// Refresh every open index with pending writes.
    pub fn refresh_all(&self) -> Result<()> {
        let shards: Vec<Arc<Shard>> = self
            .shards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for shard in shards {
            shard.refresh()?;
        }
        Ok(())
    }
}
