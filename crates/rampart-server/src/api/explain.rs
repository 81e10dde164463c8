//! `GET|POST /_security/_explain`: Rampart's own API that answers one authorization question
//! with the engine's decision and its reasons (not an Elasticsearch API).
//!
//! Request body: an optional `"user"` (default: the caller) and exactly one question:
//! * `{"cluster": "<action or cluster privilege>"}` — an action (`cluster:monitor/health`) is
//!   authorized as a request would be; a privilege name (`monitor`) is checked by implication,
//!   as `_has_privileges` does;
//! * `{"index": {"action": "<index action>", "names": ["<index>", …]}}`;
//! * `{"application": {"application": "<app>", "privilege": "<name or action>",
//!   "resource": "<resource>"}}`.
//!
//! Response (200): `{"username", "question": <the question as sent>, "result": <decision>}` where
//! the decision is `{"decision": "allowed", "reasons": [{"kind": …}, …]}` or
//! `{"decision": "denied", "action", "message" (ES's 403 reason), "granted_by", "indices",
//! "restricted_indices"}`; index questions add `"access"` (per-name DLS/FLS) to the result.
//! Privilege-name and application questions are yes/no checks in the engine, so their result is
//! `{"decision": "allowed"|"denied", "reasons": [{"kind": "privilege_implication"|
//! "application_check", …}]}` without a denial message.
//! Explaining oneself needs nothing beyond authentication; explaining another user needs the
//! right to read users (`read_security` or `manage_security`), checked with the engine.

use std::sync::Arc;

use rampart_core::authz::{
    ApplicationCheck, ClusterRequest, Decision, EffectiveRole, IndexRequest, NoIndexMetadata,
    Subject,
};
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use serde_json::{Value, json};

use super::users::find_user;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// Reading other users' authorization is as sensitive as reading the users themselves.
const READ_USERS_ACTION: &str = "cluster:admin/xpack/security/user/get";

#[derive(Debug, Clone)]
enum Question {
    Cluster(String),
    Index {
        action: String,
        names: Vec<String>,
    },
    Application {
        application: String,
        privilege: String,
        resource: String,
    },
}

#[derive(Debug, Clone)]
struct Explain {
    user: Option<String>,
    question: Question,
    raw: Value,
}

fn field_str(
    obj: &serde_json::Map<String, Value>,
    ctx: &str,
    key: &str,
) -> Result<String, ApiError> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| ApiError::parse(format!("[{ctx}] requires a string field [{key}]")))
}

fn parse(body: &Value) -> Result<Explain, ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::parse("explain request body must be an object"))?;
    let mut user = None;
    let mut questions = Vec::new();
    for (key, value) in obj {
        match key.as_str() {
            "user" => {
                user = Some(
                    value
                        .as_str()
                        .ok_or_else(|| ApiError::parse("[user] must be a string"))?
                        .to_string(),
                );
            }
            "cluster" => {
                let c = value
                    .as_str()
                    .ok_or_else(|| ApiError::parse("[cluster] must be a string"))?;
                questions.push((key.clone(), Question::Cluster(c.to_string())));
            }
            "index" => {
                let o = value
                    .as_object()
                    .ok_or_else(|| ApiError::parse("[index] must be an object"))?;
                let names = o
                    .get("names")
                    .and_then(Value::as_array)
                    .ok_or_else(|| ApiError::parse("[index] requires an array field [names]"))?
                    .iter()
                    .map(|n| {
                        n.as_str()
                            .map(String::from)
                            .ok_or_else(|| ApiError::parse("[index.names] must be strings"))
                    })
                    .collect::<Result<_, _>>()?;
                let action = field_str(o, "index", "action")?;
                questions.push((key.clone(), Question::Index { action, names }));
            }
            "application" => {
                let o = value
                    .as_object()
                    .ok_or_else(|| ApiError::parse("[application] must be an object"))?;
                questions.push((
                    key.clone(),
                    Question::Application {
                        application: field_str(o, "application", "application")?,
                        privilege: field_str(o, "application", "privilege")?,
                        resource: field_str(o, "application", "resource")?,
                    },
                ));
            }
            other => {
                return Err(ApiError::parse(format!(
                    "failed to parse explain request. unexpected field [{other}]"
                )));
            }
        }
    }
    let mut questions = questions.into_iter();
    match (questions.next(), questions.next()) {
        (Some((key, question)), None) => Ok(Explain {
            user,
            raw: json!({ key.clone(): obj.get(&key).cloned().unwrap_or(Value::Null) }),
            question,
        }),
        _ => Err(ApiError::bad_request(
            "an explain request must ask exactly one of [cluster, index, application]",
        )),
    }
}

/// The body is validated before authorization; the caller needs no privilege to explain itself.
pub fn explain_facts(req: &Req, ctx: &Ctx) -> Result<Facts, ApiError> {
    parse(&req.json_required()?)?;
    Ok(Facts {
        username: Some(ctx.subject.effective_user().to_string()),
        ..Facts::default()
    })
}

fn is_action(s: &str) -> bool {
    s.contains(':') || s.contains('/')
}

async fn target(ctx: &Ctx, name: &str) -> Result<(Subject, EffectiveRole), ApiError> {
    let decision =
        ctx.role
            .authorize_cluster(&ctx.subject, READ_USERS_ACTION, &ClusterRequest::default())?;
    if let Some(d) = decision.denial() {
        return Err(ApiError::forbidden(d.message().to_string()));
    }
    let st = Arc::clone(&ctx.state);
    let name = name.to_string();
    blocking(move || {
        let Some((user, realm_name, realm_type)) = find_user(&st, &name)? else {
            return Err(ApiError::not_found(format!("user [{name}] not found")));
        };
        let store = st.store.as_ref();
        let resolved = st.security.resolve_roles(store, &user.roles)?;
        let role = EffectiveRole::plain(st.security.permission(store, &resolved)?);
        Ok((Subject::user(&user.username, realm_name, realm_type), role))
    })
    .await
}

fn decision_json(d: &Decision) -> Result<Value, ApiError> {
    serde_json::to_value(d).map_err(ApiError::internal)
}

/// `GET|POST /_security/_explain` (see the module documentation for shapes).
pub fn explain(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let ex = parse(&req.json_required()?)?;
        let (subject, role) = match ex.user.as_deref() {
            Some(name) if name != ctx.subject.effective_user() => target(&ctx, name).await?,
            _ => (ctx.subject.clone(), ctx.role.clone()),
        };
        let st = Arc::clone(&ctx.state);
        let apps = blocking(move || st.security.application_privileges(st.store.as_ref())).await?;
        let result = match &ex.question {
            Question::Cluster(c) if is_action(c) => {
                decision_json(&role.authorize_cluster(&subject, c, &ClusterRequest::default())?)?
            }
            Question::Cluster(privilege) => {
                let check = HasPrivilegesRequest {
                    cluster: vec![privilege.clone()],
                    ..Default::default()
                };
                let answer = has_privileges(&role, subject.effective_user(), &check, &apps)?;
                let granted = answer.has_all_requested();
                json!({
                    "decision": if granted { "allowed" } else { "denied" },
                    "reasons": [{"kind": "privilege_implication", "privilege": privilege, "implied": granted}],
                })
            }
            Question::Index { action, names } => {
                let request = IndexRequest {
                    action,
                    names,
                    data_streams: true,
                    lookup: &NoIndexMetadata,
                };
                let d = role.authorize_index(&subject, &request)?;
                let mut v = decision_json(&d.decision)?;
                if let Value::Object(m) = &mut v {
                    m.insert(
                        "access".into(),
                        serde_json::to_value(d.access()).map_err(ApiError::internal)?,
                    );
                }
                v
            }
            Question::Application {
                application,
                privilege,
                resource,
            } => {
                let check = ApplicationCheck {
                    application,
                    privilege,
                    resource,
                };
                let granted = role.check_application(&check, &apps)?;
                json!({
                    "decision": if granted { "allowed" } else { "denied" },
                    "reasons": [{"kind": "application_check", "application": application,
                                 "privilege": privilege, "resource": resource, "granted": granted}],
                })
            }
        };
        Ok(Reply::ok(json!({
            "username": subject.effective_user(),
            "question": ex.raw,
            "result": result,
        })))
    })
}
