//! Prints an [`Ast`] as a `/regex/` pattern that parses back to an equal tree.

use std::fmt::{self, Display, Formatter, Write};

use super::Ast;

impl Display for Ast {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('/')?;
        write_node(f, self)?;
        f.write_char('/')
    }
}

/// Binding strength of a node, from loosest to tightest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Union,
    Intersection,
    Concat,
    Repeat,
    Complement,
    Atom,
}

fn level(ast: &Ast) -> Level {
    match ast {
        Ast::Union(_) => Level::Union,
        Ast::Intersection(_) => Level::Intersection,
        Ast::Concat(_) => Level::Concat,
        Ast::Repeat { .. } => Level::Repeat,
        Ast::Complement(_) => Level::Complement,
        _ => Level::Atom,
    }
}

/// Writes `ast`, parenthesized unless it binds at least as tightly as
/// `min`. Nested lists of the same kind are parenthesized too, because the
/// parser flattens `a|b|c` into one list and a group must stay a group.
fn write_at(f: &mut Formatter<'_>, ast: &Ast, min: Level, allow_same: bool) -> fmt::Result {
    let own = level(ast);
    if own > min || (own == min && allow_same) {
        write_node(f, ast)
    } else {
        f.write_char('(')?;
        write_node(f, ast)?;
        f.write_char(')')
    }
}

fn write_node(f: &mut Formatter<'_>, ast: &Ast) -> fmt::Result {
    match ast {
        Ast::EmptyLanguage => f.write_char('#'),
        Ast::EmptyString => f.write_str("()"),
        Ast::AnyString => f.write_char('@'),
        Ast::AnyChar => f.write_char('.'),
        Ast::Char(c) => write_char_escaped(f, *c),
        Ast::Literal(text) if !text.contains('"') => write!(f, "\"{text}\""),
        // Unrepresentable as "..." (no escape exists inside quotes); the
        // parser never produces this, so print an equivalent sequence.
        Ast::Literal(text) => {
            f.write_char('(')?;
            if text.is_empty() {
                f.write_str("()")?;
            }
            for c in text.chars() {
                write_char_escaped(f, c)?;
            }
            f.write_char(')')
        }
        Ast::Class { negated, ranges } => {
            f.write_char('[')?;
            if *negated {
                f.write_char('^')?;
            }
            for &(lo, hi) in ranges {
                write_char_escaped(f, lo)?;
                if lo != hi {
                    f.write_char('-')?;
                    write_char_escaped(f, hi)?;
                }
            }
            f.write_char(']')
        }
        Ast::Interval { min, max, digits } => {
            if *digits > 0 {
                write!(f, "<{min:0digits$}-{max:0digits$}>", digits = *digits)
            } else {
                let low = min.to_string();
                let high = max.to_string();
                // Equal widths would mean "fixed width"; a leading zero keeps
                // the "any leading zeros" meaning.
                let pad = if low.len() == high.len() { "0" } else { "" };
                write!(f, "<{pad}{low}-{high}>")
            }
        }
        Ast::Concat(items) => {
            for item in items {
                write_at(f, item, Level::Concat, false)?;
            }
            Ok(())
        }
        Ast::Union(items) => write_list(f, items, '|', Level::Union),
        Ast::Intersection(items) => write_list(f, items, '&', Level::Intersection),
        Ast::Complement(inner) => {
            f.write_char('~')?;
            write_at(f, inner, Level::Complement, true)
        }
        Ast::Repeat { inner, min, max } => {
            write_at(f, inner, Level::Repeat, true)?;
            match (min, max) {
                (0, Some(1)) => f.write_char('?'),
                (0, None) => f.write_char('*'),
                (1, None) => f.write_char('+'),
                (n, None) => write!(f, "{{{n},}}"),
                (n, Some(m)) if n == m => write!(f, "{{{n}}}"),
                (n, Some(m)) => write!(f, "{{{n},{m}}}"),
            }
        }
    }
}

fn write_list(f: &mut Formatter<'_>, items: &[Ast], sep: char, own: Level) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(sep)?;
        }
        write_at(f, item, own, false)?;
    }
    Ok(())
}

/// Escapes every ASCII character that is not alphanumeric; `\x` means
/// literal `x` for any such character, both inside and outside classes.
/// Letters are never escaped because `\d`, `\s`, `\w` are classes.
fn write_char_escaped(f: &mut Formatter<'_>, c: char) -> fmt::Result {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        f.write_char('\\')?;
    }
    f.write_char(c)
}

#[cfg(test)]
mod tests {
    use crate::pattern::parse;

    fn round_trip(pattern: &str) {
        let ast = parse(pattern).unwrap();
        let printed = ast.to_string();
        assert_eq!(
            parse(&printed).unwrap(),
            ast,
            "{pattern} printed as {printed}"
        );
    }

    #[test]
    fn round_trips() {
        for p in [
            "logs-*",
            "a?b\\*",
            "",
            "//",
            "/(ab)c/",
            "/a(bc)/",
            "/a|(b|c)/",
            "/a&(b&c)/",
            "/~(abc)/",
            "/~~a*/",
            "/(~a)*/",
            "/(a*)*{2,5}/",
            "/[^a-z\\-\\]]/",
            "/\\d\\D\\s\\S\\w\\W/",
            "/<1-10><05-7><001-100>/",
            "/\"ab.c\"\"\"/",
            "/#@.()/",
            "/~(([.]|ilm-history-).*)/",
            "/a{3}b{3,}c{3,4}/",
            "/é|ü?/",
        ] {
            round_trip(p);
        }
    }

    #[test]
    fn display_is_regex() {
        assert_eq!(parse("a*").unwrap().to_string(), "/a@/");
        assert_eq!(parse("x.y?").unwrap().to_string(), "/x\\.y./");
    }
}
