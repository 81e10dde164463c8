//! Translog durability per index: `request` indices are fsynced by the write path before
//! acknowledging; `async` ones by a background thread every `index.translog.sync_interval`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::Engine;
use crate::translog::Positions;
use crate::translog_settings::{Durability, MIN_SYNC_INTERVAL};

impl Engine {
    /// The translog durability of `index` (`request` when unknown).
    pub(crate) fn durability(&self, index: &str) -> Durability {
        self.state()
            .indices
            .get(index)
            .map_or(Durability::Request, |meta| Durability::of(&meta.settings))
    }

    /// How far the translog of an open index was written and fsynced.
    pub fn translog_positions(&self, index: &str) -> Option<Positions> {
        let (shard, _) = self.shard(index).ok()?;
        shard.translog_positions()
    }

    /// Fsync the translog of every `async` index whose interval has passed since its last
    /// fsync and that has writes pending. Errors are logged: the writes stay pending and
    /// the next round retries. Returns how many translogs were synced.
    pub fn sync_async_translogs(&self, now: Instant) -> usize {
        let due: Vec<(String, std::time::Duration)> = self
            .state()
            .indices
            .iter()
            .filter(|(_, meta)| !meta.closed)
            .filter_map(|(name, meta)| match Durability::of(&meta.settings) {
                Durability::Async { interval } => Some((name.clone(), interval)),
                Durability::Request => None,
            })
            .collect();
        let mut synced = 0;
        for (index, interval) in due {
            let Ok((shard, _)) = self.shard(&index) else {
                continue;
            };
            match shard.sync_translog_if_due(now, interval) {
                Ok(true) => synced += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(%e, index, "async translog fsync failed"),
            }
        }
        synced
    }

    /// The background fsync of `async` translogs, ticking at the smallest allowed interval;
    /// it stops with the periodic refresh.
    pub(crate) fn start_translog_sync_thread(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let stop = Arc::clone(&self.stop_refresh);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(MIN_SYNC_INTERVAL);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Some(engine) = weak.upgrade() else { return };
                engine.sync_async_translogs(Instant::now());
            }
        });
    }
}
