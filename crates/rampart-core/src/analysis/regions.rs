//! Exact cover checks over name × action languages.
//!
//! A subject holding several index groups reaches "every name of N with every action of A"
//! when, for every name in N, the groups matching that name together grant all of A. Names
//! matched by the same groups behave alike, so N is split into regions by group membership
//! (each region is "inside these groups, outside those"), and each region is checked once.

use rampart_automaton::Automaton;

use super::{AnalysisError, MAX_REGIONS};

/// One contributing grant: a name language and the actions it grants on it.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) names: Automaton,
    pub(crate) actions: Automaton,
}

/// A piece of a name space with the indices of the languages containing it.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub(crate) names: Automaton,
    pub(crate) inside: Vec<usize>,
}

/// Split `space` by membership in each of `langs`; empty regions are dropped.
pub(crate) fn split(space: &Automaton, langs: &[&Automaton]) -> Result<Vec<Region>, AnalysisError> {
    let mut regions = vec![Region {
        names: space.clone(),
        inside: Vec::new(),
    }];
    for (i, lang) in langs.iter().enumerate() {
        let mut next = Vec::with_capacity(regions.len() * 2);
        for r in regions {
            let inner = r.names.intersection(lang)?;
            if inner.is_empty() {
                next.push(r);
                continue;
            }
            let outer = r.names.minus(lang)?;
            let mut inside = r.inside.clone();
            inside.push(i);
            next.push(Region {
                names: inner,
                inside,
            });
            if !outer.is_empty() {
                next.push(Region {
                    names: outer,
                    inside: r.inside,
                });
            }
        }
        if next.len() > MAX_REGIONS {
            return Err(AnalysisError::TooComplex);
        }
        regions = next;
    }
    Ok(regions)
}

/// Union of the actions of the given parts.
pub(crate) fn union_actions<'a>(
    parts: impl IntoIterator<Item = &'a Part>,
) -> Result<Automaton, AnalysisError> {
    let mut acc = Automaton::empty();
    for p in parts {
        acc = acc.union(&p.actions)?;
    }
    Ok(acc)
}

/// Whether the parts together grant every action of `wanted` on every name of `space`.
pub(crate) fn covers(
    space: &Automaton,
    parts: &[Part],
    wanted: &Automaton,
) -> Result<bool, AnalysisError> {
    if space.is_empty() || wanted.is_empty() {
        return Ok(true);
    }
    // Common case first: one grant covers everything.
    for p in parts {
        if space.is_subset_of(&p.names) && wanted.is_subset_of(&p.actions) {
            return Ok(true);
        }
    }
    let langs: Vec<&Automaton> = parts.iter().map(|p| &p.names).collect();
    for region in split(space, &langs)? {
        let granted = union_actions(region.inside.iter().filter_map(|i| parts.get(*i)))?;
        if !wanted.is_subset_of(&granted) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn part(names: &str, actions: &str) -> Part {
        Part {
            names: Automaton::from_pattern(names).unwrap(),
            actions: Automaton::from_pattern(actions).unwrap(),
        }
    }

    #[test]
    fn two_grants_cover_jointly_what_neither_covers_alone() {
        let space = Automaton::from_pattern("logs-*").unwrap();
        let wanted = Automaton::from_patterns(["read", "write"]).unwrap();
        let parts = [part("logs-*", "read"), part("*", "write")];
        assert!(covers(&space, &parts, &wanted).unwrap());
        let parts = [part("logs-a*", "read"), part("*", "write")];
        assert!(!covers(&space, &parts, &wanted).unwrap());
    }

    #[test]
    fn split_keeps_every_name_once() {
        let space = Automaton::from_pattern("*").unwrap();
        let a = Automaton::from_pattern("a*").unwrap();
        let b = Automaton::from_pattern("*b").unwrap();
        let regions = split(&space, &[&a, &b]).unwrap();
        assert_eq!(regions.len(), 4);
        let ab: Vec<_> = regions.iter().filter(|r| r.names.matches("ab")).collect();
        assert_eq!(ab.len(), 1);
        assert_eq!(ab[0].inside, vec![0, 1]);
    }
}
