//! The document snapshot of a by-query write (`_delete_by_query`, `_update_by_query`): every
//! document a query matches under the caller's [`Restrictions`], in index order, with the
//! `_seq_no`/`_primary_term` it had when it was found. Writing each one back conditioned on
//! them makes a concurrent change a version conflict, as Elasticsearch's scroll snapshot does.
//! Like a search, it sees the last refresh. Sources are not loaded (a delete needs none; an
//! update reads each batch's documents when it writes them, and a document changed since
//! fails its conditional write anyway), so a snapshot costs a few dozen bytes per document.

use rampart_query::{Query, SearchRequest, SortField, SortOrder};
use tantivy::TantivyDocument;

use crate::engine::Engine;
use crate::error::{Result, SearchError};
use crate::search::Restrictions;
use crate::shard::DocVersion;

/// One matched document.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedDoc {
    /// The concrete index holding it.
    pub index: String,
    pub id: String,
    pub version: DocVersion,
}

impl Engine {
    /// The documents `query` matches on `targets` (at most `limit`, in index then document
    /// order). DLS hides documents exactly as in a search; FLS makes hidden fields unmapped
    /// in the query.
    pub fn matching_docs(
        &self,
        targets: &[(String, Restrictions)],
        query: &Query,
        limit: Option<usize>,
    ) -> Result<Vec<MatchedDoc>> {
        let sort = [SortField {
            field: "_doc".into(),
            order: SortOrder::Asc,
            missing: None,
        }];
        let prepared = self.prepare(targets, query, None, &sort)?;
        let request = SearchRequest {
            query: query.clone(),
            sort: sort.to_vec(),
            ..SearchRequest::default()
        };
        let (hits, _, _) = self.collect(&prepared, &request, limit.unwrap_or(usize::MAX))?;
        let mut out = Vec::with_capacity(hits.len());
        for hit in hits {
            let p = prepared
                .get(hit.target)
                .ok_or_else(|| SearchError::Internal("hit target out of range".into()))?;
            let doc: TantivyDocument = p.searcher.doc(hit.addr)?;
            let stored = p.shard.stored_doc(&doc)?;
            out.push(MatchedDoc {
                index: p.index.clone(),
                id: stored.id,
                version: stored.version,
            });
        }
        Ok(out)
    }
}
