//! The matching fast path: a premultiplied transition table in which the
//! "sink" states (dead, and accept-everything) come first, so the hot loop
//! is one class lookup, one add and one load per byte, and stops as soon as
//! the answer can no longer change.

use crate::dfa::Dfa;
use crate::ops::{any_utf8, same_language_from};

#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    classes: [u8; 256],
    nclasses: usize,
    /// `table[row + class]` is the next row; rows are `state * nclasses`.
    table: Vec<u32>,
    /// Label per state (indexed by `row / nclasses`).
    labels: Vec<u32>,
    start: usize,
    /// Rows below this bound are sinks: their label is final.
    sink_bound: usize,
    /// Optional two-bytes-per-step table (see [`PairTable`]).
    pairs: Option<PairTable>,
}

/// Transitions over *pairs* of byte classes: `table[state * k² + c1 * k + c2]`
/// (premultiplied by k²). Halves the number of dependent loads per byte,
/// which is what bounds the matching loop. Only built for small automata.
#[derive(Debug, Clone)]
struct PairTable {
    table: Vec<u32>,
    sink_bound: usize,
}

/// Largest pair table (in entries) worth building per automaton.
const MAX_PAIR_TABLE: usize = 1 << 16;

impl Matcher {
    /// `find_universal`: also treat an "accepts every continuation" state as
    /// a sink (only meaningful for plain, untagged automata).
    pub(crate) fn new(dfa: &Dfa, find_universal: bool) -> Self {
        let n = dfa.state_count();
        let k = dfa.nclasses.max(1);
        let universal = if find_universal {
            universal_state(dfa)
        } else {
            None
        };
        let sinks: Vec<u32> = dfa.dead.into_iter().chain(universal).collect();
        // New order: sinks first, then every other state in original order.
        let mut order: Vec<u32> = sinks.clone();
        order.extend(
            (0..n)
                .filter_map(|s| u32::try_from(s).ok())
                .filter(|s| !sinks.contains(s)),
        );
        let mut position = vec![0usize; n];
        for (new, &old) in order.iter().enumerate() {
            if let Some(p) = position.get_mut(old as usize) {
                *p = new;
            }
        }
        let row_of = |s: u32| position.get(s as usize).copied().unwrap_or(0) * k;
        let mut table = Vec::with_capacity(n * k);
        let mut labels = Vec::with_capacity(n);
        for &old in &order {
            for c in 0..k {
                table.push(u32::try_from(row_of(dfa.step_class(old, c))).unwrap_or(0));
            }
            labels.push(dfa.label(old));
        }
        let mut matcher = Self {
            classes: dfa.classes,
            nclasses: k,
            table,
            labels,
            start: row_of(dfa.start),
            sink_bound: sinks.len() * k,
            pairs: None,
        };
        matcher.pairs = matcher.build_pairs();
        matcher
    }

    fn build_pairs(&self) -> Option<PairTable> {
        let k = self.nclasses;
        let k2 = k.checked_mul(k)?;
        let n = self.labels.len();
        if n.checked_mul(k2)? > MAX_PAIR_TABLE {
            return None;
        }
        let mut table = Vec::with_capacity(n * k2);
        for state in 0..n {
            for c1 in 0..k {
                let mid = self.table.get(state * k + c1).copied().unwrap_or(0) as usize;
                for c2 in 0..k {
                    let end = self.table.get(mid + c2).copied().unwrap_or(0) as usize;
                    table.push(u32::try_from(end / k * k2).ok()?);
                }
            }
        }
        Some(PairTable {
            table,
            sink_bound: self.sink_bound / k * k2,
        })
    }

    fn class(&self, b: u8) -> usize {
        usize::from(self.classes.get(usize::from(b)).copied().unwrap_or(0))
    }

    /// Label of the state reached by `bytes` (0 = rejected).
    pub(crate) fn label(&self, bytes: &[u8]) -> u32 {
        let Some(pairs) = &self.pairs else {
            return self.label_single(self.start, bytes);
        };
        let k = self.nclasses;
        let k2 = k * k;
        let mut row = self.start / k * k2;
        let mut chunks = bytes.chunks_exact(2);
        if row >= pairs.sink_bound {
            for chunk in &mut chunks {
                if let [b1, b2] = chunk {
                    let pair = self.class(*b1) * k + self.class(*b2);
                    row = pairs.table.get(row + pair).copied().unwrap_or(0) as usize;
                    if row < pairs.sink_bound {
                        return self.labels.get(row / k2).copied().unwrap_or(0);
                    }
                }
            }
        }
        self.label_single(row / k2 * k, chunks.remainder())
    }

    fn label_single(&self, start: usize, bytes: &[u8]) -> u32 {
        let mut row = start;
        if row >= self.sink_bound {
            for &b in bytes {
                row = self.table.get(row + self.class(b)).copied().unwrap_or(0) as usize;
                if row < self.sink_bound {
                    break;
                }
            }
        }
        self.labels.get(row / self.nclasses).copied().unwrap_or(0)
    }

    pub(crate) fn matches(&self, bytes: &[u8]) -> bool {
        self.label(bytes) != 0
    }
}

/// The state (if any) from which every valid UTF-8 continuation is
/// accepted. Input to the matcher is a `&str`, and such a state can only be
/// reached at a character boundary (languages never contain invalid
/// UTF-8), so reaching it decides the match.
fn universal_state(dfa: &Dfa) -> Option<u32> {
    let any = any_utf8();
    // In a minimal DFA the universal state loops to itself on every ASCII
    // byte; only those candidates need the full equivalence check.
    (0..dfa.state_count())
        .filter_map(|s| u32::try_from(s).ok())
        .filter(|&s| {
            dfa.is_accepting(s) && (0..0x80u8).all(|b| dfa.step_class(s, dfa.class_of(b)) == s)
        })
        .find(|&s| same_language_from(dfa, s, any, any.start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Automaton;

    fn matcher(p: &str) -> (Matcher, Automaton) {
        let a = Automaton::from_pattern(p).unwrap();
        (Matcher::new(a.dfa(), true), a)
    }

    #[test]
    fn sinks_are_detected_and_exact() {
        let (m, a) = matcher("logs-*");
        assert_eq!(m.sink_bound, 2 * m.nclasses, "dead and universal");
        for s in ["logs-", "logs-x", "log", "x", "", "logs-é"] {
            assert_eq!(
                m.matches(s.as_bytes()),
                a.dfa().accepts(s.as_bytes()),
                "{s}"
            );
        }
        let (m, _) = matcher("/~(\\.security.*)/");
        assert!(m.matches(b"abc"));
        assert!(!m.matches(b".security-6"));
        let (m, _) = matcher("*");
        // The UTF-8 validator's dead state (invalid bytes) is a sink too.
        assert_eq!(m.sink_bound, 2 * m.nclasses, "dead and universal");
        assert!(m.matches(b""));
        let (m, _) = matcher("/[a-z]*/");
        assert_eq!(
            m.sink_bound, m.nclasses,
            "only dead: [a-z]* is not universal"
        );
        assert!(m.matches(b"abc"));
        assert!(!m.matches(b"abC"));
    }
}

#[cfg(test)]
mod pair_tests {
    use super::*;
    use crate::Automaton;

    #[test]
    fn pair_and_single_stepping_agree() {
        let a = Automaton::from_pattern("/(ab|é)*c?[^x]{0,3}/").unwrap();
        let m = Matcher::new(a.dfa(), true);
        assert!(m.pairs.is_some());
        let inputs = [
            "", "a", "ab", "abc", "abéc", "ééé", "abababc", "abcxyz", "abcyy", "éab",
        ];
        for s in inputs {
            let single = m.label_single(m.start, s.as_bytes());
            assert_eq!(m.label(s.as_bytes()), single, "{s}");
            assert_eq!(single != 0, a.dfa().accepts(s.as_bytes()), "{s}");
        }
    }
}
