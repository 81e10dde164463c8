//! `_msearch` through the gateway. Each sub-search is authorized, restricted and rewritten
//! exactly as a single `_search` (`rewrite::plan_search` over its own targets); one that
//! fails becomes its item's error object (as the embedded plane shapes it: the error
//! envelope with its `status`), one with nothing to search becomes an empty answer, and the
//! rest go upstream in a single `_msearch` naming only authorized names. The upstream's
//! answers are filtered per item with that item's plan and merged back in request order.
//! An item with `pit` is planned as a `_search` with it (`pit::plan`) and its answer's
//! `pit_id` bound to the caller again.

use axum::http::Method;
use rampart_core::authz::RemoteAccess;
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_gateway::UpstreamRequest;
use rampart_gateway::rewrite::{self, PitBinding, ResponseFilter};
use serde_json::{Map, Value, json};

use super::pit::PitPlanned;
use super::{
    gateway_error, is_direct, metadata, refuse_inexact_remote, remote_targets, send, targets,
    with_params,
};
use crate::data::{search, target, total_hits};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const MSEARCH: &str = "indices:data/read/msearch";

/// Header keys a restricted sub-search keeps: they choose shards or the search type, never
/// which documents or fields are visible. Everything else was decided here.
const RESTRICTED_HEADER_KEYS: &[&str] = &["routing", "preference", "search_type"];

/// One sub-search as planned.
enum Planned {
    /// Nothing authorized to search: an empty answer.
    Empty,
    /// Answered here (a point in time over no index).
    Answered(Value),
    /// Sent upstream with this header and body; the answer is filtered with `filter` (and,
    /// for a point in time, its `pit_id` bound to the caller with `pit`).
    Forward {
        header: Value,
        body: Value,
        filter: Option<Box<ResponseFilter>>,
        pit: Option<Box<PitBinding>>,
    },
}

/// Where each item's answer comes from.
enum Item {
    Local(Value),
    Upstream(Option<Box<ResponseFilter>>, Option<Box<PitBinding>>),
}

/// `GET|POST /_msearch`, `/{index}/_msearch`.
pub(super) async fn msearch(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let text =
        std::str::from_utf8(&req.body).map_err(|_| ApiError::parse("request body is not UTF-8"))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(ApiError::validation(&["no requests added".to_string()]));
    }
    let default_index = target::expressions(req);
    let as_int = total_hits::requested(req)?;
    let options = target::options(req, IndicesOptions::search())?;
    let meta = metadata(gateway).await?;
    let mut items = Vec::new();
    let mut ndjson = String::new();
    for pair in lines.chunks(2) {
        let header = parse_line(pair.first().copied())?;
        let body = parse_line(pair.get(1).copied())?;
        if as_int {
            // ES refuses the whole multi-search when one body bounds its tracking.
            if let Ok(mut request) = rampart_query::parse_search_request(&body) {
                total_hits::apply(&mut request, body.get("track_total_hits").is_some())?;
            }
        }
        let expressions = header_expressions(&header).unwrap_or_else(|| default_index.clone());
        let planned = if body.get("pit").is_some() {
            plan_pit_item(gateway, ctx, req, &expressions, &meta, &header, &body)
        } else {
            plan_item(ctx, req, &expressions, &options, &meta, &header, &body)
        };
        match planned {
            Ok(Planned::Empty) => {
                let mut empty = search::empty_response();
                if as_int {
                    total_hits::render(&mut empty);
                }
                items.push(Item::Local(with_status(empty, 200)));
            }
            Ok(Planned::Answered(mut answer)) => {
                if as_int {
                    total_hits::render(&mut answer);
                }
                items.push(Item::Local(with_status(answer, 200)));
            }
            Ok(Planned::Forward {
                header,
                body,
                filter,
                pit,
            }) => {
                ndjson.push_str(&header.to_string());
                ndjson.push('\n');
                ndjson.push_str(&body.to_string());
                ndjson.push('\n');
                items.push(Item::Upstream(filter, pit));
            }
            Err(e) => items.push(Item::Local(with_status(e.body(), e.status))),
        }
    }
    let (took, answers) = if ndjson.is_empty() {
        (0, Vec::new())
    } else {
        forward(gateway, req, ndjson).await?
    };
    let expected = items
        .iter()
        .filter(|i| matches!(i, Item::Upstream(..)))
        .count();
    if answers.len() != expected {
        // A short or long answer cannot be matched to the sub-searches: an error, no guess.
        return Err(gateway_error(
            rampart_gateway::UpstreamError::InvalidResponse.into(),
        ));
    }
    let mut answers = answers.into_iter();
    let mut responses: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        responses.push(match item {
            Item::Local(v) => v,
            Item::Upstream(filter, Some(pit)) => {
                let mut answer = answers.next().unwrap_or(Value::Null);
                super::pit::finish(gateway, ctx, filter.as_deref(), &pit, &mut answer)?;
                answer
            }
            Item::Upstream(filter, None) => {
                let mut answer = answers.next().unwrap_or(Value::Null);
                if let (Some(filter), None) = (&filter, answer.get("error")) {
                    rewrite::filter_search_response(&mut answer, filter);
                }
                answer
            }
        });
    }
    Ok(Reply::ok(json!({"took": took, "responses": responses})))
}

fn parse_line(line: Option<&str>) -> Result<Value, ApiError> {
    serde_json::from_str(line.unwrap_or("{}")).map_err(crate::http::request::json_error)
}

/// The header's `index` (a comma-separated string or an array), if any.
fn header_expressions(header: &Value) -> Option<Vec<String>> {
    match header.get("index")? {
        Value::String(s) => Some(s.split(',').map(String::from).collect()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        ),
        _ => None,
    }
}

fn with_status(mut answer: Value, status: u16) -> Value {
    if let Some(o) = answer.as_object_mut() {
        o.insert("status".into(), json!(status));
    }
    answer
}

/// One sub-search, decided as `search_upstream` decides a single search.
fn plan_item(
    ctx: &Ctx,
    req: &Req,
    expressions: &[String],
    options: &IndicesOptions,
    meta: &IndexMetadata,
    header: &Value,
    raw: &Value,
) -> Result<Planned, ApiError> {
    let parsed = rampart_query::parse_search_request(raw).map_err(ApiError::from);
    let authorized = target::authorize(ctx, req, search::SEARCH, expressions, options, meta)?;
    let local = !(authorized.placeholder || authorized.names.is_empty());
    if !local && authorized.remote.is_empty() {
        return Ok(Planned::Empty);
    }
    let mut found = if local {
        targets(ctx, search::SEARCH, &authorized, meta)?
    } else {
        Vec::new()
    };
    found.extend(remote_targets(ctx, &authorized.remote)?);
    let restricted = found.iter().any(|t| t.restrictions.is_restricted());
    if restricted {
        refuse_inexact_remote(ctx, &authorized)?;
    }
    let plan = match parsed {
        Ok(request) if is_direct(&authorized, &found, meta) => {
            rewrite::plan_search_direct(raw, &request, &found)
        }
        Ok(request) => rewrite::plan_search(raw, &request, &found),
        Err(_) if !restricted => Ok(rewrite::SearchPlan {
            body: raw.clone(),
            response: None,
        }),
        Err(e) => {
            rewrite::check_search_body(raw).map_err(|r| gateway_error(r.into()))?;
            return Err(e);
        }
    }
    .map_err(gateway_error)?;
    let remote = authorized.remote.iter().map(RemoteAccess::target);
    let names: Vec<String> = if local {
        authorized.names.iter().cloned().chain(remote).collect()
    } else {
        remote.collect()
    };
    Ok(Planned::Forward {
        header: upstream_header(header, names, restricted),
        body: plan.body,
        filter: plan.response.map(Box::new),
        pit: None,
    })
}

/// A sub-search with `pit`: checked as ES validates a PIT search (no index, indices options,
/// routing or preference for the item), then planned as a `_search` with it; sent upstream
/// with an empty header (the upstream PIT names its indices).
fn plan_pit_item(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
    expressions: &[String],
    meta: &IndexMetadata,
    header: &Value,
    raw: &Value,
) -> Result<Planned, ApiError> {
    crate::data::pit::check_msearch_header(req, header, expressions)?;
    Ok(match super::pit::plan(gateway, ctx, req, raw, meta)? {
        PitPlanned::Answered(answer) => Planned::Answered(answer),
        PitPlanned::Forward {
            body,
            filter,
            binding,
            ..
        } => Planned::Forward {
            header: json!({}),
            body,
            filter,
            pit: Some(binding),
        },
    })
}

/// The header sent upstream: the authorized names replace the caller's `index`; a
/// restricted sub-search keeps only `RESTRICTED_HEADER_KEYS`.
fn upstream_header(header: &Value, names: Vec<String>, restricted: bool) -> Value {
    let mut out: Map<String, Value> = header
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "index")
        .filter(|(k, _)| !restricted || RESTRICTED_HEADER_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert("index".into(), json!(names));
    Value::Object(out)
}

/// One upstream `_msearch` for every forwarded sub-search: its `took` and answers.
async fn forward(
    gateway: &Gateway,
    req: &Req,
    ndjson: String,
) -> Result<(u64, Vec<Value>), ApiError> {
    let request = UpstreamRequest::new(Method::POST, &["_msearch"])
        .ndjson(ndjson)
        .idempotent();
    let (_, body) = send(gateway, &with_params(request, req)).await?;
    let took = body.get("took").and_then(Value::as_u64).unwrap_or(0);
    let answers = body
        .get("responses")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| gateway_error(rampart_gateway::UpstreamError::InvalidResponse.into()))?;
    Ok((took, answers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restricted_header_keeps_only_shard_choices_and_gets_the_authorized_names() {
        let header = json!({"index": "do*", "routing": "r1", "allow_no_indices": false,
            "request_cache": true});
        let out = upstream_header(&header, vec!["docs".into()], true);
        assert_eq!(out, json!({"index": ["docs"], "routing": "r1"}));
        let out = upstream_header(&header, vec!["docs".into(), "docs-2".into()], false);
        assert_eq!(
            out,
            json!({"index": ["docs", "docs-2"], "routing": "r1", "allow_no_indices": false,
                "request_cache": true})
        );
    }

    #[test]
    fn header_index_is_a_string_list_or_an_array() {
        assert_eq!(
            header_expressions(&json!({"index": "a,b"})),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            header_expressions(&json!({"index": ["a"]})),
            Some(vec!["a".to_string()])
        );
        assert_eq!(header_expressions(&json!({})), None);
    }
}
