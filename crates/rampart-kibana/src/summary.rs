//! The privilege summary (section e): per space group and feature, All / Read / None, with
//! customised sub-feature privileges flagged.

use std::collections::HashSet;

use crate::features::{Feature, FeatureRegistry};
use crate::privileges::KibanaPrivileges;
use crate::role::{ALL_SPACES, KibanaEntry};

/// One summary cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSummary {
    pub feature: String,
    /// The displayed primary privilege (`all`/`read`), before the rule-5 display filter.
    pub primary: Option<String>,
    /// `All`, `Read` or `None`.
    pub display: String,
    /// Sub-feature privilege ids the column grants.
    pub sub_features: Vec<String>,
    pub has_customized_sub_features: bool,
}

/// One column: an entry's spaces and its feature cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryColumn {
    pub spaces: Vec<String>,
    /// The space table's label for the entry: `All`, `Read` or `Custom`.
    pub base: String,
    pub features: Vec<FeatureSummary>,
}

fn grants(set: &HashSet<&str>, wanted: Option<&[String]>) -> bool {
    match wanted {
        Some(q) if !q.is_empty() && !set.is_empty() => q.iter().all(|a| set.contains(a.as_str())),
        _ => false,
    }
}

fn entry_actions<'a>(
    e: &KibanaEntry,
    privileges: &'a KibanaPrivileges,
    set: &mut HashSet<&'a str>,
) {
    let global = e.is_all_spaces();
    let mut names: Vec<String> = e
        .base
        .iter()
        .map(|b| {
            if global {
                b.clone()
            } else {
                format!("space_{b}")
            }
        })
        .collect();
    for (f, ps) in &e.feature {
        names.extend(ps.iter().map(|p| format!("feature_{f}.{p}")));
    }
    names.extend(e.reserved.iter().map(|r| format!("reserved_{r}")));
    for n in names {
        if let Some(actions) = privileges.actions_of(&n) {
            set.extend(actions.iter().map(String::as_str));
        }
    }
}

fn feature_cell(
    f: &Feature,
    set: &HashSet<&str>,
    is_global: bool,
    privileges: &KibanaPrivileges,
) -> FeatureSummary {
    let has_subs = !f.sub_features.is_empty();
    let primary = f.top_privilege_ids().into_iter().find(|top| {
        grants(set, privileges.feature_actions(&f.id, top))
            || (has_subs
                && grants(
                    set,
                    privileges.feature_actions(&f.id, &format!("minimal_{top}")),
                ))
    });
    let sub_features: Vec<String> = f
        .sub_feature_privileges()
        .filter(|p| grants(set, privileges.feature_actions(&f.id, &p.id)))
        .map(|p| p.id.clone())
        .collect();
    let has_customized_sub_features = primary.is_some_and(|top| {
        let primary_set: HashSet<&str> = privileges
            .feature_actions(&f.id, top)
            .unwrap_or(&[])
            .iter()
            .map(String::as_str)
            .collect();
        f.sub_feature_privileges().any(|p| {
            let wanted = privileges.feature_actions(&f.id, &p.id);
            grants(set, wanted) != grants(&primary_set, wanted)
        })
    });
    let shown = primary.filter(|top| {
        f.top_privilege(top)
            .is_some_and(|p| !p.disabled && (is_global || !p.require_all_spaces))
    });
    FeatureSummary {
        feature: f.id.clone(),
        primary: primary.map(str::to_string),
        display: match shown {
            Some("all") => "All",
            Some("read") => "Read",
            _ => "None",
        }
        .to_string(),
        sub_features,
        has_customized_sub_features,
    }
}

/// The summary of a role's Kibana entries: the `*` column first, then the others in order.
pub fn privilege_summary(
    entries: &[KibanaEntry],
    registry: &FeatureRegistry,
    privileges: &KibanaPrivileges,
) -> Vec<SummaryColumn> {
    let global = entries.iter().find(|e| e.is_all_spaces());
    let ordered = global
        .into_iter()
        .chain(entries.iter().filter(|e| !e.is_all_spaces()));
    ordered
        .map(|e| {
            let is_global = e.is_all_spaces();
            let mut set = HashSet::new();
            entry_actions(e, privileges, &mut set);
            if let Some(g) = global.filter(|_| !is_global) {
                entry_actions(g, privileges, &mut set);
            }
            let features = registry
                .features()
                .iter()
                .filter(|f| f.privileges.is_some() && !f.hidden)
                .map(|f| feature_cell(f, &set, is_global, privileges))
                .collect();
            let base = if e.base.iter().any(|b| b == "all" || b == "*") {
                "All"
            } else if e.base.iter().any(|b| b == "read") {
                "Read"
            } else {
                "Custom"
            };
            SummaryColumn {
                spaces: if is_global {
                    vec![ALL_SPACES.to_string()]
                } else {
                    e.spaces.clone()
                },
                base: base.to_string(),
                features,
            }
        })
        .collect()
}
