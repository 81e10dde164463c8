//! DLS role queries at search time: the rendered (templated) query → AST.
//!
//! `rampart_core::dls` renders templates and validates the JSON (no terms lookup,
//! `has_child`, `has_parent`, `percolate`, indexed `geo_shape`, `now`); this module re-runs
//! that validation (cheap, and it keeps the rule next to its only consumer) and parses the
//! query strictly. Any failure is Elasticsearch's search-time error, `failed to parse field
//! 'query' from the role descriptor`, with the specific reason as its cause: a restriction
//! that cannot be computed denies, it never widens (fail closed).

use rampart_core::dls::validate_role_query;
use rampart_core::error::EsError;
use serde_json::Value;

use crate::ast::Query;
use crate::error::QueryError;
use crate::parse::parse_query;

/// Parse one rendered role query (JSON text).
pub fn parse_role_query(rendered: &str) -> Result<Query, QueryError> {
    let value: Value = serde_json::from_str(rendered).map_err(|e| QueryError::RoleQuery {
        detail: format!("failed to parse role query: {e}"),
        cause_type: "x_content_parse_exception",
    })?;
    parse_role_query_value(&value)
}

/// Parse one rendered role query already read as JSON.
pub fn parse_role_query_value(value: &Value) -> Result<Query, QueryError> {
    if !value.is_object() {
        return Err(QueryError::RoleQuery {
            detail: "[_na] query malformed, must start with start_object".into(),
            cause_type: "parsing_exception",
        });
    }
    validate_role_query(value).map_err(|e| QueryError::RoleQuery {
        cause_type: e
            .caused_by()
            .map_or("illegal_argument_exception", |(t, _)| t),
        detail: e.0,
    })?;
    parse_query(value).map_err(|e| match e {
        QueryError::RoleQuery { .. } => e,
        other => QueryError::RoleQuery {
            cause_type: other.es_type(),
            detail: other.reason(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Scalar;

    #[test]
    fn rendered_queries_parse() {
        let q = parse_role_query(r#"{"term":{"dept":"x"}}"#).unwrap();
        assert_eq!(
            q,
            Query::Term {
                field: "dept".into(),
                value: Scalar::Str("x".into()),
                case_insensitive: false,
                boost: None
            }
        );
    }

    #[test]
    fn prohibited_queries_fail_with_the_search_time_wrapper() {
        let err =
            parse_role_query(r#"{"has_child":{"type":"c","query":{"match_all":{}}}}"#).unwrap_err();
        assert_eq!(
            err.reason(),
            "failed to parse field 'query' from the role descriptor"
        );
        assert_eq!(err.es_type(), "parse_exception");
        let (_, cause) = err.caused_by().unwrap();
        assert!(cause.contains("has_child"), "{cause}");
        let lookup = r#"{"terms":{"f":{"index":"i","id":"1","path":"p"}}}"#;
        let (_, cause) = parse_role_query(lookup).unwrap_err().caused_by().unwrap();
        assert!(cause.contains("terms lookup"), "{cause}");
    }

    #[test]
    fn malformed_queries_fail_closed() {
        for bad in [
            "not json",
            "[1]",
            r#"{"nope":{}}"#,
            r#"{"term":{"a":{"x":1}}}"#,
        ] {
            let err = parse_role_query(bad).unwrap_err();
            assert!(
                matches!(err, QueryError::RoleQuery { .. }),
                "{bad}: {err:?}"
            );
        }
    }
}
