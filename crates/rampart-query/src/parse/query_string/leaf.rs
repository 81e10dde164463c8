//! Turning one term of a query string into AST leaves over the target fields.

use crate::ast::{BoolQuery, Bound, Fuzziness, Operator, Query, Scalar};

/// How leaves are built: the fields a clause without `field:` searches, and the defaults.
#[derive(Debug, Clone)]
pub struct Lowering {
    /// `(field or pattern, boost)`; `*` means every field.
    pub fields: Vec<(String, Option<f32>)>,
    pub operator: Operator,
    pub tie_breaker: f32,
    /// `most_fields`-like combination (`bool.should`) instead of `dis_max`.
    pub sum_fields: bool,
    pub phrase_slop: u32,
    pub fuzziness: Fuzziness,
}

/// What one clause asks for, before it is spread over fields.
#[derive(Debug, Clone)]
pub enum Leaf {
    Term {
        text: String,
        pattern: String,
        wild: bool,
    },
    Fuzzy {
        text: String,
        fuzziness: Fuzziness,
    },
    Phrase {
        text: String,
        slop: u32,
    },
    Regex(String),
    Range {
        lower: Option<Bound>,
        upper: Option<Bound>,
    },
}

impl Lowering {
    /// The leaf on `fields` (the clause's own field, or the defaults), boosted by `boost`.
    pub fn build(&self, field: Option<&str>, leaf: &Leaf, boost: Option<f32>) -> Query {
        let single;
        let fields = match field {
            Some(f) => {
                single = [(f.to_string(), None)];
                &single[..]
            }
            None => &self.fields[..],
        };
        let mut queries: Vec<Query> = fields
            .iter()
            .map(|(f, field_boost)| self.on_field(f, leaf, combine(*field_boost, boost)))
            .collect();
        if queries.len() == 1 {
            if let Some(only) = queries.pop() {
                return only;
            }
        }
        if self.sum_fields {
            Query::Bool(BoolQuery {
                should: queries,
                ..BoolQuery::default()
            })
        } else {
            Query::DisMax {
                queries,
                tie_breaker: self.tie_breaker,
                boost: None,
            }
        }
    }

    fn on_field(&self, field: &str, leaf: &Leaf, boost: Option<f32>) -> Query {
        let field_s = field.to_string();
        match leaf {
            Leaf::Term { text, .. } if field == "_exists_" => Query::Exists {
                field: text.clone(),
            },
            Leaf::Term {
                pattern,
                wild: true,
                ..
            } if pattern == "*" => {
                if field == "*" {
                    Query::MatchAll { boost }
                } else {
                    Query::Exists { field: field_s }
                }
            }
            Leaf::Term {
                pattern,
                wild: true,
                ..
            } => {
                let body = pattern
                    .strip_suffix('*')
                    .filter(|p| !p.contains(['*', '?', '\\']));
                match body {
                    Some(prefix) => Query::Prefix {
                        field: field_s,
                        value: prefix.to_string(),
                        case_insensitive: false,
                        boost,
                    },
                    None => Query::Wildcard {
                        field: field_s,
                        value: pattern.clone(),
                        case_insensitive: false,
                        boost,
                    },
                }
            }
            Leaf::Term { text, .. } => Query::Match {
                field: field_s,
                query: Scalar::Str(text.clone()),
                operator: self.operator,
                minimum_should_match: None,
                fuzziness: None,
                boost,
            },
            Leaf::Fuzzy { text, fuzziness } => Query::Fuzzy {
                field: field_s,
                value: text.clone(),
                fuzziness: *fuzziness,
                prefix_length: 0,
                transpositions: true,
                boost,
            },
            Leaf::Phrase { text, slop } => Query::MatchPhrase {
                field: field_s,
                query: text.clone(),
                slop: *slop,
                boost,
            },
            Leaf::Regex(value) => Query::Regexp {
                field: field_s,
                value: value.clone(),
                case_insensitive: false,
                boost,
            },
            Leaf::Range { lower, upper } => Query::Range {
                field: field_s,
                lower: lower.clone(),
                upper: upper.clone(),
                format: None,
                boost,
            },
        }
    }
}

fn combine(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x * y),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Apply a group boost (`(a b)^2`) to a whole query.
pub fn boosted(query: Query, boost: f32) -> Query {
    match query {
        Query::Bool(mut b) => {
            b.boost = combine(b.boost, Some(boost));
            Query::Bool(b)
        }
        Query::DisMax {
            queries,
            tie_breaker,
            boost: old,
        } => Query::DisMax {
            queries,
            tie_breaker,
            boost: combine(old, Some(boost)),
        },
        Query::MatchNone => Query::MatchNone,
        other => Query::Bool(BoolQuery {
            must: vec![other],
            boost: Some(boost),
            ..BoolQuery::default()
        }),
    }
}
