//! The tantivy schema of an index and the conversion of a document into it.

use std::collections::BTreeMap;

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, JsonObjectOptions, OwnedValue, STORED, STRING, Schema,
    TextFieldIndexing,
};

use super::{DocVersion, KW, TEXT};
use crate::error::{Result, SearchError};
use crate::mapping::{Converted, LeafValue};

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

pub(super) fn schema() -> Schema {
    schema_with_analyzer(crate::analysis::STANDARD)
}

/// The schema of an index created before the standard analyzer (tantivy's `default` on
/// text), for migration tests.
#[cfg(test)]
pub(super) fn legacy_schema() -> Schema {
    schema_with_analyzer(crate::analysis::LEGACY)
}

fn schema_with_analyzer(analyzer: &str) -> Schema {
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
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_expand_dots_enabled();
    b.add_json_field(TEXT, text);
    b.build()
}

pub(super) fn fields(schema: &Schema) -> Result<Fields> {
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

pub(super) fn build_doc(
    fields: Fields,
    id: &str,
    source_bytes: &[u8],
    converted: &Converted,
    version: DocVersion,
) -> Result<TantivyDocument> {
    let f = fields;
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, id);
    doc.add_bytes(f.source, source_bytes);
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
            LeafValue::Date(ms) => (&mut kw, OwnedValue::Date(crate::date_range::indexed(*ms))),
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
/// Paths are stored as flat dotted keys; with `expand_dots` tantivy splits them into segments,
/// which is what Elasticsearch does with dotted keys too.
fn escape_path(path: &str) -> String {
    path.to_string()
}
