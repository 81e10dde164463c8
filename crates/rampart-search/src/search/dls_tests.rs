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
fn block_masks_select_admitted_documents() {
    let admit = Admit(Arc::new(bits(200, &[1, 3, 130])));
    let chunk = [0, 1, 2, 3, 130, 199];
    let mask = admitted_mask(&admit, &chunk);
    assert_eq!(mask, 0b01_1010);
    assert_ne!(mask, full_mask(chunk.len()));
    let mut out = [0u32; COLLECT_BLOCK_BUFFER_LEN];
    let n = compact(&chunk, mask, &mut out);
    assert_eq!(&out[..n], &[1, 3, 130]);
    let all: Vec<u32> = (0..64).collect();
    let every = Admit(Arc::new(bits(64, &all)));
    assert_eq!(admitted_mask(&every, &all), full_mask(64));
    assert_eq!(full_mask(0), 0);
}

#[test]
fn empty_filter_yields_nothing_and_keeps_scores() {
    let s = scorer(&[1, 2, 3], &[]);
    assert_eq!(collect(s), Vec::<DocId>::new());
    let mut s = scorer(&[1, 2, 3], &[2]);
    assert_eq!(s.score(), 2.0);
}

/// Weight-level checks on a real index: two segments, one deletion, the role admitting
/// `n % 3 == 0` and the query matching `n % 2 == 0`.
mod weight {
    use super::*;
    use crate::filter_cache::FilterCache;
    use tantivy::collector::{Count, DocSetCollector};
    use tantivy::query::TermQuery;
    use tantivy::schema::{FAST, INDEXED, IndexRecordOption, Schema};
    use tantivy::{Index, Term, doc};

    struct Fixture {
        index: Index,
        n: tantivy::schema::Field,
        query: DlsQuery,
    }

    fn fixture() -> Fixture {
        let mut schema = Schema::builder();
        let n = schema.add_u64_field("n", INDEXED | FAST);
        let group = schema.add_u64_field("group", INDEXED);
        let parity = schema.add_u64_field("parity", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..300u64 {
            writer
                .add_document(doc!(n => i, group => i % 3, parity => i % 2))
                .unwrap();
            if i == 149 {
                writer.commit().unwrap();
            }
        }
        writer.delete_term(Term::from_field_u64(n, 12));
        writer.commit().unwrap();
        let term = |f, v| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_u64(f, v),
                IndexRecordOption::WithFreqs,
            ))
        };
        let query = DlsQuery {
            inner: term(parity, 0),
            filter: CachedFilter {
                inner: Arc::from(term(group, 0)),
                key: 7,
                cache: Arc::new(FilterCache::default()),
            },
        };
        Fixture { index, n, query }
    }

    fn values(reader: &SegmentReader, n: tantivy::schema::Field, docs: &[DocId]) -> Vec<u64> {
        let name = reader.schema().get_field_name(n).to_string();
        let col = reader.fast_fields().u64(&name).unwrap();
        let mut out: Vec<u64> = docs.iter().map(|d| col.first(*d).unwrap()).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_bulk_path_yields_exactly_the_admitted_matches() {
        let f = fixture();
        let searcher = f.index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let mut all = Vec::new();
        for scoring in [true, false] {
            let enable = if scoring {
                EnableScoring::enabled_from_searcher(&searcher)
            } else {
                EnableScoring::disabled_from_searcher(&searcher)
            };
            let weight = f.query.weight(enable).unwrap();
            for reader in searcher.segment_readers() {
                let mut by_scorer = Vec::new();
                let mut s = weight.scorer(reader, 1.0).unwrap();
                while s.doc() != TERMINATED {
                    by_scorer.push(s.doc());
                    s.advance();
                }
                let mut by_each = Vec::new();
                weight
                    .for_each(reader, &mut |d, _| by_each.push(d))
                    .unwrap();
                let mut by_block = Vec::new();
                weight
                    .for_each_no_score(reader, &mut |ds| by_block.extend_from_slice(ds))
                    .unwrap();
                let mut by_pruning = Vec::new();
                weight
                    .for_each_pruning(Score::MIN, reader, &mut |d, _| {
                        by_pruning.push(d);
                        Score::MIN
                    })
                    .unwrap();
                let unwrapped = {
                    let (mut inner, admit) = unwrap_scorer(weight.scorer(reader, 1.0).unwrap());
                    let admit = admit.expect("a DLS scorer unwraps with its filter");
                    let mut docs = Vec::new();
                    while inner.doc() != TERMINATED {
                        if admit.admits(inner.doc()) {
                            docs.push(inner.doc());
                        }
                        inner.advance();
                    }
                    docs
                };
                let expected = values(reader, f.n, &by_scorer);
                assert!(expected.iter().all(|v| v % 6 == 0), "{expected:?}");
                for (path, docs) in [
                    ("for_each", &by_each),
                    ("for_each_no_score", &by_block),
                    ("for_each_pruning", &by_pruning),
                    ("unwrap_scorer", &unwrapped),
                ] {
                    assert_eq!(
                        values(reader, f.n, docs),
                        expected,
                        "{path}, scoring {scoring}"
                    );
                }
                all.extend(expected);
            }
        }
        // Both scoring modes see the same 50 documents (deleted 12 included at this level).
        all.sort_unstable();
        all.dedup();
        assert_eq!(all, (0..300).filter(|v| v % 6 == 0).collect::<Vec<_>>());
    }

    #[test]
    fn collectors_and_count_skip_hidden_and_deleted_documents() {
        let f = fixture();
        let searcher = f.index.reader().unwrap().searcher();
        // 50 multiples of 6 below 300, minus the deleted 12.
        assert_eq!(searcher.search(&f.query, &Count).unwrap(), 49);
        assert_eq!(f.query.count(&searcher).unwrap(), 49);
        let docs = searcher.search(&f.query, &DocSetCollector).unwrap();
        assert_eq!(docs.len(), 49);
    }

    #[test]
    fn plain_scorers_do_not_unwrap() {
        let scorer: Box<dyn Scorer> =
            Box::new(ConstScorer::new(BitSetDocSet::from(set(10, &[1, 2])), 1.0));
        let (inner, admit) = unwrap_scorer(scorer);
        assert!(admit.is_none());
        assert_eq!(inner.doc(), 1);
    }
}
