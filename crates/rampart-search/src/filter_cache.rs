//! The DLS filter cache: a role query compiled against a segment gives a bitset of the
//! documents it admits; segments are immutable, so the bitset is cached by (segment, query).
//! Deleted documents may stay in a cached set; collectors skip them anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Bound on cached bitsets per index; the cache is cleared when it is reached (segments churn
/// slowly and role queries are few, so this is rare).
const MAX_ENTRIES: usize = 256;

/// Per-index cache of DLS bitsets.
#[derive(Debug, Default)]
pub struct FilterCache {
    entries: Mutex<HashMap<(SegmentId, u64), Arc<BitSet>>>,
}

impl FilterCache {
    fn get(&self, key: &(SegmentId, u64)) -> Option<Arc<BitSet>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: (SegmentId, u64), bits: Arc<BitSet>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, bits);
    }

    /// Number of cached bitsets (for tests and stats).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// A filter whose per-segment matches come from (and go to) a [`FilterCache`].
#[derive(Debug, Clone)]
pub struct CachedFilter {
    pub inner: Arc<dyn Query>,
    pub key: u64,
    pub cache: Arc<FilterCache>,
}

impl Query for CachedFilter {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let schema = scoring.schema();
        let inner = self
            .inner
            .weight(EnableScoring::disabled_from_schema(schema))?;
        Ok(Box::new(CachedFilterWeight {
            inner,
            key: self.key,
            cache: Arc::clone(&self.cache),
        }))
    }
}

struct CachedFilterWeight {
    inner: Box<dyn Weight>,
    key: u64,
    cache: Arc<FilterCache>,
}

impl CachedFilterWeight {
    fn bits(&self, reader: &SegmentReader) -> tantivy::Result<Arc<BitSet>> {
        let key = (reader.segment_id(), self.key);
        if let Some(bits) = self.cache.get(&key) {
            return Ok(bits);
        }
        let mut bits = BitSet::with_max_value(reader.max_doc());
        let mut scorer = self.inner.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            bits.insert(doc);
            doc = scorer.advance();
        }
        let bits = Arc::new(bits);
        self.cache.put(key, Arc::clone(&bits));
        Ok(bits)
    }
}

impl Weight for CachedFilterWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let bits = self.bits(reader)?;
        let docset = BitSetDocSet::from((*bits).clone());
        Ok(Box::new(ConstScorer::new(docset, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let bits = self.bits(reader)?;
        if bits.contains(doc) {
            Ok(Explanation::new("document level security filter", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(
                "document is not admitted by the security filter".into(),
            ))
        }
    }
}
