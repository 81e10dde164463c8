//! The GET shape of a Kibana role (section a.6), role listing order and the roles-per-space
//! filter.

use rampart_core::role::RoleDescriptor;
use serde_json::{Map, Value, json};

use super::model::{ALL_SPACES, KibanaEntry, KibanaRole};

fn entry_json(e: &KibanaEntry) -> Value {
    let mut m = Map::new();
    if !e.reserved.is_empty() {
        m.insert("_reserved".into(), json!(e.reserved));
    }
    m.insert("base".into(), json!(e.base));
    let feature: Map<String, Value> = e
        .feature
        .iter()
        .map(|(f, p)| (f.clone(), json!(p)))
        .collect();
    m.insert("feature".into(), Value::Object(feature));
    m.insert("spaces".into(), json!(e.spaces));
    Value::Object(m)
}

impl KibanaRole {
    /// The `GET /api/security/role/{name}` body.
    pub fn to_json(&self) -> Value {
        // The ES part renders exactly as ES renders it (indices, field_security, query, ...).
        let es = RoleDescriptor {
            cluster: self.elasticsearch.cluster.clone(),
            indices: self.elasticsearch.indices.clone(),
            run_as: self.elasticsearch.run_as.clone(),
            remote_indices: self.elasticsearch.remote_indices.clone(),
            remote_cluster: self.elasticsearch.remote_cluster.clone(),
            ..Default::default()
        }
        .to_json();
        let pick = |k: &str| es.get(k).cloned().unwrap_or_else(|| json!([]));
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        if let Some(d) = &self.description {
            m.insert("description".into(), json!(d));
        }
        m.insert("metadata".into(), Value::Object(self.metadata.clone()));
        m.insert(
            "transient_metadata".into(),
            Value::Object(self.transient_metadata.clone()),
        );
        m.insert(
            "elasticsearch".into(),
            json!({
                "cluster": pick("cluster"),
                "remote_cluster": pick("remote_cluster"),
                "indices": pick("indices"),
                "remote_indices": pick("remote_indices"),
                "run_as": pick("run_as"),
            }),
        );
        m.insert(
            "kibana".into(),
            Value::Array(self.kibana.iter().map(entry_json).collect()),
        );
        m.insert("_transform_error".into(), json!(self.transform_errors));
        m.insert(
            "_unrecognized_applications".into(),
            json!(self.unrecognized_applications),
        );
        Value::Object(m)
    }

    /// Whether the role grants anything in `space_id` (base or non-empty feature privileges on
    /// that space or on all spaces): `GET /internal/security/roles/{spaceId}`.
    pub fn grants_in_space(&self, space_id: &str) -> bool {
        self.kibana.iter().any(|e| {
            e.spaces.iter().any(|s| s == space_id || s == ALL_SPACES)
                && (!e.base.is_empty() || e.feature.iter().any(|(_, p)| !p.is_empty()))
        })
    }
}

/// Sort roles for listing: by name, UTF-16 code-unit order (as JavaScript compares strings).
pub fn sort_roles(roles: &mut [KibanaRole]) {
    roles.sort_by(|a, b| a.name.encode_utf16().cmp(b.name.encode_utf16()));
}
