//! Application privileges: `PUT|POST|GET|DELETE /_security/privilege...`, the built-in
//! privilege list and the privilege cache clear.

use std::sync::Arc;

use rampart_core::catalog;
use rampart_core::role::{validate_application_name, validate_application_privilege_name};
use rampart_store::AppPrivilegeDoc;
use serde_json::{Map, Value, json};

use super::roles::{check_refresh, nodes_response};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// One privilege of a put request, parsed but not yet validated.
#[derive(Debug, Clone)]
struct NewPrivilege {
    application: String,
    name: String,
    actions: Vec<String>,
    metadata: Map<String, Value>,
}

impl NewPrivilege {
    fn to_doc(&self) -> AppPrivilegeDoc {
        AppPrivilegeDoc {
            application: self.application.clone(),
            name: self.name.clone(),
            doc: json!({
                "application": self.application,
                "name": self.name,
                "actions": self.actions,
                "metadata": self.metadata,
            }),
        }
    }
}

use rampart_core::json_token as type_name;

fn parse_privilege(application: &str, name: &str, body: &Value) -> Result<NewPrivilege, ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::parse(format!(
            "failed to parse privilege [{application}/{name}]. expected an object but found [{}] instead",
            type_name(body)
        )));
    };
    let mut out = NewPrivilege {
        application: application.to_string(),
        name: name.to_string(),
        actions: Vec::new(),
        metadata: Map::new(),
    };
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("application", Value::String(a)) if a != application => {
                return Err(ApiError::bad_request(format!(
                    "privilege application [{a}] in source does not match the provided application [{application}]"
                )));
            }
            ("name", Value::String(n)) if n != name => {
                return Err(ApiError::bad_request(format!(
                    "privilege name [{n}] in source does not match the provided name [{name}]"
                )));
            }
            ("application" | "name", Value::String(_)) => {}
            ("actions", Value::Array(items)) => {
                out.actions = items
                    .iter()
                    .map(|i| i.as_str().map(String::from))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        ApiError::parse(format!(
                            "failed to parse privilege [{application}/{name}]. [actions] must be an array of strings"
                        ))
                    })?;
            }
            ("actions", Value::String(s)) => out.actions = vec![s.clone()],
            ("metadata", Value::Object(m)) => out.metadata = m.clone(),
            ("metadata", Value::Null) => {}
            ("application" | "name" | "actions" | "metadata", other) => {
                return Err(ApiError::parse(format!(
                    "failed to parse privilege [{application}/{name}]. field [{key}] has the wrong type [{}]",
                    type_name(other)
                )));
            }
            _ => {
                return Err(ApiError::parse(format!(
                    "failed to parse privilege [{application}/{name}]. unexpected field [{key}]"
                )));
            }
        }
    }
    Ok(out)
}

/// Every problem of the request, in ES's order (one validation exception for all).
fn problems(privileges: &[NewPrivilege]) -> Vec<String> {
    let mut out = Vec::new();
    if privileges.is_empty() {
        out.push("At least one application privilege must be provided".to_string());
    }
    for p in privileges {
        if let Err(messages) = validate_application_name(&p.application, false) {
            out.extend(messages);
        }
        if let Err(message) = validate_application_privilege_name(&p.name) {
            out.push(message);
        }
        if p.actions.is_empty() {
            out.push("Application privileges must have at least one action".to_string());
        }
        for action in &p.actions {
            // Otherwise an action could not be told apart from a privilege name in a role.
            if !action.contains(['/', '*', ':']) {
                out.push(format!("action [{action}] must contain one of [/*:]"));
            }
            if !action.chars().all(|c| c.is_ascii_graphic()) {
                out.push(format!("Application privilege names and actions must match the pattern ^\\p{{Graph}}*$ (found '{action}')"));
            }
        }
        if p.metadata.keys().any(|k| k.starts_with('_')) {
            out.push(format!(
                "metadata keys may not start with [_] (in privilege {} {})",
                p.application, p.name
            ));
        }
    }
    out
}

fn parse_put(req: &Req) -> Result<Vec<NewPrivilege>, ApiError> {
    check_refresh(req)?;
    let body = req.json_required()?;
    let Value::Object(apps) = &body else {
        return Err(ApiError::parse(format!(
            "failed to parse privileges. expected an object but found [{}] instead",
            type_name(&body)
        )));
    };
    let mut out = Vec::new();
    for (application, privileges) in apps {
        let Value::Object(privileges) = privileges else {
            return Err(ApiError::parse(format!(
                "failed to parse privileges for application [{application}]. expected an object but found [{}] instead",
                type_name(privileges)
            )));
        };
        for (name, body) in privileges {
            out.push(parse_privilege(application, name, body)?);
        }
    }
    let problems = problems(&out);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(&problems))
    }
}

/// Facts of a put: every application named in the body (`global.application.manage`).
pub fn put_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let privileges = parse_put(req)?;
    let mut applications: Vec<String> = privileges.into_iter().map(|p| p.application).collect();
    applications.dedup();
    Ok(Facts {
        applications: Some(applications),
        ..Facts::default()
    })
}

/// Facts of the routes naming applications in the path.
pub fn path_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let applications = req.param_list("application");
    Ok(Facts {
        applications: (!applications.is_empty()).then_some(applications),
        ..Facts::default()
    })
}

/// `PUT|POST /_security/privilege`: `{app: {name: {"created": bool}}}`.
pub fn put(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let privileges = parse_put(&req)?;
        let docs: Vec<AppPrivilegeDoc> = privileges.iter().map(NewPrivilege::to_doc).collect();
        let st = Arc::clone(&ctx.state);
        let created =
            blocking(move || st.store.put_privileges(&docs).map_err(ApiError::internal)).await?;
        ctx.state.security.clear_cache();
        let mut out: Map<String, Value> = Map::new();
        for (p, created) in privileges.iter().zip(created) {
            insert_nested(
                &mut out,
                &p.application,
                &p.name,
                json!({"created": created}),
            );
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

fn insert_nested(out: &mut Map<String, Value>, application: &str, name: &str, value: Value) {
    let entry = out
        .entry(application.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = entry {
        m.insert(name.to_string(), value);
    }
}

/// Whether a stored application matches the requested one (`*`, `prefix*` or exact).
fn application_matches(requested: &str, application: &str) -> bool {
    match requested.strip_suffix('*') {
        Some(prefix) => application.starts_with(prefix),
        None => requested == application,
    }
}

/// `GET /_security/privilege[/{application}[/{name}]]`; nothing found → bare 404.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let applications = req.param_list("application");
        let names = req.param_list("name");
        let st = Arc::clone(&ctx.state);
        let docs = blocking(move || st.store.list_privileges().map_err(ApiError::internal)).await?;
        let mut out = Map::new();
        for d in docs {
            let app_ok = applications.is_empty()
                || applications
                    .iter()
                    .any(|a| application_matches(a, &d.application));
            let name_ok = names.is_empty() || names.contains(&d.name);
            if app_ok && name_ok {
                let metadata = match d.doc.get("metadata") {
                    Some(m @ Value::Object(_)) => m.clone(),
                    _ => json!({}),
                };
                let doc = json!({
                    "application": d.application,
                    "name": d.name,
                    "actions": d.doc.get("actions").cloned().unwrap_or_else(|| json!([])),
                    "metadata": metadata,
                });
                insert_nested(&mut out, &d.application, &d.name, doc);
            }
        }
        if out.is_empty() && !(applications.is_empty() && names.is_empty()) {
            return Err(ApiError::bare(404, json!({})));
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `DELETE /_security/privilege/{application}/{name}`: 404 (same body) when none existed.
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        check_refresh(&req)?;
        let application = req.param_required("application")?.to_string();
        let names = req.param_list("name");
        if names.is_empty() {
            return Err(ApiError::validation(
                &["privileges are missing".to_string()],
            ));
        }
        let st = Arc::clone(&ctx.state);
        let (app, requested) = (application.clone(), names.clone());
        let deleted = blocking(move || {
            st.store
                .delete_privileges(&app, &requested)
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.security.clear_cache();
        let mut inner = Map::new();
        for name in &names {
            inner.insert(name.clone(), json!({"found": deleted.contains(name)}));
        }
        let body = json!({ application: inner });
        if deleted.is_empty() {
            Err(ApiError::bare(404, body))
        } else {
            Ok(Reply::ok(body))
        }
    })
}

fn sorted(mut names: Vec<&'static str>) -> Vec<&'static str> {
    names.sort_unstable();
    names.dedup();
    names
}

/// `GET /_security/privilege/_builtin`: every predefined privilege name, sorted.
pub fn builtin(_ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let cluster = sorted(
            catalog::cluster_privileges()
                .iter()
                .map(|p| p.name)
                .collect(),
        );
        let index = sorted(catalog::index_privileges().iter().map(|p| p.name).collect());
        let remote = sorted(catalog::remote_cluster_privileges().to_vec());
        Ok(Reply::ok(json!({
            "cluster": cluster,
            "index": index,
            "remote_cluster": remote,
        })))
    })
}

/// `POST /_security/privilege/{application}/_clear_cache`.
pub fn clear_cache(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        ctx.state.security.clear_cache();
        Ok(Reply::ok(nodes_response(&ctx.state)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_must_contain_a_separator() {
        let p = NewPrivilege {
            application: "app".into(),
            name: "read".into(),
            actions: vec!["read".into(), "data:read/*".into()],
            metadata: Map::new(),
        };
        assert_eq!(
            problems(&[p]),
            vec!["action [read] must contain one of [/*:]"]
        );
    }

    #[test]
    fn application_patterns() {
        assert!(application_matches("app*", "app-1"));
        assert!(application_matches("*", "x"));
        assert!(!application_matches("app", "app-1"));
    }
}
