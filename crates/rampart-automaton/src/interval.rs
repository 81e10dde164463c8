//! Lucene `<min-max>` numeric intervals expressed as plain pattern trees.

use crate::pattern::{Ast, concat_of};

/// The strings denoting numbers in `[min, max]`: exactly `digits` digits
/// (zero padded) when `digits > 0`, otherwise any number of leading zeros.
pub(crate) fn interval_ast(min: u64, max: u64, digits: usize) -> Ast {
    let (min, max) = (min.min(max), min.max(max));
    if digits > 0 {
        let lo = format!("{min:0digits$}");
        let hi = format!("{max:0digits$}");
        if lo.len() != digits || hi.len() != digits {
            // Cannot be written with that many digits.
            return Ast::EmptyLanguage;
        }
        return fixed_width(lo.as_bytes(), hi.as_bytes());
    }
    // Any number of leading zeros, then the number without leading zeros
    // (where 0 itself is written "0").
    let min_len = min.to_string().len();
    let max_len = max.to_string().len();
    let mut alternatives = Vec::new();
    for len in min_len..=max_len {
        let exp = u32::try_from(len).unwrap_or(u32::MAX);
        let low_bound = if len == 1 {
            0
        } else {
            10u64.saturating_pow(exp - 1)
        };
        let high_bound = 10u64.checked_pow(exp).map_or(u64::MAX, |p| p - 1);
        let lo = min.max(low_bound);
        let hi = max.min(high_bound);
        if lo <= hi {
            alternatives.push(fixed_width(
                format!("{lo:0len$}").as_bytes(),
                format!("{hi:0len$}").as_bytes(),
            ));
        }
    }
    let numbers = match alternatives.len() {
        0 => Ast::EmptyLanguage,
        1 => alternatives.pop().unwrap_or(Ast::EmptyLanguage),
        _ => Ast::Union(alternatives),
    };
    concat_of(vec![
        Ast::Repeat {
            inner: Box::new(Ast::Char('0')),
            min: 0,
            max: None,
        },
        numbers,
    ])
}

fn digit_class(lo: u8, hi: u8) -> Ast {
    let (lo, hi) = (char::from(lo), char::from(hi));
    if lo == hi {
        Ast::Char(lo)
    } else {
        Ast::Class {
            negated: false,
            ranges: vec![(lo, hi)],
        }
    }
}

fn any_digits(count: usize) -> Ast {
    if count == 0 {
        return Ast::EmptyString;
    }
    let n = u32::try_from(count).unwrap_or(u32::MAX);
    Ast::Repeat {
        inner: Box::new(digit_class(b'0', b'9')),
        min: n,
        max: Some(n),
    }
}

/// Digit strings `s` of the common length with `lo <= s <= hi`
/// (lexicographic order equals numeric order at fixed width).
fn fixed_width(lo: &[u8], hi: &[u8]) -> Ast {
    let (Some((&a, lo_rest)), Some((&b, hi_rest))) = (lo.split_first(), hi.split_first()) else {
        return Ast::EmptyString;
    };
    if a == b {
        return concat_of(vec![
            Ast::Char(char::from(a)),
            fixed_width(lo_rest, hi_rest),
        ]);
    }
    let mut alternatives = Vec::new();
    let rest = lo_rest.len();
    let mut full_from = a;
    if lo_rest.iter().any(|&d| d != b'0') {
        let nines = vec![b'9'; rest];
        alternatives.push(concat_of(vec![
            Ast::Char(char::from(a)),
            fixed_width(lo_rest, &nines),
        ]));
        full_from = a + 1;
    }
    let mut full_to = b;
    let upper = if hi_rest.iter().any(|&d| d != b'9') {
        let zeros = vec![b'0'; rest];
        full_to = b - 1;
        Some(concat_of(vec![
            Ast::Char(char::from(b)),
            fixed_width(&zeros, hi_rest),
        ]))
    } else {
        None
    };
    if full_from <= full_to {
        alternatives.push(concat_of(vec![
            digit_class(full_from, full_to),
            any_digits(rest),
        ]));
    }
    alternatives.extend(upper);
    match alternatives.len() {
        1 => alternatives.pop().unwrap_or(Ast::EmptyLanguage),
        _ => Ast::Union(alternatives),
    }
}
