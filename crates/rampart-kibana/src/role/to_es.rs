//! Kibana role → ES role (sections a.3 value rules, a.4, a.5 and b.4).

use std::collections::BTreeSet;

use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};

use super::model::{ALL_SPACES, KibanaEntry, KibanaRole};
use super::validation::ValidationError;
use crate::features::{FeatureRegistry, is_valid_id};
use crate::privileges::APPLICATION;

const BASE_PRIVILEGES: [&str; 2] = ["all", "read"];
const ID_CHARSET: &str = "only a-z, A-Z, 0-9, '_', and '-' are allowed";
const SPACE_CHARSET: &str = "must be lower case, a-z, 0-9, '_', and '-' are allowed";

/// `^[a-z0-9_-]+$`: a space id.
pub fn is_valid_space_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The `spaces` one-of: `["*"]` exactly, or valid space ids.
fn validate_spaces(i: usize, spaces: &[String], errs: &mut Vec<ValidationError>) {
    let first_not_star = spaces.iter().position(|s| s != ALL_SPACES);
    let star_ok = first_not_star.is_none() && spaces.len() == 1;
    let first_bad_id = spaces.iter().position(|s| !is_valid_space_id(s));
    if star_ok || first_bad_id.is_none() {
        return;
    }
    let at = format!("kibana.{i}.spaces");
    let star_line = match first_not_star {
        Some(n) => format!("- [request body.{at}.0.{n}]: expected value to equal [*]"),
        None => format!(
            "- [request body.{at}.0]: array size is [{}], but cannot be greater than [1]",
            spaces.len()
        ),
    };
    let id_line = format!(
        "- [request body.{at}.1.{}]: {SPACE_CHARSET}",
        first_bad_id.unwrap_or_default()
    );
    errs.push(ValidationError::body(
        at,
        format!("types that failed validation:\n{star_line}\n{id_line}"),
    ));
}

fn validate_entry(i: usize, e: &KibanaEntry, errs: &mut Vec<ValidationError>) {
    let all_spaces = e.is_all_spaces();
    for (j, b) in e.base.iter().enumerate() {
        if !BASE_PRIVILEGES.contains(&b.as_str()) {
            let kind = if all_spaces { "global" } else { "space" };
            errs.push(ValidationError::body(
                format!("kibana.{i}.base.{j}"),
                format!("unknown {kind} privilege \"{b}\", must be one of [all,read]"),
            ));
        }
    }
    for (k, privileges) in &e.feature {
        if !is_valid_id(k) {
            errs.push(ValidationError::body(
                format!("kibana.{i}.feature.key(\"{k}\")"),
                ID_CHARSET,
            ));
        }
        for (j, p) in privileges.iter().enumerate() {
            if !is_valid_id(p) {
                errs.push(ValidationError::body(
                    format!("kibana.{i}.feature.{k}.{j}"),
                    ID_CHARSET,
                ));
            }
        }
    }
    validate_spaces(i, &e.spaces, errs);
    let has_feature_privilege = e.feature.iter().any(|(_, p)| !p.is_empty());
    if e.base.is_empty() && !has_feature_privilege {
        errs.push(ValidationError::body(
            format!("kibana.{i}"),
            "either [base] or [feature] is expected, but none of them specified",
        ));
    } else if !e.base.is_empty() && !e.feature.is_empty() {
        errs.push(ValidationError::body(
            format!("kibana.{i}"),
            "definition of [feature] isn't allowed when non-empty [base] is defined.",
        ));
    }
}

/// The value rules of section a.3, in the order the route schema applies them.
pub fn validate_schema(role: &KibanaRole) -> Vec<ValidationError> {
    let mut errs = Vec::new();
    for (i, e) in role.kibana.iter().enumerate() {
        validate_entry(i, e, &mut errs);
    }
    let mut seen = BTreeSet::new();
    let mut duplicates: Vec<&str> = Vec::new();
    for s in role.kibana.iter().flat_map(|e| &e.spaces) {
        if !seen.insert(s.as_str()) && !duplicates.contains(&s.as_str()) {
            duplicates.push(s);
        }
    }
    if !duplicates.is_empty() {
        errs.push(ValidationError::body(
            "kibana",
            format!(
                "more than one privilege is applied to the following spaces: [{}]",
                duplicates.join(",")
            ),
        ));
    }
    errs
}

/// The feature-aware rules of section a.4 (unknown features are accepted).
pub fn validate_features(role: &KibanaRole, registry: &FeatureRegistry) -> Vec<ValidationError> {
    let mut errs = Vec::new();
    for e in &role.kibana {
        let all_spaces = e.is_all_spaces();
        let spaces = e.spaces.join(",");
        for (id, requested) in &e.feature {
            let Some(feature) = registry.visible(id) else {
                continue;
            };
            for top in ["all", "read"] {
                if !requested.iter().any(|p| p == top) {
                    continue;
                }
                let Some(p) = feature.top_privilege(top) else {
                    continue;
                };
                if p.disabled {
                    errs.push(ValidationError::Feature(format!(
                        "Feature [{id}] does not support privilege [{top}]."
                    )));
                }
                if p.require_all_spaces && !all_spaces {
                    errs.push(ValidationError::Feature(format!(
                        "Feature privilege [{id}.{top}] requires all spaces to be selected but received [{spaces}]"
                    )));
                }
            }
            let disabled: Vec<&str> = feature
                .sub_feature_privileges()
                .filter(|p| p.disabled && requested.contains(&p.id))
                .map(|p| p.id.as_str())
                .collect();
            if !disabled.is_empty() {
                errs.push(ValidationError::Feature(format!(
                    "Feature [{id}] does not support specified sub-feature privileges [{}].",
                    disabled.join(", ")
                )));
            }
            for sub in &feature.sub_features {
                if sub.require_all_spaces
                    && !all_spaces
                    && sub.privileges().any(|p| requested.contains(&p.id))
                {
                    errs.push(ValidationError::Feature(format!(
                        "Sub-feature privilege [{} - {}] requires all spaces to be selected but received [{spaces}]",
                        feature.name, sub.name
                    )));
                }
            }
        }
    }
    errs
}

/// One ES application entry per Kibana entry (b.4).
pub fn kibana_applications(entries: &[KibanaEntry]) -> Vec<ApplicationPrivileges> {
    entries
        .iter()
        .map(|e| {
            let all_spaces = e.is_all_spaces();
            let mut privileges: Vec<String> = e
                .base
                .iter()
                .map(|b| {
                    if all_spaces {
                        b.clone()
                    } else {
                        format!("space_{b}")
                    }
                })
                .collect();
            for (f, ps) in &e.feature {
                privileges.extend(ps.iter().map(|p| format!("feature_{f}.{p}")));
            }
            let resources = if all_spaces {
                vec![ALL_SPACES.to_string()]
            } else {
                e.spaces.iter().map(|s| format!("space:{s}")).collect()
            };
            ApplicationPrivileges {
                application: APPLICATION.to_string(),
                privileges,
                resources,
            }
        })
        .collect()
}

/// Validate and transform a Kibana role into the ES role to write. `existing` is the stored
/// ES role, if any: its non-`kibana-.kibana` applications are kept after the generated ones.
pub fn to_es(
    role: &KibanaRole,
    existing: Option<&RoleDescriptor>,
    registry: &FeatureRegistry,
) -> Result<RoleDescriptor, Vec<ValidationError>> {
    let schema = validate_schema(role);
    if !schema.is_empty() {
        return Err(schema);
    }
    let feature = validate_features(role, registry);
    if !feature.is_empty() {
        return Err(feature);
    }
    let es = &role.elasticsearch;
    let mut applications = kibana_applications(&role.kibana);
    if let Some(old) = existing {
        applications.extend(
            old.applications
                .iter()
                .filter(|a| a.application != APPLICATION)
                .cloned(),
        );
    }
    Ok(RoleDescriptor {
        name: role.name.clone(),
        cluster: es.cluster.clone(),
        indices: es.indices.clone(),
        applications,
        run_as: es.run_as.clone(),
        metadata: role.metadata.clone(),
        remote_indices: es.remote_indices.clone(),
        remote_cluster: es.remote_cluster.clone(),
        description: role.description.clone().filter(|d| !d.is_empty()),
        ..Default::default()
    })
}
