#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rampart_query::{Query, SearchRequest};
use rampart_search::{Engine, OpType, Refresh, Restrictions, WriteConditions};
use serde_json::Value;

pub fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    (dir, engine)
}

pub fn put(engine: &Engine, index: &str, id: &str, doc: Value) {
    engine
        .index_doc(
            index,
            Some(id),
            &doc,
            OpType::Index,
            WriteConditions::default(),
            Refresh::False,
        )
        .unwrap();
}

pub fn search(engine: &Engine, index: &str, r: Restrictions, req: &SearchRequest) -> Value {
    engine.search(&[(index.to_string(), r)], req).unwrap()
}

/// Sorted ids of the hits of `query` (size 100).
pub fn ids(engine: &Engine, index: &str, r: Restrictions, query: Query) -> Vec<String> {
    let req = SearchRequest {
        query,
        size: 100,
        ..SearchRequest::default()
    };
    let res = search(engine, index, r, &req);
    let mut ids: Vec<String> = res["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}
