//! Direct DFA construction for sets of literal and `prefix*` patterns: a
//! byte trie whose prefix nodes continue into the "any UTF-8" automaton.
//! No subset construction is needed, so this is linear in the input size.

use std::collections::HashMap;

use crate::dfa::{Dfa, classes_from_boundaries, mark_range};
use crate::minimize::minimize;
use crate::ops::any_utf8;

#[derive(Debug, Default)]
struct Node {
    accept: bool,
    /// Everything below this node is accepted (`prefix*`).
    prefix: bool,
}

/// Minimal DFA for the union of `entries`: `(text, false)` is the literal
/// `text`, `(text, true)` is every string starting with `text`.
pub(crate) fn trie_dfa<'a>(entries: impl IntoIterator<Item = (&'a str, bool)>) -> Dfa {
    let mut nodes = vec![Node::default()];
    let mut edges: HashMap<(u32, u8), u32> = HashMap::new();
    let mut boundary = [false; 257];
    for (text, is_prefix) in entries {
        let mut node = 0u32;
        for &b in text.as_bytes() {
            mark_range(&mut boundary, b, b);
            let next_id = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
            let child = *edges.entry((node, b)).or_insert(next_id);
            if child == next_id {
                nodes.push(Node::default());
            }
            node = child;
        }
        if let Some(n) = nodes.get_mut(node as usize) {
            if is_prefix {
                n.prefix = true;
            } else {
                n.accept = true;
            }
        }
    }

    let any = any_utf8();
    for b in 1..=255u8 {
        if any.class_of(b) != any.class_of(b - 1) {
            mark_range(&mut boundary, b, b);
        }
    }
    let (classes, k) = classes_from_boundaries(&boundary);
    let mut representative = vec![0u8; k];
    for b in (0..=255u8).rev() {
        if let Some(r) = representative.get_mut(usize::from(
            classes.get(usize::from(b)).copied().unwrap_or(0),
        )) {
            *r = b;
        }
    }

    // State layout: 0 dead, 1..=nodes trie nodes, then the any-UTF-8 states.
    let trie_base = 1usize;
    let any_base = trie_base + nodes.len();
    let total = any_base + any.state_count();
    let any_state = |s: u32| -> u32 {
        if Some(s) == any.dead {
            0
        } else {
            u32::try_from(any_base + s as usize).unwrap_or(0)
        }
    };
    let mut table = vec![0u32; total * k];
    let mut labels = vec![0u32; total];
    let fill_any_row = |table: &mut Vec<u32>, row: usize, from: u32| {
        for (c, &rep) in representative.iter().enumerate() {
            if let Some(slot) = table.get_mut(row * k + c) {
                *slot = any_state(any.step_class(from, any.class_of(rep)));
            }
        }
    };
    for (i, node) in nodes.iter().enumerate() {
        let row = trie_base + i;
        if node.prefix {
            fill_any_row(&mut table, row, any.start);
        }
        if let Some(l) = labels.get_mut(row) {
            *l = u32::from(node.accept || node.prefix);
        }
    }
    for (&(node, b), &child) in &edges {
        let prefix_node = nodes.get(node as usize).is_some_and(|n| n.prefix);
        if prefix_node {
            continue;
        }
        let row = trie_base + node as usize;
        let c = usize::from(classes.get(usize::from(b)).copied().unwrap_or(0));
        if let Some(slot) = table.get_mut(row * k + c) {
            *slot = u32::try_from(trie_base + child as usize).unwrap_or(0);
        }
    }
    for s in 0..any.state_count() {
        let s = u32::try_from(s).unwrap_or(0);
        let row = any_state(s) as usize;
        if row != 0 {
            fill_any_row(&mut table, row, s);
            if let Some(l) = labels.get_mut(row) {
                *l = u32::from(any.is_accepting(s));
            }
        }
    }
    let raw = Dfa {
        classes,
        nclasses: k,
        table,
        labels,
        start: u32::try_from(trie_base).unwrap_or(0),
        dead: None,
    };
    minimize(&raw)
}
