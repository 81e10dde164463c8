//! `_search`, `_count` and `_msearch`: resolve and authorize the targets, compute each concrete
//! index's restriction, refuse what DLS/FLS forbids, then search through the engine.

use rampart_core::authz::IndexAccess;
use rampart_core::resolve::{IndexMetadata, IndicesOptions};
use rampart_query::{Query, SearchRequest, SourceFilter, UrlParams};
use rampart_search::Restrictions;
use serde_json::{Value, json};

use super::restrict::{self, Restriction};
use super::{engine, guards, target, total_hits};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

pub const SEARCH: &str = "indices:data/read/search";

/// One concrete index to search: the caller's restriction on it and, when it was reached
/// only through filtered aliases, the OR of those filters.
#[derive(Debug, Clone)]
pub struct Target {
    pub index: String,
    pub restriction: Restriction,
    pub alias_filter: Option<Query>,
}

impl Target {
    /// What the engine applies to this index.
    pub fn restrictions(&self) -> Restrictions {
        engine::restrictions(&self.restriction, self.alias_filter.as_ref())
    }
}

/// The engine's view of all targets.
pub fn engine_targets(targets: &[Target]) -> Vec<(String, Restrictions)> {
    targets
        .iter()
        .map(|t| (t.index.clone(), t.restrictions()))
        .collect()
}

/// The filter of `alias` on `index`, parsed; `None` when `name` is not a filtered alias of it.
fn alias_filter(ctx: &Ctx, index: &str, name: &str) -> Result<Option<Query>, ApiError> {
    if index == name {
        return Ok(None);
    }
    match ctx.state.data.alias_filter(index, name) {
        Some(filter) => Ok(Some(rampart_query::parse_query(&filter)?)),
        None => Ok(None),
    }
}

/// The concrete indices behind the authorized names, each with its restriction. A concrete
/// index reached through an alias gets the alias's access (section 5.5) and its filter; an
/// index also reached directly (or through an unfiltered alias) is not filtered.
pub fn concrete_targets(
    ctx: &Ctx,
    action: &str,
    access: &[IndexAccess],
    meta: &IndexMetadata,
) -> Result<Vec<Target>, ApiError> {
    // Per concrete index: the target plus every path's filter (`None` = unfiltered path).
    let mut out: Vec<(Target, Vec<Option<Query>>)> = Vec::new();
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
            let filter = alias_filter(ctx, &name, &entry.name)?;
            match out.iter_mut().find(|(t, _)| t.index == name) {
                Some((_, filters)) => filters.push(filter),
                None => out.push((
                    Target {
                        index: name,
                        restriction: restriction.clone(),
                        alias_filter: None,
                    },
                    vec![filter],
                )),
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|(mut t, filters)| {
            let filters: Option<Vec<Query>> = filters.into_iter().collect();
            t.alias_filter = filters.map(rampart_query::or_all);
            t
        })
        .collect())
}

pub fn empty_response() -> Value {
    json!({
        "took": 0, "timed_out": false,
        "_shards": {"total": 0, "successful": 0, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": null, "hits": []}
    })
}

/// Parse a search body with the request's URL parameters over it.
pub fn parse_request(req: &Req, body: Option<&Value>) -> Result<SearchRequest, ApiError> {
    let params = UrlParams::from_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let empty = json!({});
    Ok(rampart_query::parse_search_request_with_params(
        body.unwrap_or(&empty),
        &params,
    )?)
}

/// Authorized, guarded targets of one search; `None` when nothing is to be searched.
pub fn prepare(
    ctx: &Ctx,
    req: &Req,
    expressions: &[String],
    options: &IndicesOptions,
    request: &SearchRequest,
) -> Result<Option<Vec<Target>>, ApiError> {
    let meta = ctx.state.data.metadata();
    let authorized = target::authorize(ctx, req, SEARCH, expressions, options, &meta)?;
    guards::check_search(authorized.restricted(), request)?;
    if authorized.placeholder || authorized.names.is_empty() {
        return Ok(None);
    }
    Ok(Some(concrete_targets(
        ctx,
        SEARCH,
        &authorized.access,
        &meta,
    )?))
}

/// One search, already parsed, over an index expression.
fn run_search(
    ctx: &Ctx,
    req: &Req,
    expressions: &[String],
    options: &IndicesOptions,
    request: &SearchRequest,
) -> Result<Value, ApiError> {
    let Some(targets) = prepare(ctx, req, expressions, options, request)? else {
        return Ok(empty_response());
    };
    let mut response = ctx.state.data.search(&engine_targets(&targets), request)?;
    widen_per_role(ctx, &targets, request, &mut response)?;
    Ok(response)
}

/// A hit's full source and, per role query (`None` admits all), whether it admits the hit.
pub type HitDoc = Option<(Value, Vec<bool>)>;

/// `per_role` pairing: each hit's `_source` shows the union of the fields of the roles whose
/// query admits that hit (the engine filtered it to the fields all roles share).
pub fn widen_per_role(
    ctx: &Ctx,
    targets: &[Target],
    request: &SearchRequest,
    response: &mut Value,
) -> Result<(), ApiError> {
    widen_per_role_with(targets, request, response, |index, id, queries| {
        let Some(doc) = ctx.state.data.get_doc(index, id, true)? else {
            return Ok(None);
        };
        let mut admits = Vec::with_capacity(queries.len());
        for query in queries {
            admits.push(match query {
                None => true,
                Some(q) => ctx.state.data.matches(index, id, q)?,
            });
        }
        Ok(Some((doc.source, admits)))
    })
}

/// [`widen_per_role`] reading each hit's document through `read` (a point in time reads its
/// snapshot's copy, not the current one).
pub fn widen_per_role_with(
    targets: &[Target],
    request: &SearchRequest,
    response: &mut Value,
    read: impl Fn(&str, &str, &[Option<&Query>]) -> Result<HitDoc, ApiError>,
) -> Result<(), ApiError> {
    if request.source != SourceFilter::All || targets.iter().all(|t| t.restriction.pairs.is_empty())
    {
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
        let Some(target) = targets.iter().find(|t| t.index == index) else {
            continue;
        };
        if target.restriction.pairs.is_empty() {
            continue;
        }
        let queries: Vec<Option<&Query>> = target
            .restriction
            .pairs
            .iter()
            .map(|p| p.documents.as_ref())
            .collect();
        let Some((source, admits)) = read(&index, &id, &queries)? else {
            continue;
        };
        let mut fields: Option<rampart_core::fls::FieldPermissions> = None;
        for (pair, admits) in target.restriction.pairs.iter().zip(admits) {
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
            obj.insert("_source".into(), fields.filter_source(&source));
        }
    }
    Ok(())
}

/// `GET|POST /_search`, `/{index}/_search` (with `?scroll=` it opens a scroll).
pub fn search(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?;
        if let Some(Value::Object(body)) = body.as_ref().filter(|b| super::pit::requested(Some(b)))
        {
            return super::pit::search(&ctx, &req, body.clone());
        }
        let mut request = parse_request(&req, body.as_ref())?;
        super::pit::refuse_shard_doc(&request)?;
        let as_int = total_hits::requested(&req)?;
        if as_int {
            total_hits::apply(&mut request, total_hits::explicit(&req, body.as_ref()))?;
        }
        let options = target::options(&req, IndicesOptions::search())?;
        if let Some(keep_alive) = req.query("scroll") {
            return super::scroll::start(&ctx, &req, keep_alive, &options, &request, as_int);
        }
        let mut response = run_search(&ctx, &req, &target::expressions(&req), &options, &request)?;
        if as_int {
            total_hits::render(&mut response);
        }
        Ok(Reply::ok(response))
    })
}

/// The query of a `_count` body (only `query` is allowed) with `q` from the URL.
fn count_query(req: &Req, body: Option<&Value>) -> Result<Query, ApiError> {
    if let Some(key) = body
        .and_then(Value::as_object)
        .and_then(|o| o.keys().find(|k| *k != "query"))
    {
        return Err(ApiError::new(
            400,
            "parsing_exception",
            format!("request does not support [{key}]"),
        ));
    }
    Ok(parse_request(req, body)?.query)
}

/// `GET|POST /_count`, `/{index}/_count`.
pub fn count(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?;
        let query = count_query(&req, body.as_ref())?;
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
        let (count, shards) = if authorized.placeholder || authorized.names.is_empty() {
            (0, 0)
        } else {
            let targets = concrete_targets(&ctx, SEARCH, &authorized.access, &meta)?;
            let count = ctx.state.data.count(&engine_targets(&targets), &query)?;
            (count, targets.len())
        };
        Ok(Reply::ok(json!({
            "count": count,
            "_shards": {"total": shards, "successful": shards, "skipped": 0, "failed": 0}
        })))
    })
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
        let as_int = total_hits::requested(&req)?;
        let mut responses = Vec::new();
        for pair in lines.chunks(2) {
            let header: Value = serde_json::from_str(pair.first().copied().unwrap_or("{}"))
                .map_err(crate::http::request::json_error)?;
            let mut body_line: Value = serde_json::from_str(pair.get(1).copied().unwrap_or("{}"))
                .map_err(crate::http::request::json_error)?;
            // A point in time is the item's target, not part of its search body.
            let pit = body_line.as_object_mut().and_then(|b| b.remove("pit"));
            let expressions = match header.get("index") {
                Some(Value::String(s)) => s.split(',').map(String::from).collect(),
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
                _ => default_index.clone(),
            };
            let mut parsed = rampart_query::parse_search_request(&body_line);
            if let (true, Ok(request)) = (as_int, parsed.as_mut()) {
                // ES refuses the whole multi-search when one body bounds its tracking.
                total_hits::apply(request, body_line.get("track_total_hits").is_some())?;
            }
            let outcome = parsed
                .map_err(ApiError::from)
                .and_then(|request| match &pit {
                    Some(pit) => {
                        super::pit::msearch_item(&ctx, &req, &header, &expressions, pit, &request)
                    }
                    None => {
                        let options = target::options(&req, IndicesOptions::search())?;
                        run_search(&ctx, &req, &expressions, &options, &request)
                    }
                });
            responses.push(match outcome {
                Ok(mut r) => {
                    if as_int {
                        total_hits::render(&mut r);
                    }
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
