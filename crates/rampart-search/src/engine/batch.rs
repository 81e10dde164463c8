//! Write batches (`_bulk`): items are applied one by one, each with its own result, and the
//! translogs of the indices written are fsynced once at the end instead of once per item —
//! Elasticsearch's `durability: request` applied to the whole request (indices with
//! `durability: async` are left to the background sync).

use std::sync::Arc;

use serde_json::Value;

use super::Engine;
use super::docs::{DocWrite, MappingGate, Refresh, UpdateRequest};
use crate::error::Result;
use crate::shard::{OpType, Shard, WriteConditions};
use crate::translog_settings::Durability;

/// The shards a request wrote to and has not yet made durable.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    shards: Vec<Arc<Shard>>,
}

impl Pending {
    /// Record a write to `shard`; with `durability: async` it is not synced at the end of
    /// the request (the background sync makes it durable).
    pub(crate) fn touch(&mut self, shard: &Arc<Shard>, durability: Durability) {
        if durability == Durability::Request && !self.shards.iter().any(|s| Arc::ptr_eq(s, shard)) {
            self.shards.push(Arc::clone(shard));
        }
    }

    /// Fsync every touched translog; the first failure is returned after trying them all.
    pub(crate) fn sync(&mut self) -> Result<()> {
        let mut first_error = None;
        for shard in self.shards.drain(..) {
            if let Err(e) = shard.sync_translog() {
                tracing::error!(%e, "translog fsync failed");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// A batch of writes acknowledged together: call [`WriteBatch::finish`] before answering the
/// client; until then the batch's writes may be lost in a crash. Dropping an unfinished
/// batch still syncs (errors are logged).
pub struct WriteBatch<'a> {
    engine: &'a Engine,
    pending: Pending,
    gate: Option<Box<MappingGate<'a>>>,
}

impl std::fmt::Debug for WriteBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBatch")
            .field("pending", &self.pending)
            .field("gated", &self.gate.is_some())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Start a batch of writes with one translog fsync per index at [`WriteBatch::finish`].
    pub fn write_batch(&self) -> WriteBatch<'_> {
        WriteBatch {
            engine: self,
            pending: Pending::default(),
            gate: None,
        }
    }
}

impl<'a> WriteBatch<'a> {
    /// Ask `gate` before any write of the batch updates a mapping ([`MappingGate`]).
    pub fn with_mapping_gate(mut self, gate: Box<MappingGate<'a>>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// [`Engine::index_doc`] within the batch.
    pub fn index_doc(
        &mut self,
        target: &str,
        id: Option<&str>,
        source: &Value,
        op: OpType,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let write = self.engine.index_doc_in(
            &mut self.pending,
            self.gate.as_deref_mut(),
            target,
            id,
            source,
            op,
            cond,
        )?;
        self.engine.after_write(write, refresh)
    }

    /// [`Engine::delete_doc`] within the batch.
    pub fn delete_doc(
        &mut self,
        target: &str,
        id: &str,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let write = self
            .engine
            .delete_doc_in(&mut self.pending, target, id, cond)?;
        self.engine.after_write(write, refresh)
    }

    /// [`Engine::update_doc`] within the batch.
    pub fn update_doc(
        &mut self,
        target: &str,
        id: &str,
        req: &UpdateRequest,
        cond: WriteConditions,
        refresh: Refresh,
    ) -> Result<DocWrite> {
        let write = self.engine.update_doc_in(
            &mut self.pending,
            self.gate.as_deref_mut(),
            target,
            id,
            req,
            cond,
        )?;
        self.engine.after_write(write, refresh)
    }

    /// Make every write of the batch durable.
    pub fn finish(mut self) -> Result<()> {
        self.pending.sync()
    }
}

impl Drop for WriteBatch<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.pending.sync() {
            tracing::error!(%e, "write batch dropped and its translog fsync failed");
        }
    }
}
