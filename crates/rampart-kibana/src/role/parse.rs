//! Reading a `PUT /api/security/role/{name}` body into a [`KibanaRole`], with the route
//! schema's shape errors (types, sizes, unknown keys). Value rules live in `to_es`.

use rampart_core::role::{
    FieldSecurity, IndicesPrivileges, RemoteClusterPrivileges, RemoteIndicesPrivileges,
};
use serde_json::{Map, Value};

use super::model::{ALL_SPACES, EsPrivileges, KibanaEntry, KibanaRole};
use super::validation::{
    UNKNOWN_KEY, ValidationError, max_length_reason, min_size_reason, type_reason,
};

const MAX_NAME: usize = 1024;
const MAX_DESCRIPTION: usize = 2048;

type Errors = Vec<ValidationError>;

fn path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn object<'a>(v: &'a Value, at: &str, errs: &mut Errors) -> Option<&'a Map<String, Value>> {
    let o = v.as_object();
    if o.is_none() {
        errs.push(ValidationError::body(at, type_reason("object", v)));
    }
    o
}

fn strings(v: &Value, at: &str, min: usize, errs: &mut Errors) -> Vec<String> {
    let Some(arr) = v.as_array() else {
        errs.push(ValidationError::body(at, type_reason("array", v)));
        return Vec::new();
    };
    if arr.len() < min {
        errs.push(ValidationError::body(at, min_size_reason(arr.len(), min)));
    }
    let mut out = Vec::with_capacity(arr.len());
    for (i, item) in arr.iter().enumerate() {
        match item.as_str() {
            Some(s) => out.push(s.to_string()),
            None => errs.push(ValidationError::body(
                path(at, &i.to_string()),
                type_reason("string", item),
            )),
        }
    }
    out
}

fn opt_strings(
    o: &Map<String, Value>,
    key: &str,
    at: &str,
    min: usize,
    errs: &mut Errors,
) -> Vec<String> {
    o.get(key)
        .map(|v| strings(v, &path(at, key), min, errs))
        .unwrap_or_default()
}

fn unknown_keys(o: &Map<String, Value>, known: &[&str], at: &str, errs: &mut Errors) {
    for k in o.keys().filter(|k| !known.contains(&k.as_str())) {
        errs.push(ValidationError::body(path(at, k), UNKNOWN_KEY));
    }
}

fn array<'a>(v: &'a Value, at: &str, errs: &mut Errors) -> &'a [Value] {
    match v.as_array() {
        Some(a) => a,
        None => {
            errs.push(ValidationError::body(at, type_reason("array", v)));
            &[]
        }
    }
}

/// One `indices` (or, with `remote`, `remote_indices`) entry.
fn indices_entry(v: &Value, at: &str, remote: bool, errs: &mut Errors) -> IndicesPrivileges {
    let mut out = IndicesPrivileges::default();
    let Some(o) = object(v, at, errs) else {
        return out;
    };
    const LOCAL: [&str; 5] = [
        "names",
        "privileges",
        "field_security",
        "query",
        "allow_restricted_indices",
    ];
    let remote_known: Vec<&str> = LOCAL.iter().copied().chain(["clusters"]).collect();
    let known: &[&str] = if remote { &remote_known } else { &LOCAL };
    unknown_keys(o, known, at, errs);
    out.names = match o.get("names") {
        Some(n) => strings(n, &path(at, "names"), 1, errs),
        None => {
            errs.push(ValidationError::body(
                path(at, "names"),
                type_reason("array", &Value::Null),
            ));
            Vec::new()
        }
    };
    out.privileges = match o.get("privileges") {
        Some(p) => strings(p, &path(at, "privileges"), 1, errs),
        None => {
            errs.push(ValidationError::body(
                path(at, "privileges"),
                type_reason("array", &Value::Null),
            ));
            Vec::new()
        }
    };
    if let Some(fs) = o.get("field_security") {
        let fat = path(at, "field_security");
        if let Some(fo) = object(fs, &fat, errs) {
            unknown_keys(fo, &["grant", "except"], &fat, errs);
            out.field_security = Some(FieldSecurity {
                grant: fo
                    .get("grant")
                    .map(|g| strings(g, &path(&fat, "grant"), 0, errs)),
                except: opt_strings(fo, "except", &fat, 0, errs),
            });
        }
    }
    if let Some(q) = o.get("query") {
        match q.as_str() {
            Some(s) => out.query = Some(s.to_string()),
            None => errs.push(ValidationError::body(
                path(at, "query"),
                type_reason("string", q),
            )),
        }
    }
    if let Some(b) = o.get("allow_restricted_indices") {
        match b.as_bool() {
            Some(b) => out.allow_restricted_indices = b,
            None => errs.push(ValidationError::body(
                path(at, "allow_restricted_indices"),
                type_reason("boolean", b),
            )),
        }
    }
    out
}

fn elasticsearch(v: &Value, errs: &mut Errors) -> EsPrivileges {
    let at = "elasticsearch";
    let mut es = EsPrivileges::default();
    let Some(o) = object(v, at, errs) else {
        return es;
    };
    unknown_keys(
        o,
        &[
            "cluster",
            "remote_cluster",
            "indices",
            "remote_indices",
            "run_as",
        ],
        at,
        errs,
    );
    es.cluster = opt_strings(o, "cluster", at, 0, errs);
    if let Some(rc) = o.get("remote_cluster") {
        let rat = path(at, "remote_cluster");
        for (i, item) in array(rc, &rat, errs).iter().enumerate() {
            let iat = path(&rat, &i.to_string());
            if let Some(io) = object(item, &iat, errs) {
                unknown_keys(io, &["privileges", "clusters"], &iat, errs);
                es.remote_cluster.push(RemoteClusterPrivileges {
                    privileges: opt_strings(io, "privileges", &iat, 1, errs),
                    clusters: opt_strings(io, "clusters", &iat, 1, errs),
                });
            }
        }
    }
    if let Some(ix) = o.get("indices") {
        let iat = path(at, "indices");
        for (i, item) in array(ix, &iat, errs).iter().enumerate() {
            es.indices.push(indices_entry(
                item,
                &path(&iat, &i.to_string()),
                false,
                errs,
            ));
        }
    }
    if let Some(ri) = o.get("remote_indices") {
        let rat = path(at, "remote_indices");
        for (i, item) in array(ri, &rat, errs).iter().enumerate() {
            let iat = path(&rat, &i.to_string());
            let clusters = item
                .as_object()
                .map(|io| opt_strings(io, "clusters", &iat, 1, errs))
                .unwrap_or_default();
            if item
                .as_object()
                .is_some_and(|io| !io.contains_key("clusters"))
            {
                errs.push(ValidationError::body(
                    path(&iat, "clusters"),
                    type_reason("array", &Value::Null),
                ));
            }
            es.remote_indices.push(RemoteIndicesPrivileges {
                clusters,
                indices: indices_entry(item, &iat, true, errs),
            });
        }
    }
    es.run_as = opt_strings(o, "run_as", at, 0, errs);
    es
}

/// The feature map: key and value charset rules are checked in `to_es`.
fn feature_map(v: &Value, at: &str, errs: &mut Errors) -> Vec<(String, Vec<String>)> {
    let Some(o) = object(v, at, errs) else {
        return Vec::new();
    };
    o.iter()
        .map(|(k, privs)| (k.clone(), strings(privs, &path(at, k), 0, errs)))
        .collect()
}

fn kibana_entry(v: &Value, at: &str, errs: &mut Errors) -> KibanaEntry {
    let mut e = KibanaEntry::default();
    let Some(o) = object(v, at, errs) else {
        return e;
    };
    e.base = opt_strings(o, "base", at, 0, errs);
    if let Some(f) = o.get("feature") {
        e.feature = feature_map(f, &path(at, "feature"), errs);
    }
    e.spaces = match o.get("spaces") {
        Some(s) => strings(s, &path(at, "spaces"), 0, errs),
        None => vec![ALL_SPACES.to_string()],
    };
    for k in o
        .keys()
        .filter(|k| !["base", "feature", "spaces"].contains(&k.as_str()))
    {
        errs.push(ValidationError::body(
            path(at, k),
            format!("Additional properties are not allowed ('{k}' was unexpected)"),
        ));
    }
    e
}

/// Parse a PUT body for role `name`. Shape errors only; see [`super::to_es`] for the rest.
pub fn parse_put_body(name: &str, body: &Value) -> Result<KibanaRole, Vec<ValidationError>> {
    let mut errs = Vec::new();
    let len = name.chars().count();
    if len == 0 {
        errs.push(ValidationError::params(
            "name",
            "value has length [0] but it must have a minimum length of [1].",
        ));
    } else if len > MAX_NAME {
        errs.push(ValidationError::params(
            "name",
            max_length_reason(len, MAX_NAME),
        ));
    }
    let mut role = KibanaRole {
        name: name.to_string(),
        ..Default::default()
    };
    let Some(o) = object(body, "", &mut errs) else {
        return Err(errs);
    };
    unknown_keys(
        o,
        &["description", "metadata", "elasticsearch", "kibana"],
        "",
        &mut errs,
    );
    if let Some(d) = o.get("description") {
        match d.as_str() {
            Some(s) if s.chars().count() > MAX_DESCRIPTION => errs.push(ValidationError::body(
                "description",
                max_length_reason(s.chars().count(), MAX_DESCRIPTION),
            )),
            Some(s) => role.description = Some(s.to_string()),
            None => errs.push(ValidationError::body(
                "description",
                type_reason("string", d),
            )),
        }
    }
    if let Some(m) = o.get("metadata") {
        if let Some(mo) = object(m, "metadata", &mut errs) {
            role.metadata = mo.clone();
        }
    }
    match o.get("elasticsearch") {
        Some(es) => role.elasticsearch = elasticsearch(es, &mut errs),
        None => errs.push(ValidationError::body(
            "elasticsearch",
            type_reason("object", &Value::Null),
        )),
    }
    if let Some(k) = o.get("kibana") {
        for (i, entry) in array(k, "kibana", &mut errs).iter().enumerate() {
            role.kibana
                .push(kibana_entry(entry, &format!("kibana.{i}"), &mut errs));
        }
    }
    if errs.is_empty() { Ok(role) } else { Err(errs) }
}
