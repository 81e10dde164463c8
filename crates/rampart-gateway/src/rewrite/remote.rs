//! Remote targets (`alias:pattern`) in a restricted search.
//!
//! A remote cluster's concrete indices are unknown here, but Elasticsearch evaluates `_index`
//! queries against the fully qualified name of a remote shard (`alias:index`), and remote
//! hits come back with that name. So a remote target is scoped by its own pattern: `_index`
//! matching `alias:pattern`, or `alias:.ds-pattern-*` (the backing indices of the data
//! streams the pattern names). Hits reached through a remote alias whose concrete index does
//! not match the pattern are filtered out (fail closed: never shown under another target's
//! restriction).
//!
//! Two remote targets can name the same remote index (`other:logs-*` and `other:logs-1`).
//! When their restrictions differ, each index must belong to exactly one of them, or a less
//! restricted target's filter would admit documents the other's DLS hides. An index belongs
//! to the most specific target naming it (the one whose pattern language is a strict subset
//! of the others'): each target's filter excludes the strictly narrower targets of other
//! restrictions. Overlaps where neither language contains the other have no most specific
//! target and are refused.
//!
//! When every target that can name a cluster's indices carries the same restrictions, the
//! target is scoped to the whole cluster (`alias:*`) instead: the upstream only searches the
//! authorized expressions the gateway sent, so any hit of that cluster came through one of
//! them, including an index a remote alias points to that no pattern names (which a pattern
//! scope would drop).

use rampart_automaton::Automaton;
use rampart_query::Query;
use rampart_query::ast::{BoolQuery, MinimumShouldMatch, Scalar};

use super::Target;
use super::refuse::Refusal;

/// Whether a target names a remote index: local index names cannot contain `:`.
pub(crate) fn is_remote(index: &str) -> bool {
    index.contains(':')
}

/// A remote target's `_index` patterns: the target itself, and its data streams' backing
/// indices.
fn patterns(target: &str) -> [String; 2] {
    let (alias, index) = target.split_once(':').unwrap_or(("", target));
    [target.to_owned(), format!("{alias}:.ds-{index}-*")]
}

/// `name` matches `pattern` where `*` is any string (Elasticsearch's simple match, which is
/// how `_index` queries compare names).
pub(crate) use rampart_core::resolve::simple_match;

/// The names a remote target's filter admits, as an automaton (`*` is the only wildcard; any
/// other pattern character is taken literally).
fn language(target: &str) -> Result<Automaton, Refusal> {
    let escaped = patterns(target).map(|p| {
        let mut out = String::with_capacity(p.len());
        for c in p.chars() {
            if matches!(c, '?' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    });
    Automaton::from_patterns(escaped.iter().map(String::as_str)).map_err(|e| {
        tracing::debug!(error = %e, target, "remote target pattern too complex");
        Refusal(format!(
            "searching [{target}] is not supported in gateway mode: its pattern is too complex"
        ))
    })
}

/// Which index names one remote target's filter admits: its patterns, minus the patterns of
/// strictly narrower targets under other restrictions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Region {
    /// Position of the target in the request's targets.
    pub target: usize,
    pub excluded: Vec<usize>,
    /// The target's cluster, when every target that can name that cluster's indices has the
    /// same restrictions: the region is then the whole cluster (`alias:*`).
    pub cluster: Option<String>,
}

/// The cluster alias of a remote target, when it names exactly one cluster.
fn exact_cluster(target: &str) -> Option<&str> {
    target
        .split_once(':')
        .map(|(alias, _)| alias)
        .filter(|alias| !alias.contains('*'))
}

/// The regions of the remote targets of `targets`, or a refusal when two targets under
/// different restrictions overlap without one containing the other.
pub(crate) fn regions(targets: &[Target]) -> Result<Vec<Region>, Refusal> {
    let remote: Vec<usize> = (0..targets.len())
        .filter(|&i| targets.get(i).is_some_and(|t| is_remote(&t.index)))
        .collect();
    let mut languages = Vec::with_capacity(remote.len());
    for &i in &remote {
        let target = targets.get(i).map_or("", |t| t.index.as_str());
        languages.push((i, target, language(target)?));
    }
    let mut regions: Vec<Region> = remote
        .iter()
        .map(|&target| Region {
            target,
            excluded: Vec::new(),
            cluster: whole_cluster(targets, &remote, target),
        })
        .collect();
    for (a, (i, name_i, lang_i)) in languages.iter().enumerate() {
        for (j, name_j, lang_j) in languages.iter().skip(a + 1) {
            let same = targets.get(*i).map(|t| &t.restrictions)
                == targets.get(*j).map(|t| &t.restrictions);
            if same || !overlaps(lang_i, lang_j)? {
                continue;
            }
            let (i_in_j, j_in_i) = (lang_i.is_subset_of(lang_j), lang_j.is_subset_of(lang_i));
            let (wider, narrower) = match (i_in_j, j_in_i) {
                (true, false) => (*j, *i),
                (false, true) => (*i, *j),
                _ => {
                    return Err(Refusal(format!(
                        "searching [{name_i}] together with [{name_j}] is not supported in gateway mode: \
                         both can name the same remote index under different document or field level security"
                    )));
                }
            };
            if let Some(region) = regions.iter_mut().find(|r| r.target == wider) {
                region.excluded.push(narrower);
            }
        }
    }
    Ok(regions)
}

/// The cluster of `targets[i]` when every remote target that can name that cluster's
/// indices (its own alias, or an alias pattern matching it) has the same restrictions.
fn whole_cluster(targets: &[Target], remote: &[usize], i: usize) -> Option<String> {
    let own = targets.get(i)?;
    let cluster = exact_cluster(&own.index)?;
    let uniform = remote.iter().filter_map(|&j| targets.get(j)).all(|other| {
        let alias = other.index.split_once(':').map_or("", |(alias, _)| alias);
        !simple_match(alias, cluster) || other.restrictions == own.restrictions
    });
    uniform.then(|| cluster.to_owned())
}

fn overlaps(a: &Automaton, b: &Automaton) -> Result<bool, Refusal> {
    let both = a.intersection(b).map_err(|e| {
        tracing::debug!(error = %e, "remote target patterns too complex to compare");
        Refusal("remote target patterns are too complex to compare in gateway mode".into())
    })?;
    Ok(!both.is_empty())
}

impl Region {
    /// Whether a hit's `_index` lies in this region.
    /// `names` are the request's target names by position.
    pub(crate) fn contains<S: AsRef<str>>(&self, names: &[S], index: &str) -> bool {
        if let Some(cluster) = &self.cluster {
            return index
                .split_once(':')
                .is_some_and(|(alias, _)| alias == cluster);
        }
        let admits = |i: usize| {
            names
                .get(i)
                .is_some_and(|t| patterns(t.as_ref()).iter().any(|p| simple_match(p, index)))
        };
        admits(self.target) && !self.excluded.iter().any(|&e| admits(e))
    }

    /// The `_index` filter of this region.
    pub(crate) fn filter(&self, targets: &[Target]) -> Query {
        if let Some(cluster) = &self.cluster {
            return index_is(format!("{cluster}:*"));
        }
        let matching = |i: usize| {
            targets
                .get(i)
                .map_or(Query::MatchNone, |t| admits(&t.index))
        };
        let own = matching(self.target);
        if self.excluded.is_empty() {
            return own;
        }
        Query::Bool(BoolQuery {
            filter: vec![own],
            must_not: self.excluded.iter().map(|&e| matching(e)).collect(),
            ..BoolQuery::default()
        })
    }
}

/// `_index` matches one of a remote target's patterns.
fn admits(target: &str) -> Query {
    let clauses: Vec<Query> = patterns(target).into_iter().map(index_is).collect();
    Query::Bool(BoolQuery {
        should: clauses,
        minimum_should_match: Some(MinimumShouldMatch::Count(1)),
        ..BoolQuery::default()
    })
}

fn index_is(pattern: String) -> Query {
    if pattern.contains('*') {
        Query::Wildcard {
            field: "_index".into(),
            value: pattern,
            case_insensitive: false,
            boost: None,
        }
    } else {
        Query::Terms {
            field: "_index".into(),
            values: vec![Scalar::Str(pattern)],
            boost: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::IndexRestrictions;
    use rampart_query::parse_query;
    use serde_json::json;

    fn names(targets: &[Target]) -> Vec<String> {
        targets.iter().map(|t| t.index.clone()).collect()
    }

    fn target(index: &str, dept: Option<&str>) -> Target {
        Target {
            index: index.into(),
            restrictions: IndexRestrictions {
                documents: dept.map(|d| parse_query(&json!({"term": {"dept": d}})).unwrap()),
                fields: None,
            },
        }
    }

    #[test]
    fn simple_match_is_star_only() {
        assert!(simple_match("other:logs-*", "other:logs-1"));
        assert!(simple_match("other:*-1", "other:logs-1"));
        assert!(simple_match("o*:*s-*", "other:logs-1"));
        assert!(simple_match("other:logs-1", "other:logs-1"));
        assert!(!simple_match("other:logs-1", "other:logs-10"));
        assert!(!simple_match("other:logs-*", "third:logs-1"));
        assert!(!simple_match("other:logs-*", "logs-1"));
        assert!(!simple_match("other:a*a", "other:a"));
        assert!(simple_match("other:a*a", "other:aa"));
        assert!(!simple_match("other:log?", "other:logs"));
    }

    #[test]
    fn a_cluster_under_one_restriction_is_scoped_whole() {
        // One target, or several with the same restrictions: any index of the cluster (an
        // alias's concrete index included), nothing of another cluster or the local one.
        for targets in [
            vec![target("other:logs-*", Some("x"))],
            vec![
                target("other:logs-*", Some("x")),
                target("other:app", Some("x")),
            ],
            vec![
                target("other:logs-*", Some("x")),
                target("third:logs-*", Some("y")),
            ],
        ] {
            let regions = regions(&targets).unwrap();
            let region = &regions[0];
            assert_eq!(region.cluster.as_deref(), Some("other"));
            assert!(region.contains(&names(&targets), "other:secret-behind-alias"));
            assert!(!region.contains(&names(&targets), "third:logs-1"));
            assert!(!region.contains(&names(&targets), "logs-1"));
            let expected = json!({"wildcard": {"_index": {"value": "other:*"}}});
            assert_eq!(region.filter(&targets), parse_query(&expected).unwrap());
        }
    }

    #[test]
    fn a_cluster_under_several_restrictions_keeps_pattern_scopes() {
        let targets = [
            target("other:logs-*", Some("x")),
            target("other:app", Some("y")),
        ];
        let scoped = regions(&targets).unwrap();
        assert_eq!(scoped[0].cluster, None);
        assert!(!scoped[0].contains(&names(&targets), "other:secret-behind-alias"));
        // A target on an alias pattern that covers the cluster counts too.
        let targets = [
            target("other:logs", Some("x")),
            target("o*:logs", Some("y")),
        ];
        assert!(
            regions(&targets)
                .unwrap()
                .iter()
                .all(|r| r.cluster.is_none())
        );
        // An alias pattern is never scoped whole.
        let targets = [target("o*:logs-*", Some("x"))];
        assert_eq!(regions(&targets).unwrap()[0].cluster, None);
    }

    #[test]
    fn backing_indices_of_named_data_streams_are_admitted() {
        let targets = [
            target("other:logs-app", Some("x")),
            target("other:x", Some("y")),
        ];
        let regions = regions(&targets).unwrap();
        let region = &regions[0];
        assert_eq!(region.cluster, None);
        assert!(region.contains(&names(&targets), "other:logs-app"));
        assert!(region.contains(&names(&targets), "other:.ds-logs-app-2024.01.01-000001"));
        assert!(!region.contains(&names(&targets), "other:logs-app2"));
        assert!(!region.contains(&names(&targets), "logs-app"));
    }

    #[test]
    fn the_most_specific_target_owns_an_index() {
        let targets = [
            target("other:logs-*", Some("wide")),
            target("other:logs-1", Some("narrow")),
            target("other:metrics", Some("wide")),
        ];
        let regions = regions(&targets).unwrap();
        assert_eq!(regions[0].excluded, vec![1]);
        assert!(regions[1].excluded.is_empty());
        assert!(!regions[0].contains(&names(&targets), "other:logs-1"));
        assert!(regions[0].contains(&names(&targets), "other:logs-2"));
        assert!(regions[1].contains(&names(&targets), "other:logs-1"));
        let expected = json!({"bool": {
            "filter": [{"bool": {"should": [
                {"wildcard": {"_index": {"value": "other:logs-*"}}},
                {"wildcard": {"_index": {"value": "other:.ds-logs-*-*"}}}],
                "minimum_should_match": 1}}],
            "must_not": [{"bool": {"should": [
                {"terms": {"_index": ["other:logs-1"]}},
                {"wildcard": {"_index": {"value": "other:.ds-logs-1-*"}}}],
                "minimum_should_match": 1}}]
        }});
        assert_eq!(regions[0].filter(&targets), parse_query(&expected).unwrap());
    }

    #[test]
    fn same_restrictions_may_overlap_freely() {
        let targets = [
            target("other:logs-*", Some("x")),
            target("other:*-1", Some("x")),
        ];
        let regions = regions(&targets).unwrap();
        assert!(regions.iter().all(|r| r.excluded.is_empty()));
    }

    #[test]
    fn incomparable_overlaps_under_different_restrictions_are_refused() {
        let targets = [
            target("other:logs-*", Some("x")),
            target("other:*-1", Some("y")),
        ];
        let refusal = regions(&targets).unwrap_err();
        assert!(refusal.0.contains("[other:logs-*]"), "{}", refusal.0);
        assert!(refusal.0.contains("[other:*-1]"), "{}", refusal.0);
    }

    #[test]
    fn an_exact_data_stream_name_next_to_a_pattern_it_misses_is_ambiguous() {
        // `.ds-logs-*` (backing indices of `logs`) and `.ds-logs-*-*` (of `logs-*`) overlap
        // without either containing the other: no most specific target, refused.
        let targets = [
            target("other:logs", Some("x")),
            target("other:logs-*", Some("y")),
        ];
        assert!(regions(&targets).is_err());
        // A data stream inside the pattern is the narrower target.
        let targets = [
            target("other:logs-app", Some("x")),
            target("other:logs-*", Some("y")),
        ];
        let regions = regions(&targets).unwrap();
        assert_eq!(regions[1].excluded, vec![0]);
    }

    #[test]
    fn different_clusters_and_local_indices_never_overlap() {
        let targets = [
            target("other:logs-*", Some("x")),
            target("third:logs-*", Some("y")),
            target("logs-1", None),
        ];
        let regions = regions(&targets).unwrap();
        assert_eq!(regions.len(), 2, "local targets have no region");
        assert!(regions.iter().all(|r| r.excluded.is_empty()));
    }
}
