//! `GET|PUT /_security/settings`: the index settings of the security indices (`.security`,
//! `.security-tokens`, `.security-profile`). Only the replica settings may change, as in ES.
//! Rampart keeps its security data in its own store, so the settings are recorded (one
//! store object) and reported back; they do not change how data is stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_store::WriteCondition;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

const KIND: &str = "settings";
const ID: &str = "security-index-settings";
/// The request/response keys of the three indices, in ES's order.
const INDICES: [&str; 3] = ["security", "security-tokens", "security-profile"];
const AUTO_EXPAND: &str = "index.auto_expand_replicas";
const REPLICAS: &str = "index.number_of_replicas";
const ALLOWED: [&str; 2] = [AUTO_EXPAND, REPLICAS];

/// Settings per index: flat setting name → value.
type IndexSettings = BTreeMap<String, String>;

/// What a fresh node reports: the security indices' defaults.
fn defaults() -> BTreeMap<String, IndexSettings> {
    INDICES
        .iter()
        .map(|i| {
            let s: IndexSettings = [(AUTO_EXPAND, "0-1"), (REPLICAS, "0")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            (i.to_string(), s)
        })
        .collect()
}

/// Flatten nested setting objects into dotted names (`{"index": {"a": 1}}` → `index.a`).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn valid_value(name: &str, value: &str) -> bool {
    match name {
        REPLICAS => value.parse::<u32>().is_ok(),
        AUTO_EXPAND => {
            value == "false"
                || value.split_once('-').is_some_and(|(lo, hi)| {
                    lo.parse::<u32>().is_ok() && (hi == "all" || hi.parse::<u32>().is_ok())
                })
        }
        _ => false,
    }
}

/// The requested changes: per index, setting → new value (`None` resets it).
type Changes = BTreeMap<String, Vec<(String, Option<String>)>>;

fn parse(body: &Value) -> Result<Changes, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::parse("request body must be a JSON object"));
    };
    let mut changes = Changes::new();
    let mut problems = Vec::new();
    for (index, settings) in obj {
        if !INDICES.contains(&index.as_str()) {
            return Err(ApiError::new(
                400,
                "x_content_parse_exception",
                format!("[update_security_settings_request] unknown field [{index}]"),
            ));
        }
        let mut flat = Vec::new();
        flatten("", settings, &mut flat);
        let forbidden: Vec<&str> = flat
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !k.is_empty() && !ALLOWED.contains(k))
            .collect();
        if !forbidden.is_empty() {
            problems.push(format!(
                "illegal settings for index [{index}]: [{}], these settings may not be configured. Only the following settings may be configured for that index: [{}]",
                forbidden.join(", "),
                ALLOWED.join(", ")
            ));
            continue;
        }
        let mut list = Vec::new();
        for (name, value) in flat.into_iter().filter(|(k, _)| !k.is_empty()) {
            let value = match value {
                Value::Null => None,
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                other => Some(other.to_string()),
            };
            if let Some(v) = &value {
                if !valid_value(&name, v) {
                    return Err(ApiError::bad_request(format!(
                        "Failed to parse value [{v}] for setting [{name}]"
                    )));
                }
            }
            list.push((name, value));
        }
        if !list.is_empty() {
            changes.insert(index.clone(), list);
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    if changes.is_empty() {
        return Err(ApiError::validation(
            &["No settings given to update".into()],
        ));
    }
    Ok(changes)
}

fn load(
    state: &crate::state::AppState,
) -> Result<(BTreeMap<String, IndexSettings>, Option<u64>), ApiError> {
    let stored = state
        .store
        .get_object(KIND, ID)
        .map_err(ApiError::internal)?;
    match stored {
        None => Ok((defaults(), None)),
        Some(obj) => {
            let parsed = serde_json::from_value(obj.doc.clone()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "stored security settings are unreadable; using defaults");
                defaults()
            });
            Ok((parsed, Some(obj.seq_no)))
        }
    }
}

/// The ES rendering: nested objects per index.
fn render(all: &BTreeMap<String, IndexSettings>) -> Value {
    let mut out = Map::new();
    for index in INDICES {
        let mut nested = Value::Object(Map::new());
        for (name, value) in all.get(index).into_iter().flatten() {
            let mut path = name.split('.').peekable();
            let mut slot = &mut nested;
            while let Some(part) = path.next() {
                let Some(obj) = slot.as_object_mut() else {
                    break;
                };
                if path.peek().is_none() {
                    obj.insert(part.to_string(), json!(value));
                    break;
                }
                slot = obj.entry(part.to_string()).or_insert_with(|| json!({}));
            }
        }
        out.insert(index.to_string(), nested);
    }
    Value::Object(out)
}

/// `GET /_security/settings`.
pub fn get(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let st = Arc::clone(&ctx.state);
        let (all, _) = blocking(move || load(&st)).await?;
        Ok(Reply::ok(render(&all)))
    })
}

/// The body is validated before authorization (400 before 403).
pub fn update_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    parse(&req.json_required()?)?;
    Ok(Facts::default())
}

/// `PUT /_security/settings`.
pub fn update(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let changes = parse(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        blocking(move || {
            for _ in 0..5 {
                let (mut all, seq_no) = load(&st)?;
                for (index, list) in &changes {
                    let settings = all.entry(index.clone()).or_default();
                    for (name, value) in list {
                        match value {
                            Some(v) => settings.insert(name.clone(), v.clone()),
                            None => settings.remove(name),
                        };
                    }
                }
                let doc = serde_json::to_value(&all).map_err(ApiError::internal)?;
                let condition = seq_no.map_or(WriteCondition::Absent, WriteCondition::SeqNo);
                match st.store.put_object(KIND, ID, &doc, condition) {
                    Ok(_) => return Ok(()),
                    Err(rampart_store::StoreError::Conflict(_)) => continue,
                    Err(e) => return Err(ApiError::internal(e)),
                }
            }
            Err(ApiError::conflict(
                "security settings kept changing concurrently",
            ))
        })
        .await?;
        Ok(Reply::ok(json!({"acknowledged": true})))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_replica_settings_may_change() {
        let e = parse(&json!({"security": {"index.max_ngram_diff": 0}}))
            .err()
            .unwrap();
        assert!(e.reason.contains(
            "illegal settings for index [security]: [index.max_ngram_diff], these settings may not be configured."
        ), "{}", e.reason);
        let e = parse(&json!({})).err().unwrap();
        assert!(e.reason.contains("No settings given to update"));
        let e = parse(&json!({"security": {"index.number_of_replicas": "x"}}))
            .err()
            .unwrap();
        assert_eq!(e.status, 400);
        let ok = parse(&json!({"security-tokens": {"index": {"auto_expand_replicas": "0-all"}}, "security": {"index.number_of_replicas": 1, "index.auto_expand_replicas": null}})).unwrap();
        assert_eq!(
            ok["security-tokens"],
            vec![(AUTO_EXPAND.to_string(), Some("0-all".to_string()))]
        );
        assert!(ok["security"].contains(&(REPLICAS.to_string(), Some("1".to_string()))));
        assert!(ok["security"].contains(&(AUTO_EXPAND.to_string(), None)));
    }

    #[test]
    fn settings_render_nested_with_defaults() {
        let r = render(&defaults());
        assert_eq!(r["security"]["index"]["number_of_replicas"], "0");
        assert_eq!(
            r["security-profile"]["index"]["auto_expand_replicas"],
            "0-1"
        );
    }
}
