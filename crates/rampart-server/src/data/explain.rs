//! `_explain` (one document against a query, under the caller's DLS/FLS: a hidden document
//! does not match) and `_field_caps` (the mapping's fields, minus those FLS hides).

use rampart_core::resolve::IndicesOptions;
use serde_json::{Value, json};

use super::search::{Target, concrete_targets};
use super::{engine, restrict, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

const EXPLAIN: &str = "indices:data/read/explain";
const FIELD_CAPS: &str = "indices:data/read/field_caps";

/// `GET|POST /{index}/_explain/{id}`.
pub fn explain(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let id = req.param_required("id")?.to_string();
        let body = req.json()?;
        let query = match (body.as_ref().and_then(|b| b.get("query")), req.query("q")) {
            (Some(q), _) => rampart_query::parse_query(q)?,
            (None, Some(_)) => super::search::parse_request(&req, None)?.query,
            (None, None) => {
                return Err(ApiError::validation(&["query is missing".into()]));
            }
        };
        let meta = ctx.state.data.metadata();
        let options = target::options(&req, IndicesOptions::single_index())?;
        let authorized = target::authorize(
            &ctx,
            &req,
            EXPLAIN,
            &target::expressions(&req),
            &options,
            &meta,
        )?;
        let targets = concrete_targets(&ctx, EXPLAIN, &authorized.access, &meta)?;
        let Some(Target { index, .. }) = targets.first() else {
            return Err(engine::index_not_found(
                &target::expressions(&req).join(","),
            ));
        };
        let restrictions = targets
            .first()
            .map(Target::restrictions)
            .unwrap_or_default();
        let out = ctx.state.data.explain(index, &id, &restrictions, &query)?;
        let found = ctx.state.data.get_doc(index, &id, true)?.is_some();
        // ES answers 404 (with `matched: false`) when the document does not exist; a document
        // hidden by DLS answers the same, so it cannot be told apart from a missing one.
        let visible = match &restrictions.documents {
            Some(q) => ctx.state.data.matches(index, &id, q)?,
            None => true,
        };
        if !found || !visible {
            return Ok(Reply::status(
                404,
                json!({"_index": index, "_id": id, "matched": false}),
            ));
        }
        Ok(Reply::ok(out))
    })
}

/// `GET|POST /_field_caps`, `/{index}/_field_caps`.
pub fn field_caps(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?;
        let mut patterns = req.query_list("fields");
        if let Some(fields) = body.as_ref().and_then(|b| b.get("fields")) {
            match fields {
                Value::String(s) => patterns.extend(s.split(',').map(String::from)),
                Value::Array(a) => {
                    patterns.extend(a.iter().filter_map(Value::as_str).map(String::from));
                }
                _ => {}
            }
        }
        if patterns.is_empty() {
            return Err(ApiError::validation(&[
                "specified fields can't be null or empty".into(),
            ]));
        }
        let meta = ctx.state.data.metadata();
        let options = target::options(&req, IndicesOptions::strict_expand_open())?;
        let authorized = target::authorize(
            &ctx,
            &req,
            FIELD_CAPS,
            &target::expressions(&req),
            &options,
            &meta,
        )?;
        let mut targets: Vec<(String, Option<rampart_core::fls::FieldPermissions>)> = Vec::new();
        for entry in &authorized.access {
            let fields = restrict::fields(&entry.fields)?;
            for index in meta.concrete_indices(&entry.name, None) {
                if !targets.iter().any(|(n, _)| n == index) {
                    targets.push((index.to_string(), fields.clone()));
                }
            }
        }
        Ok(Reply::ok(ctx.state.data.field_caps(&targets, &patterns)?))
    })
}
