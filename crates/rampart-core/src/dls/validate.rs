//! Structural validation of role queries (section 7.3 of the facts).
//!
//! We do not implement the query DSL; we only walk the compound queries far enough to find the
//! leaf queries that a role query may not use (those needing extra requests or other documents),
//! and reject names Elasticsearch would not know. Leaf parameters are left to the search engine.

use serde_json::{Map, Value};

use super::DlsError;
use super::suggest::unknown_query_message;

/// Every query name Elasticsearch 8.x/9.x registers (including the aliases it accepts); the
/// query parser also uses it to tell "not executed here" from "unknown".
pub const KNOWN_QUERIES: &[&str] = &[
    "bool",
    "boosting",
    "combined_fields",
    "constant_score",
    "dis_max",
    "distance_feature",
    "exists",
    "field_masking_span",
    "function_score",
    "fuzzy",
    "geo_bounding_box",
    "geo_distance",
    "geo_grid",
    "geo_polygon",
    "geo_shape",
    "has_child",
    "has_parent",
    "ids",
    "intervals",
    "knn",
    "match",
    "match_all",
    "match_bool_prefix",
    "match_none",
    "match_phrase",
    "match_phrase_prefix",
    "more_like_this",
    "multi_match",
    "nested",
    "parent_id",
    "percolate",
    "pinned",
    "prefix",
    "query_string",
    "range",
    "rank_feature",
    "regexp",
    "rule",
    "script",
    "script_score",
    "semantic",
    "shape",
    "simple_query_string",
    "span_containing",
    "span_field_masking",
    "span_first",
    "span_multi",
    "span_near",
    "span_not",
    "span_or",
    "span_term",
    "span_within",
    "sparse_vector",
    "term",
    "terms",
    "terms_set",
    "text_expansion",
    "weighted_tokens",
    "wildcard",
    "wrapper",
];

/// Queries that depend on other documents (join field, percolator) and so cannot filter a role.
const PROHIBITED: &[&str] = &["percolate", "has_child", "has_parent"];

/// The text Elasticsearch gives when a query would need extra requests while being rewritten.
pub(crate) const ADDITIONAL_REQUESTS: &str =
    "role queries are not allowed to execute additional requests";

/// Validate a role query (object, JSON string, or null) at role-creation time.
pub(crate) fn validate(query: &Value) -> Result<(), DlsError> {
    match query {
        Value::Null => Ok(()),
        Value::String(text) if text.trim().is_empty() => Ok(()),
        Value::String(text) => {
            let parsed: Value = serde_json::from_str(text)
                .map_err(|e| DlsError(format!("failed to parse role query as JSON: {e}")))?;
            validate_parsed(&parsed)
        }
        other => validate_parsed(other),
    }
}

fn validate_parsed(query: &Value) -> Result<(), DlsError> {
    let object = query
        .as_object()
        .ok_or_else(|| DlsError("query malformed, must start with start_object".to_string()))?;
    if object.len() == 1 {
        if let Some(template) = object.get("template") {
            return validate_template_shape(template);
        }
    }
    validate_query(query)
}

/// Templates are only rendered at search time; at PUT we check that the script is well formed.
fn validate_template_shape(template: &Value) -> Result<(), DlsError> {
    let script = match template {
        Value::String(_) => return Ok(()),
        Value::Object(script) => script,
        other => {
            return Err(DlsError(format!(
                "expected [template] to be an object or a string but found [{}]",
                json_type(other)
            )));
        }
    };
    let mut has_source = false;
    let mut has_id = false;
    for (key, value) in script {
        match key.as_str() {
            "source" | "inline" => {
                if !(value.is_object() || value.is_string()) {
                    return Err(DlsError(format!(
                        "[script] failed to parse field [{key}]: expected an object or a string"
                    )));
                }
                has_source = true;
            }
            "id" => {
                if !value.is_string() {
                    return Err(DlsError("[script] failed to parse field [id]".to_string()));
                }
                has_id = true;
            }
            "params" | "options" if !value.is_object() && !value.is_null() => {
                return Err(DlsError(format!(
                    "[script] failed to parse field [{key}]: expected an object"
                )));
            }
            "params" | "options" | "lang" => {}
            other => return Err(DlsError(format!("[script] unknown field [{other}]"))),
        }
    }
    match (has_source, has_id) {
        (true, false) | (false, true) => Ok(()),
        _ => Err(DlsError(
            "must specify either [source] for an inline script or [id] for a stored script"
                .to_string(),
        )),
    }
}

/// Validate one query object `{ "<name>": <body> }`, recursing into compound queries.
pub(crate) fn validate_query(query: &Value) -> Result<(), DlsError> {
    let object = query.as_object().ok_or_else(|| {
        DlsError(format!(
            "query malformed, expected an object but found [{}]",
            json_type(query)
        ))
    })?;
    let mut entries = object.iter();
    let (name, body) = entries
        .next()
        .ok_or_else(|| DlsError("query malformed, empty clause found".to_string()))?;
    if let Some((extra, _)) = entries.next() {
        return Err(DlsError(format!(
            "[{name}] malformed query, expected [END_OBJECT] but found [FIELD_NAME] [{extra}]"
        )));
    }
    if !KNOWN_QUERIES.contains(&name.as_str()) {
        return Err(DlsError(unknown_query_message(name, KNOWN_QUERIES)));
    }
    if PROHIBITED.contains(&name.as_str()) {
        return Err(DlsError(format!(
            "{name} query isn't supported as part of a role query"
        )));
    }
    let body = body.as_object().ok_or_else(|| {
        DlsError(format!(
            "[{name}] query malformed, no start_object after query name"
        ))
    })?;
    validate_body(name, body)
}

fn validate_body(name: &str, body: &Map<String, Value>) -> Result<(), DlsError> {
    match name {
        "terms" => check_terms(body),
        "geo_shape" => check_indexed_shape(body, true),
        "shape" => check_indexed_shape(body, false),
        "more_like_this" => check_more_like_this(body),
        "bool" => ["must", "should", "filter", "must_not"]
            .iter()
            .try_for_each(|clause| one_or_many(name, clause, body.get(*clause))),
        "constant_score" => required(name, "filter", body),
        "dis_max" => many(name, "queries", body.get("queries")),
        "nested" | "script_score" => required(name, "query", body),
        "boosting" => {
            required(name, "positive", body)?;
            required(name, "negative", body)
        }
        "function_score" => check_function_score(body),
        "span_containing" | "span_within" => {
            required(name, "big", body)?;
            required(name, "little", body)
        }
        "span_not" => {
            required(name, "include", body)?;
            required(name, "exclude", body)
        }
        "span_near" | "span_or" => many(name, "clauses", body.get("clauses")),
        "span_first" | "span_field_masking" | "field_masking_span" => required(name, "match", body),
        "span_multi" => required(name, "match", body),
        "pinned" => optional(name, "organic", body.get("organic")),
        "wrapper" => validate_query(&super::wrapper::unwrap(&Value::Object(body.clone()))?),
        _ => Ok(()),
    }
}

/// A field whose value is an object (rather than a list of terms) is a terms lookup.
fn check_terms(body: &Map<String, Value>) -> Result<(), DlsError> {
    let lookup = body
        .iter()
        .any(|(key, value)| !matches!(key.as_str(), "boost" | "_name") && value.is_object());
    if lookup {
        return Err(DlsError(
            "terms query with terms lookup isn't supported as part of a role query".to_string(),
        ));
    }
    Ok(())
}

fn check_indexed_shape(body: &Map<String, Value>, geo: bool) -> Result<(), DlsError> {
    let indexed = body.values().any(|field| {
        field
            .as_object()
            .is_some_and(|spec| spec.contains_key("indexed_shape"))
    });
    match (indexed, geo) {
        (false, _) => Ok(()),
        (true, true) => Err(DlsError(
            "geoshape query referring to indexed shapes isn't supported as part of a role query"
                .to_string(),
        )),
        (true, false) => Err(DlsError(ADDITIONAL_REQUESTS.to_string())),
    }
}

/// `like`/`unlike` items naming stored documents need a multi-get while rewriting.
fn check_more_like_this(body: &Map<String, Value>) -> Result<(), DlsError> {
    let references_document = |items: Option<&Value>| match items {
        Some(Value::Object(item)) => item.contains_key("_id"),
        Some(Value::Array(items)) => items
            .iter()
            .any(|item| item.as_object().is_some_and(|i| i.contains_key("_id"))),
        _ => false,
    };
    if references_document(body.get("like")) || references_document(body.get("unlike")) {
        return Err(DlsError(ADDITIONAL_REQUESTS.to_string()));
    }
    Ok(())
}

fn check_function_score(body: &Map<String, Value>) -> Result<(), DlsError> {
    optional("function_score", "query", body.get("query"))?;
    match body.get("functions") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(functions)) => functions.iter().try_for_each(|function| {
            let filter = function.as_object().and_then(|f| f.get("filter"));
            optional("function_score", "filter", filter)
        }),
        Some(_) => Err(DlsError(
            "[function_score] malformed query, expected a [START_ARRAY] for [functions]"
                .to_string(),
        )),
    }
}

fn required(owner: &str, field: &str, body: &Map<String, Value>) -> Result<(), DlsError> {
    match body.get(field) {
        Some(query) => validate_query(query),
        None => Err(DlsError(format!("[{owner}] requires '{field}' field"))),
    }
}

fn optional(owner: &str, field: &str, query: Option<&Value>) -> Result<(), DlsError> {
    match query {
        None | Some(Value::Null) => Ok(()),
        Some(query @ Value::Object(_)) => validate_query(query),
        Some(other) => Err(DlsError(format!(
            "[{owner}] query malformed, [{field}] must be an object but found [{}]",
            json_type(other)
        ))),
    }
}

/// Clauses that accept one query object or an array of them (`bool`).
fn one_or_many(owner: &str, field: &str, clause: Option<&Value>) -> Result<(), DlsError> {
    match clause {
        Some(Value::Array(queries)) => queries.iter().try_for_each(validate_query),
        other => optional(owner, field, other),
    }
}

/// Clauses that require an array of queries (`dis_max.queries`, `span_near.clauses`).
fn many(owner: &str, field: &str, clause: Option<&Value>) -> Result<(), DlsError> {
    match clause {
        Some(Value::Array(queries)) => queries.iter().try_for_each(validate_query),
        None => Err(DlsError(format!("[{owner}] requires '{field}' field"))),
        Some(other) => Err(DlsError(format!(
            "[{owner}] query malformed, [{field}] must be an array but found [{}]",
            json_type(other)
        ))),
    }
}

pub(crate) use crate::json_token as json_type;
