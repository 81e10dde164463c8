//! The role descriptor model (the JSON of `PUT /_security/role/{name}`, roles.yml and API-key
//! role descriptors), as plain data. Parsing and validation live in sibling modules.

use serde_json::{Map, Value};

/// A role descriptor. Field names follow Elasticsearch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleDescriptor {
    pub name: String,
    /// Cluster privilege names or raw cluster action patterns, as given.
    pub cluster: Vec<String>,
    /// Configurable (request-aware) cluster privileges under `global`.
    pub global: GlobalPrivileges,
    pub indices: Vec<IndicesPrivileges>,
    pub applications: Vec<ApplicationPrivileges>,
    /// Username patterns this role may run as.
    pub run_as: Vec<String>,
    /// User metadata; keys never start with `_` except on built-in roles.
    pub metadata: Map<String, Value>,
    /// Accepted and rendered, otherwise ignored (`{"enabled": true}` for most roles).
    pub transient_metadata: Map<String, Value>,
    pub remote_indices: Vec<RemoteIndicesPrivileges>,
    pub remote_cluster: Vec<RemoteClusterPrivileges>,
    /// At most 1000 characters (role API only).
    pub description: Option<String>,
    /// Workflow restriction (API-key role descriptors only).
    pub restriction: Option<Restriction>,
}

/// One `indices` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicesPrivileges {
    /// Index name patterns (non-empty).
    pub names: Vec<String>,
    /// Index privilege names or raw index action patterns, as given (non-empty).
    pub privileges: Vec<String>,
    pub field_security: Option<FieldSecurity>,
    /// The DLS query as a JSON string (ES stores and renders it as a string).
    pub query: Option<String>,
    pub allow_restricted_indices: bool,
}

/// `field_security`: permitted = grant ∪ metadata − except.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSecurity {
    /// `None` only when the role gave no `grant` (then `except` must be empty too).
    pub grant: Option<Vec<String>>,
    pub except: Vec<String>,
}

/// One `applications` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplicationPrivileges {
    /// Application name, `*`, or a name with a single trailing `*`.
    pub application: String,
    /// Stored privilege names or action patterns.
    pub privileges: Vec<String>,
    /// Resource patterns.
    pub resources: Vec<String>,
}

/// One `remote_indices` entry: an `indices` entry plus cluster alias patterns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoteIndicesPrivileges {
    pub clusters: Vec<String>,
    pub indices: IndicesPrivileges,
}

/// One `remote_cluster` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoteClusterPrivileges {
    /// Only `monitor_enrich` and `monitor_stats` are allowed.
    pub privileges: Vec<String>,
    pub clusters: Vec<String>,
}

/// The `global` object: request-aware cluster privileges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GlobalPrivileges {
    /// `global.application.manage.applications`: application name patterns.
    pub application_manage: Option<Vec<String>>,
    /// `global.profile.write.applications`: profile data namespace patterns.
    pub profile_write: Option<Vec<String>>,
    /// `global.role.manage.indices`: index groups a role manager may grant.
    pub role_manage: Option<Vec<RoleManageGroup>>,
}

impl GlobalPrivileges {
    pub fn is_empty(&self) -> bool {
        self.application_manage.is_none()
            && self.profile_write.is_none()
            && self.role_manage.is_none()
    }
}

/// One group of `global.role.manage.indices`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleManageGroup {
    pub names: Vec<String>,
    pub privileges: Vec<String>,
}

/// `restriction` of an API-key role descriptor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Restriction {
    pub workflows: Vec<String>,
}

impl RoleDescriptor {
    /// An empty role with a name.
    pub fn named(name: impl Into<String>) -> Self {
        RoleDescriptor {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Whether `metadata._reserved` is true (a built-in role).
    pub fn is_reserved(&self) -> bool {
        self.metadata.get("_reserved").and_then(Value::as_bool) == Some(true)
    }
}
