//! The spaces model (sections c.1, c.2, c.4): validation, the default space and the effective
//! `disabledFeatures` of a solution view.

use serde_json::{Map, Value, json};

use crate::error::KibanaError;
use crate::features::FeatureRegistry;
use crate::role::is_valid_space_id;

pub const DEFAULT_SPACE_ID: &str = "default";
const MAX_DISABLED_FEATURES: usize = 100;

/// A solution view [8.16+].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solution {
    Es,
    Oblt,
    Security,
    Classic,
}

impl Solution {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "es" => Some(Solution::Es),
            "oblt" => Some(Solution::Oblt),
            "security" => Some(Solution::Security),
            "classic" => Some(Solution::Classic),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Solution::Es => "es",
            Solution::Oblt => "oblt",
            Solution::Security => "security",
            Solution::Classic => "classic",
        }
    }

    /// Categories a solution view hides; `None` for classic (stored list applies).
    fn hidden_categories(self) -> Option<&'static [&'static str]> {
        match self {
            Solution::Es => Some(&["observability", "securitySolution", "chat"]),
            Solution::Oblt => Some(&["securitySolution", "chat"]),
            Solution::Security => Some(&["observability", "enterpriseSearch", "chat"]),
            Solution::Classic => None,
        }
    }
}

/// A Kibana space.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Space {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub initials: Option<String>,
    pub color: Option<String>,
    pub image_url: Option<String>,
    /// As stored (ids are not validated).
    pub disabled_features: Vec<String>,
    pub solution: Option<Solution>,
    /// True only for the default space; never taken from API input.
    pub reserved: bool,
}

fn err(path: &str, reason: &str) -> KibanaError {
    KibanaError::bad_request(format!("[request body.{path}]: {reason}"))
}

fn opt_string(o: &Map<String, Value>, key: &str) -> Result<Option<String>, KibanaError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(key, "expected value of type [string]")),
    }
}

fn is_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c.bytes().skip(1).all(|b| b.is_ascii_alphanumeric())
}

impl Space {
    /// The default space Kibana creates at start.
    pub fn default_space() -> Space {
        Space {
            id: DEFAULT_SPACE_ID.into(),
            name: "Default".into(),
            description: Some("This is your default space!".into()),
            color: Some("#00bfb3".into()),
            reserved: true,
            ..Default::default()
        }
    }

    /// Parse and validate a create/update body (section c.1). `_reserved` is accepted and
    /// ignored.
    pub fn from_json(body: &Value) -> Result<Space, KibanaError> {
        let o = body.as_object().ok_or_else(|| {
            KibanaError::bad_request(
                "[request body]: expected a plain object value, but found [null] instead.",
            )
        })?;
        let id = opt_string(o, "id")?
            .ok_or_else(|| err("id", "expected value of type [string] but got [undefined]"))?;
        if !is_valid_space_id(&id) {
            return Err(err(
                "id",
                "must be lower case, a-z, 0-9, '_', and '-' are allowed",
            ));
        }
        let name = opt_string(o, "name")?.ok_or_else(|| {
            err(
                "name",
                "expected value of type [string] but got [undefined]",
            )
        })?;
        if name.is_empty() {
            return Err(err(
                "name",
                "value has length [0] but it must have a minimum length of [1].",
            ));
        }
        let initials = opt_string(o, "initials")?;
        if let Some(i) = &initials {
            let n = i.chars().count();
            if n > 2 {
                return Err(err(
                    "initials",
                    &format!("value has length [{n}] but it must have a maximum length of [2]."),
                ));
            }
        }
        let color = opt_string(o, "color")?;
        if color.as_deref().is_some_and(|c| !is_hex_color(c)) {
            return Err(err(
                "color",
                "must be a 6 digit hex color, starting with a #",
            ));
        }
        let image_url = opt_string(o, "imageUrl")?;
        if image_url
            .as_deref()
            .is_some_and(|u| !u.is_empty() && !u.starts_with("data:image"))
        {
            return Err(err("imageUrl", "must start with 'data:image'"));
        }
        let disabled_features = match o.get("disabledFeatures") {
            None => Vec::new(),
            Some(Value::Array(a)) => {
                if a.len() > MAX_DISABLED_FEATURES {
                    return Err(err(
                        "disabledFeatures",
                        &format!(
                            "array size is [{}], but cannot be greater than [{MAX_DISABLED_FEATURES}]",
                            a.len()
                        ),
                    ));
                }
                a.iter()
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            err("disabledFeatures", "expected value of type [string]")
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => return Err(err("disabledFeatures", "expected value of type [array]")),
        };
        let solution = match opt_string(o, "solution")? {
            None => None,
            Some(s) => Some(Solution::parse(&s).ok_or_else(|| {
                err(
                    "solution",
                    "types that failed validation: expected one of [es, oblt, security, classic]",
                )
            })?),
        };
        Ok(Space {
            id,
            name,
            description: opt_string(o, "description")?,
            initials,
            color,
            image_url,
            disabled_features,
            solution,
            reserved: false,
        })
    }

    /// The effective hidden features (c.4): solution views replace the stored list.
    pub fn effective_disabled_features(&self, registry: &FeatureRegistry) -> Vec<String> {
        let Some(categories) = self.solution.and_then(Solution::hidden_categories) else {
            return self.disabled_features.clone();
        };
        registry
            .features()
            .iter()
            .filter(|f| !f.is_deprecated() && f.id != "observabilityAIAssistant")
            .filter(|f| {
                f.category
                    .as_deref()
                    .is_some_and(|c| categories.contains(&c))
            })
            .map(|f| f.id.clone())
            .collect()
    }

    /// Whether the space hides `feature_id`.
    pub fn hides(&self, feature_id: &str, registry: &FeatureRegistry) -> bool {
        self.effective_disabled_features(registry)
            .iter()
            .any(|f| f == feature_id)
    }

    /// Reserved spaces cannot be deleted.
    pub fn check_delete(&self) -> Result<(), KibanaError> {
        if self.reserved {
            return Err(KibanaError::bad_request(format!(
                "The {} space cannot be deleted because it is reserved.",
                self.id
            )));
        }
        Ok(())
    }

    /// The stored space for an update at `path_id`: the path id wins, `_reserved` is kept.
    pub fn for_update(mut self, existing: &Space) -> Space {
        self.id = existing.id.clone();
        self.reserved = existing.reserved;
        self
    }

    /// The API representation (with effective `disabledFeatures`).
    pub fn to_json(&self, registry: &FeatureRegistry) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name));
        for (k, v) in [
            ("description", &self.description),
            ("initials", &self.initials),
            ("color", &self.color),
            ("imageUrl", &self.image_url),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        m.insert(
            "disabledFeatures".into(),
            json!(self.effective_disabled_features(registry)),
        );
        if let Some(s) = self.solution {
            m.insert("solution".into(), json!(s.as_str()));
        }
        if self.reserved {
            m.insert("_reserved".into(), Value::Bool(true));
        }
        Value::Object(m)
    }
}

/// Space listing order: by name.
pub fn sort_spaces(spaces: &mut [Space]) {
    spaces.sort_by(|a, b| a.name.cmp(&b.name));
}

#[cfg(test)]
mod tests;
