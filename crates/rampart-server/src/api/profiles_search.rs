//! `GET|POST /_security/profile/_suggest`: enabled profiles whose username, full name or
//! email has a word starting with a term of `name`, best first; `hint` (uids, one label)
//! ranks matching profiles higher without filtering others out.
//!
//! ES runs a fuzzy `bool_prefix` multi-match over analyzed fields; this is its exact-prefix
//! core (no fuzziness), which is what suggestions of names typed so far need.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::profiles::load_all;
use super::profiles_doc::ProfileDoc;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

const DEFAULT_SIZE: usize = 10;

/// A parsed suggest request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Suggest {
    pub name: Option<String>,
    pub size: usize,
    pub data: Vec<String>,
    pub hint_uids: Vec<String>,
    /// (label key, accepted values)
    pub hint_label: Option<(String, Vec<String>)>,
}

fn parse_error(reason: String) -> ApiError {
    ApiError::new(400, "x_content_parse_exception", reason)
}

fn strings(field: &str, v: &Value) -> Result<Vec<String>, ApiError> {
    match v {
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str().map(String::from).ok_or_else(|| {
                    parse_error(format!(
                        "[suggest_profile_request] failed to parse field [{field}]"
                    ))
                })
            })
            .collect(),
        _ => Err(parse_error(format!(
            "[suggest_profile_request] failed to parse field [{field}]"
        ))),
    }
}

fn parse_hint(v: &Value, out: &mut Suggest, problems: &mut Vec<String>) -> Result<(), ApiError> {
    let Some(hint) = v.as_object() else {
        return Err(parse_error(
            "[suggest_profile_request] failed to parse field [hint]".into(),
        ));
    };
    for (k, v) in hint {
        match k.as_str() {
            "uids" => {
                out.hint_uids = strings("hint.uids", v)?;
                if out.hint_uids.is_empty() {
                    problems.push("[hint.uids] must not be empty".into());
                }
            }
            "labels" => {
                let Some(labels) = v.as_object() else {
                    return Err(parse_error(
                        "[suggest_profile_request] failed to parse field [hint.labels]".into(),
                    ));
                };
                match labels.iter().next() {
                    None => problems.push("[hint.labels] must not be empty".into()),
                    Some(_) if labels.len() > 1 => problems.push(format!(
                        "[hint.labels] supports a single key, got [{}]",
                        labels.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    Some((key, values)) => {
                        out.hint_label = Some((key.clone(), strings("hint.labels", values)?));
                    }
                }
            }
            other => {
                return Err(parse_error(format!("[hint] unknown field [{other}]")));
            }
        }
    }
    if out.hint_uids.is_empty() && out.hint_label.is_none() && problems.is_empty() {
        problems.push("[hint] must not be empty".into());
    }
    Ok(())
}

/// Parse the body (optional) and the `data` query parameter.
pub(crate) fn parse(req: &Req) -> Result<Suggest, ApiError> {
    let mut out = Suggest {
        size: DEFAULT_SIZE,
        data: req.query_list("data"),
        ..Suggest::default()
    };
    let mut problems = Vec::new();
    if let Some(body) = req.json()? {
        let Some(obj) = body.as_object() else {
            return Err(parse_error(
                "[suggest_profile_request] expected an object".into(),
            ));
        };
        for (k, v) in obj {
            match k.as_str() {
                "name" => {
                    out.name = Some(
                        v.as_str()
                            .ok_or_else(|| {
                                parse_error(
                                    "[suggest_profile_request] failed to parse field [name]".into(),
                                )
                            })?
                            .to_string(),
                    );
                }
                "size" => {
                    let n = v.as_i64().ok_or_else(|| {
                        parse_error("[suggest_profile_request] failed to parse field [size]".into())
                    })?;
                    match usize::try_from(n) {
                        Ok(n) => out.size = n,
                        Err(_) => problems
                            .push(format!("[size] parameter cannot be negative but was [{n}]")),
                    }
                }
                "data" => out.data.extend(strings("data", v)?),
                "hint" => parse_hint(v, &mut out, &mut problems)?,
                other => {
                    return Err(parse_error(format!(
                        "[suggest_profile_request] unknown field [{other}]"
                    )));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(&problems))
    }
}

/// Lowercased words of a field: the whole value and its alphanumeric runs.
fn words(value: &str) -> Vec<String> {
    let lower = value.to_lowercase();
    let mut out: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    out.push(lower);
    out
}

/// How well a profile matches: `None` when `name` is given and no term matches.
pub(crate) fn score(doc: &ProfileDoc, request: &Suggest) -> Option<u32> {
    let mut score = 0u32;
    if let Some(name) = request.name.as_deref().filter(|n| !n.trim().is_empty()) {
        let fields = [
            Some(doc.user.username.as_str()),
            doc.user.full_name.as_deref(),
            doc.user.email.as_deref(),
        ];
        let vocabulary: Vec<String> = fields.iter().flatten().flat_map(|f| words(f)).collect();
        let matched = name
            .to_lowercase()
            .split_whitespace()
            .filter(|term| vocabulary.iter().any(|w| w.starts_with(term)))
            .count();
        if matched == 0 {
            return None;
        }
        score = u32::try_from(matched).unwrap_or(u32::MAX);
    }
    if request.hint_uids.contains(&doc.uid) {
        score = score.saturating_add(1);
    }
    if let Some((key, values)) = &request.hint_label {
        let hit = match doc.labels.get(key) {
            Some(Value::String(s)) => values.contains(s),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .any(|s| values.iter().any(|v| v == s)),
            _ => false,
        };
        if hit {
            score = score.saturating_add(1);
        }
    }
    Some(score)
}

/// `GET|POST /_security/profile/_suggest`.
pub fn suggest(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let started = Instant::now();
        let request = parse(&req)?;
        let st = Arc::clone(&ctx.state);
        let all = blocking(move || load_all(st.store.as_ref())).await?;
        let mut hits: Vec<(u32, ProfileDoc)> = all
            .into_iter()
            .filter(|s| s.doc.enabled)
            .filter_map(|s| score(&s.doc, &request).map(|sc| (sc, s.doc)))
            .collect();
        // Best score first, then most recently synchronized, as ES sorts.
        hits.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.last_synchronized.cmp(&a.1.last_synchronized))
                .then(a.1.uid.cmp(&b.1.uid))
        });
        let total = hits.len();
        let profiles: Vec<Value> = hits
            .iter()
            .take(request.size)
            .map(|(_, d)| d.render_hit(&request.data))
            .collect();
        let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut body = Map::new();
        body.insert("took".into(), json!(took));
        body.insert("total".into(), json!({"value": total, "relation": "eq"}));
        body.insert("profiles".into(), json!(profiles));
        Ok(Reply::ok(Value::Object(body)))
    })
}

#[cfg(test)]
mod tests {
    use super::super::profiles_doc::ProfileUser;
    use super::*;

    fn doc(uid: &str, username: &str, full_name: Option<&str>) -> ProfileDoc {
        ProfileDoc::new(
            uid.into(),
            ProfileUser {
                username: username.into(),
                roles: vec![],
                realm_name: "default_native".into(),
                realm_type: "native".into(),
                email: Some(format!("{username}@example.com")),
                full_name: full_name.map(String::from),
            },
            0,
        )
    }

    fn named(name: &str) -> Suggest {
        Suggest {
            name: Some(name.into()),
            size: 10,
            ..Suggest::default()
        }
    }

    #[test]
    fn prefixes_of_any_word_match() {
        let joe = doc("u1", "joe", Some("Bazooka Joe"));
        assert_eq!(score(&joe, &named("joe")), Some(1));
        assert_eq!(score(&joe, &named("baz")), Some(1));
        assert_eq!(score(&joe, &named("BAZ jo")), Some(2));
        assert_eq!(score(&joe, &named("exam")), Some(1));
        assert_eq!(score(&joe, &named("zzz")), None);
        assert_eq!(score(&joe, &Suggest::default()), Some(0));
    }

    #[test]
    fn hints_raise_scores_without_filtering() {
        let mut joe = doc("u1", "joe", None);
        joe.labels.insert("space".into(), json!("demo"));
        let mut req = named("jo");
        req.hint_uids = vec!["u1".into()];
        req.hint_label = Some(("space".into(), vec!["demo".into()]));
        assert_eq!(score(&joe, &req), Some(3));
        assert_eq!(score(&doc("u2", "jim", None), &req), None);
    }
}
