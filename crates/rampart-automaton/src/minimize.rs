//! Hopcroft minimization plus canonical renumbering, so every automaton the
//! crate hands out is minimal and equal languages give equal tables.

use crate::fast_hash::FastHashMap as HashMap;

use crate::dfa::Dfa;

/// Returns the minimal complete DFA for the same labelled language: states
/// with different labels are never merged (tags stay exact).
pub(crate) fn minimize(dfa: &Dfa) -> Dfa {
    let k = dfa.nclasses;
    // Restrict to reachable states, numbered 0..n.
    let reachable = reachable_states(dfa);
    let n = reachable.len();
    let mut local = vec![u32::MAX; dfa.state_count()];
    for (i, &s) in reachable.iter().enumerate() {
        if let Some(slot) = local.get_mut(s as usize) {
            *slot = u32::try_from(i).unwrap_or(0);
        }
    }
    let lookup = |s: u32| local.get(s as usize).copied().unwrap_or(0);
    let mut table = Vec::with_capacity(n * k);
    for &s in &reachable {
        for c in 0..k {
            table.push(lookup(dfa.step_class(s, c)));
        }
    }
    let labels: Vec<u32> = reachable.iter().map(|&s| dfa.label(s)).collect();
    let start = lookup(dfa.start);

    let reverse = ReverseEdges::new(&table, n, k);
    let live = reverse.live_states(&labels);
    let block_of = hopcroft(&reverse, &labels, &live);

    // Quotient automaton: one state per block.
    let nblocks = block_of.iter().map(|&b| b as usize + 1).max().unwrap_or(1);
    let mut qtable = vec![0u32; nblocks * k];
    let mut qlabels = vec![0u32; nblocks];
    for s in 0..n {
        let b = block_of.get(s).copied().unwrap_or(0) as usize;
        if let Some(l) = qlabels.get_mut(b) {
            *l = labels.get(s).copied().unwrap_or(0);
        }
        for c in 0..k {
            let t = table.get(s * k + c).copied().unwrap_or(0);
            if let Some(slot) = qtable.get_mut(b * k + c) {
                *slot = block_of.get(t as usize).copied().unwrap_or(0);
            }
        }
    }
    let qstart = block_of.get(start as usize).copied().unwrap_or(0);
    canonicalize(dfa.classes, k, &qtable, &qlabels, qstart)
}

fn reachable_states(dfa: &Dfa) -> Vec<u32> {
    let mut seen = vec![false; dfa.state_count()];
    let mut order = vec![dfa.start];
    if let Some(flag) = seen.get_mut(dfa.start as usize) {
        *flag = true;
    }
    let mut i = 0;
    while let Some(&s) = order.get(i) {
        for c in 0..dfa.nclasses {
            let t = dfa.step_class(s, c);
            if let Some(flag) = seen.get_mut(t as usize)
                && !*flag
            {
                *flag = true;
                order.push(t);
            }
        }
        i += 1;
    }
    order
}

/// Predecessor lists in compressed form: for target `t`, entries
/// `offsets[t]..offsets[t+1]` of `sources`/`classes`.
struct ReverseEdges {
    offsets: Vec<usize>,
    sources: Vec<u32>,
    classes: Vec<u8>,
}

impl ReverseEdges {
    fn new(table: &[u32], n: usize, k: usize) -> Self {
        let mut counts = vec![0usize; n + 1];
        for &t in table {
            if let Some(c) = counts.get_mut(t as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..=n {
            let prev = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += prev;
            }
        }
        let offsets = counts.clone();
        let mut fill = counts;
        let mut sources = vec![0u32; table.len()];
        let mut classes = vec![0u8; table.len()];
        for (idx, &t) in table.iter().enumerate() {
            let Some(pos) = fill.get_mut(t as usize) else {
                continue;
            };
            if let Some(slot) = sources.get_mut(*pos) {
                *slot = u32::try_from(idx / k.max(1)).unwrap_or(0);
            }
            if let Some(slot) = classes.get_mut(*pos) {
                *slot = u8::try_from(idx % k.max(1)).unwrap_or(0);
            }
            *pos += 1;
        }
        Self {
            offsets,
            sources,
            classes,
        }
    }

    fn range(&self, t: u32) -> std::ops::Range<usize> {
        let lo = self.offsets.get(t as usize).copied().unwrap_or(0);
        let hi = self.offsets.get(t as usize + 1).copied().unwrap_or(lo);
        lo..hi
    }

    /// States from which some accepting state is reachable.
    fn live_states(&self, labels: &[u32]) -> Vec<bool> {
        let mut live: Vec<bool> = labels.iter().map(|&l| l != 0).collect();
        let mut stack: Vec<u32> = (0..labels.len())
            .filter(|&s| live.get(s).copied().unwrap_or(false))
            .filter_map(|s| u32::try_from(s).ok())
            .collect();
        while let Some(t) = stack.pop() {
            for e in self.range(t) {
                let s = self.sources.get(e).copied().unwrap_or(0);
                if let Some(flag) = live.get_mut(s as usize)
                    && !*flag
                {
                    *flag = true;
                    stack.push(s);
                }
            }
        }
        live
    }
}

/// Refinable partition: each block is a contiguous slice of `elems`; the
/// marked members of a block are moved to its front (`start..mid`).
struct Partition {
    elems: Vec<u32>,
    loc: Vec<usize>,
    block_of: Vec<u32>,
    start: Vec<usize>,
    end: Vec<usize>,
    mid: Vec<usize>,
}

impl Partition {
    fn size(&self, b: usize) -> usize {
        self.end.get(b).copied().unwrap_or(0) - self.start.get(b).copied().unwrap_or(0)
    }

    /// Marks `s`; returns its block if this was the block's first mark.
    fn mark(&mut self, s: u32) -> Option<usize> {
        let b = self.block_of.get(s as usize).copied()? as usize;
        let i = self.loc.get(s as usize).copied()?;
        let j = self.mid.get(b).copied()?;
        if i < j {
            return None;
        }
        let other = self.elems.get(j).copied()?;
        self.elems.swap(i, j);
        if let Some(l) = self.loc.get_mut(other as usize) {
            *l = i;
        }
        if let Some(l) = self.loc.get_mut(s as usize) {
            *l = j;
        }
        if let Some(m) = self.mid.get_mut(b) {
            *m = j + 1;
        }
        (Some(&j) == self.start.get(b)).then_some(b)
    }

    /// Splits the marked part of `b` off into a new block and returns it,
    /// or `None` when every member was marked (no split).
    fn split(&mut self, b: usize) -> Option<usize> {
        let start = self.start.get(b).copied()?;
        let mid = self.mid.get(b).copied()?;
        let end = self.end.get(b).copied()?;
        if let Some(m) = self.mid.get_mut(b) {
            *m = start;
        }
        if mid == end {
            return None;
        }
        let nb = self.start.len();
        self.start.push(start);
        self.end.push(mid);
        self.mid.push(start);
        if let (Some(s), Some(m)) = (self.start.get_mut(b), self.mid.get_mut(b)) {
            *s = mid;
            *m = mid;
        }
        let new_id = u32::try_from(nb).unwrap_or(u32::MAX);
        for idx in start..mid {
            if let Some(&e) = self.elems.get(idx)
                && let Some(slot) = self.block_of.get_mut(e as usize)
            {
                *slot = new_id;
            }
        }
        Some(nb)
    }
}

/// Returns the block id of each state in the coarsest stable partition.
fn hopcroft(reverse: &ReverseEdges, labels: &[u32], live: &[bool]) -> Vec<u32> {
    let n = labels.len();
    // Initial blocks: all dead states together, live states by label.
    let mut groups: HashMap<Option<u32>, Vec<u32>> = HashMap::default();
    let mut group_order: Vec<Option<u32>> = Vec::new();
    for s in 0..n {
        let key = if live.get(s).copied().unwrap_or(false) {
            Some(labels.get(s).copied().unwrap_or(0))
        } else {
            None
        };
        let group = groups.entry(key).or_insert_with(|| {
            group_order.push(key);
            Vec::new()
        });
        group.push(u32::try_from(s).unwrap_or(0));
    }
    let mut p = Partition {
        elems: Vec::with_capacity(n),
        loc: vec![0; n],
        block_of: vec![0; n],
        start: Vec::new(),
        end: Vec::new(),
        mid: Vec::new(),
    };
    let mut worklist: Vec<usize> = Vec::new();
    let mut in_worklist: Vec<bool> = Vec::new();
    for key in &group_order {
        let members = groups.remove(key).unwrap_or_default();
        let b = p.start.len();
        p.start.push(p.elems.len());
        p.mid.push(p.elems.len());
        for s in members {
            if let Some(l) = p.loc.get_mut(s as usize) {
                *l = p.elems.len();
            }
            if let Some(slot) = p.block_of.get_mut(s as usize) {
                *slot = u32::try_from(b).unwrap_or(0);
            }
            p.elems.push(s);
        }
        p.end.push(p.elems.len());
        // The dead block never needs to be a splitter: splitting by all
        // other blocks already implies stability with respect to it.
        let is_live = key.is_some();
        in_worklist.push(is_live);
        if is_live {
            worklist.push(b);
        }
    }

    let mut pairs: Vec<(u8, u32)> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    while let Some(splitter) = worklist.pop() {
        if let Some(flag) = in_worklist.get_mut(splitter) {
            *flag = false;
        }
        pairs.clear();
        let lo = p.start.get(splitter).copied().unwrap_or(0);
        let hi = p.end.get(splitter).copied().unwrap_or(0);
        for idx in lo..hi {
            let t = p.elems.get(idx).copied().unwrap_or(0);
            for e in reverse.range(t) {
                let c = reverse.classes.get(e).copied().unwrap_or(0);
                let s = reverse.sources.get(e).copied().unwrap_or(0);
                pairs.push((c, s));
            }
        }
        pairs.sort_unstable();
        let mut i = 0;
        while i < pairs.len() {
            let class = pairs.get(i).map(|&(c, _)| c);
            while let Some(&(c, s)) = pairs.get(i) {
                if Some(c) != class {
                    break;
                }
                if let Some(b) = p.mark(s) {
                    touched.push(b);
                }
                i += 1;
            }
            for b in touched.drain(..) {
                let Some(nb) = p.split(b) else {
                    continue;
                };
                in_worklist.push(false);
                let b_queued = in_worklist.get(b).copied().unwrap_or(false);
                let pick = if b_queued || p.size(nb) <= p.size(b) {
                    nb
                } else {
                    b
                };
                if let Some(flag) = in_worklist.get_mut(pick) {
                    if !*flag {
                        *flag = true;
                        worklist.push(pick);
                    }
                }
            }
        }
    }
    p.block_of
}

/// Renumbers states in breadth-first order from the start state, merges
/// byte classes that behave identically everywhere, and finds the dead
/// state. The result is canonical for a given minimal automaton.
pub(crate) fn canonicalize(
    classes: [u8; 256],
    k: usize,
    table: &[u32],
    labels: &[u32],
    start: u32,
) -> Dfa {
    let n = labels.len();
    let mut new_id = vec![u32::MAX; n];
    let mut order = vec![start];
    if let Some(slot) = new_id.get_mut(start as usize) {
        *slot = 0;
    }
    let mut i = 0;
    while let Some(&s) = order.get(i) {
        for c in 0..k {
            let t = table.get(s as usize * k + c).copied().unwrap_or(0);
            if let Some(slot) = new_id.get_mut(t as usize)
                && *slot == u32::MAX
            {
                *slot = u32::try_from(order.len()).unwrap_or(0);
                order.push(t);
            }
        }
        i += 1;
    }
    let renamed = |s: u32| new_id.get(s as usize).copied().unwrap_or(0);

    // Merge classes whose columns are identical.
    let mut column_ids: HashMap<Vec<u32>, u8> = HashMap::default();
    let mut class_map = vec![0u8; k];
    for (c, slot) in class_map.iter_mut().enumerate() {
        let column: Vec<u32> = order
            .iter()
            .map(|&s| table.get(s as usize * k + c).copied().unwrap_or(0))
            .collect();
        let next_id = u8::try_from(column_ids.len()).unwrap_or(u8::MAX);
        *slot = *column_ids.entry(column).or_insert(next_id);
    }
    let nk = column_ids.len().max(1);
    let mut representative = vec![0usize; nk];
    for (c, &nc) in class_map.iter().enumerate().rev() {
        if let Some(r) = representative.get_mut(usize::from(nc)) {
            *r = c;
        }
    }
    let mut new_classes = [0u8; 256];
    for (slot, &old) in new_classes.iter_mut().zip(classes.iter()) {
        *slot = class_map.get(usize::from(old)).copied().unwrap_or(0);
    }

    let mut new_table = Vec::with_capacity(order.len() * nk);
    let mut new_labels = Vec::with_capacity(order.len());
    for &s in &order {
        for &c in &representative {
            new_table.push(renamed(table.get(s as usize * k + c).copied().unwrap_or(0)));
        }
        new_labels.push(labels.get(s as usize).copied().unwrap_or(0));
    }
    let mut dfa = Dfa {
        classes: new_classes,
        nclasses: nk,
        table: new_table,
        labels: new_labels,
        start: 0,
        dead: None,
    };
    dfa.dead = (0..dfa.state_count())
        .filter_map(|s| u32::try_from(s).ok())
        .find(|&s| !dfa.is_accepting(s) && (0..nk).all(|c| dfa.step_class(s, c) == s));
    dfa
}
