//! `/_ingest/pipeline` APIs: put, get, delete (ids may be comma lists with `*` wildcards)
//! and simulate. Authorization is the route table's (cluster actions
//! `cluster:admin/ingest/pipeline/{put,get,delete,simulate}`).

use rampart_core::resolve::simple_match;
use serde_json::{Map, Value, json};

use super::pipeline::Pipeline;
use super::run::user_facts;
use super::store;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::{blocking, read_inline};

/// `PUT /_ingest/pipeline/{id}`: validated (every processor compiled) before it is stored.
pub fn put(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let id = req.param_required("id")?.to_string();
        if id.is_empty() {
            return Err(ApiError::validation(&["pipeline id is missing".into()]));
        }
        let definition = req.json_required()?;
        Pipeline::compile(&id, &definition)?;
        let store = std::sync::Arc::clone(&ctx.state.store);
        blocking(move || store::put(store.as_ref(), &id, &definition)).await?;
        Ok(Reply::ok(json!({"acknowledged": true})))
    })
}

/// `GET /_ingest/pipeline`, `GET /_ingest/pipeline/{id}`: `{id: definition}`; nothing found
/// answers 404 with `{}`, as ES does. `?summary=true` leaves the definitions out.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let patterns = req.param("id").map(split_ids).unwrap_or_default();
        let summary = req.query_bool("summary", false)?;
        let all = read_inline(|| store::list(ctx.state.store.as_ref()))?;
        let mut out = Map::new();
        for (id, definition) in all {
            if patterns.is_empty() || patterns.iter().any(|p| simple_match(p, &id)) {
                let shown = if summary { json!({}) } else { definition };
                out.insert(id, shown);
            }
        }
        if out.is_empty() {
            return Err(ApiError::bare(404, json!({})));
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `DELETE /_ingest/pipeline/{id}`: a literal id that matches nothing is a 404; a wildcard
/// that matches nothing is not. A pipeline an index names as its default or final pipeline
/// is refused, so no write can reach a missing pipeline through index settings.
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let raw = req.param_required("id")?.to_string();
        let patterns = split_ids(&raw);
        let existing = read_inline(|| store::list(ctx.state.store.as_ref()))?;
        let doomed: Vec<String> = existing
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| patterns.iter().any(|p| simple_match(p, id)))
            .collect();
        if doomed.is_empty() && !patterns.iter().any(|p| p.contains('*')) {
            return Err(ApiError::not_found(format!("pipeline [{raw}] is missing")));
        }
        for id in &doomed {
            check_unused(&ctx, id)?;
        }
        let store = std::sync::Arc::clone(&ctx.state.store);
        blocking(move || {
            for id in &doomed {
                store::delete(store.as_ref(), id)?;
            }
            Ok(())
        })
        .await?;
        Ok(Reply::ok(json!({"acknowledged": true})))
    })
}

/// Refuse deleting a pipeline an index setting names.
fn check_unused(ctx: &Ctx, id: &str) -> Result<(), ApiError> {
    let engine = &ctx.state.data;
    let mut default_for = Vec::new();
    let mut final_for = Vec::new();
    for index in engine.index_names() {
        // An index whose settings cannot be read may name the pipeline: refuse, not guess.
        let settings = engine.get_settings(&index)?;
        let named = |key: &str| {
            let s = settings.get("settings");
            s.and_then(|s| s.get("index"))
                .and_then(|i| i.get(key))
                .or_else(|| s.and_then(|s| s.get(format!("index.{key}"))))
                .and_then(Value::as_str)
                == Some(id)
        };
        if named("default_pipeline") {
            default_for.push(index.clone());
        }
        if named("final_pipeline") {
            final_for.push(index);
        }
    }
    let describe = |what: &str, mut indices: Vec<String>| {
        indices.sort();
        let count = indices.len();
        indices.truncate(3);
        format!(
            "the {what} pipeline for {count} index(es) including [{}]",
            indices.join(",")
        )
    };
    let reasons: Vec<String> = [
        (!default_for.is_empty()).then(|| describe("default", default_for)),
        (!final_for.is_empty()).then(|| describe("final", final_for)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if reasons.is_empty() {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "pipeline [{id}] cannot be deleted because it is {}",
        reasons.join(" and ")
    )))
}

/// `GET|POST /_ingest/pipeline/_simulate` and `/_ingest/pipeline/{id}/_simulate`: runs the
/// given (or stored) pipeline on the body's `docs` as the caller, writing nothing.
pub fn simulate(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        if req.query_bool("verbose", false)? {
            return Err(ApiError::bad_request(
                "[verbose] simulation is not supported by this server",
            ));
        }
        let body = req.json_required()?;
        let pipeline = match req.param("id") {
            Some(id) => {
                let definition = read_inline(|| store::get(ctx.state.store.as_ref(), id))?
                    .ok_or_else(|| {
                        ApiError::bad_request(format!("pipeline [{id}] does not exist"))
                    })?;
                Pipeline::compile(id, &definition)?
            }
            None => {
                let definition = body.get("pipeline").ok_or_else(|| {
                    ApiError::parse("[pipeline] required property is missing")
                        .with_meta("property_name", json!("pipeline"))
                })?;
                Pipeline::compile("_simulate_pipeline", definition)?
            }
        };
        let docs = simulated_docs(&body)?;
        let user = if pipeline.needs_user() {
            user_facts(&ctx)?
        } else {
            Default::default()
        };
        let timestamp = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let results: Vec<Value> = docs
            .into_iter()
            .map(
                |(index, id, mut source)| match pipeline.run(&mut source, &user) {
                    Ok(()) => json!({"doc": {
                        "_index": index, "_version": "-3", "_id": id,
                        "_source": source, "_ingest": {"timestamp": timestamp},
                    }}),
                    Err(e) => json!({"error": error_object(&e)}),
                },
            )
            .collect();
        Ok(Reply::ok(json!({"docs": results})))
    })
}

/// A simulated document: `_index`, `_id` and `_source`.
type SimulatedDoc = (Value, Value, Map<String, Value>);

/// Each simulated document of the body.
fn simulated_docs(body: &Value) -> Result<Vec<SimulatedDoc>, ApiError> {
    let docs = match body.get("docs") {
        Some(Value::Array(docs)) => docs,
        None | Some(Value::Null) => {
            return Err(ApiError::parse("[docs] required property is missing")
                .with_meta("property_name", json!("docs")));
        }
        Some(_) => {
            return Err(ApiError::parse("[docs] property isn't a list")
                .with_meta("property_name", json!("docs")));
        }
    };
    if docs.is_empty() {
        return Err(ApiError::bad_request(
            "must specify at least one document in [docs]",
        ));
    }
    docs.iter()
        .map(|doc| {
            let source = match doc.get("_source") {
                Some(Value::Object(m)) => m.clone(),
                _ => {
                    return Err(ApiError::parse("[_source] required property is missing")
                        .with_meta("property_name", json!("_source")));
                }
            };
            let index = doc.get("_index").cloned().unwrap_or(json!("_index"));
            let id = doc.get("_id").cloned().unwrap_or(json!("_id"));
            Ok((index, id, source))
        })
        .collect()
}

fn error_object(e: &ApiError) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(e.es_type));
    m.insert("reason".into(), json!(e.reason));
    let mut out = Map::new();
    out.insert("root_cause".into(), json!([Value::Object(m.clone())]));
    out.extend(m);
    Value::Object(out)
}

fn split_ids(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_match_handles_stars_anywhere() {
        assert!(simple_match("*", "anything"));
        assert!(simple_match("my*", "my_pipeline"));
        assert!(simple_match("*line", "my_pipeline"));
        assert!(simple_match("m*_*e", "my_pipeline"));
        assert!(simple_match("exact", "exact"));
        assert!(!simple_match("exact", "exactly"));
        assert!(!simple_match("a*b", "ab_c"));
        assert!(!simple_match("ab*ba", "aba"));
    }

    #[test]
    fn simulated_docs_default_their_metadata() {
        let docs = simulated_docs(
            &json!({"docs": [{"_source": {"a": 1}}, {"_index": "i", "_id": "7", "_source": {}}]}),
        )
        .unwrap();
        assert_eq!(docs[0].0, json!("_index"));
        assert_eq!(docs[1].1, json!("7"));
        assert!(simulated_docs(&json!({"docs": []})).is_err());
        assert!(simulated_docs(&json!({"docs": [{}]})).is_err());
        assert!(simulated_docs(&json!({})).is_err());
    }
}
