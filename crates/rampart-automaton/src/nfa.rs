//! Byte-level nondeterministic automaton with epsilon moves, the common
//! target of pattern compilation before determinization.

use crate::error::{AutomatonError, Limits};
use crate::utf8::ByteSeq;

#[derive(Debug, Clone, Default)]
pub(crate) struct NState {
    pub(crate) eps: Vec<u32>,
    /// `(lo, hi, target)`: on any byte in `lo..=hi` go to `target`.
    pub(crate) trans: Vec<(u8, u8, u32)>,
    /// 0 = not accepting; otherwise an accept label (used for tagging).
    pub(crate) label: u32,
}

/// A piece of NFA with one entry and one exit state (Thompson style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frag {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Nfa {
    pub(crate) states: Vec<NState>,
    max_states: usize,
    limit_reported: usize,
}

impl Nfa {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            states: Vec::new(),
            max_states: limits.max_nfa_states(),
            limit_reported: limits.max_states,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.states.len()
    }

    pub(crate) fn ensure_room(&self, extra: usize) -> Result<(), AutomatonError> {
        if self.states.len().saturating_add(extra) > self.max_states {
            Err(AutomatonError::TooComplex {
                limit: self.limit_reported,
            })
        } else {
            Ok(())
        }
    }

    pub(crate) fn add_state(&mut self) -> Result<u32, AutomatonError> {
        self.ensure_room(1)?;
        let id = u32::try_from(self.states.len()).map_err(|_| AutomatonError::TooComplex {
            limit: self.limit_reported,
        })?;
        self.states.push(NState::default());
        Ok(id)
    }

    pub(crate) fn add_eps(&mut self, from: u32, to: u32) {
        if let Some(s) = self.states.get_mut(from as usize) {
            s.eps.push(to);
        }
    }

    pub(crate) fn add_range(&mut self, from: u32, lo: u8, hi: u8, to: u32) {
        if let Some(s) = self.states.get_mut(from as usize) {
            s.trans.push((lo, hi, to));
        }
    }

    pub(crate) fn set_label(&mut self, state: u32, label: u32) {
        if let Some(s) = self.states.get_mut(state as usize) {
            s.label = label;
        }
    }

    /// Adds paths from `from` to `to` for each byte sequence.
    pub(crate) fn add_sequences(
        &mut self,
        from: u32,
        to: u32,
        seqs: &[ByteSeq],
    ) -> Result<(), AutomatonError> {
        for seq in seqs {
            let mut current = from;
            let count = seq.len();
            for (i, &(lo, hi)) in seq.iter().enumerate() {
                let next = if i + 1 == count {
                    to
                } else {
                    self.add_state()?
                };
                self.add_range(current, lo, hi, next);
                current = next;
            }
        }
        Ok(())
    }

    /// Adds a fresh copy of `frag` of `other` (all of `other`'s states) and
    /// returns the copied fragment.
    pub(crate) fn splice(&mut self, other: &Nfa, frag: Frag) -> Result<Frag, AutomatonError> {
        self.ensure_room(other.len())?;
        let offset = u32::try_from(self.states.len()).map_err(|_| AutomatonError::TooComplex {
            limit: self.limit_reported,
        })?;
        self.states.extend(other.states.iter().map(|s| {
            NState {
                eps: s.eps.iter().map(|t| t + offset).collect(),
                trans: s
                    .trans
                    .iter()
                    .map(|&(lo, hi, t)| (lo, hi, t + offset))
                    .collect(),
                label: s.label,
            }
        }));
        Ok(Frag {
            start: frag.start + offset,
            end: frag.end + offset,
        })
    }
}
