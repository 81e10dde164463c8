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
            // Blocks are at most COLLECT_BLOCK_BUFFER_LEN long; larger ones go in chunks.
            for chunk in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
                // Branch-free compaction: write every document, advance past the admitted.
                let mut n = 0;
                for &doc in chunk {
                    if let Some(slot) = kept.get_mut(n) {
                        *slot = doc;
                    }
                    n += usize::from(admit.admits(doc));
                }
                if n > 0 {
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
mod tests {
    use super::*;
    use tantivy::BitSet;
    use tantivy::query::{BitSetDocSet, ConstScorer};

    fn set(max: u32, docs: &[u32]) -> BitSet {
        let mut b = BitSet::with_max_value(max);
        for d in docs {
            b.insert(*d);
        }
        b
    }

    fn bits(max: u32, docs: &[u32]) -> DocBits {
        DocBits::from_docs(max, docs.iter().copied())
    }

    fn collect(mut s: DlsScorer) -> Vec<DocId> {
        let mut out = Vec::new();
        let mut doc = s.doc();
        while doc != TERMINATED {
            out.push(doc);
            doc = s.advance();
        }
        out
    }

    fn scorer(inner: &[u32], admitted: &[u32]) -> DlsScorer {
        let inner = ConstScorer::new(BitSetDocSet::from(set(100, inner)), 2.0);
        DlsScorer::new(Box::new(inner), Arc::new(bits(100, admitted)))
    }

    #[test]
    fn yields_the_intersection_in_order() {
        let s = scorer(&[1, 3, 5, 7, 9, 50], &[0, 3, 4, 9, 50, 99]);
        assert_eq!(collect(s), vec![3, 9, 50]);
    }

    #[test]
    fn first_document_hidden_is_skipped_at_creation() {
        let s = scorer(&[1, 2], &[2]);
        assert_eq!(s.doc(), 2);
    }

    #[test]
    fn seek_lands_on_next_admitted_document() {
        let mut s = scorer(&[10, 20, 30, 40], &[10, 40]);
        assert_eq!(s.seek(15), 40);
        assert_eq!(s.advance(), TERMINATED);
    }

    #[test]
    fn empty_filter_yields_nothing_and_keeps_scores() {
        let s = scorer(&[1, 2, 3], &[]);
        assert_eq!(collect(s), Vec::<DocId>::new());
        let mut s = scorer(&[1, 2, 3], &[2]);
        assert_eq!(s.score(), 2.0);
    }
}
