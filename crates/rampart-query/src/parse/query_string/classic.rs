//! The Lucene classic syntax (`query_string`): clauses with `+`/`-`/`NOT` modifiers and
//! `AND`/`OR` conjunctions, combined as Lucene's classic parser combines them.

use super::leaf::{Leaf, Lowering, boosted};
use super::lexer::{Compare, Token};
use crate::ast::{BoolQuery, Bound, Fuzziness, Operator, Query, Scalar};

#[derive(Clone, Copy, PartialEq)]
enum Occur {
    Must,
    Should,
    MustNot,
}

pub struct Classic<'a> {
    tokens: Vec<Token>,
    pos: usize,
    lowering: &'a Lowering,
    depth: usize,
}

/// Parenthesised groups may nest this deep.
const MAX_GROUP_DEPTH: usize = 32;

impl<'a> Classic<'a> {
    pub fn new(tokens: Vec<Token>, lowering: &'a Lowering) -> Self {
        Self {
            tokens,
            pos: 0,
            lowering,
            depth: 0,
        }
    }

    pub fn parse(mut self) -> Result<Query, String> {
        let query = self.clauses(None)?;
        match self.tokens.get(self.pos) {
            None => Ok(query),
            Some(token) => Err(format!("unexpected {token:?}")),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    /// Clauses up to `)` or the end, combined into one query.
    fn clauses(&mut self, field: Option<&str>) -> Result<Query, String> {
        let mut clauses: Vec<(Occur, Query)> = Vec::new();
        loop {
            let conj = match self.peek() {
                None | Some(Token::RParen) => break,
                Some(Token::And) => Some(Operator::And),
                Some(Token::Or) => Some(Operator::Or),
                _ => None,
            };
            if conj.is_some() {
                self.pos += 1;
            }
            let modifier = match self.peek() {
                Some(Token::Plus) => Some(Occur::Must),
                Some(Token::Minus | Token::Not) => Some(Occur::MustNot),
                _ => None,
            };
            if modifier.is_some() {
                self.pos += 1;
            }
            let query = self.clause(field)?;
            self.add(&mut clauses, conj, modifier, query);
        }
        Ok(combine(clauses))
    }

    /// Lucene's `addClause`: a conjunction also changes the occurrence of the clause before.
    fn add(
        &self,
        clauses: &mut Vec<(Occur, Query)>,
        conj: Option<Operator>,
        modifier: Option<Occur>,
        query: Query,
    ) {
        let and_default = self.lowering.operator == Operator::And;
        if let Some((last, _)) = clauses.last_mut() {
            if conj == Some(Operator::And) && *last != Occur::MustNot {
                *last = Occur::Must;
            }
            if and_default && conj == Some(Operator::Or) && *last != Occur::MustNot {
                *last = Occur::Should;
            }
        }
        let prohibited = modifier == Some(Occur::MustNot);
        let required = if and_default {
            !prohibited && conj != Some(Operator::Or)
        } else {
            modifier == Some(Occur::Must) || (conj == Some(Operator::And) && !prohibited)
        };
        let occur = if prohibited {
            Occur::MustNot
        } else if required {
            Occur::Must
        } else {
            Occur::Should
        };
        clauses.push((occur, query));
    }

    fn clause(&mut self, field: Option<&str>) -> Result<Query, String> {
        let own_field = match self.peek() {
            Some(Token::Field(name)) => {
                let name = name.clone();
                self.pos += 1;
                Some(name)
            }
            _ => None,
        };
        let field = own_field.as_deref().or(field);
        let query = match self.next() {
            Some(Token::LParen) => {
                self.depth += 1;
                if self.depth > MAX_GROUP_DEPTH {
                    return Err("too many nested groups".to_string());
                }
                let inner = self.clauses(field)?;
                self.depth -= 1;
                if self.next() != Some(Token::RParen) {
                    return Err("missing closing parenthesis".to_string());
                }
                match self.boost() {
                    Some(b) => boosted(inner, b),
                    None => inner,
                }
            }
            Some(Token::Term {
                text,
                pattern,
                wild,
            }) => {
                let leaf = match self.peek() {
                    Some(Token::Tilde(distance)) => {
                        let fuzziness = match distance {
                            Some(d) => parse_fuzziness(d)?,
                            None => self.lowering.fuzziness,
                        };
                        self.pos += 1;
                        Leaf::Fuzzy { text, fuzziness }
                    }
                    _ => Leaf::Term {
                        text,
                        pattern,
                        wild,
                    },
                };
                let boost = self.boost();
                self.lowering.build(field, &leaf, boost)
            }
            Some(Token::Phrase(text)) => {
                let mut slop = self.lowering.phrase_slop;
                if let Some(Token::Tilde(n)) = self.peek() {
                    let n = n.clone();
                    self.pos += 1;
                    slop = match n {
                        Some(n) => n.parse().map_err(|_| format!("invalid slop [{n}]"))?,
                        None => slop,
                    };
                }
                let boost = self.boost();
                self.lowering
                    .build(field, &Leaf::Phrase { text, slop }, boost)
            }
            Some(Token::Regex(pattern)) => {
                let boost = self.boost();
                self.lowering.build(field, &Leaf::Regex(pattern), boost)
            }
            Some(Token::Range {
                lower,
                upper,
                include_lower,
                include_upper,
            }) => {
                let leaf = Leaf::Range {
                    lower: lower.map(|v| bound(v, include_lower)),
                    upper: upper.map(|v| bound(v, include_upper)),
                };
                let boost = self.boost();
                self.lowering.build(field, &leaf, boost)
            }
            Some(Token::Compare(op, value)) => {
                let Some(field) = field else {
                    return Err(format!("[{value}] comparison without a field"));
                };
                let b = Some(bound(value, matches!(op, Compare::Gte | Compare::Lte)));
                let leaf = match op {
                    Compare::Gt | Compare::Gte => Leaf::Range {
                        lower: b,
                        upper: None,
                    },
                    Compare::Lt | Compare::Lte => Leaf::Range {
                        lower: None,
                        upper: b,
                    },
                };
                let boost = self.boost();
                self.lowering.build(Some(field), &leaf, boost)
            }
            Some(other) => return Err(format!("unexpected {other:?}")),
            None => return Err("unexpected end of query".to_string()),
        };
        Ok(query)
    }

    fn boost(&mut self) -> Option<f32> {
        if let Some(Token::Boost(b)) = self.peek() {
            let b = *b;
            self.pos += 1;
            return Some(b);
        }
        None
    }
}

fn bound(value: String, inclusive: bool) -> Bound {
    Bound {
        value: Scalar::Str(value),
        inclusive,
    }
}

fn parse_fuzziness(text: &str) -> Result<Fuzziness, String> {
    match text.parse::<f32>() {
        Ok(0.0) => Ok(Fuzziness::Distance(0)),
        Ok(1.0) => Ok(Fuzziness::Distance(1)),
        Ok(d) if d >= 2.0 => Ok(Fuzziness::Distance(2)),
        // Lucene's legacy similarity fractions (`~0.8`) mean "fuzzy, automatic distance".
        Ok(d) if (0.0..1.0).contains(&d) => Ok(Fuzziness::Auto { low: 3, high: 6 }),
        _ => Err(format!("invalid fuzziness [{text}]")),
    }
}

/// One clause alone stands for itself unless it is negated; otherwise a bool.
fn combine(mut clauses: Vec<(Occur, Query)>) -> Query {
    if clauses.len() == 1 {
        if let Some((occur, query)) = clauses.pop() {
            if occur != Occur::MustNot {
                return query;
            }
            clauses.push((occur, query));
        }
    }
    if clauses.is_empty() {
        return Query::MatchNone;
    }
    let mut bool_query = BoolQuery::default();
    for (occur, query) in clauses {
        match occur {
            Occur::Must => bool_query.must.push(query),
            Occur::Should => bool_query.should.push(query),
            Occur::MustNot => bool_query.must_not.push(query),
        }
    }
    Query::Bool(bool_query)
}
