//! Role mappings: `PUT|POST|GET|DELETE /_security/role_mapping[/{name}]`, and
//! [`mapped_roles`], which realms that support mappings use to turn a user into roles.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Map, Value, json};

pub use super::role_mapping_rules::{RoleTemplate, Rule, TemplateFormat, UserFacts};
use super::roles::check_refresh;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// A parsed role mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleMapping {
    pub enabled: bool,
    pub roles: Vec<String>,
    pub role_templates: Vec<RoleTemplate>,
    pub rules: Rule,
    pub metadata: Map<String, Value>,
}

fn mapping_error(name: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::parse(format!("failed to parse role-mapping [{name}]. {message}"))
}

impl RoleMapping {
    /// Parse a request body (or a stored document) with ES's messages; then [`Self::validate`].
    pub fn parse(name: &str, body: &Value) -> Result<RoleMapping, ApiError> {
        let Value::Object(fields) = body else {
            return Err(mapping_error(name, "expected an object"));
        };
        let (mut enabled, mut roles, mut templates, mut rules, mut metadata) =
            (None, None, None, None, Map::new());
        for (key, value) in fields {
            match key.as_str() {
                "enabled" => {
                    enabled = Some(value.as_bool().ok_or_else(|| {
                        mapping_error(name, "expected field [enabled] to be a boolean")
                    })?)
                }
                "roles" => roles = Some(strings(name, key, value)?),
                "role_templates" => {
                    let Value::Array(items) = value else {
                        return Err(mapping_error(
                            name,
                            "expected field [role_templates] to be an array",
                        ));
                    };
                    templates = Some(
                        items
                            .iter()
                            .map(RoleTemplate::parse)
                            .collect::<Result<Vec<_>, _>>()?,
                    );
                }
                "rules" => rules = Some(Rule::parse(value)?),
                "metadata" => match value {
                    Value::Object(m) => metadata = m.clone(),
                    _ => {
                        return Err(mapping_error(
                            name,
                            "expected field [metadata] to be an object",
                        ));
                    }
                },
                // ES accepts (and ignores) the mapping's own name in the body.
                "name" => {}
                other => return Err(mapping_error(name, format!("unexpected field [{other}]"))),
            }
        }
        if roles.is_none() && templates.is_none() {
            return Err(mapping_error(name, "missing field [roles]"));
        }
        let rules = rules.ok_or_else(|| mapping_error(name, "missing field [rules]"))?;
        let enabled = enabled.ok_or_else(|| mapping_error(name, "missing field [enabled]"))?;
        Ok(RoleMapping {
            enabled,
            roles: roles.unwrap_or_default(),
            role_templates: templates.unwrap_or_default(),
            rules,
            metadata,
        })
    }

    /// The request validation problems, in ES's order.
    pub fn validate(&self) -> Result<(), ApiError> {
        let mut problems = Vec::new();
        if self.roles.is_empty() && self.role_templates.is_empty() {
            problems.push("role-mapping roles or role-templates are missing".to_string());
        }
        if !self.roles.is_empty() && !self.role_templates.is_empty() {
            problems.push("role-mapping cannot have both roles and role-templates".to_string());
        }
        if self.metadata.keys().any(|k| k.starts_with('_')) {
            problems.push("metadata keys may not start with [_]".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(&problems))
        }
    }

    /// The stored and returned JSON.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("enabled".into(), json!(self.enabled));
        out.insert("roles".into(), json!(self.roles));
        if !self.role_templates.is_empty() {
            out.insert(
                "role_templates".into(),
                self.role_templates
                    .iter()
                    .map(RoleTemplate::to_json)
                    .collect(),
            );
        }
        out.insert("rules".into(), self.rules.to_json());
        out.insert("metadata".into(), Value::Object(self.metadata.clone()));
        Value::Object(out)
    }

    /// The roles this mapping grants the user (none when disabled or the rules do not match).
    pub fn roles_for(&self, user: &UserFacts) -> Vec<String> {
        if !self.enabled || !self.rules.matches(user) {
            return Vec::new();
        }
        let mut out = self.roles.clone();
        for t in &self.role_templates {
            out.extend(t.roles(user));
        }
        out
    }
}

fn strings(name: &str, field: &str, value: &Value) -> Result<Vec<String>, ApiError> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::String(_) => std::slice::from_ref(value),
        _ => {
            return Err(mapping_error(
                name,
                format!("expected field [{field}] to be an array of strings"),
            ));
        }
    };
    items
        .iter()
        .map(|v| {
            v.as_str().map(String::from).ok_or_else(|| {
                mapping_error(
                    name,
                    format!("expected field [{field}] to be an array of strings"),
                )
            })
        })
        .collect()
}

/// The roles all `mappings` (stored documents) grant `user`, sorted and deduplicated.
/// A document that no longer parses maps nothing (fail closed).
pub fn mapped_roles(mappings: &[Value], user: &UserFacts) -> Vec<String> {
    let mut out = BTreeSet::new();
    for doc in mappings {
        match RoleMapping::parse("", doc) {
            Ok(m) => out.extend(m.roles_for(user)),
            Err(e) => tracing::warn!(error = %e, "stored role mapping is invalid; ignoring it"),
        }
    }
    out.into_iter().collect()
}

fn parse_put(req: &Req) -> Result<RoleMapping, ApiError> {
    let name = req.param_required("name")?;
    check_refresh(req)?;
    let mapping = RoleMapping::parse(name, &req.json_required()?)?;
    mapping.validate()?;
    Ok(mapping)
}

/// Validation runs before authorization (a malformed request is a 400, never a 403).
pub fn put_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    parse_put(req)?;
    Ok(Facts::default())
}

/// `PUT|POST /_security/role_mapping/{name}`: `{"role_mapping":{"created":bool}}`.
pub fn put(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let mapping = parse_put(&req)?;
        let name = req.param_required("name")?.to_string();
        let st = Arc::clone(&ctx.state);
        let doc = mapping.to_json();
        let created = blocking(move || {
            st.store
                .put_role_mapping(&name, &doc)
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.security.clear_cache();
        Ok(Reply::ok(json!({"role_mapping": {"created": created}})))
    })
}

/// `GET /_security/role_mapping[/{names}]`; names given and none found → bare 404.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let names = req.param_list("name");
        let st = Arc::clone(&ctx.state);
        let docs =
            blocking(move || st.store.list_role_mappings().map_err(ApiError::internal)).await?;
        let mut out = Map::new();
        for d in docs {
            if names.is_empty() || names.contains(&d.name) {
                out.insert(d.name, d.doc);
            }
        }
        if out.is_empty() && !names.is_empty() {
            return Err(ApiError::bare(404, json!({})));
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// `DELETE /_security/role_mapping/{name}`: `{"found":bool}`, 404 when absent.
pub fn delete(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        check_refresh(&req)?;
        let name = req.param_required("name")?.to_string();
        let st = Arc::clone(&ctx.state);
        let found = blocking(move || {
            st.store
                .delete_role_mapping(&name)
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.security.clear_cache();
        if found {
            Ok(Reply::ok(json!({"found": true})))
        } else {
            Err(ApiError::bare(404, json!({"found": false})))
        }
    })
}
