//! One Elasticsearch index as one tantivy index: the schema, the writer, the translog, the
//! version map for realtime GET and optimistic concurrency, and refresh (commit + reader
//! reload + translog truncation).
//!
//! Schema: `_id` (raw, stored, fast), `_source` (stored bytes), `_seq_no`/`_version`/
//! `_primary_term` (stored, fast), `_field_names` (every present path, for `exists`), and two
//! JSON fields holding every mapped leaf: `k` (keyword, numeric, boolean, date; raw tokenizer,
//! fast: terms, ranges, sorts, aggregations) and `t` (text; analysed with positions).
//!
//! Durability: a write is appended to the translog before it reaches the tantivy writer and
//! is durable once [`Shard::sync_translog`] returned (the engine calls it before
//! acknowledging). Each commit records the next sequence number as its payload, so opening
//! replays exactly the logged writes the commit does not hold.

mod conditions;
mod rebuild;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TERMINATED,
    TantivyDocument, Term, schema::Value as _,
};

use crate::error::{Result, SearchError};
use crate::filter_cache::FilterCache;
use crate::mapping::{Converted, Mapping};
use crate::translog::{Op, Translog};
use conditions::check_conditions;
pub use schema::Fields;

/// Name of the keyword JSON field (fast-field column prefix).
pub const KW: &str = "k";
/// Name of the text JSON field.
pub const TEXT: &str = "t";
const PRIMARY_TERM: u64 = 1;
const WRITER_MEMORY: usize = 50_000_000;
/// Elasticsearch's `index.gc_deletes` default: how long a delete tombstone is remembered.
const GC_DELETES: Duration = Duration::from_secs(60);

/// A document's version coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocVersion {
    pub seq_no: u64,
    pub version: u64,
    pub primary_term: u64,
}

/// A document as GET returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDoc {
    pub id: String,
    pub version: DocVersion,
    pub source: Value,
}

/// Optimistic concurrency conditions of a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteConditions {
    pub if_seq_no: Option<u64>,
    pub if_primary_term: Option<u64>,
    /// `version` with `version_type=external` (or `external_gte` when `gte`).
    pub external_version: Option<u64>,
    pub external_gte: bool,
}

/// `op_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpType {
    Index,
    Create,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Created,
    Updated,
    Deleted,
    NotFound,
    Noop,
}

impl WriteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::NotFound => "not_found",
            Self::Noop => "noop",
        }
    }
}

/// The result of one write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    pub kind: WriteKind,
    pub version: DocVersion,
}

/// A write not yet visible to searchers: its source (None = deleted) and version.
#[derive(Debug, Clone)]
struct Live {
    version: DocVersion,
    /// The `_source` JSON bytes (kept serialised: cheaper than a `Value` tree per write).
    source: Option<Arc<[u8]>>,
}

fn parse_source(bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| SearchError::internal("live _source", e))
}

struct WriterState {
    writer: IndexWriter,
    live: HashMap<String, Live>,
    /// Refreshed deletes, remembered for [`GC_DELETES`] so a re-created id continues the
    /// version sequence (and external versions compare against the delete), as in ES.
    tombstones: HashMap<String, (DocVersion, Instant)>,
    next_seq_no: u64,
    dirty: bool,
}

/// One open index.
pub struct Shard {
    index: Index,
    pub fields: Fields,
    reader: IndexReader,
    state: Mutex<WriterState>,
    /// `None` for throwaway in-memory indices.
    translog: Option<Translog>,
    pub filter_cache: Arc<FilterCache>,
    /// Text is analysed by the legacy tokenizer ([`crate::analysis::LEGACY`]): role queries
    /// would not match as written, so document-filtered searches are refused.
    legacy: bool,
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard").finish_non_exhaustive()
    }
}

impl Shard {
    /// Create a new empty index at `dir`, or open the one there and replay its translog
    /// (documents are converted with `mapping`, the index's persisted mapping).
    pub fn open(dir: &Path, mapping: &Mapping) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            Index::create_in_dir(dir, schema::schema())?
        };
        let committed_next = index
            .load_metas()?
            .payload
            .and_then(|p| p.parse::<u64>().ok());
        let (translog, ops) = Translog::open(dir)?;
        let shard = Self::from_index(index, WRITER_MEMORY, Some(translog))?;
        let next = match committed_next {
            Some(n) => n.max(shard.max_seq_no()?.map_or(0, |m| m + 1)),
            None => shard.max_seq_no()?.map_or(0, |m| m + 1),
        };
        shard.lock().next_seq_no = next;
        shard.replay(ops, next, mapping)?;
        Ok(shard)
    }

    /// An empty index at `dir` whose text analyser is the legacy one, as indices created
    /// before the standard analyzer were (migration tests).
    #[cfg(test)]
    pub(crate) fn create_legacy(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let index = Index::create_in_dir(dir, schema::legacy_schema())?;
        let (translog, _) = Translog::open(dir)?;
        Self::from_index(index, WRITER_MEMORY, Some(translog))
    }

    /// A throwaway in-memory index (single-document evaluations).
    pub fn in_ram() -> Result<Self> {
        let index = Index::create_in_ram(schema::schema());
        Self::from_index(index, 15_000_000, None)
    }

    fn from_index(index: Index, memory: usize, translog: Option<Translog>) -> Result<Self> {
        crate::analysis::register(&index);
        let fields = schema::fields(&index.schema())?;
        let legacy =
            crate::analysis::analyzer_name(&index.schema(), TEXT) != crate::analysis::STANDARD;
        let writer: IndexWriter = index.writer_with_num_threads(1, memory)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Shard {
            index,
            fields,
            reader,
            state: Mutex::new(WriterState {
                writer,
                live: HashMap::new(),
                tombstones: HashMap::new(),
                next_seq_no: 0,
                dirty: false,
            }),
            translog,
            filter_cache: Arc::new(FilterCache::default()),
            legacy,
        })
    }

    /// Re-apply logged writes the last commit does not hold (`seq_no >= committed_next`),
    /// then commit them and empty the log.
    fn replay(&self, ops: Vec<Op>, committed_next: u64, mapping: &Mapping) -> Result<()> {
        if ops.is_empty() {
            return Ok(());
        }
        let mut state = self.lock();
        let mut replayed = 0usize;
        for op in ops.into_iter().filter(|op| op.seq_no() >= committed_next) {
            state.next_seq_no = state.next_seq_no.max(op.seq_no() + 1);
            let id_term = |id: &str| Term::from_field_text(self.fields.id, id);
            match op {
                Op::Index {
                    id,
                    seq_no,
                    version,
                    source,
                } => {
                    let value: Value = serde_json::from_slice(&source)
                        .map_err(|e| SearchError::internal("translog _source", e))?;
                    let converted = mapping.convert(&id, &value)?;
                    let version = DocVersion {
                        seq_no,
                        version,
                        primary_term: PRIMARY_TERM,
                    };
                    let doc = schema::build_doc(self.fields, &id, &source, &converted, version)?;
                    state.writer.delete_term(id_term(&id));
                    state.writer.add_document(doc)?;
                    state.tombstones.remove(&id);
                }
                Op::Delete {
                    id,
                    seq_no,
                    version,
                } => {
                    state.writer.delete_term(id_term(&id));
                    let version = DocVersion {
                        seq_no,
                        version,
                        primary_term: PRIMARY_TERM,
                    };
                    state.tombstones.insert(id, (version, Instant::now()));
                }
            }
            replayed += 1;
        }
        tracing::info!(replayed, "translog replayed");
        self.commit(&mut state)?;
        self.reader.reload()?;
        state.dirty = false;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // breaks invariants we rely on, so recover the guard.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn max_seq_no(&self) -> Result<Option<u64>> {
        let searcher = self.reader.searcher();
        let mut max = None;
        for seg in searcher.segment_readers() {
            let col = seg
                .fast_fields()
                .u64("_seq_no")
                .map_err(|e| SearchError::internal("seq_no column", e))?;
            if let Some(m) = col.values.iter().max()
                && col.num_docs() > 0
            {
                max = Some(max.map_or(m, |x: u64| x.max(m)));
            }
        }
        Ok(max)
    }

    /// The searcher of the last refresh.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn schema(&self) -> Schema {
        self.index.schema()
    }

    /// The analyser of text fields: Elasticsearch's `standard` ([`crate::analysis`]), or
    /// tantivy's `default` for an index created before it (its postings were written so).
    pub fn analyzer(&self) -> Result<tantivy::tokenizer::TextAnalyzer> {
        let name = crate::analysis::analyzer_name(&self.index.schema(), TEXT);
        self.index
            .tokenizers()
            .get(&name)
            .ok_or_else(|| SearchError::Internal(format!("analyser [{name}] missing")))
    }

    /// Whether text is analysed by the legacy tokenizer (an index not yet migrated).
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    pub fn tokenizers(&self) -> tantivy::tokenizer::TokenizerManager {
        self.index.tokenizers().clone()
    }

    /// The current version of a document: live writes, then the index, then a tombstone
    /// (`None` source = deleted).
    fn current(
        &self,
        state: &WriterState,
        id: &str,
    ) -> Result<Option<(DocVersion, Option<Value>)>> {
        if let Some(live) = state.live.get(id) {
            let source = live.source.as_deref().map(parse_source).transpose()?;
            return Ok(Some((live.version, source)));
        }
        if let Some(d) = self.get_refreshed(id)? {
            return Ok(Some((d.version, Some(d.source))));
        }
        Ok(state
            .tombstones
            .get(id)
            .filter(|(_, at)| at.elapsed() < GC_DELETES)
            .map(|(v, _)| (*v, None)))
    }

    /// Where the refreshed, live copy of `id` is (a postings lookup per segment; cheaper
    /// than running a query with a collector on every write).
    pub(crate) fn locate(&self, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>> {
        let term = Term::from_field_text(self.fields.id, id);
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let Some(mut postings) = seg
                .inverted_index(self.fields.id)?
                .read_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if seg.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                    let ord = u32::try_from(ord)
                        .map_err(|_| SearchError::Internal("segment ordinal overflow".into()))?;
                    return Ok(Some(DocAddress::new(ord, doc)));
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    fn get_refreshed(&self, id: &str) -> Result<Option<StoredDoc>> {
        let searcher = self.reader.searcher();
        let Some(addr) = self.locate(&searcher, id)? else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(Some(self.stored_doc(&doc)?))
    }

    /// The version of the refreshed copy of `id`, from fast fields (no stored-document read).
    fn refreshed_version(&self, id: &str) -> Result<Option<DocVersion>> {
        let searcher = self.reader.searcher();
        let Some(addr) = self.locate(&searcher, id)? else {
            return Ok(None);
        };
        let seg = searcher.segment_reader(addr.segment_ord);
        let column = |name: &str| -> Result<u64> {
            let col = seg
                .fast_fields()
                .u64(name)
                .map_err(|e| SearchError::internal("version column", e))?;
            Ok(col.first(addr.doc_id).unwrap_or(0))
        };
        Ok(Some(DocVersion {
            seq_no: column("_seq_no")?,
            version: column("_version")?,
            primary_term: PRIMARY_TERM,
        }))
    }

    /// The version of `id` for a write: `(version, deleted)` from live writes, the index, or
    /// a tombstone.
    fn current_version(&self, state: &WriterState, id: &str) -> Result<Option<(DocVersion, bool)>> {
        if let Some(live) = state.live.get(id) {
            return Ok(Some((live.version, live.source.is_none())));
        }
        if let Some(v) = self.refreshed_version(id)? {
            return Ok(Some((v, false)));
        }
        Ok(state
            .tombstones
            .get(id)
            .filter(|(_, at)| at.elapsed() < GC_DELETES)
            .map(|(v, _)| (*v, true)))
    }

    /// Decode a stored document.
    pub fn stored_doc(&self, doc: &TantivyDocument) -> Result<StoredDoc> {
        let u = |f: Field| doc.get_first(f).and_then(|v| v.as_u64()).unwrap_or(0);
        let id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let source = doc
            .get_first(self.fields.source)
            .and_then(|v| v.as_bytes())
            .map(serde_json::from_slice::<Value>)
            .transpose()
            .map_err(|e| SearchError::internal("stored _source", e))?
            .unwrap_or(Value::Null);
        Ok(StoredDoc {
            id,
            version: DocVersion {
                seq_no: u(self.fields.seq_no),
                version: u(self.fields.version),
                primary_term: u(self.fields.primary_term),
            },
            source,
        })
    }

    /// GET: `realtime` sees writes not yet refreshed.
    pub fn get(&self, id: &str, realtime: bool) -> Result<Option<StoredDoc>> {
        if realtime {
            let state = self.lock();
            if let Some(live) = state.live.get(id) {
                return live
                    .source
                    .as_deref()
                    .map(|s| {
                        Ok(StoredDoc {
                            id: id.to_string(),
                            version: live.version,
                            source: parse_source(s)?,
                        })
                    })
                    .transpose();
            }
        }
        self.get_refreshed(id)
    }

    /// Index (or create) a converted document. Logged, not yet durable: call
    /// [`Shard::sync_translog`] before acknowledging.
    pub fn index(
        &self,
        id: &str,
        source: &Value,
        converted: &Converted,
        op: OpType,
        cond: WriteConditions,
    ) -> Result<WriteOutcome> {
        let mut state = self.lock();
        let current = self.current_version(&state, id)?;
        let existing = current.filter(|(_, deleted)| !deleted).map(|(v, _)| v);
        let deleted = current.filter(|(_, deleted)| *deleted).map(|(v, _)| v);
        if op == OpType::Create
            && let Some(v) = existing
        {
            return Err(SearchError::VersionConflict {
                id: id.to_string(),
                detail: format!("document already exists (current version [{}])", v.version),
            });
        }
        check_conditions(id, existing, deleted, cond)?;
        // After a delete the version sequence continues from the tombstone, as in ES.
        let version = match cond.external_version {
            Some(v) => v,
            None => existing.or(deleted).map_or(1, |v| v.version + 1),
        };
        let doc_version = DocVersion {
            seq_no: state.next_seq_no,
            version,
            primary_term: PRIMARY_TERM,
        };
        let bytes =
            serde_json::to_vec(source).map_err(|e| SearchError::internal("encode _source", e))?;
        let doc = schema::build_doc(self.fields, id, &bytes, converted, doc_version)?;
        if let Some(log) = &self.translog {
            log.append_index(id, doc_version.seq_no, version, &bytes)?;
        }
        state
            .writer
            .delete_term(Term::from_field_text(self.fields.id, id));
        state.writer.add_document(doc)?;
        state.next_seq_no += 1;
        state.dirty = true;
        state.tombstones.remove(id);
        state.live.insert(
            id.to_string(),
            Live {
                version: doc_version,
                source: Some(Arc::from(bytes)),
            },
        );
        Ok(WriteOutcome {
            kind: if existing.is_some() {
                WriteKind::Updated
            } else {
                WriteKind::Created
            },
            version: doc_version,
        })
    }

    /// Delete a document; `not_found` when absent. Either way the delete is an operation with
    /// its own sequence number and version and leaves a tombstone, as in Elasticsearch (so
    /// the next write of the id gets the following version). Logged, not yet durable.
    pub fn delete(&self, id: &str, cond: WriteConditions) -> Result<WriteOutcome> {
        let mut state = self.lock();
        let current = self.current_version(&state, id)?;
        let existing = current.filter(|(_, deleted)| !deleted).map(|(v, _)| v);
        let deleted = current.filter(|(_, deleted)| *deleted).map(|(v, _)| v);
        check_conditions(id, existing, deleted, cond)?;
        let version = DocVersion {
            seq_no: state.next_seq_no,
            version: cond
                .external_version
                .unwrap_or_else(|| existing.or(deleted).map_or(1, |v| v.version + 1)),
            primary_term: PRIMARY_TERM,
        };
        if let Some(log) = &self.translog {
            log.append_delete(id, version.seq_no, version.version)?;
        }
        state.next_seq_no += 1;
        if existing.is_some() {
            state
                .writer
                .delete_term(Term::from_field_text(self.fields.id, id));
        }
        state.dirty = true;
        state.live.insert(
            id.to_string(),
            Live {
                version,
                source: None,
            },
        );
        Ok(WriteOutcome {
            kind: if existing.is_some() {
                WriteKind::Deleted
            } else {
                WriteKind::NotFound
            },
            version,
        })
    }

    /// How far the translog was written and fsynced (`None` without a translog).
    pub fn translog_positions(&self) -> Option<crate::translog::Positions> {
        self.translog.as_ref().map(Translog::positions)
    }

    /// `durability: async`: fsync when writes are pending and `interval` has passed since
    /// the last fsync.
    pub fn sync_translog_if_due(
        &self,
        now: std::time::Instant,
        interval: std::time::Duration,
    ) -> Result<bool> {
        match &self.translog {
            Some(log) => log.sync_if_due(now, interval),
            None => Ok(false),
        }
    }

    /// Make every logged write durable (fsync the translog).
    pub fn sync_translog(&self) -> Result<()> {
        match &self.translog {
            Some(log) => log.sync(),
            None => Ok(()),
        }
    }

    /// The source and version of a live or refreshed document (for `_update`).
    pub fn current_doc(&self, id: &str) -> Result<Option<(DocVersion, Value)>> {
        let state = self.lock();
        Ok(self
            .current(&state, id)?
            .and_then(|(v, s)| s.map(|s| (v, s))))
    }

    /// Commit the writer (recording the next sequence number) and empty the translog.
    fn commit(&self, state: &mut WriterState) -> Result<()> {
        let payload = state.next_seq_no.to_string();
        let mut prepared = state.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        if let Some(log) = &self.translog {
            log.truncate()?;
        }
        Ok(())
    }

    /// Make writes visible: commit and reload the reader. Returns whether anything changed.
    pub fn refresh(&self) -> Result<bool> {
        let mut state = self.lock();
        if !state.dirty {
            return Ok(false);
        }
        self.commit(&mut state)?;
        self.reader.reload()?;
        let now = Instant::now();
        let WriterState {
            live, tombstones, ..
        } = &mut *state;
        tombstones.retain(|_, (_, at)| now.duration_since(*at) < GC_DELETES);
        for (id, l) in live.drain() {
            if l.source.is_none() {
                tombstones.insert(id, (l.version, now));
            }
        }
        state.dirty = false;
        Ok(true)
    }

    /// Number of writes waiting for a refresh.
    pub fn pending(&self) -> usize {
        self.lock().live.len()
    }

    /// Merge all segments into one (`_forcemerge`).
    pub fn force_merge(&self) -> Result<()> {
        self.refresh()?;
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            let mut state = self.lock();
            let merge = state.writer.merge(&ids);
            drop(state);
            merge
                .wait()
                .map_err(|e| SearchError::internal("force merge", e))?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Docs count, deleted count and segment count of the last refresh.
    pub fn stats(&self) -> (u64, u64, usize) {
        let searcher = self.reader.searcher();
        let segs = searcher.segment_readers();
        let docs = segs.iter().map(|s| u64::from(s.num_docs())).sum();
        let deleted = segs.iter().map(|s| u64::from(s.num_deleted_docs())).sum();
        (docs, deleted, segs.len())
    }

    /// The highest sequence number assigned (-1 when none).
    pub fn max_seq_no_assigned(&self) -> i64 {
        i64::try_from(self.lock().next_seq_no).unwrap_or(i64::MAX) - 1
    }
}
