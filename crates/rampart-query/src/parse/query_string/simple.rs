//! The forgiving `simple_query_string` syntax: `+` (and), `|` (or), `-` (not), `"phrase"~N`,
//! `prefix*`, `term~N`, parentheses. It never fails: stray syntax is treated as text, as
//! Elasticsearch does. Operators apply left to right without precedence, as in Lucene's
//! simple parser.

use super::leaf::{Leaf, Lowering};
use crate::ast::{BoolQuery, Fuzziness, Operator, Query};

pub fn parse(text: &str, lowering: &Lowering) -> Query {
    let chars: Vec<char> = text.chars().collect();
    let mut parser = Simple {
        chars,
        pos: 0,
        lowering,
    };
    parser.group(0).unwrap_or(Query::MatchNone)
}

struct Simple<'a> {
    chars: Vec<char>,
    pos: usize,
    lowering: &'a Lowering,
}

/// The running combination: clauses joined by one operator.
struct Running {
    operator: Operator,
    clauses: Vec<Query>,
}

impl Running {
    fn push(&mut self, operator: Operator, query: Query) {
        if self.clauses.len() > 1 && operator != self.operator {
            let previous = std::mem::take(&mut self.clauses);
            self.clauses.push(collapse(self.operator, previous));
        }
        self.operator = operator;
        self.clauses.push(query);
    }

    fn finish(mut self) -> Option<Query> {
        match self.clauses.len() {
            0 => None,
            1 => self.clauses.pop(),
            _ => Some(collapse(self.operator, self.clauses)),
        }
    }
}

fn collapse(operator: Operator, clauses: Vec<Query>) -> Query {
    Query::Bool(match operator {
        Operator::And => BoolQuery {
            must: clauses,
            ..BoolQuery::default()
        },
        Operator::Or => BoolQuery {
            should: clauses,
            ..BoolQuery::default()
        },
    })
}

const MAX_DEPTH: usize = 32;

impl Simple<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn group(&mut self, depth: usize) -> Option<Query> {
        let mut running = Running {
            operator: self.lowering.operator,
            clauses: Vec::new(),
        };
        let mut pending: Option<Operator> = None;
        let mut negate = false;
        while let Some(c) = self.peek() {
            let query = match c {
                _ if c.is_whitespace() => {
                    self.pos += 1;
                    continue;
                }
                '|' => {
                    self.pos += 1;
                    pending = Some(Operator::Or);
                    continue;
                }
                '+' => {
                    self.pos += 1;
                    pending = Some(Operator::And);
                    continue;
                }
                '-' => {
                    self.pos += 1;
                    negate = !negate;
                    continue;
                }
                ')' => {
                    self.pos += 1;
                    if depth > 0 {
                        break;
                    }
                    continue;
                }
                '(' => {
                    self.pos += 1;
                    if depth >= MAX_DEPTH {
                        continue;
                    }
                    match self.group(depth + 1) {
                        Some(q) => q,
                        None => continue,
                    }
                }
                '"' => self.phrase(),
                _ => match self.term() {
                    Some(q) => q,
                    None => continue,
                },
            };
            let query = if std::mem::take(&mut negate) {
                Query::Bool(BoolQuery {
                    must_not: vec![query],
                    ..BoolQuery::default()
                })
            } else {
                query
            };
            let operator = pending.take().unwrap_or(self.lowering.operator);
            running.push(operator, query);
        }
        running.finish()
    }

    fn phrase(&mut self) -> Query {
        self.pos += 1;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => {
                    if let Some(escaped) = self.peek() {
                        text.push(escaped);
                        self.pos += 1;
                    }
                }
                '"' => break,
                _ => text.push(c),
            }
        }
        let slop = match self.tilde() {
            Some(Some(n)) => n.parse().unwrap_or(0),
            _ => 0,
        };
        self.lowering
            .build(None, &Leaf::Phrase { text, slop }, None)
    }

    /// A `~` suffix: `None` if absent, `Some(None)` bare, `Some(Some(n))` with a number.
    fn tilde(&mut self) -> Option<Option<String>> {
        if self.peek() != Some('~') {
            return None;
        }
        self.pos += 1;
        let mut digits = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            digits.push(c);
            self.pos += 1;
        }
        Some((!digits.is_empty()).then_some(digits))
    }

    fn term(&mut self) -> Option<Query> {
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, '|' | '+' | '(' | ')' | '"' | '~') {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                if let Some(escaped) = self.peek() {
                    text.push(escaped);
                    self.pos += 1;
                }
                continue;
            }
            text.push(c);
        }
        let fuzzy = self.tilde();
        if text.is_empty() {
            return None;
        }
        let leaf = match fuzzy {
            Some(distance) => Leaf::Fuzzy {
                text,
                fuzziness: match distance.and_then(|d| d.parse::<u8>().ok()) {
                    Some(d) => Fuzziness::Distance(d.min(2)),
                    None => self.lowering.fuzziness,
                },
            },
            None => match text.strip_suffix('*') {
                Some(prefix) if !prefix.is_empty() => Leaf::Term {
                    pattern: format!("{}*", escape_pattern(prefix)),
                    text,
                    wild: true,
                },
                _ => Leaf::Term {
                    pattern: escape_pattern(&text),
                    text,
                    wild: false,
                },
            },
        };
        Some(self.lowering.build(None, &leaf, None))
    }
}

/// In simple syntax only a trailing `*` is special; everything else is literal.
fn escape_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
