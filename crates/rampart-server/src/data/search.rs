//! `_search`, `_count` and `_msearch`: resolve and authorize the targets, compute each concrete
//! index's restriction, refuse what DLS/FLS forbids, then search through the engine.

use rampart_core::authz::IndexAccess;
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_query::{SearchRequest, SourceFilter};
use serde_json::{Value, json};

use super::restrict::{self, Restriction};
use super::{body, guards, naive, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

pub const SEARCH: &str = "indices:data/read/search";

/// The concrete indices behind the authorized names, each with its restriction. A concrete
/// index reached through an alias gets the alias's access (section 5.5).
pub fn concrete_targets(
    ctx: &Ctx,
    action: &str,
    access: &[IndexAccess],
    meta: &IndexMetadata,
) -> Result<Vec<(String, Restriction)>, ApiError> {
    let mut out: Vec<(String, Restriction)> = Vec::new();
    for entry in access {
        let restriction = restrict::restriction(ctx, action, entry, meta)?;
        let concrete = meta.concrete_indices(&entry.name, None);
        let names: Vec<String> = if concrete.is_empty() {
            // Not existing: the engine answers 404 with ES's message.
            vec![entry.name.clone()]
        } else {
            concrete.into_iter().map(String::from).collect()
        };
        for name in names {
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, restriction.clone()));
            }
        }
    }
    Ok(out)
}

fn empty_response() -> Value {
    json!({
        "took": 0, "timed_out": false,
        "_shards": {"total": 0, "successful": 0, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": null, "hits": []}
    })
}

/// One search, already parsed, over an index expression.
fn run_search(
    ctx: &Ctx,
    req: &Req,
    expressions: &[String],
    options: &IndicesOptions,
    request: &SearchRequest,
) -> Result<Value, ApiError> {
    let meta = ctx.state.data.metadata();
    let authorized = target::authorize(ctx, req, SEARCH, expressions, options, &meta)?;
    guards::check_search(authorized.restricted(), request)?;
    if authorized.placeholder || authorized.names.is_empty() {
        return Ok(empty_response());
    }
    let targets = concrete_targets(ctx, SEARCH, &authorized.access, &meta)?;
    let mut response = ctx.state.data.search(&targets, request)?;
    widen_per_role(ctx, &targets, request, &mut response)?;
    Ok(response)
}

/// `per_role` pairing: each hit's `_source` shows the union of the fields of the roles whose
/// query admits that hit (the engine filtered it to the fields all roles share).
fn widen_per_role(
    ctx: &Ctx,
    targets: &[(String, Restriction)],
    request: &SearchRequest,
    response: &mut Value,
) -> Result<(), ApiError> {
    if request.source != SourceFilter::All || targets.iter().all(|(_, r)| r.pairs.is_empty()) {
        return Ok(());
    }
    let Some(hits) = response
        .pointer_mut("/hits/hits")
        .and_then(Value::as_array_mut)
    else {
        return Ok(());
    };
    for hit in hits {
        let (Some(index), Some(id)) = (
            hit.get("_index").and_then(Value::as_str).map(String::from),
            hit.get("_id").and_then(Value::as_str).map(String::from),
        ) else {
            continue;
        };
        let Some((_, restriction)) = targets.iter().find(|(n, _)| *n == index) else {
            continue;
        };
        if restriction.pairs.is_empty() {
            continue;
        }
        let Some(doc) = ctx.state.data.get_doc(&index, &id)? else {
            continue;
        };
        let mut fields: Option<rampart_core::fls::FieldPermissions> = None;
        for pair in &restriction.pairs {
            let admits = pair
                .documents
                .as_ref()
                .is_none_or(|q| naive::matches(q, &id, &doc.source, None));
            if admits {
                fields = Some(match fields {
                    None => pair.fields.clone(),
                    Some(f) => f
                        .try_union(&pair.fields)
                        .map_err(|e| ApiError::from_es(&e))?,
                });
            }
        }
        if let (Some(fields), Some(obj)) = (fields, hit.as_object_mut()) {
            obj.insert("_source".into(), fields.filter_source(&doc.source));
        }
    }
    Ok(())
}

/// `GET|POST /_search`, `/{index}/_search`.
pub fn search(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let request = body::with_params(body::search(req.json()?.as_ref())?, &req)?;
        let options = target::options(&req, IndicesOptions::search())?;
        let response = run_search(&ctx, &req, &target::expressions(&req), &options, &request)?;
        Ok(Reply::ok(response))
    })
}

/// `GET|POST /_count`, `/{index}/_count`.
pub fn count(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?;
        let query = match body.as_ref() {
            None => rampart_query::Query::MatchAll { boost: None },
            Some(b) => {
                if let Some(key) = b.as_object().and_then(|o| o.keys().find(|k| *k != "query")) {
                    return Err(ApiError::new(
                        400,
                        "parsing_exception",
                        format!("request does not support [{key}]"),
                    ));
                }
                b.get("query")
                    .map(body::query)
                    .transpose()?
                    .unwrap_or(rampart_query::Query::MatchAll { boost: None })
            }
        };
        let options = target::options(&req, IndicesOptions::search())?;
        let meta = ctx.state.data.metadata();
        let authorized = target::authorize(
            &ctx,
            &req,
            SEARCH,
            &target::expressions(&req),
            &options,
            &meta,
        )?;
        let count = if authorized.placeholder || authorized.names.is_empty() {
            0
        } else {
            let targets = concrete_targets(&ctx, SEARCH, &authorized.access, &meta)?;
            ctx.state.data.count(&targets, &query)?
        };
        let shards = targets_len(&authorized);
        Ok(Reply::ok(json!({
            "count": count,
            "_shards": {"total": shards, "successful": shards, "skipped": 0, "failed": 0}
        })))
    })
}

fn targets_len(authorized: &target::Authorized) -> usize {
    if authorized.placeholder {
        0
    } else {
        authorized.names.len()
    }
}

/// `GET|POST /_msearch`, `/{index}/_msearch`: each sub-search is authorized on its own, and a
/// failing one becomes its item's error.
pub fn msearch(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let text = std::str::from_utf8(&req.body)
            .map_err(|_| ApiError::parse("request body is not UTF-8"))?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            return Err(ApiError::validation(&["no requests added".to_string()]));
        }
        let default_index = target::expressions(&req);
        let mut responses = Vec::new();
        for pair in lines.chunks(2) {
            let header: Value = serde_json::from_str(pair.first().copied().unwrap_or("{}"))
                .map_err(crate::http::request::json_error)?;
            let body_line: Value = serde_json::from_str(pair.get(1).copied().unwrap_or("{}"))
                .map_err(crate::http::request::json_error)?;
            let expressions = match header.get("index") {
                Some(Value::String(s)) => s.split(',').map(String::from).collect(),
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
                _ => default_index.clone(),
            };
            let outcome = body::search(Some(&body_line)).and_then(|request| {
                let options = target::options(&req, IndicesOptions::search())?;
                run_search(&ctx, &req, &expressions, &options, &request)
            });
            responses.push(match outcome {
                Ok(mut r) => {
                    if let Some(o) = r.as_object_mut() {
                        o.insert("status".into(), json!(200));
                    }
                    r
                }
                Err(e) => {
                    let mut b = e.body();
                    if let Some(o) = b.as_object_mut() {
                        o.insert("status".into(), json!(e.status));
                    }
                    b
                }
            });
        }
        Ok(Reply::ok(json!({"took": 1, "responses": responses})))
    })
}
