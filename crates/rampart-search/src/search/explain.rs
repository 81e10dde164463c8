//! `_explain`, single-document DLS evaluation (`matches`) and `_field_caps`.

use std::collections::BTreeMap;

use rampart_core::fls::FieldPermissions;
use rampart_query::Query;
use serde_json::{Map, Value, json};
use tantivy::query::{EnableScoring, Explanation, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, TERMINATED, Term};

use super::Restrictions;
use super::compile::CompileCtx;
use crate::engine::Engine;
use crate::error::Result;
use crate::mapping::{FieldType, Mapping};
use crate::shard::OpType;

impl Engine {
    /// `_explain`: whether the (restricted) query matches a document, with tantivy's
    /// explanation. A document hidden by DLS answers as not matching.
    pub fn explain(
        &self,
        index: &str,
        id: &str,
        restrictions: &Restrictions,
        query: &Query,
    ) -> Result<Value> {
        let prepared = self.prepare(
            &[(index.to_string(), restrictions.clone())],
            query,
            None,
            &[],
        )?;
        let mut matched = None;
        if let Some(p) = prepared.first()
            && let Some(addr) = find_doc(p, id)?
        {
            // The same statistics as a search by this caller, so the explanation's counts
            // (`n`, `N`, `avgdl`) are of visible documents only.
            let stats = p.statistics();
            let weight = p
                .query
                .weight(super::exec::scoring(&p.searcher, stats.as_ref()))?;
            let seg = p.searcher.segment_reader(addr.segment_ord);
            matched = weight.explain(seg, addr.doc_id).ok();
        }
        Ok(match matched {
            Some(e) => {
                json!({"_index": index, "_id": id, "matched": true, "explanation": render(&e)})
            }
            None => json!({"_index": index, "_id": id, "matched": false}),
        })
    }

    /// Whether a document (also a not-yet-refreshed one) matches a query: used to evaluate a
    /// role query on a single document (realtime GET under DLS). The document is indexed into
    /// a throwaway in-memory index with the same mapping, so the answer is the engine's own.
    pub fn matches(&self, index: &str, id: &str, query: &Query) -> Result<bool> {
        let (shard, mapping) = self.shard(index)?;
        let Some(doc) = shard.get(id, true)? else {
            return Ok(false);
        };
        matches_source(index, &mapping, id, &doc.source, query)
    }

    /// `_field_caps` for target indices with each caller's field permissions.
    pub fn field_caps(
        &self,
        targets: &[(String, Option<FieldPermissions>)],
        patterns: &[String],
    ) -> Result<Value> {
        let mut fields: BTreeMap<String, BTreeMap<&'static str, Vec<String>>> = BTreeMap::new();
        let mut indices = Vec::new();
        for (index, fls) in targets {
            let mapping = self.mapping(index)?;
            indices.push(index.clone());
            for (path, f) in &mapping.fields {
                if fls.as_ref().is_some_and(|p| {
                    let visible_object =
                        f.ty == FieldType::Object && p.permits_object_path_prefix(path);
                    !(p.permits(path) || visible_object)
                }) {
                    continue;
                }
                if !patterns
                    .iter()
                    .any(|p| rampart_core::resolve::simple_match(p, path))
                {
                    continue;
                }
                fields
                    .entry(path.clone())
                    .or_default()
                    .entry(f.ty.name())
                    .or_default()
                    .push(index.clone());
            }
        }
        let mut out = Map::new();
        for (path, types) in fields {
            let mut by_type = Map::new();
            for (ty, idx) in types {
                let leaf = ty != "object";
                let aggregatable = leaf && ty != "text";
                let mut caps = json!({
                    "type": ty,
                    "metadata_field": false,
                    "searchable": leaf,
                    "aggregatable": aggregatable,
                });
                if idx.len() != indices.len()
                    && let Value::Object(o) = &mut caps
                {
                    o.insert("indices".into(), json!(idx));
                }
                by_type.insert(ty.to_string(), caps);
            }
            out.insert(path, Value::Object(by_type));
        }
        Ok(json!({"indices": indices, "fields": out}))
    }
}

fn find_doc(p: &super::exec::Prepared, id: &str) -> Result<Option<DocAddress>> {
    let q = TermQuery::new(
        Term::from_field_text(p.shard.fields.id, id),
        IndexRecordOption::Basic,
    );
    let weight =
        tantivy::query::Query::weight(&q, EnableScoring::disabled_from_searcher(&p.searcher))?;
    for (ord, seg) in p.searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(seg, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if seg.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                return Ok(Some(DocAddress::new(
                    u32::try_from(ord).unwrap_or(u32::MAX),
                    doc,
                )));
            }
            doc = scorer.advance();
        }
    }
    Ok(None)
}

/// Evaluate a query on one source by indexing it into a temporary in-RAM index.
pub fn matches_source(
    index: &str,
    mapping: &Mapping,
    id: &str,
    source: &Value,
    query: &Query,
) -> Result<bool> {
    let shard = crate::shard::Shard::in_ram()?;
    let converted = mapping.convert(id, source)?;
    let mut full = mapping.clone();
    full.add_fields(&converted.new_fields)?;
    shard.index(id, source, &converted, OpType::Index, Default::default())?;
    shard.refresh()?;
    let mut ctx = CompileCtx {
        index,
        fields: shard.fields,
        mapping: &full,
        fls: None,
        analyzer: shard.analyzer()?,
    };
    let q = ctx.compile(query)?;
    Ok(q.count(&shard.searcher())? > 0)
}

fn render(e: &Explanation) -> Value {
    serde_json::to_value(e).unwrap_or_else(|_| json!({"description": e.to_pretty_json()}))
}
