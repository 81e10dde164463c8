//! Document-level security applied to a query: the query's scorer is driven as usual and every
//! document it yields is checked against the segment's cached DLS bitset (one bit test, no
//! copy of the set, no extra boolean intersection). Scores are the query's own, as in
//! Elasticsearch where the role query is a non-scoring filter.
//!
//! The bulk paths (`for_each*`, `count`, what tantivy's collectors and `_count` use) run the
//! inner weight's own specialised loop and drop hidden documents from each block or callback,
//! so a restricted search keeps e.g. the boolean weight's block intersection. The engine's own
//! hit loop unwraps the scorer with [`unwrap_scorer`] and tests the bitset inline.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SegmentReader, TERMINATED};

use crate::filter_cache::{CachedFilter, DocBits, PreparedFilter};

/// `inner` restricted to the documents `filter` admits.
#[derive(Debug)]
pub struct DlsQuery {
    pub inner: Box<dyn Query>,
    pub filter: CachedFilter,
}

impl Clone for DlsQuery {
    fn clone(&self) -> Self {
        DlsQuery {
            inner: self.inner.box_clone(),
            filter: self.filter.clone(),
        }
    }
}

impl Query for DlsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DlsWeight {
            inner: self.inner.weight(scoring)?,
            filter: self.filter.prepare(scoring),
        }))
    }
}

struct DlsWeight {
    inner: Box<dyn Weight>,
    filter: PreparedFilter,
}

impl Weight for DlsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let bits = self.filter.bits(reader)?;
        let inner = self.inner.scorer(reader, boost)?;
        Ok(Box::new(DlsScorer::new(inner, bits)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.filter.explain(reader, doc)?;
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        let alive = reader.alive_bitset();
        let mut n = 0u32;
        self.for_each_no_score(reader, &mut |docs| {
            let live = docs
                .iter()
                .filter(|d| alive.is_none_or(|a| a.is_alive(**d)))
                .count();
            n = n.saturating_add(u32::try_from(live).unwrap_or(u32::MAX));
        })?;
        Ok(n)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let admit = Admit(self.filter.bits(reader)?);
        self.inner.for_each(reader, &mut |doc, score| {
            if admit.admits(doc) {
                callback(doc, score);
            }
        })
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let admit = Admit(self.filter.bits(reader)?);
        let mut kept = [0u32; COLLECT_BLOCK_BUFFER_LEN];
        self.inner.for_each_no_score(reader, &mut |docs| {
            // Blocks are at most COLLECT_BLOCK_BUFFER_LEN (64) long; larger ones go in chunks.
            for chunk in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
                let mask = admitted_mask(&admit, chunk);
                if mask == full_mask(chunk.len()) {
                    // Every document admitted: the block goes on as it is, uncopied.
                    callback(chunk);
                } else if mask != 0 {
                    let n = compact(chunk, mask, &mut kept);
                    callback(kept.get(..n).unwrap_or_default());
                }
            }
        })
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let admit = Admit(self.filter.bits(reader)?);
        let mut threshold = threshold;
        self.inner
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if admit.admits(doc) {
                    threshold = callback(doc, score);
                }
                threshold
            })
    }
}

/// Bit `i` set when `chunk[i]` is admitted (`chunk` holds at most 64 documents).
#[inline]
fn admitted_mask(admit: &Admit, chunk: &[DocId]) -> u64 {
    chunk.iter().enumerate().fold(0u64, |mask, (i, &doc)| {
        mask | (u64::from(admit.admits(doc)) << (i % 64))
    })
}

/// The mask with the low `len` bits set (`len` ≤ 64).
#[inline]
fn full_mask(len: usize) -> u64 {
    if len >= 64 {
        u64::MAX
    } else {
        (1u64 << len) - 1
    }
}

/// Copies the documents of `chunk` selected by `mask` to the front of `out`; returns how many.
#[inline]
fn compact(chunk: &[DocId], mut mask: u64, out: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
    let mut n = 0;
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        if let (Some(slot), Some(&doc)) = (out.get_mut(n), chunk.get(i)) {
            *slot = doc;
            n += 1;
        }
        mask &= mask - 1;
    }
    n
}

/// The documents a DLS bitset admits.
#[derive(Clone)]
pub(crate) struct Admit(Arc<DocBits>);

impl Admit {
    #[inline]
    pub(crate) fn admits(&self, doc: DocId) -> bool {
        self.0.contains(doc)
    }
}

/// `scorer` split into the scorer to drive and the filter every document it yields must pass
/// (`None`: not a DLS scorer, every document passes). The returned scorer is positioned on an
/// admitted document (or terminated); later ones must be checked with [`Admit::admits`].
/// This lets a hot loop test the bitset inline instead of through a second virtual call.
pub(crate) fn unwrap_scorer(scorer: Box<dyn Scorer>) -> (Box<dyn Scorer>, Option<Admit>) {
    match scorer.downcast::<DlsScorer>() {
        Ok(dls) => {
            let DlsScorer { inner, bits } = *dls;
            (inner, Some(Admit(bits)))
        }
        Err(other) => (other, None),
    }
}

/// The inner scorer, skipping documents outside the bitset.
struct DlsScorer {
    inner: Box<dyn Scorer>,
    bits: Arc<DocBits>,
}

impl DlsScorer {
    fn new(inner: Box<dyn Scorer>, bits: Arc<DocBits>) -> Self {
        let mut scorer = DlsScorer { inner, bits };
        let doc = scorer.inner.doc();
        if doc != TERMINATED && !scorer.admits(doc) {
            scorer.advance();
        }
        scorer
    }

    #[inline]
    fn admits(&self, doc: DocId) -> bool {
        self.bits.contains(doc)
    }

    #[inline]
    fn skip_hidden(&mut self, mut doc: DocId) -> DocId {
        while doc != TERMINATED && !self.admits(doc) {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for DlsScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        let doc = self.inner.advance();
        self.skip_hidden(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.inner.seek(target);
        self.skip_hidden(doc)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        // The inner estimate scaled by the share of the segment the filter admits.
        let max = u64::from(self.bits.max_doc().max(1));
        let admitted = self.bits.len();
        let scaled = u64::from(self.inner.size_hint()) * admitted / max;
        u32::try_from(scaled).unwrap_or(u32::MAX)
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for DlsScorer {
    #[inline]
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
#[path = "dls_tests.rs"]
mod tests;
