//! `GET /_security/user/_privileges`: a permission rendered in Elasticsearch's shape
//! (section 15 of the facts).

use serde_json::{Map, Value, json};

use crate::catalog::{self, Selector};
use crate::permission::{IndexGroup, Permission};
use crate::role::{FieldSecurity, RoleDescriptor};

fn field_security_json(fs: &FieldSecurity) -> Value {
    let mut m = Map::new();
    if let Some(grant) = &fs.grant {
        m.insert("grant".into(), json!(grant));
    }
    if !fs.except.is_empty() {
        m.insert("except".into(), json!(fs.except));
    }
    Value::Object(m)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn is_failure_only(privilege: &str) -> bool {
    catalog::index_privilege(privilege).is_some_and(|p| p.selector == Selector::Failures)
}

fn group_entries(g: &IndexGroup) -> Vec<Value> {
    // A group mixing data and failure-store privileges is shown as two entries, unless `all`
    // collapses everything into one.
    let has_all = g.privileges.iter().any(|p| p == "all");
    let (failure, data): (Vec<String>, Vec<String>) = g
        .privileges
        .iter()
        .cloned()
        .partition(|p| !has_all && is_failure_only(p));
    [data, failure]
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|privileges| {
            let mut m = Map::new();
            m.insert("names".into(), json!(sorted(g.names.clone())));
            m.insert("privileges".into(), json!(sorted(privileges)));
            if let Some(fls) = &g.field_security {
                m.insert(
                    "field_security".into(),
                    Value::Array(fls.iter().map(field_security_json).collect()),
                );
            }
            if g.queries.is_some() {
                m.insert("query".into(), json!(g.queries_in_order));
            }
            m.insert("allow_restricted_indices".into(), json!(g.allow_restricted));
            Value::Object(m)
        })
        .collect()
}

/// Render the user-privileges response for a (plain) permission compiled from `roles`.
pub fn user_privileges(permission: &Permission, roles: &[RoleDescriptor]) -> Value {
    let mut global = Vec::new();
    for r in roles {
        if let Some(apps) = &r.global.application_manage {
            global.push(json!({"application": {"manage": {"applications": apps}}}));
        }
        if let Some(groups) = &r.global.role_manage {
            let indices: Vec<Value> = groups
                .iter()
                .map(|g| json!({"names": g.names, "privileges": g.privileges}))
                .collect();
            global.push(json!({"role": {"manage": {"indices": indices}}}));
        }
        if let Some(apps) = &r.global.profile_write {
            global.push(json!({"profile": {"write": {"applications": apps}}}));
        }
    }
    let indices: Vec<Value> = permission
        .indices
        .groups()
        .iter()
        .flat_map(group_entries)
        .collect();
    let mut out = Map::new();
    out.insert("cluster".into(), json!(permission.cluster.names()));
    out.insert("global".into(), Value::Array(global));
    out.insert("indices".into(), Value::Array(indices));
    out.insert(
        "applications".into(),
        Value::Array(applications(permission)),
    );
    let run_as = permission
        .run_as
        .as_ref()
        .map(|r| sorted(r.value.patterns().to_vec()))
        .unwrap_or_default();
    out.insert("run_as".into(), json!(run_as));
    if !permission.remote_indices.is_empty() {
        let remote: Vec<Value> = permission
            .remote_indices
            .iter()
            .map(|ri| {
                let mut m = Map::new();
                m.insert("names".into(), json!(sorted(ri.indices.names.clone())));
                m.insert(
                    "privileges".into(),
                    json!(sorted(ri.indices.privileges.clone())),
                );
                if let Some(fs) = &ri.indices.field_security {
                    m.insert("field_security".into(), json!([field_security_json(fs)]));
                }
                if let Some(q) = &ri.indices.query {
                    m.insert("query".into(), json!([q]));
                }
                m.insert(
                    "allow_restricted_indices".into(),
                    json!(ri.indices.allow_restricted_indices),
                );
                m.insert("clusters".into(), json!(sorted(ri.clusters.clone())));
                Value::Object(m)
            })
            .collect();
        out.insert("remote_indices".into(), Value::Array(remote));
    }
    if !permission.remote_cluster.is_empty() {
        let remote: Vec<Value> = permission
            .remote_cluster
            .iter()
            .map(|rc| json!({"privileges": rc.privileges, "clusters": rc.clusters}))
            .collect();
        out.insert("remote_cluster".into(), Value::Array(remote));
    }
    Value::Object(out)
}

/// One entry per (application, resource set), privileges collected per resource set after
/// gathering every resource a (application, privilege) pair is granted on.
fn applications(permission: &Permission) -> Vec<Value> {
    // (application, privilege) -> resources
    let mut per_privilege: Vec<((String, String), Vec<String>)> = Vec::new();
    for e in permission.applications.entries() {
        for p in &e.privileges {
            let key = (e.application.clone(), p.clone());
            match per_privilege.iter_mut().find(|(k, _)| *k == key) {
                Some((_, res)) => res.extend(e.resources.iter().cloned()),
                None => per_privilege.push((key, e.resources.clone())),
            }
        }
    }
    // (application, resources) -> privileges
    type ResourceKey = (String, Vec<String>);
    let mut grouped: Vec<(ResourceKey, Vec<String>)> = Vec::new();
    for ((app, privilege), resources) in per_privilege {
        let key = (app, sorted(resources));
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, p)) => p.push(privilege),
            None => grouped.push((key, vec![privilege])),
        }
    }
    grouped
        .into_iter()
        .map(|((application, resources), privileges)| {
            json!({"application": application, "privileges": privileges, "resources": resources})
        })
        .collect()
}
