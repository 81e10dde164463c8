//! `_bulk` through the gateway: items are parsed and authorized one by one exactly as the
//! embedded data plane does (`data::write::{parse_bulk, authorize_items}`); the allowed items
//! go upstream in one `_bulk` on their authorized write targets, the refused ones are
//! answered here, and the two are merged back in request order.

use axum::http::Method;
use rampart_core::write::{ItemFailure, WriteOp};
use rampart_gateway::UpstreamRequest;
use serde_json::{Map, Value, json};

use super::{auto_put, metadata_for_writes, send, with_params};
use crate::data::write::{self, WriteItem};
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(super) const BULK: &str = "indices:data/write/bulk";

/// The action and metadata line of one forwarded item, on its authorized target.
fn action_line(item: &WriteItem, target: &str) -> Value {
    let mut meta = Map::new();
    meta.insert("_index".into(), json!(target));
    if let Some(id) = &item.id {
        meta.insert("_id".into(), json!(id));
    }
    // The pipeline the item was judged with (its own, or `?pipeline=`), so the upstream
    // writes the document the `auto_put` check saw.
    if let Some(pipeline) = &item.pipeline
        && item.op != WriteOp::Delete
    {
        meta.insert("pipeline".into(), json!(pipeline));
    }
    let cond = &item.cond;
    if let Some(seq_no) = cond.if_seq_no {
        meta.insert("if_seq_no".into(), json!(seq_no));
    }
    if let Some(term) = cond.if_primary_term {
        meta.insert("if_primary_term".into(), json!(term));
    }
    if let Some(version) = cond.external_version {
        meta.insert("version".into(), json!(version));
        let kind = if cond.external_gte {
            "external_gte"
        } else {
            "external"
        };
        meta.insert("version_type".into(), json!(kind));
    }
    json!({ write::op_name(item.op): meta })
}

/// The ndjson of the allowed items, and their positions in the request.
fn forwarded(
    items: &[WriteItem],
    targets: &[Option<String>],
    failures: &[Option<ItemFailure>],
) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut positions = Vec::new();
    for (pos, ((item, target), failure)) in items.iter().zip(targets).zip(failures).enumerate() {
        if failure.is_some() {
            continue;
        }
        // An existing name's write index was authorized; a missing name was authorized for
        // auto-create under its own name.
        let target = target.as_deref().unwrap_or(&item.index);
        text.push_str(&action_line(item, target).to_string());
        text.push('\n');
        if item.op != WriteOp::Delete {
            let body = item.body.clone().unwrap_or_else(|| json!({}));
            text.push_str(&body.to_string());
            text.push('\n');
        }
        positions.push(pos);
    }
    (text, positions)
}

fn refused(item: &WriteItem, failure: &ItemFailure) -> Value {
    json!({ write::op_name(item.op): {
        "_index": item.index,
        "_id": item.id,
        "status": failure.status,
        "error": {"type": failure.es_type, "reason": failure.reason},
    }})
}

/// Answers the upstream gave for the forwarded items, checked to be one per item.
fn upstream_items(answer: &Value, expected: usize) -> Result<Vec<Value>, ApiError> {
    let items = answer
        .get("items")
        .and_then(Value::as_array)
        .filter(|items| items.len() == expected)
        .ok_or_else(|| {
            tracing::warn!("the upstream's bulk answer does not have one item per request");
            ApiError::new(
                502,
                "status_exception",
                "the upstream cluster gave an invalid answer",
            )
        })?;
    Ok(items.clone())
}

fn item_failed(item: &Value) -> bool {
    item.as_object()
        .and_then(|o| o.values().next())
        .and_then(|r| r.get("status"))
        .and_then(Value::as_u64)
        .is_none_or(|s| s >= 300)
}

/// `POST|PUT /_bulk`, `/{index}/_bulk`.
pub(super) async fn bulk(gateway: &Gateway, ctx: &Ctx, req: &Req) -> Result<Reply, ApiError> {
    let items = write::parse_bulk(req)?;
    let meta = metadata_for_writes(gateway, items.iter().map(|i| i.index.as_str())).await?;
    let (decided, mut failures) = write::authorize_items(ctx, &items, &meta)?;
    auto_put::check(gateway, ctx, &items, &decided, &mut failures, &meta).await?;
    // The authorized landing index, or for an auto-create the resolved name (date math
    // applied here, so the upstream cannot resolve it to another day than was authorized).
    let targets: Vec<Option<String>> = decided
        .into_iter()
        .map(|b| b.concrete.or(Some(b.index)))
        .collect();
    let (text, positions) = forwarded(&items, &targets, &failures);
    let mut answers = Vec::new();
    let mut took = json!(0);
    if !positions.is_empty() {
        let request = UpstreamRequest::new(Method::POST, &["_bulk"]).ndjson(text);
        // URL parameters (`refresh`, `timeout`, …) apply as sent; the index of the path is
        // already in every action line.
        let (_, answer) = send(gateway, &with_params(request, req)).await?;
        // Items may have created indices.
        gateway.metadata.invalidate();
        answers = upstream_items(&answer, positions.len())?;
        took = answer.get("took").cloned().unwrap_or(took);
    }
    let mut answers = answers.into_iter();
    let mut errors = false;
    let mut rendered = Vec::with_capacity(items.len());
    for (item, failure) in items.iter().zip(&failures) {
        let answer = match failure {
            Some(f) => refused(item, f),
            // Counted above: one upstream answer per forwarded item.
            None => answers.next().unwrap_or(Value::Null),
        };
        errors |= item_failed(&answer);
        rendered.push(answer);
    }
    Ok(Reply::ok(
        json!({"took": took, "errors": errors, "items": rendered}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_search::WriteConditions;

    fn item(op: WriteOp, id: Option<&str>, body: Option<Value>) -> WriteItem {
        WriteItem {
            index: "logs".into(),
            id: id.map(String::from),
            op,
            body,
            cond: WriteConditions::default(),
            pipeline: None,
        }
    }

    #[test]
    fn refused_items_stay_here_and_targets_are_the_authorized_ones() {
        let items = vec![
            item(WriteOp::Index, Some("1"), Some(json!({"a": 1}))),
            item(WriteOp::Delete, Some("2"), None),
            item(WriteOp::Create, None, Some(json!({"b": 2}))),
        ];
        let targets = vec![Some("logs-000001".to_string()), None, None];
        let failures = vec![
            None,
            Some(ItemFailure {
                status: 403,
                es_type: "security_exception",
                reason: "no".into(),
            }),
            None,
        ];
        let (text, positions) = forwarded(&items, &targets, &failures);
        assert_eq!(positions, vec![0, 2]);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines,
            vec![
                json!({"index": {"_index": "logs-000001", "_id": "1"}}),
                json!({"a": 1}),
                json!({"create": {"_index": "logs"}}),
                json!({"b": 2}),
            ]
        );
    }

    #[test]
    fn conditions_are_forwarded() {
        let mut piped = item(WriteOp::Create, None, Some(json!({})));
        piped.pipeline = Some("p".into());
        assert_eq!(
            action_line(&piped, "i"),
            json!({"create": {"_index": "i", "pipeline": "p"}})
        );
        let mut it = item(WriteOp::Index, Some("1"), Some(json!({})));
        it.cond.if_seq_no = Some(3);
        it.cond.if_primary_term = Some(1);
        assert_eq!(
            action_line(&it, "i"),
            json!({"index": {"_index": "i", "_id": "1", "if_seq_no": 3, "if_primary_term": 1}})
        );
        let mut ext = item(WriteOp::Index, Some("1"), Some(json!({})));
        ext.cond.external_version = Some(9);
        assert_eq!(
            action_line(&ext, "i")["index"]["version_type"],
            json!("external")
        );
    }

    #[test]
    fn a_short_upstream_answer_is_an_error_not_a_guess() {
        let answer = json!({"items": [{"index": {"status": 201}}]});
        assert_eq!(upstream_items(&answer, 2).unwrap_err().status, 502);
        assert!(!item_failed(&answer["items"][0]));
        assert!(item_failed(&json!({"index": {"status": 409}})));
    }
}
