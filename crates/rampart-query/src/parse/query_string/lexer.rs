//! Tokens of the Lucene classic query syntax used by `query_string`.

/// A comparison written as `field:>=value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Plus,
    Minus,
    /// `name:` — the field of the clause that follows.
    Field(String),
    /// A bare term. `text` is unescaped; `pattern` keeps `\*`, `\?` and `\\` escaped so a
    /// wildcard query can tell literal from wildcard characters; `wild` says whether any
    /// unescaped `*` or `?` occurs.
    Term {
        text: String,
        pattern: String,
        wild: bool,
    },
    Phrase(String),
    Regex(String),
    Range {
        lower: Option<String>,
        upper: Option<String>,
        include_lower: bool,
        include_upper: bool,
    },
    Compare(Compare, String),
    Boost(f32),
    /// `~` with an optional number: fuzziness after a term, slop after a phrase.
    Tilde(Option<String>),
}

/// Characters that end a bare term.
fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '[' | ']' | '{' | '}' | '^' | '~' | ':')
}

pub fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::LParen);
                i += 1;
            }
            ')' => {
                tokens.push(Token::RParen);
                i += 1;
            }
            '+' => {
                tokens.push(Token::Plus);
                i += 1;
            }
            '-' => {
                tokens.push(Token::Minus);
                i += 1;
            }
            '!' => {
                tokens.push(Token::Not);
                i += 1;
            }
            '&' if next == Some('&') => {
                tokens.push(Token::And);
                i += 2;
            }
            '|' if next == Some('|') => {
                tokens.push(Token::Or);
                i += 2;
            }
            '"' | '/' => {
                let (text, end) = delimited(&chars, i + 1, c)
                    .ok_or_else(|| format!("Lexical error: unterminated [{c}] at character {i}"))?;
                tokens.push(if c == '"' {
                    Token::Phrase(text)
                } else {
                    Token::Regex(text)
                });
                i = end + 1;
            }
            '[' | '{' => {
                let close = chars
                    .iter()
                    .skip(i + 1)
                    .position(|&x| x == ']' || x == '}')
                    .map(|p| p + i + 1)
                    .ok_or_else(|| format!("Lexical error: unterminated range at character {i}"))?;
                let body: String = chars.iter().skip(i + 1).take(close - i - 1).collect();
                let (lower, upper) = split_range(&body)?;
                tokens.push(Token::Range {
                    lower,
                    upper,
                    include_lower: c == '[',
                    include_upper: chars.get(close) == Some(&']'),
                });
                i = close + 1;
            }
            '^' => {
                let (word, end) = word(&chars, i + 1);
                let boost: f32 = word
                    .text
                    .parse()
                    .ok()
                    .filter(|b: &f32| b.is_finite() && *b >= 0.0)
                    .ok_or_else(|| format!("invalid boost [{}]", word.text))?;
                tokens.push(Token::Boost(boost));
                i = end;
            }
            '~' => {
                let (word, end) = word(&chars, i + 1);
                tokens.push(Token::Tilde((!word.text.is_empty()).then_some(word.text)));
                i = end;
            }
            '>' | '<' => {
                let inclusive = next == Some('=');
                let start = if inclusive { i + 2 } else { i + 1 };
                let (value, end) = if chars.get(start) == Some(&'"') {
                    let (text, end) = delimited(&chars, start + 1, '"')
                        .ok_or_else(|| format!("Lexical error: unterminated [\"] at {start}"))?;
                    (text, end + 1)
                } else {
                    let (w, end) = word(&chars, start);
                    (w.text, end)
                };
                if value.is_empty() {
                    return Err(format!("missing value after [{c}] at character {i}"));
                }
                let op = match (c, inclusive) {
                    ('>', false) => Compare::Gt,
                    ('>', true) => Compare::Gte,
                    ('<', false) => Compare::Lt,
                    _ => Compare::Lte,
                };
                tokens.push(Token::Compare(op, value));
                i = end;
            }
            ':' | ']' | '}' => return Err(format!("Encountered [{c}] at character {i}")),
            _ => {
                let (w, end) = word(&chars, i);
                i = end;
                if chars.get(i) == Some(&':') {
                    tokens.push(Token::Field(w.text));
                    i += 1;
                    continue;
                }
                tokens.push(match w.text.as_str() {
                    "AND" if !w.escaped => Token::And,
                    "OR" if !w.escaped => Token::Or,
                    "NOT" if !w.escaped => Token::Not,
                    _ => Token::Term {
                        text: w.text,
                        pattern: w.pattern,
                        wild: w.wild,
                    },
                });
            }
        }
    }
    Ok(tokens)
}

struct Word {
    text: String,
    pattern: String,
    wild: bool,
    escaped: bool,
}

/// A bare term from `start`, honouring `\` escapes; returns it and the index after it.
fn word(chars: &[char], start: usize) -> (Word, usize) {
    let mut w = Word {
        text: String::new(),
        pattern: String::new(),
        wild: false,
        escaped: false,
    };
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        if c == '\\' {
            if let Some(&escaped) = chars.get(i + 1) {
                w.escaped = true;
                w.text.push(escaped);
                if matches!(escaped, '*' | '?' | '\\') {
                    w.pattern.push('\\');
                }
                w.pattern.push(escaped);
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        if is_special(c) {
            break;
        }
        if c == '*' || c == '?' {
            w.wild = true;
        }
        w.text.push(c);
        w.pattern.push(c);
        i += 1;
    }
    (w, i)
}

/// Text up to the next unescaped `end`; `\end` stands for `end` itself.
fn delimited(chars: &[char], start: usize, end: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        if c == '\\' {
            if let Some(&escaped) = chars.get(i + 1) {
                if escaped != end {
                    text.push('\\');
                }
                text.push(escaped);
                i += 2;
                continue;
            }
        }
        if c == end {
            return Some((text, i));
        }
        text.push(c);
        i += 1;
    }
    None
}

type RangeBounds = (Option<String>, Option<String>);

fn split_range(body: &str) -> Result<RangeBounds, String> {
    let (lower, upper) = body
        .split_once(" TO ")
        .ok_or_else(|| format!("range [{body}] must be written [lower TO upper]"))?;
    let bound = |s: &str| {
        let s = s.trim().trim_matches('"');
        (s != "*" && !s.is_empty()).then(|| s.to_string())
    };
    Ok((bound(lower), bound(upper)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str) -> Token {
        Token::Term {
            text: text.into(),
            pattern: text.into(),
            wild: false,
        }
    }

    #[test]
    fn fields_terms_and_operators() {
        let tokens = tokenize("title:foo AND NOT (bar || baz)").unwrap();
        assert_eq!(
            tokens,
            vec![
                Token::Field("title".into()),
                term("foo"),
                Token::And,
                Token::Not,
                Token::LParen,
                term("bar"),
                Token::Or,
                term("baz"),
                Token::RParen,
            ]
        );
    }

    #[test]
    fn phrases_ranges_boosts_and_comparisons() {
        let tokens = tokenize(r#""a \"b\""~2 age:[1 TO *} x^2.5 n:>=3"#).unwrap();
        assert_eq!(
            tokens,
            vec![
                Token::Phrase("a \"b\"".into()),
                Token::Tilde(Some("2".into())),
                Token::Field("age".into()),
                Token::Range {
                    lower: Some("1".into()),
                    upper: None,
                    include_lower: true,
                    include_upper: false
                },
                term("x"),
                Token::Boost(2.5),
                Token::Field("n".into()),
                Token::Compare(Compare::Gte, "3".into()),
            ]
        );
    }

    #[test]
    fn escapes_and_wildcards() {
        let tokens = tokenize(r"a\:b qu?ck lit\*").unwrap();
        assert_eq!(
            tokens,
            vec![
                term("a:b"),
                Token::Term {
                    text: "qu?ck".into(),
                    pattern: "qu?ck".into(),
                    wild: true
                },
                Token::Term {
                    text: "lit*".into(),
                    pattern: r"lit\*".into(),
                    wild: false
                },
            ]
        );
    }

    #[test]
    fn lexical_errors() {
        assert!(tokenize("\"open").is_err());
        assert!(tokenize("[1 TO").is_err());
        assert!(tokenize("[1 2]").is_err());
        assert!(tokenize("x^y").is_err());
    }
}
