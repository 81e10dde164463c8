//! Rendering a role descriptor as `GET /_security/role` shows it (field order of the facts'
//! `_meta.serialization`; serde_json keeps insertion order).

use serde_json::{Map, Value, json};

use super::model::{
    ApplicationPrivileges, FieldSecurity, GlobalPrivileges, IndicesPrivileges,
    RemoteClusterPrivileges, RemoteIndicesPrivileges, RoleDescriptor,
};

impl RoleDescriptor {
    /// The GET-role JSON of this role (without the outer `{"<name>": ...}`).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("cluster".into(), json!(self.cluster));
        if !self.global.is_empty() {
            out.insert("global".into(), global_json(&self.global));
        }
        out.insert(
            "indices".into(),
            self.indices.iter().map(indices_json).collect(),
        );
        out.insert(
            "applications".into(),
            self.applications.iter().map(application_json).collect(),
        );
        out.insert("run_as".into(), json!(self.run_as));
        out.insert("metadata".into(), Value::Object(self.metadata.clone()));
        out.insert(
            "transient_metadata".into(),
            Value::Object(self.transient_metadata.clone()),
        );
        if !self.remote_indices.is_empty() {
            out.insert(
                "remote_indices".into(),
                self.remote_indices
                    .iter()
                    .map(remote_indices_json)
                    .collect(),
            );
        }
        if !self.remote_cluster.is_empty() {
            out.insert(
                "remote_cluster".into(),
                self.remote_cluster
                    .iter()
                    .map(remote_cluster_json)
                    .collect(),
            );
        }
        if let Some(description) = &self.description {
            out.insert("description".into(), json!(description));
        }
        if let Some(restriction) = &self.restriction {
            out.insert(
                "restriction".into(),
                json!({ "workflows": restriction.workflows }),
            );
        }
        Value::Object(out)
    }
}

fn indices_map(entry: &IndicesPrivileges) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("names".into(), json!(entry.names));
    out.insert("privileges".into(), json!(entry.privileges));
    if let Some(fls) = &entry.field_security {
        out.insert("field_security".into(), field_security_json(fls));
    }
    if let Some(query) = &entry.query {
        out.insert("query".into(), json!(query));
    }
    out.insert(
        "allow_restricted_indices".into(),
        json!(entry.allow_restricted_indices),
    );
    out
}

fn indices_json(entry: &IndicesPrivileges) -> Value {
    Value::Object(indices_map(entry))
}

fn remote_indices_json(entry: &RemoteIndicesPrivileges) -> Value {
    let mut out = indices_map(&entry.indices);
    out.insert("clusters".into(), json!(entry.clusters));
    Value::Object(out)
}

fn field_security_json(fls: &FieldSecurity) -> Value {
    let mut out = Map::new();
    if let Some(grant) = &fls.grant {
        out.insert("grant".into(), json!(grant));
    }
    if !fls.except.is_empty() {
        out.insert("except".into(), json!(fls.except));
    }
    Value::Object(out)
}

fn application_json(app: &ApplicationPrivileges) -> Value {
    json!({ "application": app.application, "privileges": app.privileges, "resources": app.resources })
}

fn remote_cluster_json(entry: &RemoteClusterPrivileges) -> Value {
    json!({ "privileges": entry.privileges, "clusters": entry.clusters })
}

fn global_json(global: &GlobalPrivileges) -> Value {
    let mut out = Map::new();
    if let Some(apps) = &global.application_manage {
        out.insert(
            "application".into(),
            json!({ "manage": { "applications": apps } }),
        );
    }
    if let Some(apps) = &global.profile_write {
        out.insert(
            "profile".into(),
            json!({ "write": { "applications": apps } }),
        );
    }
    if let Some(groups) = &global.role_manage {
        let indices: Vec<Value> = groups
            .iter()
            .map(|g| json!({ "names": g.names, "privileges": g.privileges }))
            .collect();
        out.insert("role".into(), json!({ "manage": { "indices": indices } }));
    }
    Value::Object(out)
}
