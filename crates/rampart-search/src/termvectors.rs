//! `_termvectors` computed on the fly. No field stores term vectors, so (as Elasticsearch does
//! for fields without stored ones) each requested string field of the document's `_source` is
//! analysed again — text fields with the index's analyser, keyword fields as one term — and
//! the statistics come from the index's postings.
//!
//! Statistics follow the caller's restrictions: under DLS only the visible live documents are
//! counted (a hidden document never shows through a `doc_freq`), and FLS-hidden fields are
//! neither analysed nor counted (the caller filters them out of the request before).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rampart_query::Query;
use serde_json::{Map, Value, json};
use tantivy::collector::DocSetCollector;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use crate::engine::Engine;
use crate::error::Result;
use crate::mapping::{FieldType, Mapping};
use crate::search::Restrictions;
use crate::search::exec::{Source, prepare_sources};
use crate::search::source::values_at;
use crate::shard::Shard;

/// Lucene's gap between the positions of two values of one multi-valued text field.
const POSITION_GAP: u64 = 100;

/// What a `_termvectors` request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermVectorOptions {
    /// Field paths or `*` patterns; `None`: every string field of the document.
    pub fields: Option<Vec<String>>,
    pub positions: bool,
    pub offsets: bool,
    pub term_statistics: bool,
    pub field_statistics: bool,
}

impl Default for TermVectorOptions {
    fn default() -> Self {
        Self {
            fields: None,
            positions: true,
            offsets: true,
            term_statistics: false,
            field_statistics: true,
        }
    }
}

/// One occurrence of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    position: u64,
    start: u64,
    end: u64,
}

/// How one field is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Keyword { ignore_above: Option<u32> },
}

impl Engine {
    /// The `term_vectors` object of `source` (a stored document's or an artificial one) in
    /// `index`, or `None` when no requested field has terms.
    pub fn term_vectors(
        &self,
        index: &str,
        restrictions: &Restrictions,
        source: &Value,
        options: &TermVectorOptions,
    ) -> Result<Option<Value>> {
        let (shard, mapping) = self.shard(index)?;
        let fls = restrictions.fls();
        let fields = requested_fields(&mapping, source, options.fields.as_deref())
            .into_iter()
            .filter(|(path, _, _)| fls.is_none_or(|f| f.permits(path)))
            .collect::<Vec<_>>();
        if fields.is_empty() {
            return Ok(None);
        }
        let searcher = shard.searcher();
        let visible = visible_docs(index, &shard, &mapping, &searcher, restrictions)?;
        let mut analyzer = shard.analyzer()?;
        let mut out = Map::new();
        for (path, lookup, kind) in fields {
            let mut terms: BTreeMap<String, Vec<Token>> = BTreeMap::new();
            let values = values_at(source, &lookup);
            let mut next_position = 0u64;
            let mut base_offset = 0u64;
            for value in values.iter().filter_map(Value::as_str) {
                let length = value.len() as u64;
                match kind {
                    Kind::Keyword { ignore_above } => {
                        if ignore_above.is_none_or(|n| value.chars().count() <= n as usize) {
                            terms.entry(value.to_string()).or_default().push(Token {
                                position: next_position,
                                start: base_offset,
                                end: base_offset + length,
                            });
                        }
                        next_position += 1;
                    }
                    Kind::Text => {
                        let mut stream = analyzer.token_stream(value);
                        let mut last = None;
                        while stream.advance() {
                            let t = stream.token();
                            let position = next_position + t.position as u64;
                            last = Some(position);
                            terms.entry(t.text.clone()).or_default().push(Token {
                                position,
                                start: base_offset + t.offset_from as u64,
                                end: base_offset + t.offset_to as u64,
                            });
                        }
                        if let Some(last) = last {
                            next_position = last + 1 + POSITION_GAP;
                        }
                    }
                }
                base_offset += length + 1;
            }
            if terms.is_empty() {
                continue;
            }
            let stats = Stats {
                shard: &shard,
                searcher: &searcher,
                visible: visible.as_ref(),
                path: &path,
                kind,
            };
            let mut field = Map::new();
            if options.field_statistics {
                field.insert("field_statistics".into(), stats.field()?);
            }
            let mut rendered = Map::new();
            for (term, tokens) in terms {
                let mut entry = Map::new();
                if options.term_statistics {
                    let (doc_freq, ttf) = stats.term(&term)?;
                    entry.insert("doc_freq".into(), json!(doc_freq));
                    entry.insert("ttf".into(), json!(ttf));
                }
                entry.insert("term_freq".into(), json!(tokens.len()));
                if options.positions || options.offsets {
                    let list: Vec<Value> = tokens
                        .iter()
                        .map(|t| {
                            let mut o = Map::new();
                            if options.positions {
                                o.insert("position".into(), json!(t.position));
                            }
                            if options.offsets {
                                o.insert("start_offset".into(), json!(t.start));
                                o.insert("end_offset".into(), json!(t.end));
                            }
                            Value::Object(o)
                        })
                        .collect();
                    entry.insert("tokens".into(), Value::Array(list));
                }
                rendered.insert(term, Value::Object(entry));
            }
            field.insert("terms".into(), Value::Object(rendered));
            out.insert(path, Value::Object(field));
        }
        Ok((!out.is_empty()).then_some(Value::Object(out)))
    }
}

/// The live documents a DLS-restricted caller sees (`None`: every live document), in the very
/// searcher whose postings the statistics then read: another searcher (a refresh in between)
/// would number its segments differently and count documents the caller cannot see.
fn visible_docs(
    index: &str,
    shard: &Arc<Shard>,
    mapping: &Arc<Mapping>,
    searcher: &Searcher,
    restrictions: &Restrictions,
) -> Result<Option<HashSet<DocAddress>>> {
    if restrictions.documents.is_none() {
        return Ok(None);
    }
    let source = Source {
        index: index.to_string(),
        shard: shard.clone(),
        mapping: mapping.clone(),
        searcher: searcher.clone(),
        restrictions: restrictions.clone(),
    };
    let prepared = prepare_sources(vec![source], &Query::MatchAll { boost: None }, None, &[])?;
    let mut visible = HashSet::new();
    for p in &prepared {
        visible.extend(p.searcher.search(p.query.as_ref(), &DocSetCollector)?);
    }
    Ok(Some(visible))
}

/// The string fields to analyse: `(path shown, source path read, kind)`. A multi-field reads
/// its parent's values; an unmapped string of an artificial document is text, as dynamic
/// mapping would make it.
fn requested_fields(
    mapping: &Mapping,
    source: &Value,
    patterns: Option<&[String]>,
) -> Vec<(String, String, Kind)> {
    let kind_of = |path: &str| -> Option<(String, Kind)> {
        match mapping.get(path) {
            Some(f) => {
                let kind = match f.ty {
                    FieldType::Text => Kind::Text,
                    FieldType::Keyword => Kind::Keyword {
                        ignore_above: f.ignore_above,
                    },
                    _ => return None,
                };
                Some((f.multi_of.clone().unwrap_or_else(|| path.to_string()), kind))
            }
            None => values_at(source, path)
                .iter()
                .any(Value::is_string)
                .then(|| (path.to_string(), Kind::Text)),
        }
    };
    let mut paths: Vec<String> = Vec::new();
    match patterns {
        Some(patterns) => {
            for pattern in patterns {
                if pattern.contains('*') {
                    paths.extend(mapping.leaf_paths_matching(pattern).map(String::from));
                } else {
                    paths.push(pattern.clone());
                }
            }
        }
        None => {
            paths.extend(mapping.leaf_paths_matching("*").map(String::from));
            let mut unmapped = Vec::new();
            string_paths(source, "", &mut unmapped);
            paths.extend(unmapped.into_iter().filter(|p| mapping.get(p).is_none()));
        }
    }
    let mut out: Vec<(String, String, Kind)> = Vec::new();
    for path in paths {
        if out.iter().any(|(p, _, _)| *p == path) {
            continue;
        }
        if let Some((lookup, kind)) = kind_of(&path) {
            out.push((path, lookup, kind));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every path of `value` holding a string.
fn string_paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                string_paths(v, &path, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| string_paths(v, prefix, out)),
        Value::String(_) if !prefix.is_empty() && !out.iter().any(|p| p == prefix) => {
            out.push(prefix.to_string());
        }
        _ => {}
    }
}

/// Postings statistics of one field, over the documents the caller sees.
struct Stats<'a> {
    shard: &'a Shard,
    searcher: &'a Searcher,
    visible: Option<&'a HashSet<DocAddress>>,
    path: &'a str,
    kind: Kind,
}

impl Stats<'_> {
    /// The term of `token` in this field (empty: the field's prefix).
    fn term_of(&self, token: &str) -> Term {
        let field = match self.kind {
            Kind::Text => self.shard.fields.text,
            Kind::Keyword { .. } => self.shard.fields.kw,
        };
        let mut t = Term::from_field_json_path(field, self.path, true);
        t.append_type_and_str(token);
        t
    }

    /// `doc_freq` and `ttf` of one term.
    fn term_stats(&self, term: &Term) -> Result<(u64, u64)> {
        let (mut docs, mut ttf) = (0u64, 0u64);
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                continue;
            };
            let mut postings =
                inverted.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                let address = DocAddress::new(u32::try_from(ord).unwrap_or(u32::MAX), doc);
                let seen = match self.visible {
                    Some(v) => v.contains(&address),
                    None => !segment.is_deleted(doc),
                };
                if seen {
                    docs += 1;
                    ttf += u64::from(tantivy::postings::Postings::term_freq(&postings));
                }
                doc = postings.advance();
            }
        }
        Ok((docs, ttf))
    }

    /// `(doc_freq, ttf)` of `token`.
    fn term(&self, token: &str) -> Result<(u64, u64)> {
        self.term_stats(&self.term_of(token))
    }

    /// `field_statistics`: `sum_doc_freq`, `doc_count`, `sum_ttf`.
    fn field(&self) -> Result<Value> {
        let prefix = self.term_of("");
        let prefix_bytes = prefix.serialized_value_bytes().to_vec();
        let mut sum_doc_freq = 0u64;
        let mut sum_ttf = 0u64;
        let mut with_field: HashSet<DocAddress> = HashSet::new();
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(prefix.field())?;
            let mut stream = inverted.terms().range().ge(&prefix_bytes).into_stream()?;
            while stream.advance() {
                if !stream.key().starts_with(&prefix_bytes) {
                    break;
                }
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    let address = DocAddress::new(u32::try_from(ord).unwrap_or(u32::MAX), doc);
                    let seen = match self.visible {
                        Some(v) => v.contains(&address),
                        None => !segment.is_deleted(doc),
                    };
                    if seen {
                        sum_doc_freq += 1;
                        sum_ttf += u64::from(tantivy::postings::Postings::term_freq(&postings));
                        with_field.insert(address);
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(json!({
            "sum_doc_freq": sum_doc_freq,
            "doc_count": with_field.len(),
            "sum_ttf": sum_ttf,
        }))
    }
}
