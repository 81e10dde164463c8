//! Composable index templates and data streams (backing indices
//! `.ds-<name>-<yyyy.MM.dd>-<gen>`); rollover is in `rollover`, clone/shrink/split in
//! `resize`.

mod resize;
mod rollover;

use rampart_core::resolve::simple_match;
use serde_json::{Map, Value, json};

use super::Engine;
use crate::cluster::{DataStream, IndexTemplate, normalize_settings, validate_index_name};
use crate::error::{Result, SearchError};
use crate::mapping::Mapping;

impl Engine {
    /// PUT `_index_template/<name>`.
    pub fn put_index_template(&self, name: &str, body: &Value) -> Result<()> {
        let t = parse_template(body)?;
        self.mutate(|state| {
            for (other_name, other) in &state.templates {
                if other_name != name
                    && other.priority == t.priority
                    && other.index_patterns.iter().any(|p| t.index_patterns.iter().any(|q| simple_match(p, q) || simple_match(q, p)))
                {
                    return Err(SearchError::IllegalArgument(format!(
                        "index template [{name}] has index patterns {:?} matching patterns from existing templates [{other_name}] with patterns ({other_name} => {:?}) that have the same priority [{}], multiple index templates may not match during index creation, please use a different priority",
                        t.index_patterns, other.index_patterns, t.priority
                    )));
                }
            }
            state.templates.insert(name.to_string(), t.clone());
            Ok(())
        })
    }

    /// GET `_index_template[/<pattern>]`.
    pub fn get_index_templates(&self, pattern: Option<&str>) -> Result<Value> {
        let state = self.state();
        let list: Vec<Value> = state
            .templates
            .iter()
            .filter(|(n, _)| pattern.is_none_or(|p| p.split(',').any(|p| simple_match(p, n))))
            .map(|(n, t)| json!({"name": n, "index_template": render_template(t)}))
            .collect();
        if list.is_empty() && pattern.is_some_and(|p| !p.contains('*')) {
            return Err(SearchError::ResourceNotFound(format!(
                "index template matching [{}] not found",
                pattern.unwrap_or_default()
            )));
        }
        Ok(json!({ "index_templates": list }))
    }

    /// DELETE `_index_template/<name>`.
    pub fn delete_index_template(&self, name: &str) -> Result<()> {
        self.mutate(|state| {
            let names: Vec<String> = state
                .templates
                .keys()
                .filter(|n| simple_match(name, n))
                .cloned()
                .collect();
            if names.is_empty() {
                return Err(SearchError::ResourceNotFound(format!(
                    "index_template [{name}] missing"
                )));
            }
            for n in names {
                state.templates.remove(&n);
            }
            Ok(())
        })
    }

    /// PUT `_data_stream/<name>`: needs a matching template with `data_stream`.
    pub fn create_data_stream(&self, name: &str) -> Result<()> {
        validate_index_name(name)?;
        let hidden = {
            let state = self.state();
            if state.data_streams.contains_key(name) {
                return Err(SearchError::ResourceAlreadyExists(format!(
                    "data_stream [{name}] already exists"
                )));
            }
            if state.name_kind(name).is_some() {
                return Err(SearchError::ResourceAlreadyExists(format!(
                    "index [{name}] already exists"
                )));
            }
            match state.matching_template(name) {
                Some((_, t)) if t.data_stream.is_some() => t
                    .data_stream
                    .as_ref()
                    .and_then(|d| d.get("hidden"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                _ => {
                    return Err(SearchError::IllegalArgument(format!(
                        "no matching index template found for data stream [{name}]"
                    )));
                }
            }
        };
        let template = self
            .state()
            .matching_template(name)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        let backing = backing_name(name, 1);
        self.create_index_inner(&backing, &Map::new(), Some(name))?;
        self.mutate(|state| {
            state.data_streams.insert(
                name.to_string(),
                DataStream {
                    generation: 1,
                    indices: vec![backing.clone()],
                    template: template.clone(),
                    hidden,
                    rollover_on_write: false,
                },
            );
            Ok(())
        })
    }

    /// GET `_data_stream[/<pattern>]`.
    pub fn get_data_streams(&self, pattern: Option<&str>) -> Result<Value> {
        let state = self.state();
        let list: Vec<Value> = state
            .data_streams
            .iter()
            .filter(|(n, _)| pattern.is_none_or(|p| p.split(',').any(|p| simple_match(p, n))))
            .map(|(n, ds)| {
                json!({
                    "name": n,
                    "timestamp_field": {"name": "@timestamp"},
                    "indices": ds.indices.iter().map(|i| json!({
                        "index_name": i,
                        "index_uuid": state.indices.get(i).map(|m| m.uuid.clone()).unwrap_or_default(),
                    })).collect::<Vec<_>>(),
                    "generation": ds.generation,
                    "status": "GREEN",
                    "template": ds.template,
                    "hidden": ds.hidden,
                    "system": false,
                    "allow_custom_routing": false,
                    "replicated": false,
                    "rollover_on_write": ds.rollover_on_write,
                })
            })
            .collect();
        if list.is_empty() && pattern.is_some_and(|p| !p.contains('*')) {
            return Err(SearchError::not_found(pattern.unwrap_or_default()));
        }
        Ok(json!({ "data_streams": list }))
    }

    /// DELETE `_data_stream/<names>`: the stream and its backing indices.
    pub fn delete_data_streams(&self, names: &[String]) -> Result<()> {
        let backing = self.mutate(|state| {
            let mut backing = Vec::new();
            for name in names {
                let ds = state
                    .data_streams
                    .remove(name)
                    .ok_or_else(|| SearchError::not_found(name))?;
                for idx in &ds.indices {
                    if let Some(meta) = state.indices.get_mut(idx) {
                        meta.data_stream = None;
                    }
                }
                backing.extend(ds.indices);
            }
            Ok(backing)
        })?;
        self.delete_index(&backing)
    }
}

/// `.ds-<name>-<yyyy.MM.dd>-<generation, 6 digits>`.
pub fn backing_name(stream: &str, generation: u64) -> String {
    let date = chrono::Utc::now().format("%Y.%m.%d");
    format!(".ds-{stream}-{date}-{generation:06}")
}

fn parse_template(body: &Value) -> Result<IndexTemplate> {
    let Some(obj) = body.as_object() else {
        return Err(SearchError::Parsing(
            "index template must be an object".into(),
        ));
    };
    let mut t = IndexTemplate::default();
    for (k, v) in obj {
        match k.as_str() {
            "index_patterns" => {
                t.index_patterns = match v {
                    Value::String(s) => s.split(',').map(str::to_string).collect(),
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect(),
                    _ => {
                        return Err(SearchError::Parsing(
                            "[index_patterns] must be a string or array".into(),
                        ));
                    }
                }
            }
            "priority" => t.priority = v.as_i64().unwrap_or(0),
            "version" => t.version = v.as_i64(),
            "_meta" => t.meta = Some(v.clone()),
            "composed_of" => {
                t.composed_of = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "data_stream" => t.data_stream = Some(v.clone()),
            "allow_auto_create" | "ignore_missing_component_templates" | "deprecated" => {}
            "template" => {
                let Some(inner) = v.as_object() else {
                    return Err(SearchError::Parsing("[template] must be an object".into()));
                };
                for (ik, iv) in inner {
                    match ik.as_str() {
                        "settings" => {
                            normalize_settings(iv)?;
                            t.settings = Some(iv.clone());
                        }
                        "mappings" => {
                            Mapping::parse(iv)?;
                            t.mappings = Some(iv.clone());
                        }
                        "aliases" => t.aliases = Some(iv.clone()),
                        "lifecycle" | "data_stream_options" => {}
                        other => {
                            return Err(SearchError::Parsing(format!(
                                "[template] unknown field [{other}]"
                            )));
                        }
                    }
                }
            }
            other => {
                return Err(SearchError::Parsing(format!(
                    "[index_template] unknown field [{other}]"
                )));
            }
        }
    }
    if t.index_patterns.is_empty() {
        return Err(SearchError::IllegalArgument(
            "Validation Failed: 1: index patterns are missing;".into(),
        ));
    }
    Ok(t)
}

fn render_template(t: &IndexTemplate) -> Value {
    let mut out = Map::new();
    out.insert("index_patterns".into(), json!(t.index_patterns));
    let mut inner = Map::new();
    if let Some(s) = &t.settings {
        inner.insert("settings".into(), s.clone());
    }
    if let Some(m) = &t.mappings {
        inner.insert("mappings".into(), m.clone());
    }
    if let Some(a) = &t.aliases {
        inner.insert("aliases".into(), a.clone());
    }
    if !inner.is_empty() {
        out.insert("template".into(), Value::Object(inner));
    }
    out.insert("composed_of".into(), json!(t.composed_of));
    if t.priority != 0 {
        out.insert("priority".into(), json!(t.priority));
    }
    if let Some(v) = t.version {
        out.insert("version".into(), json!(v));
    }
    if let Some(m) = &t.meta {
        out.insert("_meta".into(), m.clone());
    }
    if let Some(d) = &t.data_stream {
        out.insert("data_stream".into(), d.clone());
    }
    Value::Object(out)
}
