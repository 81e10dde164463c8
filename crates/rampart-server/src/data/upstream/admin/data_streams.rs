//! `GET /_data_stream`, `/_data_stream/{name}` through the gateway: the expression is
//! resolved and authorized against the upstream's cached metadata as in the embedded plane,
//! only the authorized data streams are asked for by name, and the answer is filtered to
//! them again (fail closed, should the upstream list more).

use axum::http::Method;
use rampart_gateway::UpstreamRequest;
use serde_json::{Value, json};

use super::super::{send, with_params};
use crate::data::streams;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(in crate::data::upstream) const GET_DATA_STREAM: &str = "indices:admin/data_stream/get";

pub(super) async fn get(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    // A name without wildcard must exist and be authorized; wildcards skip what is not.
    let names =
        super::super::streams::authorized_streams(gateway, ctx, req, streams::only_patterns(req))
            .await?;
    if names.is_empty() {
        return Ok(Reply::ok(json!({"data_streams": []})));
    }
    let joined = names.join(",");
    let request = UpstreamRequest::new(Method::GET, &["_data_stream", joined.as_str()]);
    let (status, mut body) = send(gateway, &with_params(request, req)).await?;
    if (200..300).contains(&status) {
        keep_streams(&mut body, &names);
    }
    Ok(Reply::status(status, body))
}

/// Drops every listed data stream that is not one of `names`.
fn keep_streams(answer: &mut Value, names: &[String]) {
    if let Some(list) = answer.get_mut("data_streams").and_then(Value::as_array_mut) {
        list.retain(|s| {
            s.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| names.iter().any(|k| k == n))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_authorized_streams_are_kept() {
        let mut answer = json!({"data_streams": [
            {"name": "ds-app", "indices": []}, {"name": "ds-zed"}, {"no_name": true}]});
        keep_streams(&mut answer, &["ds-app".to_owned()]);
        assert_eq!(
            answer,
            json!({"data_streams": [{"name": "ds-app", "indices": []}]})
        );
    }
}
