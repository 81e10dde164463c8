//! Scroll contexts: the hits of a search computed once over a searcher snapshot, handed out
//! page by page. Each context is bound to its owner (the caller's identity string); another
//! caller asking for it is told it does not exist.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rampart_query::SearchRequest;
use serde_json::{Value, json};

use super::Restrictions;
use super::exec::{Hit, Prepared, render_hit, response_shell};
use crate::engine::Engine;
use crate::error::{Result, SearchError};

struct Context {
    owner: String,
    expires: Instant,
    prepared: Vec<Prepared>,
    hits: Vec<Hit>,
    total: u64,
    pos: usize,
    req: SearchRequest,
}

/// Open scroll contexts.
#[derive(Default)]
pub struct ScrollStore {
    contexts: HashMap<String, Context>,
}

impl std::fmt::Debug for ScrollStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScrollStore")
            .field("open", &self.contexts.len())
            .finish()
    }
}

impl Engine {
    fn scrolls(&self) -> std::sync::MutexGuard<'_, ScrollStore> {
        self.scrolls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start a scroll: the first page plus `_scroll_id`.
    pub fn start_scroll(
        &self,
        owner: &str,
        keep_alive: Duration,
        targets: &[(String, Restrictions)],
        req: &SearchRequest,
    ) -> Result<Value> {
        let started = Instant::now();
        let prepared = self.prepare(targets, &req.query, req.post_filter.as_ref(), &req.sort)?;
        let (hits, total, _) = self.collect(&prepared, req, usize::MAX)?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut ctx = Context {
            owner: owner.to_string(),
            expires: Instant::now() + keep_alive,
            prepared,
            hits,
            total,
            pos: 0,
            req: req.clone(),
        };
        let mut page = next_page(&mut ctx, started)?;
        if let Some(a) = &req.aggs {
            let aggs = self.search(
                targets,
                &SearchRequest {
                    size: 0,
                    aggs: Some(a.clone()),
                    ..req.clone()
                },
            )?;
            if let (Value::Object(o), Some(v)) = (&mut page, aggs.get("aggregations")) {
                o.insert("aggregations".into(), v.clone());
            }
        }
        if let Value::Object(o) = &mut page {
            o.insert("_scroll_id".into(), json!(id));
        }
        self.scrolls().contexts.insert(id, ctx);
        Ok(page)
    }

    /// The next page of a scroll.
    pub fn scroll(&self, owner: &str, id: &str, keep_alive: Option<Duration>) -> Result<Value> {
        let started = Instant::now();
        let mut store = self.scrolls();
        let ctx = store
            .contexts
            .get_mut(id)
            .filter(|c| c.owner == owner && c.expires > Instant::now())
            .ok_or_else(|| SearchError::SearchContextMissing(id.to_string()))?;
        if let Some(k) = keep_alive {
            ctx.expires = Instant::now() + k;
        }
        let mut page = next_page(ctx, started)?;
        if let Value::Object(o) = &mut page {
            o.insert("_scroll_id".into(), json!(id));
        }
        Ok(page)
    }

    /// Clear scroll contexts; `None` clears all of the owner's. Returns how many were freed.
    pub fn clear_scroll(&self, owner: &str, ids: Option<&[String]>) -> usize {
        let mut store = self.scrolls();
        let before = store.contexts.len();
        match ids {
            None => store.contexts.retain(|_, c| c.owner != owner),
            Some(ids) => store
                .contexts
                .retain(|id, c| !(c.owner == owner && ids.contains(id))),
        }
        before - store.contexts.len()
    }

    /// Drop expired contexts.
    pub fn expire_scrolls(&self) {
        let now = Instant::now();
        self.scrolls().contexts.retain(|_, c| c.expires > now);
    }
}

fn next_page(ctx: &mut Context, started: Instant) -> Result<Value> {
    let size = ctx.req.size;
    let page: Vec<&Hit> = ctx.hits.iter().skip(ctx.pos).take(size).collect();
    let rendered = page
        .iter()
        .map(|h| render_hit(&ctx.prepared, h, &ctx.req))
        .collect::<Result<Vec<_>>>()?;
    let out = response_shell(
        started,
        ctx.prepared.len(),
        ctx.total,
        &ctx.req,
        &page,
        rendered,
    );
    ctx.pos += page.len();
    Ok(out)
}
