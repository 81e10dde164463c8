//! One Elasticsearch index as one tantivy index: the schema, the writer, the version map for
//! realtime GET and optimistic concurrency, and refresh (commit + reader reload).
//!
//! Schema: `_id` (raw, stored, fast), `_source` (stored bytes), `_seq_no`/`_version`/
//! `_primary_term` (stored, fast), `_field_names` (every present path, for `exists`), and two
//! JSON fields holding every mapped leaf: `k` (keyword, numeric, boolean, date; raw tokenizer,
//! fast: terms, ranges, sorts, aggregations) and `t` (text; analysed with positions).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, JsonObjectOptions, OwnedValue, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::{
    DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
    schema::Value as _,
};

use crate::error::{Result, SearchError};
use crate::filter_cache::FilterCache;
use crate::mapping::{Converted, LeafValue};

/// Name of the keyword JSON field (fast-field column prefix).
pub const KW: &str = "k";
/// Name of the text JSON field.
pub const TEXT: &str = "t";
const PRIMARY_TERM: u64 = 1;
const WRITER_MEMORY: usize = 50_000_000;

/// Handles on the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub source: Field,
    pub seq_no: Field,
    pub version: Field,
    pub primary_term: Field,
    pub names: Field,
    pub kw: Field,
    pub text: Field,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("_id", STRING | STORED | FAST);
    b.add_bytes_field("_source", STORED);
    b.add_u64_field("_seq_no", STORED | FAST);
    b.add_u64_field("_version", STORED | FAST);
    b.add_u64_field("_primary_term", STORED);
    b.add_text_field("_field_names", STRING);
    let kw = JsonObjectOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_fast("raw")
        .set_expand_dots_enabled();
    b.add_json_field(KW, kw);
    let text = JsonObjectOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("default")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_expand_dots_enabled();
    b.add_json_field(TEXT, text);
    let _ = TextOptions::default();
    b.build()
}

fn fields(schema: &Schema) -> Result<Fields> {
    let get = |name: &str| {
        schema
            .get_field(name)
            .map_err(|e| SearchError::internal("index schema", e))
    };
    Ok(Fields {
        id: get("_id")?,
        source: get("_source")?,
        seq_no: get("_seq_no")?,
        version: get("_version")?,
        primary_term: get("_primary_term")?,
        names: get("_field_names")?,
        kw: get(KW)?,
        text: get(TEXT)?,
    })
}

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
    source: Option<Arc<Value>>,
}

struct WriterState {
    writer: IndexWriter,
    live: HashMap<String, Live>,
    next_seq_no: u64,
    dirty: bool,
}

/// One open index.
pub struct Shard {
    index: Index,
    pub fields: Fields,
    reader: IndexReader,
    state: Mutex<WriterState>,
    pub filter_cache: Arc<FilterCache>,
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard").finish_non_exhaustive()
    }
}

impl Shard {
    /// Create a new empty index at `dir`, or open the one there.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            Index::create_in_dir(dir, schema())?
        };
        let fields = fields(&index.schema())?;
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let shard = Shard {
            index,
            fields,
            reader,
            state: Mutex::new(WriterState {
                writer,
                live: HashMap::new(),
                next_seq_no: 0,
                dirty: false,
            }),
            filter_cache: Arc::new(FilterCache::default()),
        };
        let next = shard.max_seq_no()?.map_or(0, |m| m + 1);
        shard.lock().next_seq_no = next;
        Ok(shard)
    }

    /// A throwaway in-memory index (single-document evaluations).
    pub fn in_ram() -> Result<Self> {
        let index = Index::create_in_ram(schema());
        Self::from_index(index)
    }

    fn from_index(index: Index) -> Result<Self> {
        let fields = fields(&index.schema())?;
        let writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
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
                next_seq_no: 0,
                dirty: false,
            }),
            filter_cache: Arc::new(FilterCache::default()),
        })
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

    /// The analyser of text fields (Elasticsearch's `standard` stand-in).
    pub fn analyzer(&self) -> Result<tantivy::tokenizer::TextAnalyzer> {
        self.index
            .tokenizers()
            .get("default")
            .ok_or_else(|| SearchError::Internal("default analyser missing".into()))
    }

    pub fn tokenizers(&self) -> tantivy::tokenizer::TokenizerManager {
        self.index.tokenizers().clone()
    }

    /// The current version of a document, live writes first.
    fn current(
        &self,
        state: &WriterState,
        id: &str,
    ) -> Result<Option<(DocVersion, Option<Value>)>> {
        if let Some(live) = state.live.get(id) {
            return Ok(Some((live.version, live.source.as_deref().cloned())));
        }
        Ok(self.get_refreshed(id)?.map(|d| (d.version, Some(d.source))))
    }

    fn get_refreshed(&self, id: &str) -> Result<Option<StoredDoc>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.into_iter().next() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(Some(self.stored_doc(&doc)?))
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
                return Ok(live.source.as_ref().map(|s| StoredDoc {
                    id: id.to_string(),
                    version: live.version,
                    source: (**s).clone(),
                }));
            }
        }
        self.get_refreshed(id)
    }

    /// Index (or create) a converted document.
    pub fn index(
        &self,
        id: &str,
        source: &Value,
        converted: &Converted,
        op: OpType,
        cond: WriteConditions,
    ) -> Result<WriteOutcome> {
        let mut state = self.lock();
        let current = self.current(&state, id)?;
        let existing = current
            .as_ref()
            .filter(|(_, s)| s.is_some())
            .map(|(v, _)| *v);
        if op == OpType::Create
            && let Some(v) = existing
        {
            return Err(SearchError::VersionConflict {
                id: id.to_string(),
                detail: format!("document already exists (current version [{}])", v.version),
            });
        }
        check_conditions(id, existing, cond)?;
        let version = match cond.external_version {
            Some(v) => v,
            None => existing.map_or(1, |v| v.version + 1),
        };
        let seq_no = state.next_seq_no;
        let doc_version = DocVersion {
            seq_no,
            version,
            primary_term: PRIMARY_TERM,
        };
        let doc = self.build_doc(id, source, converted, doc_version)?;
        state
            .writer
            .delete_term(Term::from_field_text(self.fields.id, id));
        state.writer.add_document(doc)?;
        state.next_seq_no += 1;
        state.dirty = true;
        state.live.insert(
            id.to_string(),
            Live {
                version: doc_version,
                source: Some(Arc::new(source.clone())),
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

    /// Delete a document; `not_found` when absent.
    pub fn delete(&self, id: &str, cond: WriteConditions) -> Result<WriteOutcome> {
        let mut state = self.lock();
        let current = self.current(&state, id)?;
        let existing = current
            .as_ref()
            .filter(|(_, s)| s.is_some())
            .map(|(v, _)| *v);
        check_conditions(id, existing, cond)?;
        let seq_no = state.next_seq_no;
        state.next_seq_no += 1;
        let version = DocVersion {
            seq_no,
            version: cond
                .external_version
                .unwrap_or_else(|| existing.map_or(1, |v| v.version + 1)),
            primary_term: PRIMARY_TERM,
        };
        let Some(_) = existing else {
            return Ok(WriteOutcome {
                kind: WriteKind::NotFound,
                version,
            });
        };
        state
            .writer
            .delete_term(Term::from_field_text(self.fields.id, id));
        state.dirty = true;
        state.live.insert(
            id.to_string(),
            Live {
                version,
                source: None,
            },
        );
        Ok(WriteOutcome {
            kind: WriteKind::Deleted,
            version,
        })
    }

    /// The source and version of a live or refreshed document (for `_update`).
    pub fn current_doc(&self, id: &str) -> Result<Option<(DocVersion, Value)>> {
        let state = self.lock();
        Ok(self
            .current(&state, id)?
            .and_then(|(v, s)| s.map(|s| (v, s))))
    }

    /// Make writes visible: commit and reload the reader. Returns whether anything changed.
    pub fn refresh(&self) -> Result<bool> {
        let mut state = self.lock();
        if !state.dirty {
            return Ok(false);
        }
        state.writer.commit()?;
        self.reader.reload()?;
        state.live.clear();
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

    fn build_doc(
        &self,
        id: &str,
        source: &Value,
        converted: &Converted,
        version: DocVersion,
    ) -> Result<TantivyDocument> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, id);
        let bytes =
            serde_json::to_vec(source).map_err(|e| SearchError::internal("encode _source", e))?;
        doc.add_bytes(f.source, &bytes);
        doc.add_u64(f.seq_no, version.seq_no);
        doc.add_u64(f.version, version.version);
        doc.add_u64(f.primary_term, version.primary_term);
        let mut present: Vec<&str> = converted.present.iter().map(String::as_str).collect();
        present.sort_unstable();
        present.dedup();
        for p in present {
            doc.add_text(f.names, p);
        }
        let mut kw: BTreeMap<String, Vec<OwnedValue>> = BTreeMap::new();
        let mut text: BTreeMap<String, Vec<OwnedValue>> = BTreeMap::new();
        for (path, leaf) in &converted.leaves {
            let (map, value) = match leaf {
                LeafValue::Text(s) => (&mut text, OwnedValue::Str(s.clone())),
                LeafValue::Keyword(s) => (&mut kw, OwnedValue::Str(s.clone())),
                LeafValue::I64(v) => (&mut kw, OwnedValue::I64(*v)),
                LeafValue::F64(v) => (&mut kw, OwnedValue::F64(*v)),
                LeafValue::Bool(v) => (&mut kw, OwnedValue::Bool(*v)),
                LeafValue::Date(ms) => (
                    &mut kw,
                    OwnedValue::Date(DateTime::from_timestamp_millis(*ms)),
                ),
            };
            map.entry(escape_path(path)).or_default().push(value);
        }
        let collapse = |m: BTreeMap<String, Vec<OwnedValue>>| -> BTreeMap<String, OwnedValue> {
            m.into_iter()
                .map(|(k, mut v)| {
                    let value = if v.len() == 1 {
                        v.pop().unwrap_or(OwnedValue::Null)
                    } else {
                        OwnedValue::Array(v)
                    };
                    (k, value)
                })
                .collect()
        };
        if !kw.is_empty() {
            doc.add_object(f.kw, collapse(kw));
        }
        if !text.is_empty() {
            doc.add_object(f.text, collapse(text));
        }
        Ok(doc)
    }
}

/// Paths are stored as flat dotted keys; with `expand_dots` tantivy splits them into segments,
/// which is what Elasticsearch does with dotted keys too.
fn escape_path(path: &str) -> String {
    path.to_string()
}

fn check_conditions(id: &str, existing: Option<DocVersion>, cond: WriteConditions) -> Result<()> {
    if let Some(seq) = cond.if_seq_no {
        let term = cond.if_primary_term.unwrap_or(PRIMARY_TERM);
        match existing {
            None => {
                return Err(SearchError::VersionConflict {
                    id: id.to_string(),
                    detail: format!(
                        "required seqNo [{seq}], primary term [{term}]. but no document was found"
                    ),
                });
            }
            Some(v) if v.seq_no != seq || v.primary_term != term => {
                return Err(SearchError::VersionConflict {
                    id: id.to_string(),
                    detail: format!(
                        "required seqNo [{seq}], primary term [{term}]. current document has \
                         seqNo [{}] and primary term [{}]",
                        v.seq_no, v.primary_term
                    ),
                });
            }
            Some(_) => {}
        }
    }
    if let (Some(wanted), Some(v)) = (cond.external_version, existing) {
        let ok = if cond.external_gte {
            wanted >= v.version
        } else {
            wanted > v.version
        };
        if !ok {
            return Err(SearchError::VersionConflict {
                id: id.to_string(),
                detail: format!(
                    "current version [{}] is higher{} than the one provided [{wanted}]",
                    v.version,
                    if cond.external_gte {
                        ""
                    } else {
                        " or equal to"
                    }
                ),
            });
        }
    }
    Ok(())
}
