//! `_mget` through the gateway. Each document is authorized on its own index (as embedded:
//! a refused one is that item's error). Documents of indices without DLS are fetched with
//! one upstream `_mget`; under DLS, the ids of each index are fetched by one `ids` search
//! carrying the role filter (a hidden document answers `found: false`, like a missing one).
//! FLS filters every returned source.

use std::collections::BTreeMap;

use axum::http::Method;
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, Target};
use serde_json::{Value, json};

use super::{metadata, send, target_of};
use crate::data::docs::{MGET_SHARD, mget_wanted};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const MGET: &str = "indices:data/read/mget";

fn item_error(index: Option<&str>, id: &str, e: &ApiError) -> Value {
    json!({"_index": index, "_id": id, "error": {"type": e.es_type, "reason": e.reason}})
}

/// The documents to fetch: by plain `_mget`, or per DLS-restricted index by search.
#[derive(Default)]
struct Plan {
    plain: Vec<(usize, Target, String)>,
    filtered: BTreeMap<String, (Target, Vec<(usize, String)>)>,
}

pub(super) async fn mget(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let wanted = mget_wanted(req)?;
    let meta = metadata(gateway).await?;
    let mut docs: Vec<Value> = Vec::with_capacity(wanted.len());
    let mut plan = Plan::default();
    for (pos, (index, id)) in wanted.into_iter().enumerate() {
        let Some(index) = index else {
            let e = ApiError::validation(&["index is missing".into()]);
            docs.push(item_error(None, &id, &e));
            continue;
        };
        match target_of(ctx, req, MGET_SHARD, &index, &meta) {
            Err(e) => docs.push(item_error(Some(&index), &id, &e)),
            Ok(target) => {
                docs.push(Value::Null);
                if target.restrictions.documents.is_some() {
                    plan.filtered
                        .entry(target.index.clone())
                        .or_insert_with(|| (target, Vec::new()))
                        .1
                        .push((pos, id));
                } else {
                    plan.plain.push((pos, target, id));
                }
            }
        }
    }
    fetch_plain(gateway, &plan.plain, &mut docs).await?;
    for (target, wanted) in plan.filtered.values() {
        fetch_filtered(gateway, target, wanted, &mut docs).await?;
    }
    Ok(Reply::ok(json!({"docs": docs})))
}

fn place(docs: &mut [Value], pos: usize, doc: Value) {
    if let Some(slot) = docs.get_mut(pos) {
        *slot = doc;
    }
}

async fn fetch_plain(
    gateway: &Gateway,
    wanted: &[(usize, Target, String)],
    docs: &mut [Value],
) -> Result<(), ApiError> {
    if wanted.is_empty() {
        return Ok(());
    }
    let request: Vec<Value> = wanted
        .iter()
        .map(|(_, t, id)| json!({"_index": t.index, "_id": id}))
        .collect();
    let upstream = UpstreamRequest::new(Method::POST, &["_mget"])
        .json(json!({ "docs": request }))
        .idempotent();
    let (_, answer) = send(gateway, &upstream).await?;
    let answers = answer
        .get("docs")
        .and_then(Value::as_array)
        .filter(|a| a.len() == wanted.len())
        .ok_or_else(|| {
            tracing::warn!("the upstream's mget answer does not have one doc per request");
            ApiError::new(
                502,
                "status_exception",
                "the upstream cluster gave an invalid answer",
            )
        })?;
    for ((pos, target, _), doc) in wanted.iter().zip(answers) {
        let mut doc = doc.clone();
        if let Some(fields) = &target.restrictions.fields {
            rewrite::filter_document(&mut doc, fields);
        }
        place(docs, *pos, doc);
    }
    Ok(())
}

async fn fetch_filtered(
    gateway: &Gateway,
    target: &Target,
    wanted: &[(usize, String)],
    docs: &mut [Value],
) -> Result<(), ApiError> {
    let ids: Vec<String> = wanted.iter().map(|(_, id)| id.clone()).collect();
    let Some(body) = rewrite::plan_get(&ids, &target.restrictions) else {
        return Err(ApiError::internal("a DLS target without a document filter"));
    };
    let search = UpstreamRequest::new(Method::POST, &[&target.index, "_search"])
        .json(body)
        .idempotent();
    let (_, answer) = send(gateway, &search).await?;
    let answers = rewrite::get_answers(&target.index, &ids, &answer, &target.restrictions);
    for ((pos, _), doc) in wanted.iter().zip(answers) {
        place(docs, *pos, doc);
    }
    Ok(())
}
