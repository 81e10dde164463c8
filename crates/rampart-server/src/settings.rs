//! Node settings: Elasticsearch-style dotted names from a YAML file and `-E name=value`
//! overrides (which win), with typed getters that reject bad values clearly.

use std::collections::BTreeMap;

use serde_json::Value;
use thiserror::Error;

/// A setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("failed to parse settings file: {0}")]
    File(String),
    #[error("setting [{0}] must be given as name=value")]
    Override(String),
    #[error("failed to parse value [{value}] for setting [{name}]: {reason}")]
    Value {
        name: String,
        value: String,
        reason: String,
    },
}

/// Flat settings: `xpack.security.audit.enabled` → `"true"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) => {
            let joined: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.insert(prefix.to_string(), joined.join(","));
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

impl Settings {
    /// Parse a YAML settings file (nested or dotted keys, as elasticsearch.yml allows).
    pub fn from_yaml(text: &str) -> Result<Self, SettingsError> {
        if text.trim().is_empty() {
            return Ok(Settings::default());
        }
        let value: Value =
            serde_norway::from_str(text).map_err(|e| SettingsError::File(e.to_string()))?;
        let mut values = BTreeMap::new();
        flatten("", &value, &mut values);
        Ok(Settings { values })
    }

    /// Apply `name=value` overrides (from `-E`).
    pub fn apply_overrides<I, S>(&mut self, overrides: I) -> Result<(), SettingsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for o in overrides {
            let o = o.as_ref();
            let (name, value) = o
                .split_once('=')
                .ok_or_else(|| SettingsError::Override(o.to_string()))?;
            self.values
                .insert(name.trim().to_string(), value.to_string());
        }
        Ok(())
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn get_bool(&self, name: &str, default: bool) -> Result<bool, SettingsError> {
        match self.get(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(SettingsError::Value {
                name: name.to_string(),
                value: other.to_string(),
                reason: "only [true] or [false] are allowed".into(),
            }),
        }
    }

    pub fn get_list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A byte size such as `100mb`, `10kb`, `1gb` or a plain number of bytes.
    pub fn get_bytes(&self, name: &str, default: u64) -> Result<u64, SettingsError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let v = raw.trim().to_ascii_lowercase();
        let (digits, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
        let bad = |reason: &str| SettingsError::Value {
            name: name.to_string(),
            value: raw.to_string(),
            reason: reason.to_string(),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| bad("expected a number with an optional unit"))?;
        let mult: u64 = match unit {
            "" | "b" => 1,
            "kb" => 1 << 10,
            "mb" => 1 << 20,
            "gb" => 1 << 30,
            _ => return Err(bad("unknown unit; use b, kb, mb or gb")),
        };
        n.checked_mul(mult).ok_or_else(|| bad("value too large"))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_nested_and_dotted_keys_flatten() {
        let s = Settings::from_yaml(
            "xpack:\n  security:\n    audit.enabled: true\nhttp.max_content_length: 10mb\n",
        )
        .unwrap();
        assert_eq!(s.get("xpack.security.audit.enabled"), Some("true"));
        assert_eq!(s.get_bytes("http.max_content_length", 0).unwrap(), 10 << 20);
    }

    #[test]
    fn overrides_win_and_bad_values_are_errors() {
        let mut s = Settings::from_yaml("a.b: false").unwrap();
        s.apply_overrides(["a.b=true"]).unwrap();
        assert!(s.get_bool("a.b", false).unwrap());
        assert!(s.apply_overrides(["novalue"]).is_err());
        s.set("x", "maybe");
        assert!(s.get_bool("x", false).is_err());
        s.set("y", "12parsecs");
        assert!(s.get_bytes("y", 0).is_err());
    }
}
