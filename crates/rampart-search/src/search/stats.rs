//! BM25 statistics over what a restricted caller can see.
//!
//! tantivy scores with index-wide statistics (document count, term document frequencies,
//! average field length), which include documents hidden by DLS and deleted documents. A
//! reader comparing scores could then learn that hidden documents containing a term exist.
//! For a restricted caller every statistic is computed over the visible live documents only
//! (the DLS bitset ∧ the segment's alive set), so two indices that differ only in hidden
//! documents or fields score every visible document identically:
//!
//! * document count: visible live documents (cached per segment, filter and delete generation);
//! * token total of a field: the sum of the visible live documents' field norms (cached the
//!   same way, per field, on first use);
//! * document frequency of a term: visible live documents in its postings (a bit test per
//!   posting, cached per term beside the document count).
//!
//! The token total is a sum of field norms, as stored per document. Every mapped field of this
//! engine lives in a tantivy JSON field, which stores no norms: tantivy then scores each
//! document as one token long, and the visible total is the visible document count (so the
//! average length is 1). tantivy's own statistics divide by the index-wide token count of the
//! whole JSON field instead, so a restricted caller's scores differ in scale from an
//! unrestricted caller's (single-term rankings are the same); they depend only on visible
//! documents, which is the point.

use std::sync::Arc;

use tantivy::query::{Bm25StatisticsProvider, EnableScoring};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Searcher, SegmentReader, Term};

use crate::filter_cache::{
    CachedFilter, DocBits, FilterCache, PreparedFilter, SegmentStats, StatsKey,
};

/// Statistics of the documents a restricted caller sees in one searcher's segments.
pub(crate) struct VisibleStatistics<'a> {
    searcher: &'a Searcher,
    /// The DLS filter (`None`: every live document is visible, FLS-only callers).
    filter: Option<(PreparedFilter, u64)>,
    cache: &'a FilterCache,
}

/// One segment's visibility: the DLS bitset (if any) and the cached statistics.
struct SegmentView<'r> {
    reader: &'r SegmentReader,
    bits: Option<Arc<DocBits>>,
    stats: Arc<SegmentStats>,
}

#[inline]
fn visible(reader: &SegmentReader, bits: Option<&DocBits>, doc: DocId) -> bool {
    bits.is_none_or(|b| b.contains(doc)) && !reader.is_deleted(doc)
}

/// Every visible live document of a segment, in order.
fn visible_docs<'r>(
    reader: &'r SegmentReader,
    bits: Option<&'r DocBits>,
) -> impl Iterator<Item = DocId> + 'r {
    (0..reader.max_doc()).filter(move |d| visible(reader, bits, *d))
}

impl SegmentView<'_> {
    #[inline]
    fn visible(&self, doc: DocId) -> bool {
        visible(self.reader, self.bits.as_deref(), doc)
    }
}

impl<'a> VisibleStatistics<'a> {
    pub(crate) fn new(
        searcher: &'a Searcher,
        filter: Option<&CachedFilter>,
        cache: &'a FilterCache,
    ) -> Self {
        let filter = filter.map(|f| {
            (
                f.prepare(EnableScoring::disabled_from_searcher(searcher)),
                f.key,
            )
        });
        VisibleStatistics {
            searcher,
            filter,
            cache,
        }
    }

    /// Scoring enabled with these statistics.
    pub(crate) fn scoring(&'a self) -> EnableScoring<'a> {
        EnableScoring::enabled_from_statistics_provider(self, self.searcher)
    }

    fn segment<'r>(&self, reader: &'r SegmentReader) -> tantivy::Result<SegmentView<'r>> {
        let bits = match &self.filter {
            Some((f, _)) => Some(f.bits(reader)?),
            None => None,
        };
        let key = StatsKey {
            segment: reader.segment_id(),
            deletes: reader.delete_opstamp(),
            filter: self.filter.as_ref().map(|(_, k)| *k),
        };
        let stats = self.cache.stats(key, || {
            let docs = match &bits {
                None => reader.num_docs(),
                // The bitset holds documents below max_doc only (it is built per segment).
                Some(b) if !reader.has_deletes() => u32::try_from(b.len()).unwrap_or(u32::MAX),
                Some(b) => u32::try_from(visible_docs(reader, Some(b)).count()).unwrap_or(u32::MAX),
            };
            Ok(SegmentStats::new(u64::from(docs)))
        })?;
        Ok(SegmentView {
            reader,
            bits,
            stats,
        })
    }

    fn segments(&self) -> impl Iterator<Item = tantivy::Result<SegmentView<'a>>> + '_ {
        self.searcher
            .segment_readers()
            .iter()
            .map(|r| self.segment(r))
    }

    fn segment_doc_freq(view: &SegmentView<'_>, term: &Term) -> tantivy::Result<u64> {
        let inverted = view.reader.inverted_index(term.field())?;
        if view.bits.is_none() && !view.reader.has_deletes() {
            return Ok(u64::from(inverted.doc_freq(term)?));
        }
        view.stats.doc_freq(term, || {
            let Some(mut block) = inverted.read_block_postings(term, IndexRecordOption::Basic)?
            else {
                return Ok(0);
            };
            let mut n = 0u64;
            loop {
                let docs = block.docs();
                if docs.is_empty() {
                    break;
                }
                n += docs.iter().filter(|d| view.visible(**d)).count() as u64;
                block.advance();
            }
            Ok(n)
        })
    }

    fn segment_tokens(view: &SegmentView<'_>, field: Field) -> tantivy::Result<u64> {
        view.stats.tokens(field, || {
            // Without stored norms (tantivy's JSON fields, which hold every mapped field of
            // this engine) tantivy scores each document as one token long, so the visible
            // documents' total is their count.
            let Some(norms) = view.reader.fieldnorms_readers().get_field(field)? else {
                return Ok(view.stats.docs);
            };
            Ok(visible_docs(view.reader, view.bits.as_deref())
                .map(|d| u64::from(norms.fieldnorm(d)))
                .sum())
        })
    }
}

impl Bm25StatisticsProvider for VisibleStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0u64;
        for view in self.segments() {
            total += Self::segment_tokens(&view?, field)?;
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let mut total = 0u64;
        for view in self.segments() {
            total += view?.stats.docs;
        }
        Ok(total)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut freq = 0u64;
        let mut docs = 0u64;
        for view in self.segments() {
            let view = view?;
            freq += Self::segment_doc_freq(&view, term)?;
            docs += view.stats.docs;
        }
        // Both counts come from the same visible set; the bound keeps tantivy's idf
        // precondition (doc count ≥ doc freq) even if a cache were ever stale.
        Ok(freq.min(docs))
    }
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
