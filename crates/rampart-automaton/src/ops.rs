//! Language operations on DFAs: product constructions (union,
//! intersection, difference, complement), on-the-fly inclusion and
//! equivalence checks, and the "all valid UTF-8" automaton.

use crate::fast_hash::FastHashMap as HashMap;
use crate::fast_hash::FastHashSet as HashSet;
use std::sync::OnceLock;

use crate::dfa::Dfa;
use crate::error::{AutomatonError, Limits};
use crate::minimize::{canonicalize, minimize};

/// The automaton of every well-formed UTF-8 string (including the empty
/// one). Complement is taken relative to it, which keeps every language a
/// set of real strings.
pub(crate) fn any_utf8() -> &'static Dfa {
    static ANY: OnceLock<Dfa> = OnceLock::new();
    ANY.get_or_init(build_any_utf8)
}

fn build_any_utf8() -> Dfa {
    // States of the standard UTF-8 validator.
    const DEAD: u32 = 0;
    const START: u32 = 1; // between characters: accepting
    const NEED1: u32 = 2;
    const NEED2: u32 = 3;
    const NEED3: u32 = 4;
    const AFTER_E0: u32 = 5; // second byte must be A0..BF (no overlong)
    const AFTER_ED: u32 = 6; // second byte must be 80..9F (no surrogates)
    const AFTER_F0: u32 = 7; // second byte must be 90..BF (no overlong)
    const AFTER_F4: u32 = 8; // second byte must be 80..8F (<= U+10FFFF)
    let next = |state: u32, b: u8| -> u32 {
        match (state, b) {
            (START, 0x00..=0x7F) => START,
            (START, 0xC2..=0xDF) => NEED1,
            (START, 0xE0) => AFTER_E0,
            (START, 0xE1..=0xEC | 0xEE..=0xEF) => NEED2,
            (START, 0xED) => AFTER_ED,
            (START, 0xF0) => AFTER_F0,
            (START, 0xF1..=0xF3) => NEED3,
            (START, 0xF4) => AFTER_F4,
            (NEED1, 0x80..=0xBF) => START,
            (NEED2, 0x80..=0xBF) => NEED1,
            (NEED3, 0x80..=0xBF) => NEED2,
            (AFTER_E0, 0xA0..=0xBF) | (AFTER_ED, 0x80..=0x9F) => NEED1,
            (AFTER_F0, 0x90..=0xBF) | (AFTER_F4, 0x80..=0x8F) => NEED2,
            _ => DEAD,
        }
    };
    let mut classes = [0u8; 256];
    for (b, slot) in classes.iter_mut().enumerate() {
        *slot = u8::try_from(b).unwrap_or(0);
    }
    let mut table = Vec::with_capacity(9 * 256);
    for state in 0..9 {
        for b in 0..=255u8 {
            table.push(next(state, b));
        }
    }
    let labels: Vec<u32> = (0..9).map(|s| u32::from(s == START)).collect();
    let raw = canonicalize(classes, 256, &table, &labels, START);
    minimize(&raw)
}

/// Byte classes of a product: one class per distinct pair of component
/// classes, with the component classes of each.
fn joint_classes(a: &Dfa, b: &Dfa) -> ([u8; 256], Vec<(usize, usize)>) {
    let mut ids: HashMap<(usize, usize), u8> = HashMap::default();
    let mut pairs = Vec::new();
    let mut classes = [0u8; 256];
    for (byte, slot) in (0..=255u8).zip(classes.iter_mut()) {
        let pair = (a.class_of(byte), b.class_of(byte));
        *slot = *ids.entry(pair).or_insert_with(|| {
            pairs.push(pair);
            u8::try_from(pairs.len() - 1).unwrap_or(u8::MAX)
        });
    }
    (classes, pairs)
}

fn pair_key(x: u32, y: u32) -> u64 {
    (u64::from(x) << 32) | u64::from(y)
}

/// Product automaton accepting where `keep(accept_a, accept_b)` holds.
pub(crate) fn product(
    a: &Dfa,
    b: &Dfa,
    keep: impl Fn(bool, bool) -> bool,
    limits: &Limits,
) -> Result<Dfa, AutomatonError> {
    let (classes, pairs) = joint_classes(a, b);
    let k = pairs.len();
    let mut index: HashMap<u64, u32> = HashMap::default();
    let mut states: Vec<(u32, u32)> = vec![(a.start, b.start)];
    index.insert(pair_key(a.start, b.start), 0);
    let mut table: Vec<u32> = Vec::new();
    let mut labels: Vec<u32> = Vec::new();
    let mut i = 0;
    while let Some(&(x, y)) = states.get(i) {
        labels.push(u32::from(keep(a.is_accepting(x), b.is_accepting(y))));
        for &(ca, cb) in &pairs {
            let next = (a.step_class(x, ca), b.step_class(y, cb));
            let key = pair_key(next.0, next.1);
            let id = match index.get(&key) {
                Some(&id) => id,
                None => {
                    if states.len() >= limits.max_states {
                        return Err(limits.too_complex());
                    }
                    let id = u32::try_from(states.len()).map_err(|_| limits.too_complex())?;
                    index.insert(key, id);
                    states.push(next);
                    id
                }
            };
            table.push(id);
        }
        i += 1;
    }
    let raw = Dfa {
        classes,
        nclasses: k,
        table,
        labels,
        start: 0,
        dead: None,
    };
    Ok(minimize(&raw))
}

pub(crate) fn complement(a: &Dfa, limits: &Limits) -> Result<Dfa, AutomatonError> {
    product(any_utf8(), a, |u, x| u && !x, limits)
}

/// Explores the reachable part of the product of `a` and `b` without
/// building it, and reports whether a pair with `bad(accept_a, accept_b)`
/// is reachable. Pairs where `a` is dead are skipped when `prune_a_dead`.
fn reaches(
    a: &Dfa,
    sa: u32,
    b: &Dfa,
    sb: u32,
    bad: impl Fn(bool, bool) -> bool,
    prune_a_dead: bool,
) -> bool {
    let (_, pairs) = joint_classes(a, b);
    let mut seen: HashSet<u64> = HashSet::default();
    let mut stack = vec![(sa, sb)];
    seen.insert(pair_key(sa, sb));
    while let Some((x, y)) = stack.pop() {
        if bad(a.is_accepting(x), b.is_accepting(y)) {
            return true;
        }
        if prune_a_dead && Some(x) == a.dead {
            continue;
        }
        for &(ca, cb) in &pairs {
            let next = (a.step_class(x, ca), b.step_class(y, cb));
            if seen.insert(pair_key(next.0, next.1)) {
                stack.push(next);
            }
        }
    }
    false
}

/// L(a) ⊆ L(b).
pub(crate) fn is_subset(a: &Dfa, b: &Dfa) -> bool {
    !reaches(a, a.start, b, b.start, |x, y| x && !y, true)
}

/// L(a) = L(b).
pub(crate) fn same_language(a: &Dfa, b: &Dfa) -> bool {
    same_language_from(a, a.start, b, b.start)
}

/// The language of `a` from state `sa` equals that of `b` from `sb`.
pub(crate) fn same_language_from(a: &Dfa, sa: u32, b: &Dfa, sb: u32) -> bool {
    !reaches(a, sa, b, sb, |x, y| x != y, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_validator() {
        let any = any_utf8();
        assert!(any.accepts(b""));
        assert!(any.accepts("aé€😀".as_bytes()));
        assert!(!any.accepts(&[0xC0, 0x80]));
        assert!(!any.accepts(&[0xED, 0xA0, 0x80]));
        assert!(!any.accepts(&[0xF4, 0x90, 0x80, 0x80]));
        assert!(!any.accepts(&[0xE2, 0x82]));
        // Minimal: START, three "need n more" states, four restricted
        // second-byte states and the dead state.
        assert_eq!(any.state_count(), 9);
    }
}
