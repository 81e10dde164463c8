//! Turning a stored role query into the query to apply for one user (section 7.2).
//!
//! Every failure is an error: a role query that cannot be rendered, parsed or used must never
//! degrade into "no restriction".

use serde_json::{Map, Value};

use super::validate::{json_type, validate_query};
use super::{DlsError, mustache};

/// Looks a stored script up by id and returns its (mustache) source.
pub type ScriptLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The `_user` template parameter: who the query is rendered for (the key owner for API keys,
/// the run-as target when running as another user).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserContext {
    pub username: String,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub metadata: Map<String, Value>,
}

impl UserContext {
    /// A user with only a name (no roles, no metadata).
    pub fn named(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            ..Self::default()
        }
    }

    /// The `_user` object as templates see it.
    pub fn to_value(&self) -> Value {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        let mut user = Map::new();
        user.insert("username".into(), Value::String(self.username.clone()));
        user.insert("full_name".into(), text(&self.full_name));
        user.insert("email".into(), text(&self.email));
        user.insert(
            "roles".into(),
            Value::Array(self.roles.iter().cloned().map(Value::String).collect()),
        );
        user.insert("metadata".into(), Value::Object(self.metadata.clone()));
        Value::Object(user)
    }
}

/// The message Elasticsearch gives when a role query reads the clock.
pub const NOW_NOT_ALLOWED: &str = "permission filters are not allowed to use the current timestamp";

/// Render a role query (as stored: a JSON string) for `user`, then check it can be applied.
///
/// Plain queries are parsed; `{"template": {...}}` queries are rendered with mustache (user
/// `params` plus `_user`, which always wins) and the result parsed. Stored scripts (`id`)
/// need `scripts`; without it, or when the id is unknown, this is an error.
pub fn render_role_query(
    query_src: &str,
    user: &UserContext,
    scripts: Option<ScriptLookup<'_>>,
) -> Result<Value, DlsError> {
    let stored: Value = serde_json::from_str(query_src)
        .map_err(|e| DlsError(format!("failed to parse role query: {e}")))?;
    let mut query = match template_of(&stored) {
        Some(template) => render_template(template, user, scripts)?,
        None => stored,
    };
    validate_query(&query)?;
    // checked again unwrapped: a wrapper must not hide a clock read
    super::wrapper::expand(&mut query)?;
    reject_clock_usage(&query)?;
    Ok(query)
}

/// The `template` value when it is the query's only key.
fn template_of(query: &Value) -> Option<&Value> {
    let object = query.as_object()?;
    if object.len() == 1 {
        object.get("template")
    } else {
        None
    }
}

fn render_template(
    template: &Value,
    user: &UserContext,
    scripts: Option<ScriptLookup<'_>>,
) -> Result<Value, DlsError> {
    let empty = Map::new();
    let (source, params) = match template {
        Value::String(source) => (source.clone(), &empty),
        Value::Object(script) => {
            let params = match script.get("params") {
                None | Some(Value::Null) => &empty,
                Some(Value::Object(params)) => params,
                Some(other) => {
                    return Err(DlsError(format!(
                        "[script] params must be an object but found [{}]",
                        json_type(other)
                    )));
                }
            };
            (script_source(script, scripts)?, params)
        }
        other => {
            return Err(DlsError(format!(
                "expected [template] to be an object or a string but found [{}]",
                json_type(other)
            )));
        }
    };
    let mut context = params.clone();
    context.insert("_user".into(), user.to_value());
    let rendered = mustache::render(&source, &Value::Object(context))
        .map_err(|e| DlsError(format!("failed to render role query template: {e}")))?;
    parse_rendered(&rendered)
}

/// Parse a rendered query. Like ES's parser, which reads one object and stops, we tolerate
/// surplus closing braces after it (templates often carry one, as in the facts' own example);
/// anything else after the object is an error.
fn parse_rendered(rendered: &str) -> Result<Value, DlsError> {
    let fail = |e: &dyn std::fmt::Display| {
        DlsError(format!(
            "failed to parse rendered role query [{rendered}]: {e}"
        ))
    };
    let mut values = serde_json::Deserializer::from_str(rendered).into_iter::<Value>();
    let value = match values.next() {
        Some(Ok(value)) => value,
        Some(Err(e)) => return Err(fail(&e)),
        None => return Err(fail(&"empty")),
    };
    let rest = rendered.get(values.byte_offset()..).unwrap_or_default();
    if rest.chars().all(|c| c == '}' || c.is_whitespace()) {
        Ok(value)
    } else {
        Err(fail(&"trailing characters"))
    }
}

fn script_source(
    script: &Map<String, Value>,
    scripts: Option<ScriptLookup<'_>>,
) -> Result<String, DlsError> {
    let inline = script.get("source").or_else(|| script.get("inline"));
    match (inline, script.get("id")) {
        (Some(Value::String(source)), None) => Ok(source.clone()),
        (Some(source @ Value::Object(_)), None) => Ok(source.to_string()),
        (None, Some(Value::String(id))) => scripts
            .and_then(|lookup| lookup(id))
            .ok_or_else(|| DlsError(format!("unable to find script [{id}] in cluster state"))),
        _ => Err(DlsError(
            "must specify either [source] for an inline script or [id] for a stored script"
                .to_string(),
        )),
    }
}

/// Role queries are cached per user, so they must not depend on the time of the search.
fn reject_clock_usage(value: &Value) -> Result<(), DlsError> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let reads_clock = match key.as_str() {
                    "range" => fields_use_now(child, &["gt", "gte", "lt", "lte", "from", "to"]),
                    "distance_feature" => starts_with_now(child.get("origin")),
                    "gauss" | "exp" | "linear" => fields_use_now(child, &["origin"]),
                    _ => false,
                };
                if reads_clock {
                    return Err(DlsError(NOW_NOT_ALLOWED.to_string()));
                }
                reject_clock_usage(child)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(reject_clock_usage),
        _ => Ok(()),
    }
}

/// Whether any `{field: {bound: "now…"}}` entry of `body` uses date math relative to now.
fn fields_use_now(body: &Value, bounds: &[&str]) -> bool {
    body.as_object().is_some_and(|fields| {
        fields.values().any(|spec| {
            spec.as_object()
                .is_some_and(|spec| bounds.iter().any(|b| starts_with_now(spec.get(*b))))
        })
    })
}

fn starts_with_now(value: Option<&Value>) -> bool {
    let rest = value
        .and_then(Value::as_str)
        .and_then(|text| text.trim_start().strip_prefix("now"));
    // `now`, `now-1d`, `now/d`: date math anchored at the clock; `nowhere` is just a word.
    rest.is_some_and(|rest| rest.trim().is_empty() || rest.starts_with(['+', '-', '/']))
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
