//! `rest_total_hits_as_int`: the pre-7.0 response shape where `hits.total` is a number.
//!
//! ES turns on accurate tracking when the request did not choose, accepts `true`/`false`,
//! and refuses a bounded `track_total_hits` (an integer total could not say "at least").
//! With tracking off the integer total is `-1`.

use rampart_query::{SearchRequest, TrackTotalHits};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::Req;

pub const PARAM: &str = "rest_total_hits_as_int";

/// Whether the request asks for integer totals (a bare `?rest_total_hits_as_int` is true).
pub fn requested(req: &Req) -> Result<bool, ApiError> {
    req.query_bool(PARAM, false)
}

/// Adjust `request`'s tracking for integer totals. `explicit` says whether the client set
/// `track_total_hits` (in the body or the URL); an unset one becomes accurate.
pub fn apply(request: &mut SearchRequest, explicit: bool) -> Result<(), ApiError> {
    match request.track_total_hits {
        TrackTotalHits::Accurate | TrackTotalHits::Off => Ok(()),
        TrackTotalHits::UpTo(_) if !explicit => {
            request.track_total_hits = TrackTotalHits::Accurate;
            Ok(())
        }
        TrackTotalHits::UpTo(n) => Err(ApiError::bad_request(format!(
            "[{PARAM}] cannot be used if the tracking of total hits is not accurate, got {n}"
        ))),
    }
}

/// Whether a search body or the URL sets `track_total_hits`.
pub fn explicit(req: &Req, body: Option<&Value>) -> bool {
    req.query("track_total_hits").is_some()
        || body.and_then(|b| b.get("track_total_hits")).is_some()
}

/// Rewrite `hits.total` of one search response as a number (`-1` when not tracked).
pub fn render(response: &mut Value) {
    let Some(hits) = response.get_mut("hits").and_then(Value::as_object_mut) else {
        return;
    };
    let total = hits
        .get("total")
        .and_then(|t| t.get("value"))
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    hits.insert("total".into(), json!(total));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_turns_the_object_into_its_value() {
        let mut r = json!({"hits": {"total": {"value": 3, "relation": "eq"}, "hits": []}});
        render(&mut r);
        assert_eq!(r["hits"]["total"], json!(3));
    }

    #[test]
    fn render_without_tracking_is_minus_one() {
        let mut r = json!({"hits": {"max_score": null, "hits": []}});
        render(&mut r);
        assert_eq!(r["hits"]["total"], json!(-1));
    }

    #[test]
    fn render_leaves_responses_without_hits_alone() {
        let mut r = json!({"count": 2});
        render(&mut r);
        assert_eq!(r, json!({"count": 2}));
    }

    #[test]
    fn unset_tracking_becomes_accurate() {
        let mut request = SearchRequest::default();
        apply(&mut request, false).unwrap();
        assert_eq!(request.track_total_hits, TrackTotalHits::Accurate);
    }

    #[test]
    fn booleans_are_kept() {
        for t in [TrackTotalHits::Accurate, TrackTotalHits::Off] {
            let mut request = SearchRequest {
                track_total_hits: t,
                ..SearchRequest::default()
            };
            apply(&mut request, true).unwrap();
            assert_eq!(request.track_total_hits, t);
        }
    }

    #[test]
    fn a_bound_is_refused_with_es_message() {
        let mut request = SearchRequest {
            track_total_hits: TrackTotalHits::UpTo(100),
            ..SearchRequest::default()
        };
        let e = apply(&mut request, true).unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.body()["error"]["reason"],
            "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got 100"
        );
    }
}
