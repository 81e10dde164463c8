//! Our own mapping registry: explicit mappings from create-index/put-mapping, dynamic mapping
//! of new fields, and the conversion of a `_source` into typed leaf values for indexing.
//!
//! The registry is flat (dotted path → field) because tantivy only sees JSON paths; the
//! Elasticsearch `properties` tree is produced on demand by [`Mapping::render`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Result, SearchError};

/// The field types this engine supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Keyword,
    Long,
    Integer,
    Short,
    Byte,
    Double,
    Float,
    Boolean,
    Date,
    Object,
    /// An object with `enabled: false`: kept in `_source`, never indexed.
    Disabled,
}

impl FieldType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "text" => Self::Text,
            "keyword" => Self::Keyword,
            "long" => Self::Long,
            "integer" => Self::Integer,
            "short" => Self::Short,
            "byte" => Self::Byte,
            "double" => Self::Double,
            "float" => Self::Float,
            "boolean" => Self::Boolean,
            "date" => Self::Date,
            "object" => Self::Object,
            _ => return None,
        })
    }

    /// The Elasticsearch type name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Keyword => "keyword",
            Self::Long => "long",
            Self::Integer => "integer",
            Self::Short => "short",
            Self::Byte => "byte",
            Self::Double => "double",
            Self::Float => "float",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Object | Self::Disabled => "object",
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(self, Self::Long | Self::Integer | Self::Short | Self::Byte)
    }

    pub fn is_numeric(self) -> bool {
        self.is_integer() || matches!(self, Self::Double | Self::Float)
    }

    /// Has doc values (sortable, aggregatable).
    pub fn is_aggregatable(self) -> bool {
        !matches!(self, Self::Text | Self::Object | Self::Disabled)
    }

    pub fn is_leaf(self) -> bool {
        !matches!(self, Self::Object | Self::Disabled)
    }
}

/// One mapped field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMapping {
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// For a multi-field (`name.keyword`), the field it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_above: Option<u32>,
}

impl FieldMapping {
    pub fn of(ty: FieldType) -> Self {
        Self {
            ty,
            multi_of: None,
            ignore_above: None,
        }
    }
}

/// The `dynamic` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dynamic {
    #[default]
    True,
    False,
    Strict,
}

/// An index's mapping.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Mapping {
    pub fields: BTreeMap<String, FieldMapping>,
    #[serde(default)]
    pub dynamic: Dynamic,
    /// Whether the root mapping exists: mappings were given (create index, template, put
    /// mapping) or a document was written. Elasticsearch creates the root mapping with the
    /// first document, even an empty one, as a dynamic mapping update
    /// (`indices:admin/mapping/auto_put`); see [`Mapping::creates_root`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
}

/// A typed leaf value ready for indexing.
#[derive(Debug, Clone, PartialEq)]
pub enum LeafValue {
    /// Analysed text (the text JSON field).
    Text(String),
    /// Exact string (the keyword JSON field).
    Keyword(String),
    I64(i64),
    F64(f64),
    Bool(bool),
    /// Milliseconds since the epoch.
    Date(i64),
}

impl Mapping {
    /// Parse a `mappings` body (create index, put mapping, templates).
    pub fn parse(body: &Value) -> Result<Self> {
        let mut mapping = Mapping::default();
        mapping.merge_json(body)?;
        Ok(mapping)
    }

    /// Merge a `mappings` body into this mapping (put mapping). Changing a field's type is an
    /// error, as in Elasticsearch.
    pub fn merge_json(&mut self, body: &Value) -> Result<()> {
        let Some(obj) = body.as_object() else {
            return Err(SearchError::MapperParsing(
                "Root mapping definition has unsupported parameters".into(),
            ));
        };
        self.created = true;
        let mut unsupported = Vec::new();
        for (key, value) in obj {
            match key.as_str() {
                "properties" => self.merge_properties("", value)?,
                "dynamic" => self.dynamic = parse_dynamic(value)?,
                "_meta" | "_source" | "_routing" | "date_detection" | "numeric_detection"
                | "dynamic_templates" | "_doc" => {}
                other => unsupported.push(format!("{other} : {value}")),
            }
        }
        if !unsupported.is_empty() {
            return Err(SearchError::MapperParsing(format!(
                "Root mapping definition has unsupported parameters:  [{}]",
                unsupported.join("] [")
            )));
        }
        Ok(())
    }

    fn merge_properties(&mut self, prefix: &str, props: &Value) -> Result<()> {
        let Some(props) = props.as_object() else {
            return Err(SearchError::MapperParsing(
                "Expected map for property [properties]".into(),
            ));
        };
        for (name, def) in props {
            let path = join(prefix, name);
            self.merge_field(&path, def)?;
        }
        Ok(())
    }

    fn merge_field(&mut self, path: &str, def: &Value) -> Result<()> {
        let Some(def) = def.as_object() else {
            return Err(SearchError::MapperParsing(format!(
                "Expected map for property [fields] on field [{path}] but got a class \
                 java.lang.String"
            )));
        };
        let ty = match def.get("type").and_then(Value::as_str) {
            Some(name) => FieldType::parse(name).ok_or_else(|| {
                SearchError::MapperParsing(format!(
                    "No handler for type [{name}] declared on field [{path}]"
                ))
            })?,
            None if def.get("type").is_some() => {
                return Err(SearchError::MapperParsing(format!(
                    "No handler for type [{}] declared on field [{path}]",
                    def.get("type").unwrap_or(&Value::Null)
                )));
            }
            None => FieldType::Object,
        };
        let ty = if ty == FieldType::Object && def.get("enabled") == Some(&Value::Bool(false)) {
            FieldType::Disabled
        } else {
            ty
        };
        let ignore_above = def
            .get("ignore_above")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok());
        self.set(
            path,
            FieldMapping {
                ty,
                multi_of: None,
                ignore_above,
            },
        )?;
        if let Some(props) = def.get("properties") {
            if !matches!(ty, FieldType::Object | FieldType::Disabled) {
                return Err(SearchError::MapperParsing(format!(
                    "unknown parameter [properties] on mapper [{path}] of type [{}]",
                    ty.name()
                )));
            }
            if ty == FieldType::Object {
                self.merge_properties(path, props)?;
            }
        }
        if let Some(fields) = def.get("fields").and_then(Value::as_object) {
            for (sub, sub_def) in fields {
                let sub_path = format!("{path}.{sub}");
                let sub_ty = sub_def
                    .get("type")
                    .and_then(Value::as_str)
                    .and_then(FieldType::parse)
                    .filter(|t| t.is_leaf())
                    .ok_or_else(|| {
                        SearchError::MapperParsing(format!(
                            "No handler for type [{}] declared on field [{sub}]",
                            sub_def.get("type").unwrap_or(&Value::Null)
                        ))
                    })?;
                self.set(
                    &sub_path,
                    FieldMapping {
                        ty: sub_ty,
                        multi_of: Some(path.to_string()),
                        ignore_above: sub_def
                            .get("ignore_above")
                            .and_then(Value::as_u64)
                            .and_then(|v| u32::try_from(v).ok()),
                    },
                )?;
            }
        }
        Ok(())
    }

    fn set(&mut self, path: &str, field: FieldMapping) -> Result<()> {
        if let Some(existing) = self.fields.get(path)
            && existing.ty != field.ty
        {
            return Err(SearchError::IllegalArgument(format!(
                "mapper [{path}] cannot be changed from type [{}] to [{}]",
                existing.ty.name(),
                field.ty.name()
            )));
        }
        // Parent objects exist implicitly.
        let mut end = 0;
        while let Some(dot) = path.get(end..).and_then(|rest| rest.find('.')) {
            let parent = path.get(..end + dot).unwrap_or_default();
            if field.multi_of.is_none() && !self.fields.contains_key(parent) {
                self.fields
                    .insert(parent.to_string(), FieldMapping::of(FieldType::Object));
            }
            end += dot + 1;
        }
        self.fields.insert(path.to_string(), field);
        Ok(())
    }

    /// The field at a path, if mapped.
    pub fn get(&self, path: &str) -> Option<&FieldMapping> {
        self.fields.get(path)
    }

    /// Mapped leaf field paths matching a simple `*` pattern.
    pub fn leaf_paths_matching<'a>(&'a self, pattern: &'a str) -> impl Iterator<Item = &'a str> {
        self.fields
            .iter()
            .filter(|(_, f)| f.ty.is_leaf())
            .map(|(p, _)| p.as_str())
            .filter(move |p| rampart_core::resolve::simple_match(pattern, p))
    }

    /// The Elasticsearch `{"properties": …}` tree.
    pub fn render(&self) -> Value {
        let mut root = Map::new();
        for (path, field) in &self.fields {
            if field.multi_of.is_some() {
                continue;
            }
            let mut def = Map::new();
            match field.ty {
                FieldType::Object => {}
                FieldType::Disabled => {
                    def.insert("type".into(), json!("object"));
                    def.insert("enabled".into(), json!(false));
                }
                ty => {
                    def.insert("type".into(), json!(ty.name()));
                }
            }
            if let Some(ia) = field.ignore_above {
                def.insert("ignore_above".into(), json!(ia));
            }
            let subs: Map<String, Value> = self
                .fields
                .iter()
                .filter(|(_, f)| f.multi_of.as_deref() == Some(path.as_str()))
                .filter_map(|(p, f)| {
                    let name = p.get(path.len() + 1..)?;
                    let mut sub = Map::new();
                    sub.insert("type".into(), json!(f.ty.name()));
                    if let Some(ia) = f.ignore_above {
                        sub.insert("ignore_above".into(), json!(ia));
                    }
                    Some((name.to_string(), Value::Object(sub)))
                })
                .collect();
            if !subs.is_empty() {
                def.insert("fields".into(), Value::Object(subs));
            }
            insert_tree(&mut root, path, def);
        }
        let mut out = Map::new();
        if self.dynamic != Dynamic::True {
            out.insert(
                "dynamic".into(),
                json!(match self.dynamic {
                    Dynamic::Strict => "strict",
                    _ => "false",
                }),
            );
        }
        if !root.is_empty() {
            out.insert("properties".into(), Value::Object(root));
        }
        Value::Object(out)
    }

    /// Convert a document source into typed leaf values, mapping new fields dynamically.
    /// Returns the leaves and the fields that had to be added (empty when the mapping did not
    /// change).
    pub fn convert(&self, id: &str, source: &Value) -> Result<Converted> {
        let mut out = Converted::default();
        let Some(obj) = source.as_object() else {
            return Err(SearchError::MapperParsing(
                "failed to parse, document is empty".into(),
            ));
        };
        self.convert_object(id, "", obj, &mut out)?;
        Ok(out)
    }

    fn lookup<'a>(&'a self, out: &'a Converted, path: &str) -> Option<&'a FieldMapping> {
        self.fields.get(path).or_else(|| {
            out.new_fields
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, f)| f)
        })
    }

    fn convert_object(
        &self,
        id: &str,
        prefix: &str,
        obj: &Map<String, Value>,
        out: &mut Converted,
    ) -> Result<()> {
        for (key, value) in obj {
            if key.is_empty() {
                return Err(SearchError::MapperParsing(
                    "field name cannot be an empty string".into(),
                ));
            }
            let path = join(prefix, key);
            self.convert_value(id, &path, value, out)?;
        }
        Ok(())
    }

    fn convert_value(
        &self,
        id: &str,
        path: &str,
        value: &Value,
        out: &mut Converted,
    ) -> Result<()> {
        match value {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for item in items {
                    self.convert_value(id, path, item, out)?;
                }
                Ok(())
            }
            Value::Object(obj) => match self.lookup(out, path).map(|f| f.ty) {
                Some(FieldType::Disabled) => Ok(()),
                Some(FieldType::Object) => {
                    out.present.push(path.to_string());
                    self.convert_object(id, path, obj, out)
                }
                Some(other) => Err(SearchError::MapperParsing(format!(
                    "failed to parse field [{path}] of type [{}] in document with id '{id}'. \
                     Preview of field's value: '{}'",
                    other.name(),
                    preview(value)
                ))),
                None => {
                    if !self.admit_new(path, out)? {
                        return Ok(());
                    }
                    out.new_fields
                        .push((path.to_string(), FieldMapping::of(FieldType::Object)));
                    out.present.push(path.to_string());
                    self.convert_object(id, path, obj, out)
                }
            },
            leaf => {
                let field = match self.lookup(out, path) {
                    Some(f) => f.clone(),
                    None => {
                        if !self.admit_new(path, out)? {
                            return Ok(());
                        }
                        let ty = detect(leaf);
                        let field = FieldMapping::of(ty);
                        out.new_fields.push((path.to_string(), field.clone()));
                        if ty == FieldType::Text {
                            out.new_fields.push((
                                format!("{path}.keyword"),
                                FieldMapping {
                                    ty: FieldType::Keyword,
                                    multi_of: Some(path.to_string()),
                                    ignore_above: Some(256),
                                },
                            ));
                        }
                        field
                    }
                };
                self.convert_leaf(id, path, &field, leaf, out)
            }
        }
    }

    /// Whether a new field may be added under the `dynamic` setting.
    fn admit_new(&self, path: &str, _out: &Converted) -> Result<bool> {
        match self.dynamic {
            Dynamic::True => Ok(true),
            Dynamic::False => Ok(false),
            Dynamic::Strict => {
                let (parent, leaf) = match path.rfind('.') {
                    Some(i) => (
                        path.get(..i).unwrap_or_default(),
                        path.get(i + 1..).unwrap_or_default(),
                    ),
                    None => ("_doc", path),
                };
                Err(SearchError::MapperParsing(format!(
                    "[{parent}] mapping set to strict, dynamic introduction of [{leaf}] within \
                     [{parent}] is not allowed"
                )))
            }
        }
    }

    fn convert_leaf(
        &self,
        id: &str,
        path: &str,
        field: &FieldMapping,
        value: &Value,
        out: &mut Converted,
    ) -> Result<()> {
        let bad = || {
            SearchError::MapperParsing(format!(
                "failed to parse field [{path}] of type [{}] in document with id '{id}'. \
                 Preview of field's value: '{}'",
                field.ty.name(),
                preview(value)
            ))
        };
        let leaf = match field.ty {
            FieldType::Disabled | FieldType::Object => return Err(bad()),
            FieldType::Text => LeafValue::Text(scalar_string(value)),
            FieldType::Keyword => {
                let s = scalar_string(value);
                if field
                    .ignore_above
                    .is_some_and(|n| s.chars().count() > n as usize)
                {
                    return Ok(());
                }
                LeafValue::Keyword(s)
            }
            ty if ty.is_integer() => LeafValue::I64(parse_integer(value).ok_or_else(bad)?),
            FieldType::Double | FieldType::Float => {
                LeafValue::F64(parse_float(value).ok_or_else(bad)?)
            }
            FieldType::Boolean => LeafValue::Bool(match value {
                Value::Bool(b) => *b,
                Value::String(s) if s == "true" => true,
                Value::String(s) if s == "false" || s.is_empty() => false,
                _ => return Err(bad()),
            }),
            FieldType::Date => LeafValue::Date(match value {
                Value::Number(n) => n.as_i64().ok_or_else(bad)?,
                Value::String(s) => parse_date(s).ok_or_else(bad)?,
                _ => return Err(bad()),
            }),
            _ => return Err(bad()),
        };
        out.present.push(path.to_string());
        out.leaves.push((path.to_string(), leaf));
        // Multi-fields index the same value under their own path.
        let subs: Vec<(String, FieldMapping)> = self
            .fields
            .iter()
            .filter(|(_, f)| f.multi_of.as_deref() == Some(path))
            .map(|(p, f)| (p.clone(), f.clone()))
            .chain(
                out.new_fields
                    .iter()
                    .filter(|(_, f)| f.multi_of.as_deref() == Some(path))
                    .cloned(),
            )
            .collect();
        for (sub_path, sub) in subs {
            let sub = FieldMapping {
                multi_of: None,
                ..sub
            };
            self.convert_leaf(id, &sub_path, &sub, value, out)?;
        }
        Ok(())
    }
}

/// The result of converting one document.
#[derive(Debug, Default, Clone)]
pub struct Converted {
    pub leaves: Vec<(String, LeafValue)>,
    /// Every field path present in the document (objects included), for `exists`.
    pub present: Vec<String>,
    pub new_fields: Vec<(String, FieldMapping)>,
}

impl Mapping {
    /// Whether writing a document creates the root mapping (none exists yet): a mapping
    /// update even when the document adds no field. Mappings persisted before the root was
    /// tracked count as created once they hold a field or a `dynamic` setting.
    pub fn creates_root(&self) -> bool {
        !self.created && self.fields.is_empty() && self.dynamic == Dynamic::True
    }

    /// Add dynamically detected fields (the second half of [`Mapping::convert`]).
    pub fn add_fields(&mut self, fields: &[(String, FieldMapping)]) -> Result<()> {
        self.created = true;
        for (path, field) in fields {
            if !self.fields.contains_key(path) {
                self.set(path, field.clone())?;
            }
        }
        Ok(())
    }
}

fn parse_dynamic(value: &Value) -> Result<Dynamic> {
    match value {
        Value::Bool(true) => Ok(Dynamic::True),
        Value::Bool(false) => Ok(Dynamic::False),
        Value::String(s) if s == "true" => Ok(Dynamic::True),
        Value::String(s) if s == "false" => Ok(Dynamic::False),
        Value::String(s) if s == "strict" => Ok(Dynamic::Strict),
        other => Err(SearchError::MapperParsing(format!(
            "Could not convert [dynamic] to boolean: [{other}]"
        ))),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn insert_tree(root: &mut Map<String, Value>, path: &str, def: Map<String, Value>) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(existing) = entry {
                for (k, v) in def {
                    existing.insert(k, v);
                }
            }
            return;
        }
        let entry = node
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(obj) = entry else { return };
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(props) = props else { return };
        node = props;
    }
}

fn preview(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn scalar_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Dynamic type detection, as Elasticsearch's defaults (date detection on, numeric off).
fn detect(value: &Value) -> FieldType {
    match value {
        Value::Bool(_) => FieldType::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => FieldType::Long,
        Value::Number(_) => FieldType::Float,
        Value::String(s) if looks_like_date(s) => FieldType::Date,
        _ => FieldType::Text,
    }
}

fn looks_like_date(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() >= 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && parse_date(s).is_some()
}

fn parse_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.parse::<i64>().ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        _ => None,
    }
}

fn parse_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// `strict_date_optional_time||epoch_millis`: a date, a date-time with optional fraction and
/// offset, or epoch milliseconds as a string. Returns epoch milliseconds.
pub fn parse_date(s: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    if let Some(stripped) = s.strip_suffix('Z') {
        for fmt in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(stripped, fmt) {
                return Some(dt.and_utc().timestamp_millis());
            }
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|dt| dt.and_utc().timestamp_millis());
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return s.parse::<i64>().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_mapping_detects_types_and_keyword_subfield() {
        let m = Mapping::default();
        let c = m
            .convert(
                "1",
                &json!({"name": "Ann", "age": 3, "score": 1.5, "ok": true,
                        "at": "2024-01-02T03:04:05Z", "o": {"x": "y"}}),
            )
            .unwrap();
        let mut m2 = m.clone();
        m2.add_fields(&c.new_fields).unwrap();
        assert_eq!(m2.get("name").unwrap().ty, FieldType::Text);
        assert_eq!(m2.get("name.keyword").unwrap().ty, FieldType::Keyword);
        assert_eq!(m2.get("age").unwrap().ty, FieldType::Long);
        assert_eq!(m2.get("score").unwrap().ty, FieldType::Float);
        assert_eq!(m2.get("ok").unwrap().ty, FieldType::Boolean);
        assert_eq!(m2.get("at").unwrap().ty, FieldType::Date);
        assert_eq!(m2.get("o").unwrap().ty, FieldType::Object);
        assert_eq!(m2.get("o.x").unwrap().ty, FieldType::Text);
        assert!(
            c.leaves
                .contains(&("name.keyword".into(), LeafValue::Keyword("Ann".into())))
        );
        let rendered = m2.render();
        assert_eq!(
            rendered["properties"]["name"]["fields"]["keyword"]["type"],
            "keyword"
        );
        assert_eq!(
            rendered["properties"]["o"]["properties"]["x"]["type"],
            "text"
        );
    }

    #[test]
    fn explicit_mapping_rejects_unknown_types_and_bad_values() {
        let err = Mapping::parse(&json!({"properties": {"f": {"type": "geo_shape"}}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "No handler for type [geo_shape] declared on field [f]"
        );
        let m = Mapping::parse(&json!({"properties": {"n": {"type": "long"}}})).unwrap();
        let err = m.convert("7", &json!({"n": "abc"})).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("failed to parse field [n] of type [long]")
        );
    }

    #[test]
    fn strict_and_disabled() {
        let m = Mapping::parse(&json!({"dynamic": "strict", "properties": {
            "blob": {"type": "object", "enabled": false}}}))
        .unwrap();
        assert!(
            m.convert("1", &json!({"blob": {"a": 1}}))
                .unwrap()
                .leaves
                .is_empty()
        );
        assert!(m.convert("1", &json!({"other": 1})).is_err());
    }

    #[test]
    fn date_formats() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_date("1000"), Some(1000));
        assert_eq!(parse_date("nope"), None);
    }
}
