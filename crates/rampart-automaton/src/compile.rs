//! Compiles pattern trees to byte-level NFAs (Thompson construction), and
//! from there to minimal DFAs. Complement and intersection need
//! determinized operands, so those sub-trees are compiled to DFAs on their
//! own and spliced back in.

use crate::dfa::{Dfa, determinize};
use crate::error::{AutomatonError, Limits};
use crate::interval::interval_ast;
use crate::minimize::minimize;
use crate::nfa::{Frag, Nfa};
use crate::ops::{complement, product};
use crate::pattern::Ast;
use crate::utf8::{ByteSeq, any_char_sequences, scalar_range_sequences};

/// Compiles the union of `asts` into one minimal DFA with a single
/// determinization.
pub(crate) fn compile_union(asts: &[Ast], limits: &Limits) -> Result<Dfa, AutomatonError> {
    let mut compiler = Compiler::new(limits);
    let start = compiler.nfa.add_state()?;
    for ast in asts {
        let frag = compiler.compile(ast)?;
        compiler.nfa.add_eps(start, frag.start);
        compiler.nfa.set_label(frag.end, 1);
    }
    let det = determinize(&compiler.nfa, start, false, limits)?;
    Ok(minimize(&det.dfa))
}

pub(crate) struct Compiler<'a> {
    pub(crate) nfa: Nfa,
    limits: &'a Limits,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Self {
        Self {
            nfa: Nfa::new(limits),
            limits,
        }
    }

    fn pair(&mut self) -> Result<Frag, AutomatonError> {
        Ok(Frag {
            start: self.nfa.add_state()?,
            end: self.nfa.add_state()?,
        })
    }

    fn sequences(&mut self, seqs: &[ByteSeq]) -> Result<Frag, AutomatonError> {
        let frag = self.pair()?;
        self.nfa.add_sequences(frag.start, frag.end, seqs)?;
        Ok(frag)
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<Frag, AutomatonError> {
        let seq: ByteSeq = bytes.iter().map(|&b| (b, b)).collect();
        if seq.is_empty() {
            return self.compile(&Ast::EmptyString);
        }
        self.sequences(&[seq])
    }

    pub(crate) fn compile(&mut self, ast: &Ast) -> Result<Frag, AutomatonError> {
        match ast {
            Ast::EmptyLanguage => self.pair(),
            Ast::EmptyString => {
                let frag = self.pair()?;
                self.nfa.add_eps(frag.start, frag.end);
                Ok(frag)
            }
            Ast::AnyChar => self.sequences(&any_char_sequences()),
            Ast::AnyString => {
                let frag = self.pair()?;
                self.nfa
                    .add_sequences(frag.start, frag.start, &any_char_sequences())?;
                self.nfa.add_eps(frag.start, frag.end);
                Ok(frag)
            }
            Ast::Char(c) => self.bytes(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Ast::Literal(text) => self.bytes(text.as_bytes()),
            Ast::Class { negated, ranges } => {
                let seqs = class_sequences(*negated, ranges);
                self.sequences(&seqs)
            }
            Ast::Interval { min, max, digits } => self.compile(&interval_ast(*min, *max, *digits)),
            Ast::Concat(items) => {
                let mut frags = Vec::with_capacity(items.len());
                for item in items {
                    frags.push(self.compile(item)?);
                }
                self.chain(&frags)
            }
            Ast::Union(items) => {
                let frag = self.pair()?;
                for item in items {
                    let inner = self.compile(item)?;
                    self.nfa.add_eps(frag.start, inner.start);
                    self.nfa.add_eps(inner.end, frag.end);
                }
                Ok(frag)
            }
            Ast::Intersection(items) => {
                let mut acc: Option<Dfa> = None;
                for item in items {
                    let dfa = compile_union(std::slice::from_ref(item), self.limits)?;
                    acc = Some(match acc {
                        None => dfa,
                        Some(prev) => product(&prev, &dfa, |x, y| x && y, self.limits)?,
                    });
                }
                match acc {
                    Some(dfa) => dfa.to_nfa(&mut self.nfa),
                    None => self.compile(&Ast::AnyString),
                }
            }
            Ast::Complement(inner) => {
                let dfa = compile_union(std::slice::from_ref(inner.as_ref()), self.limits)?;
                complement(&dfa, self.limits)?.to_nfa(&mut self.nfa)
            }
            Ast::Repeat { inner, min, max } => self.repeat(inner, *min, *max),
        }
    }

    /// Concatenates fragments with epsilon moves.
    fn chain(&mut self, frags: &[Frag]) -> Result<Frag, AutomatonError> {
        let (Some(first), Some(last)) = (frags.first(), frags.last()) else {
            return self.compile(&Ast::EmptyString);
        };
        for pair in frags.windows(2) {
            if let [a, b] = pair {
                self.nfa.add_eps(a.end, b.start);
            }
        }
        Ok(Frag {
            start: first.start,
            end: last.end,
        })
    }

    fn repeat(&mut self, inner: &Ast, min: u32, max: Option<u32>) -> Result<Frag, AutomatonError> {
        if max.is_some_and(|m| m < min) {
            return self.compile(&Ast::EmptyLanguage);
        }
        // Compile the body once and splice copies of it.
        let mut body = Compiler::new(self.limits);
        let body_frag = body.compile(inner)?;
        let optional = max.map_or(1, |m| m - min);
        let copies = usize::try_from(u64::from(min) + u64::from(optional)).unwrap_or(usize::MAX);
        self.nfa
            .ensure_room(copies.saturating_mul(body.nfa.len()))?;

        let mut frags = Vec::new();
        for _ in 0..min {
            frags.push(self.nfa.splice(&body.nfa, body_frag)?);
        }
        let tail = self.pair()?;
        self.nfa.add_eps(tail.start, tail.end);
        match max {
            None => {
                let copy = self.nfa.splice(&body.nfa, body_frag)?;
                self.nfa.add_eps(tail.start, copy.start);
                self.nfa.add_eps(copy.end, tail.start);
            }
            Some(_) => {
                // Each optional copy may be skipped straight to the end.
                let mut at = tail.start;
                for _ in 0..optional {
                    let copy = self.nfa.splice(&body.nfa, body_frag)?;
                    self.nfa.add_eps(at, copy.start);
                    self.nfa.add_eps(copy.end, tail.end);
                    at = copy.end;
                }
            }
        }
        frags.push(tail);
        self.chain(&frags)
    }
}

/// UTF-8 byte sequences for a (possibly negated) character class.
fn class_sequences(negated: bool, ranges: &[(char, char)]) -> Vec<ByteSeq> {
    let mut sorted: Vec<(u32, u32)> = ranges
        .iter()
        .map(|&(lo, hi)| (u32::from(lo), u32::from(hi)))
        .filter(|(lo, hi)| lo <= hi)
        .collect();
    sorted.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (lo, hi) in sorted {
        match merged.last_mut() {
            Some((_, prev_hi)) if lo <= prev_hi.saturating_add(1) => *prev_hi = (*prev_hi).max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    let wanted = if negated {
        let mut out = Vec::new();
        let mut next = 0u32;
        for &(lo, hi) in &merged {
            if lo > next {
                out.push((next, lo - 1));
            }
            next = hi + 1;
        }
        out.push((next, u32::from(char::MAX)));
        out
    } else {
        merged
    };
    let mut seqs = Vec::new();
    for (lo, hi) in wanted {
        scalar_range_sequences(lo, hi, &mut seqs);
    }
    seqs
}
