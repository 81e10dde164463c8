//! The inputs of an [`AccessIndex`](super::AccessIndex) and the shapes of its answers.

use serde::Serialize;

use crate::analysis::templates::TemplateGrant;
use crate::permission::{ApplicationPrivilegeStore, RestrictedIndices};
use crate::role::RoleDescriptor;

/// Where a role is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    Builtin,
    File,
    Native,
}

/// A user and the role names assigned to it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserEntry {
    pub name: String,
    /// Realm type: `reserved`, `file` or `native`.
    pub realm: String,
    pub roles: Vec<String>,
    pub enabled: bool,
}

/// A role mapping: mapped users cannot be enumerated, so the rules are reported as text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MappingEntry {
    pub name: String,
    pub roles: Vec<String>,
    /// `role_templates` as stored (mustache sources producing role names).
    pub role_templates: Vec<RoleTemplate>,
    pub rules: String,
    pub enabled: bool,
}

/// One of a mapping's `role_templates`: a mustache source and its output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTemplate {
    pub source: String,
    /// `string` (one role name) or `json` (a name or an array of names).
    pub format: String,
}

/// An API key: its own descriptors (may be empty) limited by the owner's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyEntry {
    pub id: String,
    pub name: Option<String>,
    pub owner: String,
    pub role_descriptors: Vec<RoleDescriptor>,
    pub limited_by: Vec<RoleDescriptor>,
}

/// Everything an [`AccessIndex`](super::AccessIndex) is built from. Roles earlier in the list
/// win on name clashes (pass built-in, then file, then native, as role resolution does).
#[derive(Debug, Clone)]
pub struct AccessInput {
    pub roles: Vec<(RoleDescriptor, RoleSource)>,
    pub users: Vec<UserEntry>,
    pub mappings: Vec<MappingEntry>,
    pub api_keys: Vec<ApiKeyEntry>,
    pub applications: ApplicationPrivilegeStore,
    pub restricted: RestrictedIndices,
}

/// One granting entry of a role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryGrant {
    /// Index patterns, application resources, or empty for cluster grants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    pub privileges: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_restricted_indices: bool,
    /// DLS queries of the entry (`None`: no document-level restriction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<Vec<String>>,
    /// Field security alternatives (`None`: no field-level restriction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_security: Option<Vec<serde_json::Value>>,
}

/// A role granting the target on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleGrant {
    pub role: String,
    pub source: RoleSource,
    pub entries: Vec<EntryGrant>,
}

/// A subject (user or mapping) reaching the target through a set of roles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserGrant {
    pub username: String,
    pub realm: String,
    pub enabled: bool,
    /// The subject's roles that contribute to the grant.
    pub roles: Vec<String>,
    /// Every contributing entry carries a DLS query (documents are filtered).
    pub document_level_security: bool,
    /// Every contributing entry carries field security (fields are filtered).
    pub field_level_security: bool,
}

/// A role mapping whose users reach the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingGrant {
    pub mapping: String,
    pub enabled: bool,
    pub rules: String,
    /// The mapping's roles (literal ones and literal templates) that reach the target together.
    pub roles: Vec<String>,
    /// Whether every mapped user reaches it (the literal roles alone suffice); otherwise only
    /// users for whom a template produces one of the listed roles do.
    pub all_mapped_users: bool,
    /// Templates that can produce a reaching role: "roles named by template <t>".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_templates: Vec<TemplateGrant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyGrant {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub owner: String,
}

/// "`user` can reach the target by running as `run_as`".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunAsPath {
    pub user: String,
    pub run_as: String,
    pub via_roles: Vec<String>,
}

/// The answer to one who-can-reach question.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WhoAnswer {
    pub roles: Vec<RoleGrant>,
    pub users: Vec<UserGrant>,
    pub role_mappings: Vec<MappingGrant>,
    pub api_keys: Vec<KeyGrant>,
    pub run_as: Vec<RunAsPath>,
}
