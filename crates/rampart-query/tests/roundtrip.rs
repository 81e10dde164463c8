#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Rendering is the parser's inverse: `parse(render(q)) == q` for generated trees, and FLS
//! rewriting never leaves a hidden field behind.

use proptest::prelude::*;
use rampart_query::ast::{
    BoolQuery, Bound, Fuzziness, MinimumShouldMatch, Operator, Query, Scalar,
};
use rampart_query::{field_references, hide_fields, parse_query, to_es_json};

fn field() -> impl Strategy<Value = String> {
    "f[a-c]{0,2}"
}

fn boost() -> impl Strategy<Value = Option<f32>> {
    prop::option::of(0.0f32..100.0)
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<bool>().prop_map(Scalar::Bool),
        any::<i64>().prop_map(Scalar::Int),
        (-1e12f64..1e12).prop_map(Scalar::Float),
        "[a-z0-9 *]{0,6}".prop_map(Scalar::Str),
    ]
}

fn msm() -> impl Strategy<Value = Option<MinimumShouldMatch>> {
    prop::option::of(prop_oneof![
        (-5i32..5).prop_map(MinimumShouldMatch::Count),
        (-100i32..100).prop_map(MinimumShouldMatch::Percent),
    ])
}

fn fuzziness() -> impl Strategy<Value = Fuzziness> {
    prop_oneof![
        (0u8..3).prop_map(Fuzziness::Distance),
        (0u8..5, 0u8..5).prop_map(|(a, b)| Fuzziness::Auto {
            low: a.min(b),
            high: a.max(b)
        }),
    ]
}

fn bound() -> impl Strategy<Value = Option<Bound>> {
    prop::option::of(
        (scalar(), any::<bool>()).prop_map(|(value, inclusive)| Bound { value, inclusive }),
    )
}

fn leaf() -> impl Strategy<Value = Query> {
    prop_oneof![
        boost().prop_map(|boost| Query::MatchAll { boost }),
        Just(Query::MatchNone),
        (field(), scalar(), any::<bool>(), boost()).prop_map(
            |(field, value, case_insensitive, boost)| {
                Query::Term {
                    field,
                    value,
                    case_insensitive,
                    boost,
                }
            }
        ),
        (field(), prop::collection::vec(scalar(), 0..4), boost()).prop_map(
            |(field, values, boost)| Query::Terms {
                field,
                values,
                boost
            }
        ),
        prop::collection::vec("[a-z0-9]{1,4}", 0..3).prop_map(|values| Query::Ids { values }),
        (
            field(),
            scalar(),
            any::<bool>(),
            msm(),
            prop::option::of(fuzziness()),
            boost()
        )
            .prop_map(
                |(field, query, and, minimum_should_match, fuzziness, boost)| Query::Match {
                    field,
                    query,
                    operator: if and { Operator::And } else { Operator::Or },
                    minimum_should_match,
                    fuzziness,
                    boost,
                }
            ),
        (field(), "[a-z ]{0,8}", 0u32..4, boost()).prop_map(|(field, query, slop, boost)| {
            Query::MatchPhrase {
                field,
                query,
                slop,
                boost,
            }
        }),
        (field(), "[a-z ]{0,8}", boost()).prop_map(|(field, query, boost)| {
            Query::MatchPhrasePrefix {
                field,
                query,
                boost,
            }
        }),
        (
            field(),
            bound(),
            bound(),
            prop::option::of("[a-z_]{1,8}"),
            boost()
        )
            .prop_map(|(field, lower, upper, format, boost)| Query::Range {
                field,
                lower,
                upper,
                format,
                boost
            }),
        field().prop_map(|field| Query::Exists { field }),
        (0u8..3, field(), "[a-z*?.]{0,5}", any::<bool>(), boost()).prop_map(
            |(kind, field, value, case_insensitive, boost)| match kind {
                0 => Query::Prefix {
                    field,
                    value,
                    case_insensitive,
                    boost
                },
                1 => Query::Wildcard {
                    field,
                    value,
                    case_insensitive,
                    boost
                },
                _ => Query::Regexp {
                    field,
                    value,
                    case_insensitive,
                    boost
                },
            }
        ),
        (
            field(),
            "[a-z]{0,5}",
            fuzziness(),
            0u32..3,
            any::<bool>(),
            boost()
        )
            .prop_map(
                |(field, value, fuzziness, prefix_length, transpositions, boost)| Query::Fuzzy {
                    field,
                    value,
                    fuzziness,
                    prefix_length,
                    transpositions,
                    boost,
                }
            ),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        let clauses = || prop::collection::vec(inner.clone(), 0..3);
        prop_oneof![
            (clauses(), clauses(), clauses(), clauses(), msm(), boost()).prop_map(
                |(must, should, filter, must_not, minimum_should_match, boost)| {
                    Query::Bool(BoolQuery {
                        must,
                        should,
                        filter,
                        must_not,
                        minimum_should_match,
                        boost,
                    })
                }
            ),
            (
                prop::collection::vec(inner.clone(), 1..3),
                0.0f32..1.0,
                boost()
            )
                .prop_map(|(queries, tie_breaker, boost)| Query::DisMax {
                    queries,
                    tie_breaker,
                    boost
                }),
            (inner, boost()).prop_map(|(filter, boost)| Query::ConstantScore {
                filter: Box::new(filter),
                boost
            }),
        ]
    })
}

proptest! {
    #[test]
    fn render_then_parse_is_identity(q in query()) {
        let rendered = to_es_json(&q);
        let parsed = parse_query(&rendered);
        prop_assert_eq!(parsed.as_ref(), Ok(&q), "rendered: {}", rendered);
    }

    #[test]
    fn hiding_leaves_no_hidden_reference(q in query(), hidden in field()) {
        let rewritten = hide_fields(q, &|f| f != hidden);
        prop_assert!(!field_references(&rewritten).contains(&hidden));
        // and the result still renders to a query the parser accepts
        prop_assert!(parse_query(&to_es_json(&rewritten)).is_ok());
    }
}
