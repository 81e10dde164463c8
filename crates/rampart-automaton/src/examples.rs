//! Generating short accepted strings, for diagnostics ("this role grants
//! e.g. `foo`") and tests.

use std::collections::VecDeque;

use crate::dfa::Dfa;

/// Upper bound on explored prefixes, so a request for many examples from a
/// language with long members stays cheap.
const EXPLORATION_BUDGET: usize = 100_000;

/// A shortest accepted string (fewest bytes), if any.
pub(crate) fn shortest_example(dfa: &Dfa) -> Option<String> {
    let reps = dfa.class_representatives();
    let n = dfa.state_count();
    // parent[s] = (previous state, byte) on a shortest path from the start.
    let mut parent: Vec<Option<(u32, u8)>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = VecDeque::from([dfa.start]);
    if let Some(flag) = seen.get_mut(dfa.start as usize) {
        *flag = true;
    }
    while let Some(s) = queue.pop_front() {
        if dfa.is_accepting(s) {
            let mut bytes = Vec::new();
            let mut at = s;
            while let Some(Some((prev, b))) = parent.get(at as usize) {
                bytes.push(*b);
                at = *prev;
            }
            bytes.reverse();
            return String::from_utf8(bytes).ok();
        }
        if Some(s) == dfa.dead {
            continue;
        }
        for (c, &rep) in reps.iter().enumerate() {
            let t = dfa.step_class(s, c);
            if let Some(flag) = seen.get_mut(t as usize)
                && !*flag
            {
                *flag = true;
                if let Some(p) = parent.get_mut(t as usize) {
                    *p = Some((s, rep));
                }
                queue.push_back(t);
            }
        }
    }
    None
}

/// Up to `count` accepted strings in order of byte length (ties broken by
/// byte-class order), one representative byte per class. Deterministic.
pub(crate) fn examples(dfa: &Dfa, count: usize) -> Vec<String> {
    let mut out = Vec::new();
    if count == 0 {
        return out;
    }
    let reps = dfa.class_representatives();
    // In a minimal DFA the only state that cannot reach acceptance is the
    // dead state, so pruning it keeps every explored prefix productive.
    let live = |s: u32| Some(s) != dfa.dead;
    let mut queue: VecDeque<(u32, Vec<u8>)> = VecDeque::new();
    if live(dfa.start) {
        queue.push_back((dfa.start, Vec::new()));
    }
    let mut explored = 0usize;
    while let Some((s, bytes)) = queue.pop_front() {
        explored += 1;
        if explored > EXPLORATION_BUDGET {
            break;
        }
        for (c, &rep) in reps.iter().enumerate() {
            let t = dfa.step_class(s, c);
            if live(t) && queue.len() < EXPLORATION_BUDGET {
                let mut next = bytes.clone();
                next.push(rep);
                queue.push_back((t, next));
            }
        }
        if dfa.is_accepting(s)
            && let Ok(text) = String::from_utf8(bytes)
        {
            out.push(text);
            if out.len() >= count {
                break;
            }
        }
    }
    out
}
