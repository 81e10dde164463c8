//! Rebuilding an index into a fresh directory with the current schema (the standard
//! analyzer): every live document of the last commit, re-converted from its stored
//! `_source` bytes with the index's mapping, keeping its id, `_seq_no`, `_version` and
//! `_primary_term`. The new index's commit records the same next sequence number, so the
//! rebuilt index continues exactly where the old one stopped.

use std::path::Path;

use tantivy::schema::Value as _;
use tantivy::{DocAddress, Index, IndexWriter, TantivyDocument};

use super::{Shard, WRITER_MEMORY, schema};
use crate::error::{Result, SearchError};
use crate::mapping::Mapping;

/// How often progress is reported (documents).
const PROGRESS_EVERY: u64 = 10_000;

impl Shard {
    /// Write every live document into a new index created at `target` (which must not hold
    /// an index yet) and commit it. Holds the writer lock throughout, so no write can slip
    /// between the copy and the swap that follows; refuses a shard with unrefreshed writes
    /// (at open, the translog replay has committed them all). `progress(done, total)` is
    /// called every [`PROGRESS_EVERY`] documents and once at the end. Returns the number of
    /// documents copied.
    pub(crate) fn rebuild_into(
        &self,
        target: &Path,
        mapping: &Mapping,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let state = self.lock();
        if state.dirty || !state.live.is_empty() {
            return Err(SearchError::Internal(
                "an index with unrefreshed writes cannot be rebuilt".into(),
            ));
        }
        let next_seq_no = state.next_seq_no;
        let searcher = self.reader.searcher();
        let total = searcher.num_docs();

        std::fs::create_dir_all(target)?;
        let index = Index::create_in_dir(target, schema::schema())?;
        crate::analysis::register(&index);
        let fields = schema::fields(&index.schema())?;
        let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let mut done = 0u64;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let ord = u32::try_from(ord)
                .map_err(|_| SearchError::Internal("segment ordinal overflow".into()))?;
            for doc_id in segment.doc_ids_alive() {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(ord, doc_id))?;
                let stored = self.stored_doc(&doc)?;
                let source_bytes = doc
                    .get_first(self.fields.source)
                    .and_then(|v| v.as_bytes())
                    .ok_or_else(|| {
                        SearchError::Internal(format!("document [{}] has no _source", stored.id))
                    })?;
                let converted = mapping.convert(&stored.id, &stored.source)?;
                writer.add_document(schema::build_doc(
                    fields,
                    &stored.id,
                    source_bytes,
                    &converted,
                    stored.version,
                )?)?;
                done += 1;
                if done.is_multiple_of(PROGRESS_EVERY) {
                    progress(done, total);
                }
            }
        }
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&next_seq_no.to_string());
        prepared.commit()?;
        writer
            .wait_merging_threads()
            .map_err(|e| SearchError::internal("rebuild merge", e))?;
        progress(done, total);
        drop(state);
        Ok(done)
    }
}
