//! The store's requests to the upstream: the hidden index, the change-counter document and
//! the records, all through the generic document APIs (`_doc`, `_bulk`, `_search`).
//!
//! The store API is synchronous, so the wire owns a small runtime (and a connection pool of
//! its own) and waits for the async client's answers. It may be called from any thread: a
//! plain or blocking-pool thread waits; a worker of a multi-threaded runtime first hands its
//! other tasks to another thread (`block_in_place`), so a store read on the request path
//! (cache miss after a change) can neither panic nor stall the server's runtime.

use std::future::Future;
use std::sync::mpsc;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use rampart_store::StoreError;

use crate::upstream::{Upstream, UpstreamError, UpstreamRequest};

/// The format of every document this store writes; readers refuse other values.
pub(crate) const FORMAT: u64 = 1;
pub(crate) const COUNTER_ID: &str = "counter";
/// Records per search page when loading a snapshot.
const PAGE: usize = 1_000;

/// A document's optimistic-concurrency version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DocVersion {
    pub seq_no: u64,
    pub primary_term: u64,
}

/// A record document as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredDoc {
    pub version: DocVersion,
    pub source: Value,
}

/// A write lease on the whole store, held in the counter document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Lease {
    pub token: String,
    pub until_ms: i64,
}

/// The change counter: `revision` rises on writes that can change permissions, `changes`
/// on every write; `lease` is set while a writer is between its first and last request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CounterState {
    pub format: u64,
    pub kind: String,
    pub key: String,
    pub revision: u64,
    pub changes: u64,
    pub lease: Option<Lease>,
}

impl CounterState {
    pub fn initial() -> Self {
        Self {
            format: FORMAT,
            kind: "counter".into(),
            key: COUNTER_ID.into(),
            revision: 0,
            changes: 0,
            lease: None,
        }
    }

    pub fn leased_at(&self, now_ms: i64) -> bool {
        self.lease.as_ref().is_some_and(|l| l.until_ms > now_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counter {
    pub version: DocVersion,
    pub state: CounterState,
}

/// One document operation of a bulk write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DocOp {
    /// Create (`expected: None`) or replace the version read.
    Put {
        id: String,
        source: Value,
        expected: Option<DocVersion>,
    },
    Delete {
        id: String,
        expected: DocVersion,
    },
}

#[derive(Debug)]
pub(crate) struct Wire {
    upstream: Upstream,
    index: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Wire {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside async code; shut it down instead.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub(crate) fn upstream_error(err: UpstreamError) -> StoreError {
    match err.status_code() {
        Some(409) => StoreError::Conflict("the document changed concurrently".into()),
        _ => StoreError::Io(std::io::Error::other(err.to_string())),
    }
}

fn invalid_response(what: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected upstream answer for {what}"))
}

fn version_of(body: &Value) -> Option<DocVersion> {
    Some(DocVersion {
        seq_no: body.get("_seq_no")?.as_u64()?,
        primary_term: body.get("_primary_term")?.as_u64()?,
    })
}

impl Wire {
    pub fn new(upstream: Upstream, index: String) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("rampart-store-upstream")
            .enable_all()
            .build()?;
        Ok(Self {
            upstream: upstream.with_own_pool().map_err(upstream_error)?,
            index,
            runtime: Some(runtime),
        })
    }

    /// Runs `future` on the private runtime and waits for its output. Never `block_on`,
    /// which panics on a thread that is already inside a runtime.
    fn block<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let Some(runtime) = &self.runtime else {
            return Err(StoreError::Io(std::io::Error::other("store shut down")));
        };
        let (tx, rx) = mpsc::sync_channel(1);
        runtime.spawn(async move {
            // The receiver only goes away if the waiting thread did; nothing to report then.
            let _ = tx.send(future.await);
        });
        let wait = move || {
            rx.recv()
                .map_err(|_| StoreError::Io(std::io::Error::other("store runtime stopped")))
        };
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            // On a worker thread this moves the worker's other tasks elsewhere first; on a
            // blocking-pool thread it just runs `wait`.
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
            // A current-thread runtime cannot hand its tasks off (`block_in_place` would
            // panic); the private runtime and pool do not depend on it, so waiting only
            // delays that runtime, it cannot deadlock it.
            _ => wait(),
        }
    }

    fn send(
        &self,
        request: &UpstreamRequest,
    ) -> Result<crate::upstream::UpstreamResponse, StoreError> {
        let upstream = self.upstream.clone();
        let request = request.clone();
        self.block(async move { upstream.send(&request).await })?
            .map_err(upstream_error)
    }

    /// Creates the hidden index and the counter document if they do not exist yet.
    pub fn ensure_index(&self) -> Result<(), StoreError> {
        let create = UpstreamRequest::new(Method::PUT, &[&self.index]).json(json!({
            "settings": {"index": {"hidden": true, "number_of_shards": 1, "auto_expand_replicas": "0-1"}},
            "mappings": {
                "dynamic": false,
                "properties": {
                    "format": {"type": "long"},
                    "kind": {"type": "keyword"},
                    "key": {"type": "keyword"}
                }
            }
        }));
        let response = self.send(&create)?;
        let exists = response.status == 400
            && response
                .body
                .pointer("/error/type")
                .and_then(Value::as_str)
                .is_some_and(|t| t == "resource_already_exists_exception");
        if !response.is_success() && !exists {
            return Err(upstream_error(UpstreamError::from_status(
                response.status,
                &response.body,
            )));
        }
        let counter = UpstreamRequest::new(Method::PUT, &[&self.index, "_create", COUNTER_ID])
            .param("refresh", "true")
            .json(
                serde_json::to_value(CounterState::initial())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            );
        let response = self.send(&counter)?;
        if response.is_success() || response.status == 409 {
            Ok(())
        } else {
            Err(upstream_error(UpstreamError::from_status(
                response.status,
                &response.body,
            )))
        }
    }

    /// The counter, read in real time (a GET does not wait for a refresh).
    pub fn counter(&self) -> Result<Counter, StoreError> {
        let request = UpstreamRequest::new(Method::GET, &[&self.index, "_doc", COUNTER_ID]);
        let body = self
            .send(&request)?
            .into_success()
            .map_err(upstream_error)?;
        let version = version_of(&body).ok_or_else(|| invalid_response("the counter"))?;
        let source = body
            .get("_source")
            .cloned()
            .ok_or_else(|| invalid_response("the counter"))?;
        let state: CounterState = serde_json::from_value(source)
            .map_err(|e| StoreError::Corrupt(format!("counter document: {e}")))?;
        if state.format != FORMAT {
            return Err(StoreError::Corrupt(format!(
                "counter document format {} (this binary reads {FORMAT})",
                state.format
            )));
        }
        Ok(Counter { version, state })
    }

    /// Replaces the counter if it is still at `expected`; `Conflict` otherwise.
    pub fn swap_counter(
        &self,
        expected: DocVersion,
        state: &CounterState,
    ) -> Result<DocVersion, StoreError> {
        let source = serde_json::to_value(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let request = UpstreamRequest::new(Method::PUT, &[&self.index, "_doc", COUNTER_ID])
            .param("if_seq_no", expected.seq_no)
            .param("if_primary_term", expected.primary_term)
            .json(source);
        let body = self
            .send(&request)?
            .into_success()
            .map_err(upstream_error)?;
        version_of(&body).ok_or_else(|| invalid_response("a counter write"))
    }

    /// Every record document (the counter excluded), by id.
    pub fn load_all(&self) -> Result<Vec<(String, StoredDoc)>, StoreError> {
        let mut docs = Vec::new();
        let mut after: Option<Value> = None;
        loop {
            let mut body = json!({
                "size": PAGE,
                "query": {"bool": {"must_not": [{"term": {"kind": "counter"}}]}},
                "sort": [{"key": "asc"}],
                "seq_no_primary_term": true,
                "track_total_hits": false
            });
            if let (Some(key), Some(object)) = (&after, body.as_object_mut()) {
                object.insert("search_after".into(), json!([key]));
            }
            let request = UpstreamRequest::new(Method::POST, &[&self.index, "_search"])
                .json(body)
                .idempotent();
            let answer = self
                .send(&request)?
                .into_success()
                .map_err(upstream_error)?;
            let hits = answer
                .pointer("/hits/hits")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid_response("a store search"))?;
            for hit in hits {
                let id = hit.get("_id").and_then(Value::as_str);
                let version = version_of(hit);
                let source = hit.get("_source");
                let (Some(id), Some(version), Some(source)) = (id, version, source) else {
                    return Err(invalid_response("a store search hit"));
                };
                docs.push((
                    id.to_owned(),
                    StoredDoc {
                        version,
                        source: source.clone(),
                    },
                ));
            }
            if hits.len() < PAGE {
                return Ok(docs);
            }
            after = hits.last().and_then(|h| h.pointer("/sort/0")).cloned();
            if after.is_none() {
                return Err(invalid_response("a store search page"));
            }
        }
    }

    /// Runs the operations as one `_bulk` with `refresh=true`, so searches see them once it
    /// returns. Any failed item fails the call (a 409 as `Conflict`).
    pub fn bulk(&self, ops: &[DocOp]) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for op in ops {
            let (action, source) = match op {
                DocOp::Put {
                    id,
                    source,
                    expected: None,
                } => (
                    json!({"create": {"_index": self.index, "_id": id}}),
                    Some(source),
                ),
                DocOp::Put {
                    id,
                    source,
                    expected: Some(v),
                } => (
                    json!({"index": {"_index": self.index, "_id": id,
                        "if_seq_no": v.seq_no, "if_primary_term": v.primary_term}}),
                    Some(source),
                ),
                DocOp::Delete { id, expected: v } => (
                    json!({"delete": {"_index": self.index, "_id": id,
                        "if_seq_no": v.seq_no, "if_primary_term": v.primary_term}}),
                    None,
                ),
            };
            text.push_str(&action.to_string());
            text.push('\n');
            if let Some(source) = source {
                text.push_str(&source.to_string());
                text.push('\n');
            }
        }
        let request = UpstreamRequest::new(Method::POST, &["_bulk"])
            .param("refresh", "true")
            .ndjson(text);
        let answer = self
            .send(&request)?
            .into_success()
            .map_err(upstream_error)?;
        if answer.get("errors").and_then(Value::as_bool) != Some(true) {
            return Ok(());
        }
        let items = answer
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_response("a bulk write"))?;
        for item in items {
            let Some(result) = item.as_object().and_then(|o| o.values().next()) else {
                continue;
            };
            let status = result.get("status").and_then(Value::as_u64).unwrap_or(500);
            if status == 409 {
                return Err(StoreError::Conflict(
                    "a security document changed concurrently".into(),
                ));
            }
            // A delete of a missing doc is not an error for the store.
            if status >= 300 && status != 404 {
                let err = UpstreamError::from_status(
                    u16::try_from(status).unwrap_or(500),
                    &json!({"error": result.get("error")}),
                );
                return Err(upstream_error(err));
            }
        }
        Ok(())
    }
}
