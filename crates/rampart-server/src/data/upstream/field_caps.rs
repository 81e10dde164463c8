//! `_field_caps` through the gateway: resolved and authorized like the embedded plane, sent on
//! the concrete indices, and answered without the fields FLS hides (an object stays when some
//! field under it is visible, as embedded). One upstream answer merges its indices, so it can
//! be filtered exactly only when every target has the same field set; targets under
//! different field sets are refused rather than answered approximately. `index_filter`
//! (which tests documents, hidden ones included) and `runtime_mappings` are refused to a
//! restricted caller.

use axum::http::Method;
use rampart_core::fls::FieldPermissions;
use rampart_core::resolve::IndicesOptions;
use rampart_gateway::UpstreamRequest;
use serde_json::{Value, json};

use super::{metadata, send, targets, with_params};
use crate::data::target;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const FIELD_CAPS: &str = "indices:data/read/field_caps";

/// The `fields` patterns of the URL and the body (ES requires at least one).
fn requested_fields(req: &Req, body: Option<&Value>) -> Vec<String> {
    let mut patterns = req.query_list("fields");
    match body.and_then(|b| b.get("fields")) {
        Some(Value::String(s)) => patterns.extend(s.split(',').map(String::from)),
        Some(Value::Array(a)) => {
            patterns.extend(a.iter().filter_map(Value::as_str).map(String::from));
        }
        _ => {}
    }
    patterns
}

/// `GET|POST /_field_caps`, `/{index}/_field_caps`.
pub(super) async fn field_caps(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json()?;
    if requested_fields(req, body.as_ref()).is_empty() {
        return Err(ApiError::validation(&[
            "specified fields can't be null or empty".into(),
        ]));
    }
    let meta = metadata(gateway).await?;
    let options = target::options(req, IndicesOptions::strict_expand_open())?;
    let authorized = target::authorize(
        ctx,
        req,
        FIELD_CAPS,
        &target::expressions(req),
        &options,
        &meta,
    )?;
    if authorized.placeholder || authorized.names.is_empty() {
        return Ok(Reply::ok(json!({"indices": [], "fields": {}})));
    }
    let found = targets(ctx, FIELD_CAPS, &authorized, &meta)?;
    let restricted = found.iter().any(|t| t.restrictions.is_restricted());
    if restricted {
        for key in ["index_filter", "runtime_mappings"] {
            if body.as_ref().is_some_and(|b| b.get(key).is_some()) {
                return Err(ApiError::new(
                    400,
                    "security_exception",
                    format!("[{key}] is not allowed when document or field level security applies"),
                ));
            }
        }
    }
    let field_set = match found.as_slice() {
        [first, rest @ ..] => {
            let fields = |t: &rampart_gateway::rewrite::Target| {
                t.restrictions
                    .fields
                    .clone()
                    .filter(|f| !f.is_unrestricted())
            };
            let set = fields(first);
            if rest.iter().any(|t| fields(t) != set) {
                return Err(ApiError::bad_request(
                    "[_field_caps] over indices with different field level security is not supported in gateway mode",
                ));
            }
            set
        }
        [] => None,
    };
    let indices: Vec<&str> = found.iter().map(|t| t.index.as_str()).collect();
    let path = indices.join(",");
    let mut request = UpstreamRequest::new(Method::POST, &[&path, "_field_caps"]).idempotent();
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, mut answer) = send(gateway, &with_params(request, req)).await?;
    if let Some(fields) = &field_set {
        visible_fields(&mut answer, fields);
    }
    Ok(Reply::status(status, answer))
}

/// Drops the fields `fields` hides from a field caps answer; objects stay when a field under
/// them is visible.
fn visible_fields(answer: &mut Value, fields: &FieldPermissions) {
    let Some(Value::Object(map)) = answer.get_mut("fields") else {
        return;
    };
    map.retain(|name, types| {
        let object = types.as_object().is_some_and(|t| t.contains_key("object"));
        fields.permits(name) || (object && fields.permits_object_path_prefix(name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fls::FieldSecurityDef;

    #[test]
    fn hidden_fields_are_dropped_and_parents_of_visible_ones_kept() {
        let fields = FieldSecurityDef::new(["title", "meta.a"], Vec::<String>::new())
            .compile()
            .unwrap();
        let caps =
            |ty: &str| json!({ ty: {"type": ty, "searchable": true, "aggregatable": false} });
        let mut answer = json!({"indices": ["docs"], "fields": {
            "title": caps("text"), "salary": caps("long"), "meta": caps("object"),
            "meta.a": caps("keyword"), "meta.b": caps("keyword"), "secret": caps("object"),
        }});
        visible_fields(&mut answer, &fields);
        let mut kept: Vec<&String> = answer["fields"].as_object().unwrap().keys().collect();
        kept.sort();
        assert_eq!(kept, ["meta", "meta.a", "title"]);
    }
}
