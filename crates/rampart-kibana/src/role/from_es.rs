//! ES role → Kibana role (section b.5): the checks run in Kibana's exact order and any
//! failure yields `kibana: []` plus one `_transform_error`. Never fixes up ES data.

use std::collections::BTreeSet;

use rampart_core::error::EsError;
use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};
use thiserror::Error;

use super::model::{ALL_SPACES, EsPrivileges, KibanaEntry, KibanaRole};
use crate::features::{FeatureRegistry, is_valid_id};
use crate::privileges::{APPLICATION, RESERVED_APPLICATION};

/// Why an ES role's applications cannot be shown in Kibana's format (`kibana:<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransformReason {
    ReservedPrivilegesMixed,
    ReservedPrivilegesWrongApp,
    SpacePrivilegesGlobal,
    GlobalPrivilegesSpace,
    BaseFeaturePrivilegesMixed,
    GlobalResourceMixed,
    InvalidResourceFormat,
    DuplicatedResources,
    FeatureRequiresAllSpaces,
    DisabledFeaturePrivileges,
    /// A privilege name that does not deserialize (e.g. a malformed `feature_` name).
    TransformationException,
}

impl TransformReason {
    pub fn code(self) -> &'static str {
        match self {
            TransformReason::ReservedPrivilegesMixed => "reserved_privileges_mixed",
            TransformReason::ReservedPrivilegesWrongApp => "reserved_privileges_wrong_app",
            TransformReason::SpacePrivilegesGlobal => "space_privileges_global",
            TransformReason::GlobalPrivilegesSpace => "global_privileges_space",
            TransformReason::BaseFeaturePrivilegesMixed => "base_feature_privileges_mixed",
            TransformReason::GlobalResourceMixed => "global_resource_mixed",
            TransformReason::InvalidResourceFormat => "invalid_resource_format",
            TransformReason::DuplicatedResources => "duplicated_resources",
            TransformReason::FeatureRequiresAllSpaces => "feature_requires_all_spaces",
            TransformReason::DisabledFeaturePrivileges => "disabled_feature_privileges",
            TransformReason::TransformationException => "transformation_exception",
        }
    }

    /// The `_transform_error` item ([9.x] form).
    pub fn transform_error(self) -> String {
        format!("kibana:{}", self.code())
    }
}

/// The whole GET fails (500).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FromEsError {
    #[error("ES returned an application entry without resources, can't process this")]
    EmptyResources,
}

impl EsError for FromEsError {
    fn es_type(&self) -> &'static str {
        "kibana_exception"
    }
    fn status(&self) -> u16 {
        500
    }
}

fn is_kibana_app(app: &str) -> bool {
    app == APPLICATION || app == RESERVED_APPLICATION || app == "*"
}

fn is_reserved(p: &str) -> bool {
    p.starts_with("reserved_")
}

fn is_global_base(p: &str) -> bool {
    matches!(p, "all" | "read" | "*")
}

fn is_space_base(p: &str) -> bool {
    p.starts_with("space_")
}

fn is_feature(p: &str) -> bool {
    p.starts_with("feature_")
}

fn has_global(a: &ApplicationPrivileges) -> bool {
    a.resources.iter().any(|r| r == ALL_SPACES)
}

/// `feature_<id>.<privilege>` fully matching the id charset.
fn parse_feature(p: &str) -> Option<(&str, &str)> {
    let (f, privilege) = p.strip_prefix("feature_")?.split_once('.')?;
    (is_valid_id(f) && is_valid_id(privilege)).then_some((f, privilege))
}

fn top_flag(
    registry: &FeatureRegistry,
    p: &str,
    flag: impl Fn(&crate::features::FeaturePrivilege) -> bool,
) -> bool {
    parse_feature(p).is_some_and(|(f, privilege)| {
        registry
            .get(f)
            .and_then(|feature| feature.top_privilege(privilege))
            .is_some_and(flag)
    })
}

fn check(
    entries: &[&ApplicationPrivileges],
    registry: &FeatureRegistry,
) -> Option<TransformReason> {
    use TransformReason as R;
    let any = |pred: &dyn Fn(&ApplicationPrivileges) -> bool| entries.iter().any(|e| pred(e));
    if any(&|e| {
        e.application != APPLICATION && e.privileges.iter().any(|p| !is_reserved(p) && p != "*")
    }) {
        return Some(R::ReservedPrivilegesMixed);
    }
    if any(&|e| e.application == APPLICATION && e.privileges.iter().any(|p| is_reserved(p))) {
        return Some(R::ReservedPrivilegesWrongApp);
    }
    if any(&|e| has_global(e) && e.privileges.iter().any(|p| is_space_base(p))) {
        return Some(R::SpacePrivilegesGlobal);
    }
    if any(&|e| {
        !has_global(e)
            && e.privileges
                .iter()
                .any(|p| is_global_base(p) || is_reserved(p))
    }) {
        return Some(R::GlobalPrivilegesSpace);
    }
    if any(&|e| {
        e.privileges.iter().any(|p| is_feature(p))
            && e.privileges
                .iter()
                .any(|p| is_global_base(p) || is_space_base(p))
    }) {
        return Some(R::BaseFeaturePrivilegesMixed);
    }
    if any(&|e| has_global(e) && e.resources.len() > 1) {
        return Some(R::GlobalResourceMixed);
    }
    let own: Vec<&&ApplicationPrivileges> = entries
        .iter()
        .filter(|e| e.application == APPLICATION)
        .collect();
    if own.iter().any(|e| {
        e.resources
            .iter()
            .any(|r| r != ALL_SPACES && !r.starts_with("space:"))
    }) {
        return Some(R::InvalidResourceFormat);
    }
    let mut seen = BTreeSet::new();
    if own
        .iter()
        .flat_map(|e| &e.resources)
        .any(|r| !seen.insert(r.as_str()))
    {
        return Some(R::DuplicatedResources);
    }
    if any(&|e| {
        !has_global(e)
            && e.privileges
                .iter()
                .any(|p| top_flag(registry, p, |t| t.require_all_spaces))
    }) {
        return Some(R::FeatureRequiresAllSpaces);
    }
    if any(&|e| {
        e.privileges
            .iter()
            .any(|p| top_flag(registry, p, |t| t.disabled))
    }) {
        return Some(R::DisabledFeaturePrivileges);
    }
    None
}

fn build_entry(e: &ApplicationPrivileges) -> Result<KibanaEntry, TransformReason> {
    let global = has_global(e);
    let mut entry = KibanaEntry::default();
    for p in &e.privileges {
        if is_feature(p) {
            let (f, privilege) =
                parse_feature(p).ok_or(TransformReason::TransformationException)?;
            match entry.feature.iter_mut().find(|(k, _)| k == f) {
                Some((_, list)) if list.iter().any(|x| x == privilege) => {}
                Some((_, list)) => list.push(privilege.to_string()),
                None => entry
                    .feature
                    .push((f.to_string(), vec![privilege.to_string()])),
            }
        } else if let Some(r) = p.strip_prefix("reserved_") {
            entry.reserved.push(r.to_string());
        } else if global && is_global_base(p) {
            entry.base.push(p.clone());
        } else if let Some(b) = p.strip_prefix("space_").filter(|_| !global) {
            entry.base.push(b.to_string());
        } else {
            return Err(TransformReason::TransformationException);
        }
    }
    entry.spaces = if global {
        vec![ALL_SPACES.to_string()]
    } else {
        e.resources
            .iter()
            .map(|r| r.strip_prefix("space:").unwrap_or(r).to_string())
            .collect()
    };
    Ok(entry)
}

/// The Kibana entries of an ES role, or the reason they cannot be shown.
pub fn kibana_entries(
    applications: &[ApplicationPrivileges],
    registry: &FeatureRegistry,
) -> Result<Result<Vec<KibanaEntry>, TransformReason>, FromEsError> {
    let entries: Vec<&ApplicationPrivileges> = applications
        .iter()
        .filter(|a| is_kibana_app(&a.application))
        .collect();
    if entries.iter().any(|e| e.resources.is_empty()) {
        return Err(FromEsError::EmptyResources);
    }
    if let Some(reason) = check(&entries, registry) {
        return Ok(Err(reason));
    }
    Ok(entries.into_iter().map(build_entry).collect())
}

/// Transform a stored ES role into Kibana's GET format.
pub fn from_es(
    role: &RoleDescriptor,
    registry: &FeatureRegistry,
) -> Result<KibanaRole, FromEsError> {
    let (kibana, transform_errors) = match kibana_entries(&role.applications, registry)? {
        Ok(entries) => (entries, Vec::new()),
        Err(reason) => (Vec::new(), vec![reason.transform_error()]),
    };
    let mut unrecognized: Vec<String> = Vec::new();
    for a in role
        .applications
        .iter()
        .filter(|a| !is_kibana_app(&a.application))
    {
        if !unrecognized.contains(&a.application) {
            unrecognized.push(a.application.clone());
        }
    }
    Ok(KibanaRole {
        name: role.name.clone(),
        description: role.description.clone(),
        metadata: role.metadata.clone(),
        transient_metadata: role.transient_metadata.clone(),
        elasticsearch: EsPrivileges {
            cluster: role.cluster.clone(),
            remote_cluster: role.remote_cluster.clone(),
            indices: role.indices.clone(),
            remote_indices: role.remote_indices.clone(),
            run_as: role.run_as.clone(),
        },
        kibana,
        transform_errors,
        unrecognized_applications: unrecognized,
    })
}
