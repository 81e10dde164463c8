//! The DLS filter cache: a role query compiled against a segment gives a bitset of the
//! documents it admits; segments are immutable, so the bitset is cached by (segment, query)
//! and shared (`Arc`) by every search that needs it — never copied.
//! Deleted documents may stay in a cached set; collectors skip them anyway.
//!
//! Beside each bitset it keeps the scoring statistics of what a restricted caller sees in the
//! segment ([`SegmentStats`]: visible live documents, per-field token totals). Those depend on
//! deletions, so they are keyed by the segment's delete generation too.

mod doc_bits;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::Opstamp;
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query};
use tantivy::schema::Field;
use tantivy::schema::Schema;
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED, Term};

pub use doc_bits::DocBits;

/// Bound on cached document frequencies per segment statistics; cleared when reached.
const MAX_DOC_FREQS: usize = 4096;

/// Bound on cached bitsets per index; the cache is cleared when it is reached (segments churn
/// slowly and role queries are few, so this is rare).
const MAX_ENTRIES: usize = 256;

/// Per-index cache of DLS bitsets.
#[derive(Debug, Default)]
pub struct FilterCache {
    entries: Mutex<HashMap<(SegmentId, u64), Arc<DocBits>>>,
    stats: Mutex<HashMap<StatsKey, Arc<SegmentStats>>>,
}

/// Which statistics: one segment at one delete generation, under one DLS filter (`None`: every
/// live document, for callers restricted by FLS only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatsKey {
    pub segment: SegmentId,
    pub deletes: Option<Opstamp>,
    pub filter: Option<u64>,
}

/// BM25 statistics of the documents a restricted caller sees in one segment.
#[derive(Debug)]
pub struct SegmentStats {
    /// Visible live documents.
    pub docs: u64,
    /// Sum of the field norms of the visible live documents, per field (filled on first use).
    tokens: Mutex<HashMap<Field, u64>>,
    /// Visible live documents containing a term (filled on first use: counting them tests a
    /// bit per posting, which would otherwise be paid by every scored search).
    doc_freqs: Mutex<HashMap<Term, u64>>,
}

impl SegmentStats {
    pub fn new(docs: u64) -> Self {
        SegmentStats {
            docs,
            tokens: Mutex::new(HashMap::new()),
            doc_freqs: Mutex::new(HashMap::new()),
        }
    }

    /// The visible document frequency of `term`, computed by `compute` on first use.
    pub fn doc_freq(
        &self,
        term: &Term,
        compute: impl FnOnce() -> tantivy::Result<u64>,
    ) -> tantivy::Result<u64> {
        if let Some(n) = self
            .doc_freqs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(term)
        {
            return Ok(*n);
        }
        let n = compute()?;
        let mut freqs = self.doc_freqs.lock().unwrap_or_else(|p| p.into_inner());
        if freqs.len() >= MAX_DOC_FREQS {
            freqs.clear();
        }
        freqs.insert(term.clone(), n);
        Ok(n)
    }

    /// The token total of `field`, computed by `compute` on first use.
    pub fn tokens(
        &self,
        field: Field,
        compute: impl FnOnce() -> tantivy::Result<u64>,
    ) -> tantivy::Result<u64> {
        if let Some(n) = self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&field)
        {
            return Ok(*n);
        }
        // Computed outside the lock: two searches may both compute it, with the same result.
        let n = compute()?;
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(field, n);
        Ok(n)
    }
}

impl FilterCache {
    fn get(&self, key: &(SegmentId, u64)) -> Option<Arc<DocBits>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: (SegmentId, u64), bits: Arc<DocBits>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, bits);
    }

    /// The statistics for `key`, computed by `compute` on a miss.
    pub fn stats(
        &self,
        key: StatsKey,
        compute: impl FnOnce() -> tantivy::Result<SegmentStats>,
    ) -> tantivy::Result<Arc<SegmentStats>> {
        if let Some(s) = self
            .stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(Arc::clone(s));
        }
        let computed = Arc::new(compute()?);
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        if stats.len() >= MAX_ENTRIES {
            stats.clear();
        }
        stats.insert(key, Arc::clone(&computed));
        Ok(computed)
    }

    /// Number of cached bitsets (for tests and stats).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Number of cached segment statistics (for tests and stats).
    pub fn stats_len(&self) -> usize {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// A role-query filter whose per-segment matches come from (and go to) a [`FilterCache`].
/// It is not a tantivy query itself: [`crate::search::dls::DlsQuery`] applies it.
#[derive(Debug, Clone)]
pub struct CachedFilter {
    pub inner: Arc<dyn Query>,
    pub key: u64,
    pub cache: Arc<FilterCache>,
}

impl CachedFilter {
    /// The filter ready to evaluate against segments. The role query's weight is only built
    /// when a segment's bitset is missing from the cache, so a warm search pays nothing.
    pub fn prepare(&self, scoring: EnableScoring<'_>) -> PreparedFilter {
        PreparedFilter {
            query: Arc::clone(&self.inner),
            schema: scoring.schema().clone(),
            key: self.key,
            cache: Arc::clone(&self.cache),
        }
    }
}

/// A [`CachedFilter`] bound to the searched index's schema.
pub struct PreparedFilter {
    query: Arc<dyn Query>,
    schema: Schema,
    key: u64,
    cache: Arc<FilterCache>,
}

impl PreparedFilter {
    /// The documents of `reader` the filter admits (cached per segment).
    pub fn bits(&self, reader: &SegmentReader) -> tantivy::Result<Arc<DocBits>> {
        let key = (reader.segment_id(), self.key);
        if let Some(bits) = self.cache.get(&key) {
            return Ok(bits);
        }
        // Role queries never score.
        let weight = self
            .query
            .weight(EnableScoring::disabled_from_schema(&self.schema))?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        let docs = std::iter::from_fn(|| {
            (doc != TERMINATED).then(|| {
                let current = doc;
                doc = scorer.advance();
                current
            })
        });
        let bits = Arc::new(DocBits::from_docs(reader.max_doc(), docs));
        self.cache.put(key, Arc::clone(&bits));
        Ok(bits)
    }

    /// Explanation for a document the filter admits; an error for one it hides.
    pub fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
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
