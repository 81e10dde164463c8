//! The Kibana role format (sections a.2 and a.6) as plain data.

use rampart_core::role::{IndicesPrivileges, RemoteClusterPrivileges, RemoteIndicesPrivileges};
use serde_json::{Map, Value};

/// The all-spaces marker.
pub const ALL_SPACES: &str = "*";

/// One `kibana[]` entry. Values are kept as given so validation can report them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KibanaEntry {
    /// Base privileges (`all`, `read`; `*` for superuser on GET).
    pub base: Vec<String>,
    /// Feature id → privilege ids, in input order.
    pub feature: Vec<(String, Vec<String>)>,
    /// `["*"]` or space ids.
    pub spaces: Vec<String>,
    /// Reserved privilege ids (GET only, all-spaces entries).
    pub reserved: Vec<String>,
}

impl KibanaEntry {
    pub fn is_all_spaces(&self) -> bool {
        self.spaces.iter().any(|s| s == ALL_SPACES)
    }

    /// Privilege ids requested for `feature`.
    pub fn feature_privileges(&self, feature: &str) -> &[String] {
        self.feature
            .iter()
            .find(|(f, _)| f == feature)
            .map(|(_, p)| p.as_slice())
            .unwrap_or(&[])
    }
}

/// The `elasticsearch` part of a Kibana role.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EsPrivileges {
    pub cluster: Vec<String>,
    pub remote_cluster: Vec<RemoteClusterPrivileges>,
    pub indices: Vec<IndicesPrivileges>,
    pub remote_indices: Vec<RemoteIndicesPrivileges>,
    pub run_as: Vec<String>,
}

/// A role in Kibana's format.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KibanaRole {
    pub name: String,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    /// GET only (from ES).
    pub transient_metadata: Map<String, Value>,
    pub elasticsearch: EsPrivileges,
    pub kibana: Vec<KibanaEntry>,
    /// GET only: `[]` or one `kibana:<reason>` item (then `kibana` is empty).
    pub transform_errors: Vec<String>,
    /// GET only: application names Kibana does not manage.
    pub unrecognized_applications: Vec<String>,
}
