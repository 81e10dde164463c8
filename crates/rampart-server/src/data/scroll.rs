//! Scroll and clear scroll. A scroll context is opened by `_search?scroll=` (authorized like
//! any search, with its restrictions captured in the context) and bound to its owner: another
//! user, or another API key of the same user, is told the context does not exist.

use std::time::Duration;

use rampart_core::resolve::IndicesOptions;
use rampart_query::SearchRequest;
use serde_json::{Value, json};

use super::search::{empty_response, engine_targets, prepare};
use super::{target, total_hits};
use crate::authn::Authentication;
use crate::authn::Credential;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// The longest keep-alive accepted (ES's `search.max_keep_alive` default).
const MAX_KEEP_ALIVE_MS: i64 = 24 * 3_600_000;

/// Who a scroll context belongs to: the effective user with its realm, and the API key.
pub fn owner(auth: &Authentication) -> String {
    let user = auth.effective_user();
    let key = match &auth.credential {
        Credential::ApiKey(k) => k.id.as_str(),
        _ => "",
    };
    format!(
        "{}/{}/{}/{key}",
        auth.lookup_realm.realm_type, auth.lookup_realm.name, user.username
    )
}

pub(crate) fn keep_alive(value: &str) -> Result<Duration, ApiError> {
    let ms = crate::api::api_keys::parse_time_value("scroll", value)?;
    if ms > MAX_KEEP_ALIVE_MS {
        return Err(ApiError::bad_request(format!(
            "Keep alive for request ({value}) is too large. It must be less than (1d). This limit can be set by changing the [search.max_keep_alive] cluster level setting."
        )));
    }
    Ok(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// `_search?scroll=…`: run the search and keep its hits for the following pages.
pub fn start(
    ctx: &Ctx,
    req: &Req,
    keep: &str,
    options: &IndicesOptions,
    request: &SearchRequest,
    as_int: bool,
) -> Result<Reply, ApiError> {
    let keep = keep_alive(keep)?;
    if request.from > 0 {
        return Err(ApiError::validation(&[
            "using [from] is not allowed in a scroll context".into(),
        ]));
    }
    let Some(targets) = prepare(ctx, req, &target::expressions(req), options, request)? else {
        let mut response = empty_response();
        if as_int {
            total_hits::render(&mut response);
        }
        return Ok(Reply::ok(response));
    };
    let mut response =
        ctx.state
            .data
            .start_scroll(&owner(&ctx.auth), keep, &engine_targets(&targets), request)?;
    if as_int {
        total_hits::render(&mut response);
    }
    Ok(Reply::ok(response))
}

/// The scroll id and keep-alive from the path, URL or body.
pub(crate) fn scroll_args(req: &Req) -> Result<(Vec<String>, Option<String>), ApiError> {
    let body = req.json()?;
    let mut ids: Vec<String> = req.param_list("scroll_id");
    if ids.is_empty() {
        ids = req.query_list("scroll_id");
    }
    match body.as_ref().and_then(|b| b.get("scroll_id")) {
        Some(Value::String(s)) => ids.extend(s.split(',').map(String::from)),
        Some(Value::Array(a)) => ids.extend(a.iter().filter_map(Value::as_str).map(String::from)),
        _ => {}
    }
    let keep = req.query("scroll").map(String::from).or_else(|| {
        body.as_ref()
            .and_then(|b| b.get("scroll"))
            .and_then(Value::as_str)
            .map(String::from)
    });
    Ok((ids, keep))
}

/// `GET|POST /_search/scroll`, `/_search/scroll/{scroll_id}`.
pub fn next(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (ids, keep) = scroll_args(&req)?;
        let as_int = total_hits::requested(&req)?;
        let [id] = ids.as_slice() else {
            return Err(ApiError::validation(&["scrollId is missing".into()]));
        };
        let keep = keep.as_deref().map(keep_alive).transpose()?;
        let mut page = ctx.state.data.scroll(&owner(&ctx.auth), id, keep)?;
        if as_int {
            total_hits::render(&mut page);
        }
        Ok(Reply::ok(page))
    })
}

/// `DELETE /_search/scroll`, `/_search/scroll/{scroll_id}` (`_all` clears every context of
/// the caller).
pub fn clear(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (ids, _) = scroll_args(&req)?;
        if ids.is_empty() {
            return Err(ApiError::validation(&["no scroll ids specified".into()]));
        }
        let owner = owner(&ctx.auth);
        let freed = if ids.iter().any(|i| i == "_all") {
            ctx.state.data.clear_scroll(&owner, None)
        } else {
            ctx.state.data.clear_scroll(&owner, Some(&ids))
        };
        let status = if freed == 0 { 404 } else { 200 };
        Ok(Reply::status(
            status,
            json!({"succeeded": true, "num_freed": freed}),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_alive_is_bounded() {
        assert_eq!(keep_alive("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(keep_alive("2d").unwrap_err().status, 400);
        assert_eq!(keep_alive("soon").unwrap_err().status, 400);
    }
}
