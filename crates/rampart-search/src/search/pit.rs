//! Points in time: each index's searcher pinned when the PIT is opened, so every later search
//! with the PIT sees those segments and nothing written or refreshed since. A PIT is bound to
//! its owner (the caller's identity string, as scroll contexts are): another caller, an
//! expired PIT and an unknown id are all "no search context". The restrictions are not part
//! of the PIT: each search brings the searching caller's own.
//!
//! Expiry is checked on every use against the clock and enforced by [`Engine::expire_pits`]
//! (the refresh thread's reaper), which takes `now` so the reaper's later runs can be
//! exercised without waiting. Closing or deleting an index releases every PIT pinning it: a
//! PIT must not keep a closed index's writer (and its directory lock) alive.

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use rampart_query::{Query, SearchRequest, SortField, SortOrder};
use serde_json::Value;
use tantivy::Searcher;

use super::Restrictions;
use super::exec::{Source, prepare_sources};
use super::explain::matches_source;
use super::sort::SHARD_DOC;
use crate::engine::Engine;
use crate::error::{Result, SearchError};
use crate::mapping::Mapping;
use crate::shard::Shard;

/// The default cap on open points in time (the `search.max_open_pit_context` setting).
pub const DEFAULT_MAX_OPEN_PIT: usize = 300;

/// One concrete index of a PIT and the alias filter it was reached through when opened (a
/// PIT opened through a filtered alias keeps searching through that filter).
#[derive(Debug, Clone, PartialEq)]
pub struct PitIndex {
    pub index: String,
    pub alias_filter: Option<Query>,
}

#[derive(Clone)]
struct Pinned {
    target: PitIndex,
    shard: Arc<Shard>,
    mapping: Arc<Mapping>,
    searcher: Searcher,
}

struct PitContext {
    owner: String,
    expires: Instant,
    indices: Vec<Pinned>,
}

/// Open points in time.
#[derive(Default)]
pub struct PitStore {
    contexts: HashMap<String, PitContext>,
}

impl std::fmt::Debug for PitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PitStore")
            .field("open", &self.contexts.len())
            .finish()
    }
}

impl PitStore {
    /// The owner's live context `id`; anything else is ES's missing search context.
    fn live(&mut self, owner: &str, id: &str, now: Instant) -> Result<&mut PitContext> {
        self.contexts
            .get_mut(id)
            .filter(|c| c.owner == owner && c.expires > now)
            .ok_or_else(|| SearchError::SearchContextMissing(id.to_string()))
    }
}

/// A PIT search's sort: a sorted request gets the `_shard_doc` tiebreaker appended (unless
/// its last sort already is one, or `search_after` names one value per given sort only), so
/// `search_after` pages never skip or repeat documents with equal sort values.
pub fn with_tiebreaker(req: &SearchRequest) -> SearchRequest {
    let mut out = req.clone();
    let Some(last) = req.sort.last() else {
        return out;
    };
    let after_fits = req
        .search_after
        .as_ref()
        .is_none_or(|a| a.len() == req.sort.len() + 1);
    if last.field != SHARD_DOC && after_fits {
        out.sort.push(SortField {
            field: SHARD_DOC.to_string(),
            order: SortOrder::Asc,
            missing: None,
        });
    }
    out
}

impl Engine {
    fn pits(&self) -> MutexGuard<'_, PitStore> {
        self.pits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a PIT on concrete indices for `owner`: pins each index's current searcher. At most
    /// `max_open` PITs are open at once (expired ones are dropped first).
    pub fn open_pit(
        &self,
        owner: &str,
        keep_alive: Duration,
        max_open: usize,
        indices: &[PitIndex],
    ) -> Result<String> {
        // Pinned before the store is locked: `take_shard` locks the store after the shard
        // map, never the other way round.
        let mut pinned = Vec::with_capacity(indices.len());
        for target in indices {
            let (shard, mapping) = self.shard(&target.index)?;
            pinned.push(Pinned {
                target: target.clone(),
                searcher: shard.searcher(),
                shard,
                mapping,
            });
        }
        let now = Instant::now();
        let mut store = self.pits();
        store.contexts.retain(|_, c| c.expires > now);
        if store.contexts.len() >= max_open {
            return Err(SearchError::Rejected(format!(
                "Trying to create too many Point In Time contexts. Must be less than or equal \
                 to: [{max_open}]. This limit can be set by changing the \
                 [search.max_open_pit_context] setting."
            )));
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        store.contexts.insert(
            id.clone(),
            PitContext {
                owner: owner.to_string(),
                expires: now + keep_alive,
                indices: pinned,
            },
        );
        Ok(id)
    }

    /// The indices of the owner's live PIT `id`, in the order it searches them.
    pub fn pit_indices(&self, owner: &str, id: &str) -> Result<Vec<PitIndex>> {
        let mut store = self.pits();
        let ctx = store.live(owner, id, Instant::now())?;
        Ok(ctx.indices.iter().map(|p| p.target.clone()).collect())
    }

    /// Search the owner's PIT `id` (its keep-alive renewed to `keep_alive` when given).
    /// `targets` gives the searching caller's restrictions for every index of the PIT.
    pub fn search_pit(
        &self,
        owner: &str,
        id: &str,
        keep_alive: Option<Duration>,
        targets: &[(String, Restrictions)],
        req: &SearchRequest,
    ) -> Result<Value> {
        let started = Instant::now();
        let pinned = {
            let mut store = self.pits();
            let ctx = store.live(owner, id, started)?;
            if let Some(k) = keep_alive {
                ctx.expires = started + k;
            }
            ctx.indices.clone()
        };
        // In the PIT's own order: `_shard_doc` values are target ordinals, stable per PIT.
        let mut sources = Vec::with_capacity(pinned.len());
        for p in pinned {
            let restrictions = targets
                .iter()
                .find(|(index, _)| *index == p.target.index)
                .map(|(_, r)| r.clone())
                .ok_or_else(|| {
                    SearchError::Internal(format!(
                        "no restrictions given for [{}] of a point in time",
                        p.target.index
                    ))
                })?;
            sources.push(Source {
                index: p.target.index,
                shard: p.shard,
                mapping: p.mapping,
                searcher: p.searcher,
                restrictions,
            });
        }
        let req = with_tiebreaker(req);
        let prepared = prepare_sources(sources, &req.query, req.post_filter.as_ref(), &req.sort)?;
        self.search_prepared(started, &prepared, &req)
    }

    /// A document of one of the PIT's indices as the PIT sees it (its source when the PIT was
    /// opened, never a later version) and, per role query, whether that copy matches it
    /// (`None` admits everything). `None` when the PIT's snapshot has no such document.
    pub fn pit_doc(
        &self,
        owner: &str,
        id: &str,
        index: &str,
        doc_id: &str,
        queries: &[Option<&Query>],
    ) -> Result<Option<(Value, Vec<bool>)>> {
        let pinned = {
            let mut store = self.pits();
            let ctx = store.live(owner, id, Instant::now())?;
            ctx.indices
                .iter()
                .find(|p| p.target.index == index)
                .cloned()
        };
        let Some(p) = pinned else {
            return Ok(None);
        };
        let Some(addr) = p.shard.locate(&p.searcher, doc_id)? else {
            return Ok(None);
        };
        let doc: tantivy::TantivyDocument = p.searcher.doc(addr)?;
        let source = p.shard.stored_doc(&doc)?.source;
        let mut admits = Vec::with_capacity(queries.len());
        for query in queries {
            admits.push(match query {
                None => true,
                Some(q) => matches_source(index, &p.mapping, doc_id, &source, q)?,
            });
        }
        Ok(Some((source, admits)))
    }

    /// Close the owner's PITs among `ids`; returns how many were open.
    pub fn close_pits(&self, owner: &str, ids: &[String]) -> usize {
        let now = Instant::now();
        let mut store = self.pits();
        let before = store.contexts.len();
        store
            .contexts
            .retain(|id, c| !(c.owner == owner && c.expires > now && ids.contains(id)));
        before - store.contexts.len()
    }

    /// The reaper: drop every PIT expired at `now`; returns how many were dropped.
    pub fn expire_pits(&self, now: Instant) -> usize {
        let mut store = self.pits();
        let before = store.contexts.len();
        store.contexts.retain(|_, c| c.expires > now);
        before - store.contexts.len()
    }

    /// How many PITs are open (expired ones not yet reaped included).
    pub fn open_pit_count(&self) -> usize {
        self.pits().contexts.len()
    }

    /// Drop every PIT pinning `shard` (its index is being closed or deleted).
    pub(crate) fn release_pits_of(&self, shard: &Arc<Shard>) {
        self.pits()
            .contexts
            .retain(|_, c| !c.indices.iter().any(|p| Arc::ptr_eq(&p.shard, shard)));
    }
}

#[cfg(test)]
#[path = "pit_tests.rs"]
mod tests;
