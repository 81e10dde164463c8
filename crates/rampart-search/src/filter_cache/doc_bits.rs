//! The set of documents a DLS filter admits in one segment, as plain 64-bit words.
//!
//! tantivy's `BitSet` answers `contains` through a bounds check on the value, a second one on
//! its word vector and a set intersection; this set is tested once per candidate document of
//! every restricted search, so it is kept to a single word load and shift.

use tantivy::DocId;

/// Documents `0..max_doc` of one segment, one bit each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocBits {
    words: Box<[u64]>,
    max_doc: DocId,
    len: u64,
}

impl DocBits {
    /// The set of `docs` (any order; values at or beyond `max_doc` are ignored).
    pub fn from_docs(max_doc: DocId, docs: impl IntoIterator<Item = DocId>) -> Self {
        let mut words = vec![0u64; (max_doc as usize).div_ceil(64)].into_boxed_slice();
        for doc in docs {
            if doc < max_doc
                && let Some(w) = words.get_mut((doc / 64) as usize)
            {
                *w |= 1u64 << (doc % 64);
            }
        }
        let len = words.iter().map(|w| u64::from(w.count_ones())).sum();
        DocBits {
            words,
            max_doc,
            len,
        }
    }

    /// Whether `doc` is in the set (false for any document beyond the segment).
    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get((doc / 64) as usize)
            .is_some_and(|w| (w >> (doc % 64)) & 1 == 1)
    }

    /// Number of documents in the set.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// One past the largest document the set can hold (the segment's `max_doc`).
    pub fn max_doc(&self) -> DocId {
        self.max_doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_the_inserted_documents() {
        let bits = DocBits::from_docs(130, [0, 63, 64, 129, 5, 5]);
        let inside: Vec<DocId> = (0..200).filter(|d| bits.contains(*d)).collect();
        assert_eq!(inside, vec![0, 5, 63, 64, 129]);
        assert_eq!(bits.len(), 5);
        assert_eq!(bits.max_doc(), 130);
    }

    #[test]
    fn ignores_documents_beyond_the_segment() {
        let bits = DocBits::from_docs(10, [3, 10, 64, u32::MAX]);
        assert_eq!(bits.len(), 1);
        assert!(bits.contains(3));
        assert!(!bits.contains(10));
        assert!(!bits.contains(u32::MAX));
    }

    #[test]
    fn empty_segment_contains_nothing() {
        let bits = DocBits::from_docs(0, [0, 1]);
        assert_eq!(bits.len(), 0);
        assert!(!bits.contains(0));
    }
}
