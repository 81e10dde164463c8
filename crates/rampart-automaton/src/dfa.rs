//! Dense deterministic automaton over byte equivalence classes, and subset
//! construction from an [`Nfa`].

use crate::fast_hash::FastHashMap as HashMap;

use crate::error::{AutomatonError, Limits};
use crate::nfa::{Frag, Nfa};

/// A complete DFA: every state has a transition for every byte class.
/// Transitions that lead nowhere go to a dead (rejecting, self-looping) state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dfa {
    /// Byte -> class id.
    pub(crate) classes: [u8; 256],
    pub(crate) nclasses: usize,
    /// `table[state * nclasses + class]` = next state.
    pub(crate) table: Vec<u32>,
    /// 0 = rejecting; any other value = accepting (with a label for tagging).
    pub(crate) labels: Vec<u32>,
    pub(crate) start: u32,
    /// The dead state if there is one (known after minimization).
    pub(crate) dead: Option<u32>,
}

impl Dfa {
    pub(crate) fn state_count(&self) -> usize {
        self.labels.len()
    }

    pub(crate) fn class_of(&self, byte: u8) -> usize {
        usize::from(self.classes.get(usize::from(byte)).copied().unwrap_or(0))
    }

    pub(crate) fn step_class(&self, state: u32, class: usize) -> u32 {
        self.table
            .get(state as usize * self.nclasses + class)
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn label(&self, state: u32) -> u32 {
        self.labels.get(state as usize).copied().unwrap_or(0)
    }

    pub(crate) fn is_accepting(&self, state: u32) -> bool {
        self.label(state) != 0
    }

    /// Reference runner; matching in production goes through `Matcher`.
    #[cfg(test)]
    pub(crate) fn run(&self, bytes: &[u8]) -> u32 {
        let nclasses = self.nclasses;
        let mut state = self.start as usize;
        for &b in bytes {
            let class = usize::from(self.classes.get(usize::from(b)).copied().unwrap_or(0));
            state = self
                .table
                .get(state * nclasses + class)
                .copied()
                .unwrap_or(0) as usize;
        }
        // State ids always fit in u32 because they are stored as u32.
        u32::try_from(state).unwrap_or(0)
    }

    #[cfg(test)]
    pub(crate) fn accepts(&self, bytes: &[u8]) -> bool {
        self.is_accepting(self.run(bytes))
    }

    /// For each class, the maximal runs of bytes belonging to it.
    pub(crate) fn class_ranges(&self) -> Vec<Vec<(u8, u8)>> {
        let mut out: Vec<Vec<(u8, u8)>> = vec![Vec::new(); self.nclasses];
        for b in 0..=255u8 {
            let Some(runs) = out.get_mut(self.class_of(b)) else {
                continue;
            };
            match runs.last_mut() {
                Some((_, hi)) if hi.checked_add(1) == Some(b) => *hi = b,
                _ => runs.push((b, b)),
            }
        }
        out
    }

    /// One representative byte per class, preferring readable characters so
    /// that generated examples are pleasant to look at.
    pub(crate) fn class_representatives(&self) -> Vec<u8> {
        let preference = (b'a'..=b'z')
            .chain(b'0'..=b'9')
            .chain(b'A'..=b'Z')
            .chain(b'!'..=b'~')
            .chain(0..=255u8);
        let mut reps: Vec<Option<u8>> = vec![None; self.nclasses];
        for b in preference {
            if let Some(slot @ None) = reps.get_mut(self.class_of(b)) {
                *slot = Some(b);
            }
        }
        reps.into_iter().map(|r| r.unwrap_or(0)).collect()
    }

    /// Copies this DFA into `nfa` as a fragment; accepting states get an
    /// epsilon move to the fragment's end.
    pub(crate) fn to_nfa(&self, nfa: &mut Nfa) -> Result<Frag, AutomatonError> {
        nfa.ensure_room(self.state_count() + 1)?;
        let base = nfa.len();
        for _ in 0..self.state_count() {
            nfa.add_state()?;
        }
        let end = nfa.add_state()?;
        let id = |s: u32| u32::try_from(base + s as usize).unwrap_or(0);
        let ranges = self.class_ranges();
        for s in 0..self.state_count() {
            let s = u32::try_from(s).unwrap_or(0);
            for (class, runs) in ranges.iter().enumerate() {
                let target = self.step_class(s, class);
                if Some(target) == self.dead {
                    continue;
                }
                for &(lo, hi) in runs {
                    nfa.add_range(id(s), lo, hi, id(target));
                }
            }
            if self.is_accepting(s) {
                nfa.add_eps(id(s), end);
            }
        }
        Ok(Frag {
            start: id(self.start),
            end,
        })
    }
}

/// Builds the byte-class map from "a new class starts at this byte" flags.
pub(crate) fn classes_from_boundaries(boundary: &[bool; 257]) -> ([u8; 256], usize) {
    let mut classes = [0u8; 256];
    let mut current = 0usize;
    for (b, slot) in classes.iter_mut().enumerate() {
        if b > 0 && boundary.get(b).copied().unwrap_or(false) {
            current += 1;
        }
        *slot = u8::try_from(current).unwrap_or(u8::MAX);
    }
    (classes, current + 1)
}

pub(crate) fn mark_range(boundary: &mut [bool; 257], lo: u8, hi: u8) {
    for idx in [usize::from(lo), usize::from(hi) + 1] {
        if let Some(flag) = boundary.get_mut(idx) {
            *flag = true;
        }
    }
}

/// Result of subset construction. In tagged mode `label_sets[l - 1]` is the
/// sorted set of NFA labels behind DFA label `l`.
#[derive(Debug)]
pub(crate) struct Determinized {
    pub(crate) dfa: Dfa,
    pub(crate) label_sets: Vec<Vec<u32>>,
}

/// Subset construction. State 0 is the dead state (empty subset).
/// Fails with `TooComplex` as soon as more than `limits.max_states` subsets
/// appear, so blow-ups are cut off early instead of exhausting memory.
pub(crate) fn determinize(
    nfa: &Nfa,
    start: u32,
    tagged: bool,
    limits: &Limits,
) -> Result<Determinized, AutomatonError> {
    let mut boundary = [false; 257];
    for state in &nfa.states {
        for &(lo, hi, _) in &state.trans {
            mark_range(&mut boundary, lo, hi);
        }
    }
    let (classes, nclasses) = classes_from_boundaries(&boundary);
    let class = |b: u8| usize::from(classes.get(usize::from(b)).copied().unwrap_or(0));

    let mut builder = SubsetBuilder {
        nfa,
        tagged,
        limits,
        sets: vec![Vec::new()],
        index: HashMap::from_iter([(Vec::new(), 0)]),
        labels: vec![0],
        label_index: HashMap::default(),
        label_sets: Vec::new(),
        visited: vec![false; nfa.len()],
    };
    let start_set = builder.closure(vec![start]);
    let start_id = builder.intern(start_set)?;

    let mut table = vec![0u32; nclasses];
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); nclasses];
    let mut touched: Vec<usize> = Vec::new();
    let mut current = 1usize;
    while current < builder.sets.len() {
        let set = builder.sets.get(current).cloned().unwrap_or_default();
        for &s in &set {
            let Some(state) = nfa.states.get(s as usize) else {
                continue;
            };
            for &(lo, hi, target) in &state.trans {
                for c in class(lo)..=class(hi) {
                    if let Some(bucket) = buckets.get_mut(c) {
                        if bucket.is_empty() {
                            touched.push(c);
                        }
                        bucket.push(target);
                    }
                }
            }
        }
        let row = table.len();
        table.resize(row + nclasses, 0);
        for c in touched.drain(..) {
            let seeds = buckets.get_mut(c).map(std::mem::take).unwrap_or_default();
            let next = builder.closure(seeds);
            let id = builder.intern(next)?;
            if let Some(slot) = table.get_mut(row + c) {
                *slot = id;
            }
        }
        current += 1;
    }
    Ok(Determinized {
        dfa: Dfa {
            classes,
            nclasses,
            table,
            labels: builder.labels,
            start: start_id,
            dead: None,
        },
        label_sets: builder.label_sets,
    })
}

struct SubsetBuilder<'a> {
    nfa: &'a Nfa,
    tagged: bool,
    limits: &'a Limits,
    sets: Vec<Vec<u32>>,
    index: HashMap<Vec<u32>, u32>,
    labels: Vec<u32>,
    label_index: HashMap<Vec<u32>, u32>,
    label_sets: Vec<Vec<u32>>,
    visited: Vec<bool>,
}

impl SubsetBuilder<'_> {
    /// Epsilon closure of `seeds`, sorted so equal subsets compare equal.
    fn closure(&mut self, mut stack: Vec<u32>) -> Vec<u32> {
        let mut out = Vec::with_capacity(stack.len());
        while let Some(s) = stack.pop() {
            let Some(seen) = self.visited.get_mut(s as usize) else {
                continue;
            };
            if *seen {
                continue;
            }
            *seen = true;
            out.push(s);
            if let Some(state) = self.nfa.states.get(s as usize) {
                stack.extend_from_slice(&state.eps);
            }
        }
        for &s in &out {
            if let Some(seen) = self.visited.get_mut(s as usize) {
                *seen = false;
            }
        }
        out.sort_unstable();
        out
    }

    fn intern(&mut self, set: Vec<u32>) -> Result<u32, AutomatonError> {
        if let Some(&id) = self.index.get(&set) {
            return Ok(id);
        }
        if self.sets.len() >= self.limits.max_states {
            return Err(self.limits.too_complex());
        }
        let id = u32::try_from(self.sets.len()).map_err(|_| self.limits.too_complex())?;
        let label = self.label_for(&set);
        self.labels.push(label);
        self.index.insert(set.clone(), id);
        self.sets.push(set);
        Ok(id)
    }

    fn label_for(&mut self, set: &[u32]) -> u32 {
        let mut found: Vec<u32> = set
            .iter()
            .filter_map(|&s| self.nfa.states.get(s as usize))
            .map(|s| s.label)
            .filter(|&l| l != 0)
            .collect();
        if found.is_empty() {
            return 0;
        }
        if !self.tagged {
            return 1;
        }
        found.sort_unstable();
        found.dedup();
        if let Some(&l) = self.label_index.get(&found) {
            return l;
        }
        self.label_sets.push(found.clone());
        let l = u32::try_from(self.label_sets.len()).unwrap_or(u32::MAX);
        self.label_index.insert(found, l);
        l
    }
}
