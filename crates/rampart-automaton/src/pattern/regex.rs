//! Recursive-descent parser for Lucene `RegExp` syntax with all optional
//! features enabled (`~`, `&`, `<n-m>`, `@`, `#`, `"..."`).
//!
//! Grammar (lowest precedence first), mirroring Lucene so that quirks such as
//! a leading `*` being a literal behave the same:
//! ```text
//! union   := inter ('|' inter)*
//! inter   := concat ('&' concat)*
//! concat  := repeat repeat*            (stops before ')', '|', '&')
//! repeat  := compl ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')*
//! compl   := '~' compl | class
//! class   := '[' '^'? item+ ']' | simple
//! simple  := '.' | '#' | '@' | '"' chars '"' | '(' ')' | '(' union ')'
//!          | '<' n '-' m '>' | '\d' etc. | char
//! char    := '\' any | any
//! ```
//! Error positions are character offsets into the regex body.

use super::{Ast, concat_of};

type ParseResult<T> = Result<T, String>;

/// Maximum nesting of groups and complements, and maximum number of
/// repetition operators. Together they bound the depth of the tree, which
/// keeps recursion (parsing, compiling, printing, dropping) safe for
/// hostile input.
const MAX_NESTING: usize = 100;
const MAX_REPEAT_OPERATORS: usize = 500;

const DIGITS: &[(char, char)] = &[('0', '9')];
const SPACES: &[(char, char)] = &[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('_', '_'), ('0', '9')];

pub(crate) fn parse_regex(body: &str) -> ParseResult<Ast> {
    // Lucene treats the empty expression as the empty string.
    if body.is_empty() {
        return Ok(Ast::EmptyString);
    }
    let mut parser = Parser {
        chars: body.chars().collect(),
        pos: 0,
        depth: 0,
        repeat_operators: 0,
    };
    let ast = parser.union()?;
    if parser.more() {
        return Err(format!("end-of-string expected at position {}", parser.pos));
    }
    Ok(ast)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    repeat_operators: usize,
}

impl Parser {
    fn more(&self) -> bool {
        self.pos < self.chars.len()
    }

    fn peek_char(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_any(&self, set: &str) -> bool {
        self.peek_char().is_some_and(|c| set.contains(c))
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek_char() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> ParseResult<char> {
        let c = self
            .peek_char()
            .ok_or_else(|| format!("unexpected end of expression at position {}", self.pos))?;
        self.pos += 1;
        Ok(c)
    }

    fn enter(&mut self, levels: usize) -> ParseResult<()> {
        if self.depth + levels > MAX_NESTING {
            return Err(format!(
                "expression nested too deeply at position {}",
                self.pos
            ));
        }
        Ok(())
    }

    fn union(&mut self) -> ParseResult<Ast> {
        self.enter(1)?;
        self.depth += 1;
        let result = self.union_inner();
        self.depth -= 1;
        result
    }

    fn union_inner(&mut self) -> ParseResult<Ast> {
        let mut alternatives = vec![self.inter()?];
        while self.eat('|') {
            alternatives.push(self.inter()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Ast::EmptyLanguage)
        } else {
            Ast::Union(alternatives)
        })
    }

    fn inter(&mut self) -> ParseResult<Ast> {
        let mut operands = vec![self.concat()?];
        while self.eat('&') {
            operands.push(self.concat()?);
        }
        Ok(if operands.len() == 1 {
            operands.pop().unwrap_or(Ast::EmptyLanguage)
        } else {
            Ast::Intersection(operands)
        })
    }

    fn concat(&mut self) -> ParseResult<Ast> {
        let mut items = vec![self.repeat()?];
        while self.more() && !self.peek_any(")|&") {
            items.push(self.repeat()?);
        }
        Ok(concat_of(items))
    }

    fn repeat(&mut self) -> ParseResult<Ast> {
        let mut ast = self.compl()?;
        loop {
            let (min, max) = if self.eat('?') {
                (0, Some(1))
            } else if self.eat('*') {
                (0, None)
            } else if self.eat('+') {
                (1, None)
            } else if self.eat('{') {
                self.repeat_bounds()?
            } else {
                return Ok(ast);
            };
            self.repeat_operators += 1;
            if self.repeat_operators > MAX_REPEAT_OPERATORS {
                return Err(format!(
                    "too many repetition operators at position {}",
                    self.pos
                ));
            }
            ast = Ast::Repeat {
                inner: Box::new(ast),
                min,
                max,
            };
        }
    }

    /// Parses the rest of `{n}`, `{n,}` or `{n,m}` after the `{`.
    fn repeat_bounds(&mut self) -> ParseResult<(u32, Option<u32>)> {
        let min = self
            .number()?
            .ok_or_else(|| format!("integer expected at position {}", self.pos))?;
        let max = if self.eat(',') {
            self.number()?
        } else {
            Some(min)
        };
        if !self.eat('}') {
            return Err(format!("expected '}}' at position {}", self.pos));
        }
        Ok((min, max))
    }

    fn number(&mut self) -> ParseResult<Option<u32>> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(d) = self.peek_char().and_then(|c| c.to_digit(10)) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or_else(|| format!("repetition count too large at position {start}"))?;
            self.pos += 1;
        }
        Ok((self.pos > start).then_some(value))
    }

    fn compl(&mut self) -> ParseResult<Ast> {
        if self.eat('~') {
            self.enter(1)?;
            self.depth += 1;
            let inner = self.compl();
            self.depth -= 1;
            Ok(Ast::Complement(Box::new(inner?)))
        } else {
            self.class()
        }
    }

    fn class(&mut self) -> ParseResult<Ast> {
        if !self.eat('[') {
            return self.simple();
        }
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        // Lucene reads at least one item, so "[]]" is the class of ']'.
        loop {
            self.class_item(&mut ranges)?;
            if !self.more() || self.peek_char() == Some(']') {
                break;
            }
        }
        if !self.eat(']') {
            return Err(format!("expected ']' at position {}", self.pos));
        }
        Ok(Ast::Class { negated, ranges })
    }

    fn class_item(&mut self, ranges: &mut Vec<(char, char)>) -> ParseResult<()> {
        if let Some((negated, base)) = self.predefined_class() {
            if negated {
                ranges.extend(complement_ranges(base));
            } else {
                ranges.extend_from_slice(base);
            }
            return Ok(());
        }
        let lo = self.char_exp()?;
        if self.eat('-') {
            let hi = self.char_exp()?;
            if lo > hi {
                return Err(format!(
                    "invalid range: from ({lo}) cannot be > to ({hi}) at position {}",
                    self.pos
                ));
            }
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
        Ok(())
    }

    /// `\d \D \s \S \w \W`: returns (negated, base ranges).
    fn predefined_class(&mut self) -> Option<(bool, &'static [(char, char)])> {
        if self.peek_char() != Some('\\') {
            return None;
        }
        let found = match self.chars.get(self.pos + 1)? {
            'd' => (false, DIGITS),
            'D' => (true, DIGITS),
            's' => (false, SPACES),
            'S' => (true, SPACES),
            'w' => (false, WORD),
            'W' => (true, WORD),
            _ => return None,
        };
        self.pos += 2;
        Some(found)
    }

    fn simple(&mut self) -> ParseResult<Ast> {
        if self.eat('.') {
            return Ok(Ast::AnyChar);
        }
        if self.eat('#') {
            return Ok(Ast::EmptyLanguage);
        }
        if self.eat('@') {
            return Ok(Ast::AnyString);
        }
        if self.eat('"') {
            let text = self.take_until('"')?;
            return Ok(Ast::Literal(text));
        }
        if self.eat('(') {
            if self.eat(')') {
                return Ok(Ast::EmptyString);
            }
            let inner = self.union()?;
            if !self.eat(')') {
                return Err(format!("expected ')' at position {}", self.pos));
            }
            return Ok(inner);
        }
        if self.eat('<') {
            return self.interval();
        }
        if let Some((negated, base)) = self.predefined_class() {
            return Ok(Ast::Class {
                negated,
                ranges: base.to_vec(),
            });
        }
        Ok(Ast::Char(self.char_exp()?))
    }

    /// Consumes characters up to and including `end`, returning those before it.
    fn take_until(&mut self, end: char) -> ParseResult<String> {
        let mut text = String::new();
        while let Some(c) = self.peek_char() {
            self.pos += 1;
            if c == end {
                return Ok(text);
            }
            text.push(c);
        }
        Err(format!("expected '{end}' at position {}", self.pos))
    }

    fn interval(&mut self) -> ParseResult<Ast> {
        let start = self.pos;
        let body = self.take_until('>')?;
        let Some((low, high)) = body.split_once('-') else {
            return Err(format!(
                "unknown named automaton <{body}> at position {start}"
            ));
        };
        let error = || format!("interval syntax error at position {}", self.pos - 1);
        let parse_bound = |s: &str| -> Option<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (Some(a), Some(b)) = (parse_bound(low), parse_bound(high)) else {
            return Err(error());
        };
        let digits = if low.chars().count() == high.chars().count() {
            low.chars().count()
        } else {
            0
        };
        Ok(Ast::Interval {
            min: a.min(b),
            max: a.max(b),
            digits,
        })
    }

    fn char_exp(&mut self) -> ParseResult<char> {
        self.eat('\\');
        self.next()
    }
}

/// Complement of sorted, disjoint base ranges over all Unicode scalar values.
pub(crate) fn complement_ranges(base: &[(char, char)]) -> Vec<(char, char)> {
    let mut sorted = base.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next: u32 = 0;
    for &(lo, hi) in &sorted {
        if u32::from(lo) > next {
            push_scalar_range(&mut out, next, u32::from(lo) - 1);
        }
        next = next.max(u32::from(hi) + 1);
    }
    push_scalar_range(&mut out, next, u32::from(char::MAX));
    out
}

/// Pushes `[lo, hi]` as char ranges, skipping the surrogate gap.
fn push_scalar_range(out: &mut Vec<(char, char)>, lo: u32, hi: u32) {
    let pieces = [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)];
    for (a, b) in pieces {
        if a <= b
            && let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b))
        {
            out.push((a, b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ast {
        parse_regex(s).unwrap()
    }

    fn c(ch: char) -> Ast {
        Ast::Char(ch)
    }

    #[test]
    fn precedence() {
        assert_eq!(
            p("ab|c"),
            Ast::Union(vec![Ast::Concat(vec![c('a'), c('b')]), c('c')])
        );
        assert_eq!(
            p("a&b|c"),
            Ast::Union(vec![Ast::Intersection(vec![c('a'), c('b')]), c('c')])
        );
        // `~` binds tighter than repetition and concatenation.
        assert_eq!(
            p("~ab*"),
            Ast::Concat(vec![
                Ast::Complement(Box::new(c('a'))),
                Ast::Repeat {
                    inner: Box::new(c('b')),
                    min: 0,
                    max: None
                }
            ])
        );
        assert_eq!(
            p("~a*"),
            Ast::Repeat {
                inner: Box::new(Ast::Complement(Box::new(c('a')))),
                min: 0,
                max: None
            }
        );
    }

    #[test]
    fn repeats() {
        let rep = |min, max| Ast::Repeat {
            inner: Box::new(c('a')),
            min,
            max,
        };
        assert_eq!(p("a{3}"), rep(3, Some(3)));
        assert_eq!(p("a{3,}"), rep(3, None));
        assert_eq!(p("a{3,5}"), rep(3, Some(5)));
        assert_eq!(p("a+"), rep(1, None));
        assert_eq!(p("a?"), rep(0, Some(1)));
    }

    #[test]
    fn lucene_quirks() {
        // A leading operator character is a literal, as in Lucene.
        assert_eq!(p("*"), c('*'));
        assert_eq!(p("&a"), Ast::Concat(vec![c('&'), c('a')]));
        assert_eq!(
            p("[]]"),
            Ast::Class {
                negated: false,
                ranges: vec![(']', ']')]
            }
        );
        assert_eq!(p("()"), Ast::EmptyString);
        assert_eq!(p("\"a.b\""), Ast::Literal("a.b".into()));
    }

    #[test]
    fn intervals() {
        assert_eq!(
            p("<1-10>"),
            Ast::Interval {
                min: 1,
                max: 10,
                digits: 0
            }
        );
        assert_eq!(
            p("<10-01>"),
            Ast::Interval {
                min: 1,
                max: 10,
                digits: 2
            }
        );
        assert!(parse_regex("<1->").is_err());
        assert!(parse_regex("<-1>").is_err());
        assert!(parse_regex("<1-2-3>").is_err());
        assert!(parse_regex("<a-2>").is_err());
        assert!(parse_regex("<foo>").is_err());
        assert!(parse_regex("<1-2").is_err());
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(
            parse_regex("(abc").unwrap_err(),
            "expected ')' at position 4"
        );
        assert_eq!(
            parse_regex("[abc").unwrap_err(),
            "expected ']' at position 4"
        );
        assert_eq!(
            parse_regex("a{x}").unwrap_err(),
            "integer expected at position 2"
        );
        assert_eq!(
            parse_regex("a{2").unwrap_err(),
            "expected '}' at position 3"
        );
        assert_eq!(
            parse_regex("a)").unwrap_err(),
            "end-of-string expected at position 1"
        );
        assert!(parse_regex("a\\").is_err());
        assert!(parse_regex("a|").is_err());
        assert!(parse_regex("~").is_err());
        assert!(parse_regex("[z-a]").is_err());
        assert!(parse_regex("\"abc").is_err());
        assert!(parse_regex("a{99999999999}").is_err());
    }

    #[test]
    fn predefined_classes() {
        assert_eq!(
            p("\\d"),
            Ast::Class {
                negated: false,
                ranges: vec![('0', '9')]
            }
        );
        assert_eq!(
            p("\\W"),
            Ast::Class {
                negated: true,
                ranges: WORD.to_vec()
            }
        );
        let Ast::Class { negated, ranges } = p("[\\Dx]") else {
            panic!()
        };
        assert!(!negated);
        assert_eq!(ranges.first(), Some(&('\0', '/')));
        assert_eq!(ranges.last(), Some(&('x', 'x')));
    }

    #[test]
    fn complement_ranges_skip_surrogates() {
        let r = complement_ranges(&[('a', 'z')]);
        assert_eq!(
            r,
            vec![('\0', '`'), ('{', '\u{D7FF}'), ('\u{E000}', char::MAX)]
        );
    }
}
