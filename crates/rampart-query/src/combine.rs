//! Combining queries for document-level security.
//!
//! `and(a, b)` requires both; `or_all(qs)` accepts any. An empty OR is [`Query::MatchNone`]:
//! a role entry listing no query grants no document, so the restriction must fail closed
//! (Elasticsearch's empty `bool` would match everything, which is why we never emit one).
//! DLS filters go in `filter` clauses so they never change scores.

use crate::ast::{BoolQuery, Query};

/// Documents matching both: the user's query scored as before, restricted by `filter`.
pub fn and(query: Query, filter: Query) -> Query {
    match (query, filter) {
        (Query::MatchNone, _) | (_, Query::MatchNone) => Query::MatchNone,
        (query, Query::MatchAll { boost: None }) => query,
        (query, filter) => Query::Bool(BoolQuery {
            must: vec![query],
            filter: vec![filter],
            ..BoolQuery::default()
        }),
    }
}

/// Documents matching any of `queries`; none at all → no document.
pub fn or_all(queries: Vec<Query>) -> Query {
    let mut queries: Vec<Query> = queries
        .into_iter()
        .filter(|q| *q != Query::MatchNone)
        .collect();
    if queries.iter().any(|q| matches!(q, Query::MatchAll { .. })) {
        return Query::MatchAll { boost: None };
    }
    match queries.len() {
        0 => Query::MatchNone,
        1 => queries.pop().unwrap_or(Query::MatchNone),
        _ => Query::Bool(BoolQuery {
            should: queries,
            minimum_should_match: Some(crate::ast::MinimumShouldMatch::Count(1)),
            ..BoolQuery::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Scalar;

    fn term(v: i64) -> Query {
        Query::Term {
            field: "f".into(),
            value: Scalar::Int(v),
            case_insensitive: false,
            boost: None,
        }
    }

    #[test]
    fn empty_or_matches_nothing() {
        assert_eq!(or_all(vec![]), Query::MatchNone);
        assert_eq!(or_all(vec![Query::MatchNone]), Query::MatchNone);
    }

    #[test]
    fn or_keeps_single_and_joins_many() {
        assert_eq!(or_all(vec![term(1)]), term(1));
        let Query::Bool(b) = or_all(vec![term(1), term(2)]) else {
            panic!("bool expected");
        };
        assert_eq!(b.should, vec![term(1), term(2)]);
        assert_eq!(
            b.minimum_should_match,
            Some(crate::ast::MinimumShouldMatch::Count(1))
        );
        assert_eq!(
            or_all(vec![term(1), Query::MatchAll { boost: None }]),
            Query::MatchAll { boost: None }
        );
    }

    #[test]
    fn and_filters_without_scoring() {
        let Query::Bool(b) = and(term(1), term(2)) else {
            panic!("bool expected");
        };
        assert_eq!((b.must, b.filter), (vec![term(1)], vec![term(2)]));
        assert_eq!(and(term(1), Query::MatchNone), Query::MatchNone);
        assert_eq!(and(term(1), Query::MatchAll { boost: None }), term(1));
    }
}
