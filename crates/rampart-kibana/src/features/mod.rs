//! The feature registry: loading with Kibana's registration rules (section (h)) and the
//! `GET /api/features` body.

mod api;
mod model;
mod registry;

pub use model::{
    AlertingGrants, AlertingKind, Feature, FeaturePrivilege, Grants, GroupType, IncludeIn,
    PrivilegeGroup, Reserved, ReservedPrivilege, SavedObjectGrants, SubFeature,
    SubFeaturePrivilege, TopPrivileges,
};
pub use registry::{FeatureRegistry, RegistryError, is_valid_id};

#[cfg(test)]
mod tests;
