//! The strict query DSL parser: JSON → [`Query`], with Elasticsearch's error texts.
//!
//! Sugar is lowered here (`multi_match`, `query_string`, `simple_query_string`), so engines
//! only see the closed node set of [`crate::ast`]. Real Elasticsearch queries this server does
//! not implement are rejected by name ([`QueryError::Unsupported`]), never ignored.

mod compound;
mod full_text;
mod multi_match;
mod query_string;
mod term_level;
pub(crate) mod values;

use serde_json::{Map, Value};

use rampart_core::dls::KNOWN_QUERIES;

use crate::ast::Query;
use crate::error::QueryError;

/// How deeply compound queries may nest (Elasticsearch's `indices.query.max_nested_depth`).
pub const MAX_NESTED_DEPTH: usize = 30;

/// Parse one query clause, e.g. the value of a search body's `query`.
pub fn parse_query(value: &Value) -> Result<Query, QueryError> {
    Parser { depth: 0 }.query(value)
}

/// Recursion state; every compound query goes through [`Parser::query`] for its children.
pub(crate) struct Parser {
    depth: usize,
}

impl Parser {
    pub(crate) fn query(&mut self, value: &Value) -> Result<Query, QueryError> {
        let Value::Object(object) = value else {
            return Err(QueryError::parsing(
                "[_na] query malformed, must start with start_object",
            ));
        };
        let mut entries = object.iter();
        let Some((name, body)) = entries.next() else {
            return Err(QueryError::illegal("query malformed, empty clause found"));
        };
        if entries.next().is_some() {
            return Err(QueryError::parsing(format!(
                "[{name}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]"
            )));
        }
        if !body.is_object() {
            return Err(QueryError::parsing(format!(
                "[{name}] query malformed, no start_object after query name"
            )));
        }
        self.depth += 1;
        if self.depth > MAX_NESTED_DEPTH {
            return Err(QueryError::illegal(format!(
                "The nested depth of the query exceeds the maximum nested depth for queries set in [indices.query.max_nested_depth] ({MAX_NESTED_DEPTH})"
            )));
        }
        let result = self.named(name, body);
        self.depth -= 1;
        result
    }

    fn named(&mut self, name: &str, body: &Value) -> Result<Query, QueryError> {
        match name {
            "match_all" => term_level::match_all(body),
            "match_none" => term_level::match_none(body),
            "term" => term_level::term(body),
            "terms" => term_level::terms(body),
            "ids" => term_level::ids(body),
            "range" => term_level::range(body),
            "exists" => term_level::exists(body),
            "prefix" | "wildcard" | "regexp" => term_level::pattern(name, body),
            "fuzzy" => term_level::fuzzy(body),
            "match" => full_text::match_query(body),
            "match_phrase" => full_text::match_phrase(body),
            "match_phrase_prefix" => full_text::match_phrase_prefix(body),
            "multi_match" => multi_match::multi_match(body),
            "bool" => compound::bool_query(self, body),
            "dis_max" => compound::dis_max(self, body),
            "constant_score" => compound::constant_score(self, body),
            "query_string" => query_string::query_string(body),
            "simple_query_string" => query_string::simple_query_string(body),
            // Every name not matched above that Elasticsearch registers is one we do not execute.
            _ if KNOWN_QUERIES.contains(&name) => {
                Err(QueryError::unsupported(format!("[{name}] query")))
            }
            _ => Err(QueryError::parsing(format!("unknown query [{name}]"))),
        }
    }
}

/// The single `field: spec` entry of a field-keyed query (`term`, `match`, `range`, ...);
/// `_name` is accepted beside it.
pub(crate) fn single_field<'a>(
    query: &str,
    body: &'a Map<String, Value>,
) -> Result<(&'a str, &'a Value), QueryError> {
    let mut found: Option<(&'a str, &'a Value)> = None;
    for (key, value) in body {
        if key == "_name" {
            continue;
        }
        if let Some((first, _)) = found {
            return Err(QueryError::parsing(format!(
                "[{query}] query doesn't support multiple fields, found [{first}] and [{key}]"
            )));
        }
        found = Some((key.as_str(), value));
    }
    match found {
        Some(entry) if !entry.0.is_empty() => Ok(entry),
        _ => Err(QueryError::illegal("field name is null or empty")),
    }
}

#[cfg(test)]
mod tests;
