//! Walking and rewriting the AST: field references, field-level security, pattern expansion.
//!
//! FLS rewrite ([`hide_fields`]): a leaf on a field the caller may not see becomes
//! [`Query::MatchNone`]. Elasticsearch's semantics follow from the bool algebra: a hidden
//! field's `exists` is false, `must_not` of a hidden-field leaf excludes nothing (matches
//! all), and a `should` on it contributes nothing. Field names still containing `*` are
//! patterns; expand them against the mapping first ([`expand_field_patterns`]) so that a
//! pattern never reaches hidden fields. A pattern that is not expanded is checked as a name
//! (`permits("title*")`), which fails closed for ordinary field permissions.

use std::collections::BTreeSet;

use crate::ast::{BoolQuery, Query};

/// The pattern of every leaf that queries one field, binding that field to `$field`: one
/// list serves both the reading and the rewriting of a leaf's field.
macro_rules! field_leaf {
    ($field:ident) => {
        Query::Term { field: $field, .. }
            | Query::Terms { field: $field, .. }
            | Query::Match { field: $field, .. }
            | Query::MatchPhrase { field: $field, .. }
            | Query::MatchPhrasePrefix { field: $field, .. }
            | Query::Range { field: $field, .. }
            | Query::Exists { field: $field }
            | Query::Prefix { field: $field, .. }
            | Query::Wildcard { field: $field, .. }
            | Query::Regexp { field: $field, .. }
            | Query::Fuzzy { field: $field, .. }
    };
}

/// The field a leaf queries; `None` for compound nodes and field-less leaves.
pub fn leaf_field(query: &Query) -> Option<&str> {
    match query {
        field_leaf!(field) => Some(field),
        // Listed, not `_`, so that a new variant must be classified here.
        Query::MatchAll { .. }
        | Query::MatchNone
        | Query::Ids { .. }
        | Query::Bool(_)
        | Query::DisMax { .. }
        | Query::ConstantScore { .. } => None,
    }
}

fn set_leaf_field(query: &mut Query, name: String) {
    if let field_leaf!(field) = query {
        *field = name;
    }
}

/// Visit every node, parents before children.
pub fn walk<'a>(query: &'a Query, visit: &mut dyn FnMut(&'a Query)) {
    visit(query);
    match query {
        Query::Bool(b) => {
            for child in b
                .must
                .iter()
                .chain(&b.should)
                .chain(&b.filter)
                .chain(&b.must_not)
            {
                walk(child, visit);
            }
        }
        Query::DisMax { queries, .. } => {
            for child in queries {
                walk(child, visit);
            }
        }
        Query::ConstantScore { filter, .. } => walk(filter, visit),
        _ => {}
    }
}

/// Rebuild the tree, replacing every leaf (every node that is not `bool`, `dis_max` or
/// `constant_score`) by what `rewrite` returns for it.
pub fn fold_leaves(query: Query, rewrite: &mut dyn FnMut(Query) -> Query) -> Query {
    let all = |children: Vec<Query>, rewrite: &mut dyn FnMut(Query) -> Query| {
        children
            .into_iter()
            .map(|c| fold_leaves(c, rewrite))
            .collect::<Vec<_>>()
    };
    match query {
        Query::Bool(b) => Query::Bool(BoolQuery {
            must: all(b.must, rewrite),
            should: all(b.should, rewrite),
            filter: all(b.filter, rewrite),
            must_not: all(b.must_not, rewrite),
            minimum_should_match: b.minimum_should_match,
            boost: b.boost,
        }),
        Query::DisMax {
            queries,
            tie_breaker,
            boost,
        } => Query::DisMax {
            queries: all(queries, rewrite),
            tie_breaker,
            boost,
        },
        Query::ConstantScore { filter, boost } => Query::ConstantScore {
            filter: Box::new(fold_leaves(*filter, rewrite)),
            boost,
        },
        leaf => rewrite(leaf),
    }
}

/// Every field (or field pattern) the query reads, sorted and deduplicated.
pub fn field_references(query: &Query) -> BTreeSet<String> {
    let mut fields = BTreeSet::new();
    walk(query, &mut |node| {
        if let Some(field) = leaf_field(node) {
            fields.insert(field.to_string());
        }
    });
    fields
}

/// Field-level security: leaves on fields `permits` rejects match nothing (see module docs).
pub fn hide_fields(query: Query, permits: &dyn Fn(&str) -> bool) -> Query {
    fold_leaves(query, &mut |leaf| match leaf_field(&leaf) {
        Some(field) if !permits(field) => Query::MatchNone,
        _ => leaf,
    })
}

/// Replace leaves on field patterns (names containing `*`) by the same leaf on each concrete
/// field `expand` lists: none → match nothing; one → that leaf; several → the best of them
/// (`dis_max`), as Elasticsearch scores a pattern over several fields.
pub fn expand_field_patterns(query: Query, expand: &dyn Fn(&str) -> Vec<String>) -> Query {
    fold_leaves(query, &mut |leaf| {
        let Some(pattern) = leaf_field(&leaf).filter(|f| f.contains('*')) else {
            return leaf;
        };
        let mut queries: Vec<Query> = expand(pattern)
            .into_iter()
            .map(|name| {
                let mut copy = leaf.clone();
                set_leaf_field(&mut copy, name);
                copy
            })
            .collect();
        match queries.len() {
            0 => Query::MatchNone,
            1 => queries.pop().unwrap_or(Query::MatchNone),
            _ => Query::DisMax {
                queries,
                tie_breaker: 0.0,
                boost: None,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_query;
    use serde_json::json;

    fn q(v: serde_json::Value) -> Query {
        parse_query(&v).unwrap()
    }

    #[test]
    fn references_cover_nested_leaves() {
        let query = q(json!({"bool": {
            "must": [{"term": {"a": 1}}, {"constant_score": {"filter": {"exists": {"field": "b"}}}}],
            "must_not": {"dis_max": {"queries": [{"match": {"c": "x"}}, {"ids": {"values": ["1"]}}]}}
        }}));
        let fields: Vec<_> = field_references(&query).into_iter().collect();
        assert_eq!(fields, ["a", "b", "c"]);
    }

    #[test]
    fn hidden_leaves_match_nothing_and_their_negation_everything() {
        let query = q(json!({"bool": {
            "must": {"term": {"secret": "x"}},
            "must_not": {"exists": {"field": "secret"}},
            "should": {"match": {"public": "y"}}
        }}));
        let hidden = hide_fields(query, &|f| f != "secret");
        let Query::Bool(b) = hidden else {
            panic!("still a bool");
        };
        assert_eq!(b.must, vec![Query::MatchNone]);
        assert_eq!(b.must_not, vec![Query::MatchNone]);
        assert_eq!(b.should.len(), 1);
        assert!(matches!(b.should[0], Query::Match { .. }));
    }

    #[test]
    fn multi_match_fields_are_hidden_one_by_one() {
        let query = q(json!({"multi_match": {"query": "x", "fields": ["title", "secret^2"]}}));
        let hidden = hide_fields(query, &|f| f != "secret");
        let Query::DisMax { queries, .. } = hidden else {
            panic!("dis_max expected");
        };
        assert!(matches!(&queries[0], Query::Match { field, .. } if field == "title"));
        assert_eq!(queries[1], Query::MatchNone);
    }

    #[test]
    fn patterns_expand_before_hiding() {
        let query = q(json!({"query_string": {"query": "x", "fields": ["t*"]}}));
        let expanded = expand_field_patterns(query, &|p| {
            assert_eq!(p, "t*");
            vec!["title".into(), "tsecret".into()]
        });
        let hidden = hide_fields(expanded, &|f| f != "tsecret");
        let Query::DisMax { queries, .. } = hidden else {
            panic!("dis_max expected");
        };
        assert!(matches!(&queries[0], Query::Match { field, .. } if field == "title"));
        assert_eq!(queries[1], Query::MatchNone);
        let none = expand_field_patterns(q(json!({"exists": {"field": "z*"}})), &|_| vec![]);
        assert_eq!(none, Query::MatchNone);
    }

    #[test]
    fn unexpanded_patterns_fail_closed() {
        let query = q(json!({"match": {"t*": "x"}}));
        assert_eq!(hide_fields(query, &|f| f == "title"), Query::MatchNone);
    }
}
