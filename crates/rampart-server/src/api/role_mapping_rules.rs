//! Role-mapping rules (`field` / `any` / `all` / `except`) and role templates: parsing with
//! ES's messages, canonical rendering, and evaluation against a user.

use rampart_automaton::Automaton;
use rampart_core::dls::render_mustache;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// What rules can look at about a user (as the realm that authenticated them saw it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFacts {
    pub username: String,
    pub dn: Option<String>,
    pub groups: Vec<String>,
    pub realm_name: String,
    pub metadata: Map<String, Value>,
}

impl UserFacts {
    /// The values of a rule field; unknown fields have none.
    fn values(&self, field: &str) -> Vec<Value> {
        match field {
            "username" => vec![json!(self.username)],
            "dn" => self.dn.iter().map(|d| json!(d)).collect(),
            "groups" => self.groups.iter().map(|g| json!(g)).collect(),
            "realm.name" => vec![json!(self.realm_name)],
            _ => match field.strip_prefix("metadata.") {
                Some(key) => match self.metadata.get(key) {
                    Some(Value::Array(items)) => items.clone(),
                    Some(v) => vec![v.clone()],
                    None => Vec::new(),
                },
                None => Vec::new(),
            },
        }
    }

    /// The mustache model of role templates.
    fn template_model(&self) -> Value {
        json!({
            "username": self.username,
            "dn": self.dn,
            "groups": self.groups,
            "metadata": self.metadata,
            "realm": {"name": self.realm_name},
        })
    }
}

/// A parsed rule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Matches when any user value of the field matches any of the values.
    Field(String, Vec<Value>),
    Any(Vec<Rule>),
    All(Vec<Rule>),
    Except(Box<Rule>),
}

fn rules_error(message: impl std::fmt::Display) -> ApiError {
    ApiError::parse(format!("failed to parse rules expression. {message}"))
}

use rampart_core::json_token as token;

impl Rule {
    /// Parse `{"field": {...}}`, `{"any": [...]}`, `{"all": [...]}` or `{"except": {...}}`.
    pub fn parse(value: &Value) -> Result<Rule, ApiError> {
        let Value::Object(fields) = value else {
            return Err(rules_error(format!(
                "expected an object but found [{}] instead",
                token(value)
            )));
        };
        let mut entries = fields.iter();
        let (Some((kind, body)), None) = (entries.next(), entries.next()) else {
            return Err(rules_error(
                "expected exactly one of [field, any, all, except]",
            ));
        };
        match kind.as_str() {
            "field" => Self::parse_field(body),
            "any" => Ok(Rule::Any(Self::parse_list(kind, body)?)),
            "all" => Ok(Rule::All(Self::parse_list(kind, body)?)),
            "except" => Ok(Rule::Except(Box::new(Rule::parse(body)?))),
            other => Err(rules_error(format!("field [{other}] is not recognised"))),
        }
    }

    fn parse_list(kind: &str, body: &Value) -> Result<Vec<Rule>, ApiError> {
        match body {
            Value::Array(items) => items.iter().map(Rule::parse).collect(),
            other => Err(rules_error(format!(
                "field [{kind}] must be an array but found [{}] instead",
                token(other)
            ))),
        }
    }

    fn parse_field(body: &Value) -> Result<Rule, ApiError> {
        let Some(map) = body.as_object() else {
            return Err(rules_error(format!(
                "field [field] must be an object but found [{}] instead",
                token(body)
            )));
        };
        let mut entries = map.iter();
        let (Some((name, value)), None) = (entries.next(), entries.next()) else {
            return Err(rules_error("field [field] must contain exactly one field"));
        };
        let values = match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for v in &values {
            if matches!(v, Value::Array(_) | Value::Object(_)) {
                return Err(rules_error(format!(
                    "expected a field value (string, number, boolean or null) but found [{}] instead",
                    token(v)
                )));
            }
            if let Some(pattern) = v.as_str() {
                compile(pattern)?;
            }
        }
        Ok(Rule::Field(name.clone(), values))
    }

    /// The canonical JSON (a single field value is written as a scalar, as ES does).
    pub fn to_json(&self) -> Value {
        match self {
            Rule::Field(name, values) => {
                let v = match values.as_slice() {
                    [single] => single.clone(),
                    many => Value::Array(many.to_vec()),
                };
                json!({"field": {name.clone(): v}})
            }
            Rule::Any(r) => json!({"any": r.iter().map(Rule::to_json).collect::<Vec<_>>()}),
            Rule::All(r) => json!({"all": r.iter().map(Rule::to_json).collect::<Vec<_>>()}),
            Rule::Except(r) => json!({"except": r.to_json()}),
        }
    }

    /// Whether the user satisfies the rule.
    pub fn matches(&self, user: &UserFacts) -> bool {
        match self {
            Rule::Field(field, expected) => {
                let actual = user.values(field);
                expected.iter().any(|e| {
                    if e.is_null() {
                        return actual.is_empty() || actual.iter().any(Value::is_null);
                    }
                    actual.iter().any(|a| value_matches(field, e, a))
                })
            }
            Rule::Any(rules) => rules.iter().any(|r| r.matches(user)),
            Rule::All(rules) => rules.iter().all(|r| r.matches(user)),
            Rule::Except(rule) => !rule.matches(user),
        }
    }
}

fn compile(pattern: &str) -> Result<Automaton, ApiError> {
    Automaton::from_pattern(pattern)
        .map_err(|e| rules_error(format!("invalid pattern [{pattern}]: {e}")))
}

/// DNs compare case-insensitively, ignoring blanks around separators.
fn normalize_dn(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| rdn.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

fn value_matches(field: &str, expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(pattern), Value::String(value)) => {
            if field == "dn" || field == "groups" {
                // DN patterns: `*,ou=people,dc=example` means "anything under that entry".
                let (p, v) = (normalize_dn(pattern), normalize_dn(value));
                if let Some(parent) = p.strip_prefix("*,") {
                    if v.ends_with(&format!(",{parent}")) {
                        return true;
                    }
                }
                if p == v {
                    return true;
                }
            }
            compile(pattern).is_ok_and(|a| a.matches(value))
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        (Value::Number(e), Value::String(a)) => a.parse::<f64>().ok() == e.as_f64(),
        (Value::Bool(e), Value::Bool(a)) => e == a,
        (Value::Bool(e), Value::String(a)) => a == &e.to_string(),
        _ => false,
    }
}

/// ES matches the `toJson` section name case-insensitively (its docs write `{{#tojson}}`);
/// the engine's renderer knows only `toJson`, so other spellings are rewritten first.
fn normalize_to_json_tags(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("{{") {
        let (before, tag) = rest.split_at(at);
        out.push_str(before);
        let head = tag.get(..11).unwrap_or(tag);
        if head.len() == 11
            && (head.starts_with("{{#") || head.starts_with("{{/"))
            && head
                .get(3..9)
                .is_some_and(|n| n.eq_ignore_ascii_case("tojson"))
            && head.ends_with("}}")
        {
            out.push_str(head.get(..3).unwrap_or_default());
            out.push_str("toJson}}");
            rest = tag.get(11..).unwrap_or_default();
        } else {
            out.push_str("{{");
            rest = tag.get(2..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

/// How a role template's output becomes role names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    /// The rendered text is one role name.
    String,
    /// The rendered text is a JSON string or array of strings.
    Json,
}

/// A role template: a mustache source and its output format.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleTemplate {
    /// The template as ES stores it: a JSON text such as `{"source":"{{username}}"}`.
    pub template: String,
    pub format: TemplateFormat,
}

impl RoleTemplate {
    pub fn parse(value: &Value) -> Result<RoleTemplate, ApiError> {
        let fail = |m: String| ApiError::parse(format!("failed to parse role template. {m}"));
        let Value::Object(fields) = value else {
            return Err(fail(format!(
                "expected an object but found [{}] instead",
                token(value)
            )));
        };
        let (mut template, mut format) = (None, TemplateFormat::String);
        for (key, v) in fields {
            match (key.as_str(), v) {
                ("template", Value::Object(_)) => template = Some(v.to_string()),
                ("template", Value::String(s)) => template = Some(s.clone()),
                ("format", Value::String(f)) => {
                    format = match f.to_lowercase().as_str() {
                        "string" => TemplateFormat::String,
                        "json" => TemplateFormat::Json,
                        _ => {
                            return Err(fail(format!(
                                "[format] must be one of [string, json] but was [{f}]"
                            )));
                        }
                    }
                }
                (other, _) => return Err(fail(format!("unexpected field [{other}]"))),
            }
        }
        let template = template.ok_or_else(|| fail("missing required [template] field".into()))?;
        let parsed = RoleTemplate { template, format };
        // Reject a template that cannot compile now rather than map nobody later.
        render_mustache(&parsed.source(), &json!({}))
            .map_err(|e| ApiError::bad_request(format!("failed to compile role template: {e}")))?;
        Ok(parsed)
    }

    /// The mustache source: the stored JSON's `source`, or the text itself.
    fn source(&self) -> String {
        normalize_to_json_tags(&self.raw_source())
    }

    fn raw_source(&self) -> String {
        match serde_json::from_str::<Value>(&self.template) {
            Ok(Value::Object(m)) => match m.get("source") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
            Ok(Value::String(s)) => s,
            _ => self.template.clone(),
        }
    }

    pub fn to_json(&self) -> Value {
        let format = match self.format {
            TemplateFormat::String => "string",
            TemplateFormat::Json => "json",
        };
        json!({"template": self.template, "format": format})
    }

    /// The role names this template yields for the user (none when rendering fails).
    pub fn roles(&self, user: &UserFacts) -> Vec<String> {
        let Ok(text) = render_mustache(&self.source(), &user.template_model()) else {
            return Vec::new();
        };
        match self.format {
            TemplateFormat::String => vec![text],
            TemplateFormat::Json => match serde_json::from_str::<Value>(&text) {
                Ok(Value::String(s)) => vec![s],
                Ok(Value::Array(items)) => items
                    .into_iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            },
        }
        .into_iter()
        .filter(|r| !r.is_empty())
        .collect()
    }
}
