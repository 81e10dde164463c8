//! A language of field names built from patterns with union, intersection and difference,
//! and the few exact questions FLS needs answered about it.
//!
//! Questions are answered by exploring the product of all pattern NFAs: every reachable
//! combination of pattern states is visited once, over an alphabet made of the characters the
//! patterns name plus one character that none of them names. Exploration is bounded; past the
//! bound the caller gets `None` and must choose the safe answer.

use std::collections::{BTreeSet, HashSet, VecDeque};

use super::glob::{Glob, Positions};

/// Upper bound on product states explored for one question.
const MAX_STATES: usize = 50_000;

/// A set of field names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Lang {
    /// Names matching any `grant` pattern and no `except` pattern.
    Def {
        grant: Vec<Glob>,
        except: Vec<Glob>,
    },
    Or(Vec<Lang>),
    And(Vec<Lang>),
}

impl Lang {
    /// Whether `name` is in the language.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            Lang::Def { grant, except } => {
                grant.iter().any(|g| g.matches(name)) && !except.iter().any(|e| e.matches(name))
            }
            Lang::Or(parts) => parts.iter().any(|p| p.contains(name)),
            Lang::And(parts) => parts.iter().all(|p| p.contains(name)),
        }
    }

    fn globs<'a>(&'a self, out: &mut Vec<&'a Glob>) {
        match self {
            Lang::Def { grant, except } => out.extend(grant.iter().chain(except)),
            Lang::Or(parts) | Lang::And(parts) => parts.iter().for_each(|p| p.globs(out)),
        }
    }

    /// Membership given each glob's acceptance, in `globs` order. Every part consumes all of
    /// its flags (no short-circuit), so later parts read their own.
    fn accepts(&self, accepted: &mut impl Iterator<Item = bool>) -> bool {
        match self {
            Lang::Def { grant, except } => {
                let g: Vec<bool> = grant
                    .iter()
                    .map(|_| accepted.next().unwrap_or(false))
                    .collect();
                let e: Vec<bool> = except
                    .iter()
                    .map(|_| accepted.next().unwrap_or(false))
                    .collect();
                g.contains(&true) && !e.contains(&true)
            }
            Lang::Or(parts) => {
                let each: Vec<bool> = parts.iter().map(|p| p.accepts(accepted)).collect();
                each.contains(&true)
            }
            Lang::And(parts) => {
                let each: Vec<bool> = parts.iter().map(|p| p.accepts(accepted)).collect();
                !each.contains(&false)
            }
        }
    }
}

/// What to look for while exploring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// A name (after the prefix) in `left` (and, for `Outside`, not in `right`).
    Inside,
    Outside,
}

/// Is there a name starting with `prefix` that `left` contains and, when `right` is given,
/// `right` does not? `None` when the exploration bound was hit.
pub(crate) fn exists_with_prefix(left: &Lang, right: Option<&Lang>, prefix: &str) -> Option<bool> {
    let mut globs = Vec::new();
    left.globs(&mut globs);
    let left_count = globs.len();
    if let Some(right) = right {
        right.globs(&mut globs);
    }
    let goal = if right.is_some() {
        Goal::Outside
    } else {
        Goal::Inside
    };
    let is_goal = |state: &[Positions]| {
        let mut flags = globs.iter().zip(state).map(|(g, p)| g.accepts(p));
        let in_left = left.accepts(&mut flags.by_ref().take(left_count));
        let in_right = right.is_some_and(|r| r.accepts(&mut flags));
        in_left && (goal == Goal::Inside || !in_right)
    };

    let mut state: Vec<Positions> = globs.iter().map(|g| g.start()).collect();
    for c in prefix.chars() {
        state = globs
            .iter()
            .zip(&state)
            .map(|(g, p)| g.step(p, c))
            .collect();
    }
    let alphabet = alphabet(&globs);
    let mut seen: HashSet<Vec<Positions>> = HashSet::new();
    let mut queue = VecDeque::from([state]);
    while let Some(state) = queue.pop_front() {
        if !seen.insert(state.clone()) {
            continue;
        }
        if is_goal(&state) {
            return Some(true);
        }
        if seen.len() > MAX_STATES {
            return None;
        }
        for &c in &alphabet {
            let next: Vec<Positions> = globs
                .iter()
                .zip(&state)
                .map(|(g, p)| g.step(p, c))
                .collect();
            if !seen.contains(&next) {
                queue.push_back(next);
            }
        }
    }
    Some(false)
}

/// Every character some pattern names, plus one that none does (standing for all the others).
fn alphabet(globs: &[&Glob]) -> Vec<char> {
    let named: BTreeSet<char> = globs.iter().flat_map(|g| g.literals()).collect();
    let other = ('\u{E000}'..='\u{F8FF}')
        .chain('a'..='z')
        .find(|c| !named.contains(c))
        .unwrap_or('\u{10FFFF}');
    named.into_iter().chain([other]).collect()
}

/// The language of every name.
pub(crate) fn everything() -> Lang {
    Lang::Def {
        grant: vec![Glob::match_all()],
        except: Vec::new(),
    }
}
