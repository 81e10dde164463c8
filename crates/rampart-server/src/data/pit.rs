//! Point in time on the embedded engine. Opening (`POST /{index}/_pit`) resolves and authorizes
//! the expression for `indices:data/read/open_point_in_time` and pins the concrete indices'
//! searchers in the engine, bound to the opener exactly as scroll contexts are
//! (`scroll::owner`). A search with `pit` names no index: as in Elasticsearch it is authorized
//! for `indices:data/read/search` on the PIT's concrete indices, and the *searching* request's
//! DLS/FLS are computed by the same `restrict::restriction` as any search (the PIT keeps no
//! restriction, only the alias filters its indices were reached through). Another caller's
//! PIT, an expired or an unknown one is ES's 404 `search_context_missing_exception`.
//! `DELETE /_pit` frees only the caller's own PITs.

use std::time::Duration;

use rampart_core::resolve::IndicesOptions;
use rampart_query::SearchRequest;
use rampart_search::search::pit::{DEFAULT_MAX_OPEN_PIT, PitIndex};
use serde_json::{Map, Value, json};

use super::restrict::{self, Restriction};
use super::scroll::owner;
use super::search::{self, SEARCH, Target, engine_targets};
use super::{guards, target, total_hits};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};

pub const OPEN: &str = "indices:data/read/open_point_in_time";
/// The node setting capping open points in time.
pub const MAX_OPEN_SETTING: &str = "search.max_open_pit_context";

/// A `keep_alive` value, bounded like a scroll's (`search.max_keep_alive`).
fn keep_alive(value: &str) -> Result<Duration, ApiError> {
    crate::api::api_keys::parse_time_value("keep_alive", value)?;
    super::scroll::keep_alive(value)
}

fn max_open(ctx: &Ctx) -> Result<usize, ApiError> {
    match ctx.state.settings.get(MAX_OPEN_SETTING) {
        None => Ok(DEFAULT_MAX_OPEN_PIT),
        Some(v) => v.parse().map_err(|_| {
            ApiError::internal(format!(
                "invalid value [{v}] for [{MAX_OPEN_SETTING}]: expected a count"
            ))
        }),
    }
}

/// The `index_filter` of an open body (its only field).
fn index_filter(req: &Req) -> Result<Option<rampart_query::Query>, ApiError> {
    let Some(body) = req.json_ref()? else {
        return Ok(None);
    };
    let Some(object) = body.as_object() else {
        return Err(ApiError::parse("request body is required to be an object"));
    };
    if let Some(key) = object.keys().find(|k| *k != "index_filter") {
        return Err(ApiError::new(
            400,
            "x_content_parse_exception",
            format!("[open_point_in_time_request] unknown field [{key}]"),
        ));
    }
    Ok(object
        .get("index_filter")
        .map(rampart_query::parse_query)
        .transpose()?)
}

/// `POST /{index}/_pit?keep_alive=…`.
pub fn open(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let Some(keep) = req.query("keep_alive") else {
            return Err(ApiError::validation(&[
                "[keep_alive] is not specified".into()
            ]));
        };
        let keep = keep_alive(keep)?;
        // One shard per index: partial results cannot happen, but the flag must be valid.
        req.query_bool("allow_partial_search_results", false)?;
        let filter = index_filter(&req)?;
        let options = target::options(&req, IndicesOptions::strict_expand_open_forbid_closed())?;
        let meta = ctx.state.data.metadata();
        let authorized = target::authorize(
            &ctx,
            &req,
            OPEN,
            &target::expressions(&req),
            &options,
            &meta,
        )?;
        if !authorized.remote.is_empty() {
            return Err(ApiError::bad_request(
                "opening a point in time on remote indices is not supported",
            ));
        }
        let mut targets = if authorized.placeholder || authorized.names.is_empty() {
            Vec::new()
        } else {
            search::concrete_targets(&ctx, OPEN, &authorized.access, &meta)?
        };
        if let Some(filter) = &filter {
            // Indices where the filter matches nothing the opener may see are left out.
            let mut kept = Vec::with_capacity(targets.len());
            for t in targets {
                let one = [(t.index.clone(), t.restrictions())];
                if ctx.state.data.count(&one, filter)? > 0 {
                    kept.push(t);
                }
            }
            targets = kept;
        }
        let indices: Vec<PitIndex> = targets
            .into_iter()
            .map(|t| PitIndex {
                index: t.index,
                alias_filter: t.alias_filter,
            })
            .collect();
        let id = ctx
            .state
            .data
            .open_pit(&owner(&ctx.auth), keep, max_open(&ctx)?, &indices)?;
        let n = indices.len();
        Ok(Reply::ok(json!({
            "id": id,
            "_shards": {"total": n, "successful": n, "skipped": 0, "failed": 0}
        })))
    })
}

/// `POST /_pit` names no index: ES's request validation refuses it (with a missing
/// `keep_alive` too) before any authorization, so it is 400 for every caller.
fn no_index_error(req: &Req) -> ApiError {
    let mut problems = vec!["[index] is not specified".to_string()];
    match req.query("keep_alive") {
        // An unparsable value fails first, as ES parses the parameter before validating.
        Some(value) => {
            if let Err(e) = crate::api::api_keys::parse_time_value("keep_alive", value) {
                return e;
            }
        }
        None => problems.push("[keep_alive] is not specified".into()),
    }
    ApiError::validation(&problems)
}

/// The route's request facts: none can be, the request is invalid.
pub fn open_without_index_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    Err(no_index_error(req))
}

/// `POST /_pit` (reached as a handler only with security disabled).
pub fn open_without_index(_ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move { Err(no_index_error(&req)) })
}

/// Whether a search body asks for a point in time.
pub fn requested(body: Option<&Value>) -> bool {
    body.is_some_and(|b| b.get("pit").is_some())
}

/// `[_shard_doc]` orders hits within a PIT only: ES refuses it elsewhere.
pub fn refuse_shard_doc(request: &SearchRequest) -> Result<(), ApiError> {
    if request
        .sort
        .iter()
        .any(|s| s.field == rampart_search::search::SHARD_DOC)
    {
        return Err(ApiError::validation(&[
            "[_shard_doc] sort field cannot be used without [point in time]".into(),
        ]));
    }
    Ok(())
}

/// What ES refuses next to `pit` (`RestSearchAction`'s point-in-time checks).
fn check_search_params(req: &Req) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    if !target::expressions(req).is_empty() {
        problems.push(
            "[indices] cannot be used with point in time. Do not specify any index with point \
             in time."
                .to_string(),
        );
    }
    let defaults = IndicesOptions::search();
    if target::options(req, defaults)? != defaults {
        problems.push("[indicesOptions] cannot be used with point in time".into());
    }
    for param in ["routing", "preference"] {
        if req.query(param).is_some() {
            problems.push(format!("[{param}] cannot be used with point in time"));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    if req.query("scroll").is_some() {
        return Err(ApiError::validation(&[
            "using [point in time] is not allowed in a scroll context".into(),
        ]));
    }
    Ok(())
}

/// The `pit` object: its id and optional keep-alive.
fn pit_args(pit: &Value) -> Result<(String, Option<Duration>), ApiError> {
    let parse_error = |reason: String| ApiError::new(400, "x_content_parse_exception", reason);
    let Some(object) = pit.as_object() else {
        return Err(parse_error("[pit] expected an object".into()));
    };
    if let Some(key) = object.keys().find(|k| *k != "id" && *k != "keep_alive") {
        return Err(parse_error(format!("[pit] unknown field [{key}]")));
    }
    let Some(id) = object.get("id").and_then(Value::as_str) else {
        return Err(parse_error("Required [id]".into()));
    };
    let keep = match object.get("keep_alive") {
        None => None,
        Some(Value::String(k)) => Some(keep_alive(k)?),
        Some(_) => {
            return Err(parse_error(
                "[pit] failed to parse field [keep_alive]".into(),
            ));
        }
    };
    Ok((id.to_string(), keep))
}

/// `POST /_search` with `pit`: the searching caller's authorization and restrictions over the
/// PIT's pinned indices.
pub fn search(ctx: &Ctx, req: &Req, mut body: Map<String, Value>) -> Result<Reply, ApiError> {
    check_search_params(req)?;
    let pit = body.remove("pit").unwrap_or(Value::Null);
    let (id, keep) = pit_args(&pit)?;
    let rest = Value::Object(body);
    let mut request = search::parse_request(req, Some(&rest))?;
    let as_int = total_hits::requested(req)?;
    if as_int {
        total_hits::apply(&mut request, total_hits::explicit(req, Some(&rest)))?;
    }
    let mut response = run(ctx, req, &id, keep, &request)?;
    if as_int {
        total_hits::render(&mut response);
    }
    Ok(Reply::ok(response))
}

/// One `_msearch` item whose body has `pit` (given here, taken out of the parsed body): the
/// item's header and the URL's default index are checked as ES checks a PIT search, then it
/// runs as `POST /_search` with that `pit` would. Errors are the item's own.
pub fn msearch_item(
    ctx: &Ctx,
    req: &Req,
    header: &Value,
    expressions: &[String],
    pit: &Value,
    request: &SearchRequest,
) -> Result<Value, ApiError> {
    check_msearch_header(req, header, expressions)?;
    let (id, keep) = pit_args(pit)?;
    run(ctx, req, &id, keep, request)
}

/// What ES's validation of a PIT search refuses in an `_msearch` item: indices (`expressions`:
/// the header's, else the URL's), indices options, routing and preference.
pub(crate) fn check_msearch_header(
    req: &Req,
    header: &Value,
    expressions: &[String],
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    if !expressions.is_empty() {
        problems.push(
            "[indices] cannot be used with point in time. Do not specify any index with point \
             in time."
                .to_string(),
        );
    }
    let defaults = IndicesOptions::search();
    let header_options = [
        "ignore_unavailable",
        "allow_no_indices",
        "expand_wildcards",
        "ignore_throttled",
    ]
    .iter()
    .any(|k| header.get(k).is_some());
    if header_options || target::options(req, defaults)? != defaults {
        problems.push("[indicesOptions] cannot be used with point in time".into());
    }
    for param in ["routing", "preference"] {
        if header.get(param).is_some() {
            problems.push(format!("[{param}] cannot be used with point in time"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(&problems))
    }
}

/// Search the caller's PIT `id`: authorized and restricted for the searching caller, the
/// answer carrying `pit_id`.
fn run(
    ctx: &Ctx,
    req: &Req,
    id: &str,
    keep: Option<Duration>,
    request: &SearchRequest,
) -> Result<Value, ApiError> {
    let owner = owner(&ctx.auth);
    let indices = ctx.state.data.pit_indices(&owner, id)?;
    let mut response = if indices.is_empty() {
        search::empty_response()
    } else {
        let targets = authorized_targets(ctx, req, &indices, request)?;
        let mut response =
            ctx.state
                .data
                .search_pit(&owner, id, keep, &engine_targets(&targets), request)?;
        // Per-role widening reads each hit as the PIT sees it, not its current version.
        search::widen_per_role_with(&targets, request, &mut response, |index, doc, queries| {
            Ok(ctx.state.data.pit_doc(&owner, id, index, doc, queries)?)
        })?;
        response
    };
    if let Some(o) = response.as_object_mut() {
        o.insert("pit_id".into(), json!(id));
    }
    Ok(response)
}

/// Authorize `search` on the PIT's concrete indices and compute the caller's restriction on
/// each (alias filters come from the PIT).
fn authorized_targets(
    ctx: &Ctx,
    req: &Req,
    indices: &[PitIndex],
    request: &SearchRequest,
) -> Result<Vec<Target>, ApiError> {
    let meta = ctx.state.data.metadata();
    let names: Vec<String> = indices.iter().map(|i| i.index.clone()).collect();
    let access = target::authorize_names(ctx, req, SEARCH, &names, &meta)?;
    let restricted = access
        .iter()
        .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted());
    guards::check_search(restricted, request)?;
    indices
        .iter()
        .map(|pinned| {
            let restriction: Restriction = match access.iter().find(|a| a.name == pinned.index) {
                Some(entry) => restrict::restriction(ctx, SEARCH, entry, &meta)?,
                // Every name was authorized, so each has an entry; fail closed regardless.
                None => return Err(ApiError::internal("no access computed for a PIT index")),
            };
            Ok(Target {
                index: pinned.index.clone(),
                restriction,
                alias_filter: pinned.alias_filter.clone(),
            })
        })
        .collect()
}

/// `DELETE /_pit` with `{"id": …}`: frees the caller's own PIT only.
pub fn close(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?;
        let Some(id) = body
            .as_ref()
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str)
        else {
            return Err(ApiError::validation(&["[id] is missing".into()]));
        };
        let freed = ctx
            .state
            .data
            .close_pits(&owner(&ctx.auth), &[id.to_string()]);
        Ok(Reply::ok(json!({"succeeded": true, "num_freed": freed})))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pit_object_needs_an_id() {
        assert_eq!(
            pit_args(&json!({"keep_alive": "1m"})).unwrap_err().status,
            400
        );
        assert_eq!(pit_args(&json!("abc")).unwrap_err().status, 400);
        assert_eq!(
            pit_args(&json!({"id": "abc", "other": 1}))
                .unwrap_err()
                .reason,
            "[pit] unknown field [other]"
        );
        let (id, keep) = pit_args(&json!({"id": "abc", "keep_alive": "2m"})).unwrap();
        assert_eq!(id, "abc");
        assert_eq!(keep, Some(Duration::from_secs(120)));
    }

    #[test]
    fn keep_alive_is_parsed_and_bounded() {
        assert_eq!(keep_alive("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(keep_alive("soon").unwrap_err().status, 400);
        assert_eq!(keep_alive("2d").unwrap_err().status, 400);
    }

    #[test]
    fn shard_doc_is_refused_outside_a_pit() {
        let sorted =
            rampart_query::parse_search_request(&json!({"sort": [{"_shard_doc": "asc"}]})).unwrap();
        let err = refuse_shard_doc(&sorted).unwrap_err();
        assert_eq!(
            err.reason,
            "Validation Failed: 1: [_shard_doc] sort field cannot be used without [point in time];"
        );
        assert!(refuse_shard_doc(&SearchRequest::default()).is_ok());
    }
}
