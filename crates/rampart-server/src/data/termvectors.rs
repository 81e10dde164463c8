//! `GET|POST /{index}/_termvectors[/{id}]`: term vectors computed on the fly by the engine
//! (`rampart_search::termvectors`) for a stored document or an artificial `doc`, under the
//! caller's restrictions for `indices:data/read/tv`:
//!
//! - DLS: a document the role query hides answers `found: false`, exactly like a missing one;
//!   statistics (`doc_freq`, `ttf`, `field_statistics`) count only visible documents.
//! - FLS: hidden fields are never analysed, listed or counted, whether the request names them
//!   in `fields` or not.
//! - An artificial document is the caller's own data, so a restricted caller may analyse it,
//!   under the same rules: its FLS-hidden fields are dropped (their statistics would describe
//!   hidden data) and statistics see only visible documents. Elasticsearch computes them
//!   through the same DLS/FLS-filtered reader, which has neither hidden documents nor fields.

use std::time::Instant;

use rampart_core::resolve::IndicesOptions;
use rampart_search::TermVectorOptions;
use serde_json::{Map, Value, json};

use super::search::concrete_targets;
use super::{engine, target};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

const TERM_VECTORS: &str = "indices:data/read/tv";

/// A boolean option given in the URL or the body (the URL wins, as in Elasticsearch's REST
/// layer which applies it last).
fn flag(req: &Req, body: &Map<String, Value>, name: &str, default: bool) -> Result<bool, ApiError> {
    if req.query(name).is_some() {
        return req.query_bool(name, default);
    }
    match body.get(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(other) => Err(ApiError::parse(format!(
            "failed to parse [{name}]: expected a boolean, got [{other}]"
        ))),
    }
}

/// The requested options and the artificial document, if any.
fn parse(req: &Req, body: Option<&Value>) -> Result<(TermVectorOptions, Option<Value>), ApiError> {
    let empty = Map::new();
    let body = match body {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::parse("request body must be an object")),
    };
    for key in body.keys() {
        match key.as_str() {
            "doc" | "fields" | "positions" | "offsets" | "payloads" | "term_statistics"
            | "field_statistics" | "routing" | "version" | "version_type" => {}
            "per_field_analyzer" | "filter" => {
                return Err(ApiError::bad_request(format!(
                    "[{key}] is not supported by the embedded engine's term vectors"
                )));
            }
            other => {
                return Err(ApiError::new(
                    400,
                    "parsing_exception",
                    format!("failed to parse term vectors request: unknown field [{other}]"),
                ));
            }
        }
    }
    let mut fields = req.query_list("fields");
    match body.get("fields") {
        Some(Value::Array(items)) => {
            fields.extend(items.iter().filter_map(Value::as_str).map(String::from));
        }
        Some(Value::String(s)) => fields.extend(s.split(',').map(String::from)),
        _ => {}
    }
    let options = TermVectorOptions {
        fields: (!fields.is_empty()).then_some(fields),
        positions: flag(req, body, "positions", true)?,
        offsets: flag(req, body, "offsets", true)?,
        term_statistics: flag(req, body, "term_statistics", false)?,
        field_statistics: flag(req, body, "field_statistics", true)?,
    };
    let doc = match body.get("doc") {
        None => None,
        Some(Value::Object(doc)) => Some(Value::Object(doc.clone())),
        Some(_) => return Err(ApiError::parse("[doc] must be an object")),
    };
    Ok((options, doc))
}

/// `GET|POST /{index}/_termvectors`, `/{index}/_termvectors/{id}`.
pub fn termvectors(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let started = Instant::now();
        let body = req.json()?;
        let (options, artificial) = parse(&req, body.as_ref())?;
        let id = req.param("id").map(String::from);
        if id.is_none() && artificial.is_none() {
            return Err(ApiError::validation(&["id or doc is missing".into()]));
        }
        let realtime = req.query_bool("realtime", true)?;
        let meta = ctx.state.data.metadata();
        let indices_options = target::options(&req, IndicesOptions::single_index())?;
        let expressions = target::expressions(&req);
        let authorized = target::authorize(
            &ctx,
            &req,
            TERM_VECTORS,
            &expressions,
            &indices_options,
            &meta,
        )?;
        let targets = concrete_targets(&ctx, TERM_VECTORS, &authorized.access, &meta)?;
        let Some(first) = targets.first() else {
            return Err(engine::index_not_found(&expressions.join(",")));
        };
        let index = first.index.clone();
        let restrictions = first.restrictions();
        let took = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut answer = Map::new();
        answer.insert("_index".into(), json!(index));
        let source = match (&artificial, &id) {
            (Some(doc), _) => {
                answer.insert("_version".into(), json!(0));
                doc.clone()
            }
            (None, Some(id)) => {
                answer.insert("_id".into(), json!(id));
                let stored = ctx.state.data.get_doc(&index, id, realtime)?;
                // A document the role query hides is answered exactly like a missing one. The
                // role query is evaluated on the copy just read (with `realtime=false` the
                // refreshed one), never on a newer one the answer does not show.
                let visible = match (&stored, &restrictions.documents) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(doc), Some(q)) => {
                        let mapping = ctx.state.data.mapping(&index)?;
                        rampart_search::matches_source(&index, &mapping, id, &doc.source, q)?
                    }
                };
                let Some(stored) = stored.filter(|_| visible) else {
                    answer.insert("found".into(), json!(false));
                    answer.insert("took".into(), json!(took()));
                    return Ok(Reply::ok(Value::Object(answer)));
                };
                answer.insert("_version".into(), json!(stored.version.version));
                stored.source
            }
            (None, None) => return Err(ApiError::validation(&["id or doc is missing".into()])),
        };
        // Hidden fields are gone before analysis, so nothing about them can come back.
        let source = match &restrictions.fields {
            Some(f) => f.filter_source(&source),
            None => source,
        };
        let vectors = ctx
            .state
            .data
            .term_vectors(&index, &restrictions, &source, &options)?;
        answer.insert("found".into(), json!(true));
        answer.insert("took".into(), json!(took()));
        if let Some(vectors) = vectors {
            answer.insert("term_vectors".into(), vectors);
        }
        Ok(Reply::ok(Value::Object(answer)))
    })
}
