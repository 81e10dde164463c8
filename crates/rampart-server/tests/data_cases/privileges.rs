//! The privileges matrix as data, shared by the embedded data plane's test
//! (`rampart-server/tests/data_privileges.rs`) and the gateway's (`rampart/tests/gateway_matrix.rs`):
//! for each of the 13 document/index privileges, which probe requests it allows; the others
//! must get Elasticsearch's 403. Transport-free: each test sends the requests its own way.
#![allow(dead_code)]

use serde_json::{Value, json};

/// The password of every matrix user.
pub const PASSWORD: &str = "password-123";

/// One probe request; `{p}` in the path is replaced by the privilege under test.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// The action named by the 403 when the privilege does not allow the probe.
    pub action: &'static str,
}

const fn probe(
    name: &'static str,
    method: &'static str,
    path: &'static str,
    action: &'static str,
) -> Probe {
    Probe {
        name,
        method,
        path,
        action,
    }
}

pub const PROBES: &[Probe] = &[
    probe("search", "GET", "/idx/_search", "indices:data/read/search"),
    probe("get", "GET", "/idx/_doc/1", "indices:data/read/get"),
    probe(
        "index",
        "PUT",
        "/idx/_doc/i-{p}",
        "indices:data/write/index",
    ),
    probe(
        "create",
        "PUT",
        "/idx/_create/c-{p}",
        "indices:data/write/index",
    ),
    probe(
        "delete_doc",
        "DELETE",
        "/idx/_doc/d-{p}",
        "indices:data/write/delete",
    ),
    probe("create_index", "PUT", "/new-{p}", "indices:admin/create"),
    probe("delete_index", "DELETE", "/del-{p}", "indices:admin/delete"),
    probe(
        "put_mapping",
        "PUT",
        "/idx/_mapping",
        "indices:admin/mapping/put",
    ),
    probe("stats", "GET", "/idx/_stats", "indices:monitor/stats"),
    probe("refresh", "POST", "/idx/_refresh", "indices:admin/refresh"),
    probe("get_index", "GET", "/idx", "indices:admin/get"),
    probe(
        "get_settings",
        "GET",
        "/idx/_settings",
        "indices:monitor/settings/get",
    ),
];

/// What each privilege allows among the probes (facts: privileges.json and section 6.2; the
/// document-write privileges also put mappings through the BWC rule of section 6.1).
pub const ALLOWED: &[(&str, &[&str])] = &[
    ("read", &["search", "get"]),
    ("write", &["index", "create", "delete_doc", "put_mapping"]),
    ("index", &["index", "create", "put_mapping"]),
    ("create", &["index", "create", "put_mapping"]),
    ("create_doc", &["create", "put_mapping"]),
    ("delete", &["delete_doc"]),
    ("create_index", &["create_index"]),
    ("delete_index", &["delete_index"]),
    (
        "manage",
        &[
            "create_index",
            "delete_index",
            "put_mapping",
            "stats",
            "refresh",
            "get_index",
            "get_settings",
        ],
    ),
    ("monitor", &["stats", "get_settings"]),
    ("maintenance", &["refresh"]),
    ("view_index_metadata", &["get_index", "get_settings"]),
    ("auto_configure", &[]),
];

impl Probe {
    /// The path with the privilege filled in.
    pub fn path_for(&self, privilege: &str) -> String {
        self.path.replace("{p}", privilege)
    }

    /// The request body, where the probe has one.
    pub fn body(&self) -> Option<Value> {
        match self.name {
            "index" | "create" | "alias_index" | "alias_create" | "concrete_index" => {
                Some(json!({"title": "new doc", "n": 7}))
            }
            "put_mapping" => Some(json!({"properties": {"tag": {"type": "keyword"}}})),
            _ => None,
        }
    }
}

/// Whether `privilege` allows `probe`.
pub fn allows(privilege: &str, probe: &Probe) -> bool {
    ALLOWED
        .iter()
        .any(|(p, names)| *p == privilege && names.contains(&probe.name))
}

pub fn user_of(privilege: &str) -> String {
    format!("u-{privilege}")
}

pub fn role_name(privilege: &str) -> String {
    format!("r-{privilege}")
}

/// The role granting `privilege` on the probed indices.
pub fn role_of(privilege: &str) -> Value {
    json!({"indices": [{
        "names": ["idx", format!("new-{privilege}"), format!("del-{privilege}")],
        "privileges": [privilege],
    }]})
}

/// The data every probe expects, as (method, path, body, expected status) requests made
/// with security out of the way (the superuser, or directly in a gateway's upstream).
pub fn seed_requests() -> Vec<(&'static str, String, Option<Value>, u16)> {
    let mut out = vec![
        ("PUT", "/idx".to_string(), None, 200),
        (
            "PUT",
            "/idx/_doc/1".to_string(),
            Some(json!({"title": "hello", "n": 1})),
            201,
        ),
    ];
    for (privilege, _) in ALLOWED {
        out.push(("PUT", format!("/del-{privilege}"), None, 200));
        out.push((
            "PUT",
            format!("/idx/_doc/d-{privilege}"),
            Some(json!({"title": "to delete"})),
            201,
        ));
    }
    out
}

/// Whether an answer is Elasticsearch's 403 for `privilege` denied `probe`.
pub fn check_denied(
    privilege: &str,
    probe: &Probe,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    if status != 403 {
        return Err(format!(
            "{privilege} should deny {} ({} {}): {status} {body}",
            probe.name, probe.method, probe.path
        ));
    }
    check_denied_as(
        &user_of(privilege),
        &role_name(privilege),
        privilege,
        probe,
        status,
        body,
    )
}

/// [`check_denied`] for a caller other than the privilege's matrix user.
pub fn check_denied_as(
    user: &str,
    role: &str,
    privilege: &str,
    probe: &Probe,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    if status != 403 {
        return Err(format!(
            "{privilege} should deny {} ({} {}): {status} {body}",
            probe.name, probe.method, probe.path
        ));
    }
    let reason = body["error"]["reason"].as_str().unwrap_or_default();
    let expected = reason.starts_with(&format!("action [{}", probe.action))
        && reason.contains(&format!(
            "is unauthorized for user [{user}] with effective roles [{role}]"
        ))
        && reason.contains("this action is granted by the index privileges [");
    if expected {
        Ok(())
    } else {
        Err(format!("{privilege} / {}: {reason}", probe.name))
    }
}

/// Whether an answer is a success for `privilege` allowed `probe`.
pub fn check_allowed(
    privilege: &str,
    probe: &Probe,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!(
            "{privilege} should allow {} ({} {}): {status} {body}",
            probe.name, probe.method, probe.path
        ))
    }
}

// ---- Grants on an alias only (section 6.3: writes through an alias) ----

/// The alias of `idx` the alias-only roles are granted on (nothing on `idx` itself).
pub const ALIAS: &str = "idx-alias";

/// Writes through the alias, and the same write by the concrete name (never allowed: a grant
/// on an alias does not reach its index by name). `{p}` is the privilege under test.
pub const ALIAS_PROBES: &[Probe] = &[
    probe(
        "alias_index",
        "PUT",
        "/idx-alias/_doc/ai-{p}",
        "indices:data/write/",
    ),
    probe(
        "alias_create",
        "PUT",
        "/idx-alias/_create/ac-{p}",
        "indices:data/write/",
    ),
    probe(
        "alias_delete",
        "DELETE",
        "/idx-alias/_doc/ad-{p}",
        "indices:data/write/",
    ),
    probe(
        "concrete_index",
        "PUT",
        "/idx/_doc/ci-{p}",
        "indices:data/write/",
    ),
    probe(
        "alias_search",
        "GET",
        "/idx-alias/_search",
        "indices:data/read/search",
    ),
];

/// What each privilege granted on the alias alone allows among [`ALIAS_PROBES`]: the document
/// writes of section 6.2, through the alias only.
pub const ALIAS_ALLOWED: &[(&str, &[&str])] = &[
    ("read", &["alias_search"]),
    ("write", &["alias_index", "alias_create", "alias_delete"]),
    ("index", &["alias_index", "alias_create"]),
    ("create", &["alias_index", "alias_create"]),
    ("create_doc", &["alias_create"]),
    ("delete", &["alias_delete"]),
    ("manage", &[]),
    ("auto_configure", &[]),
];

/// Whether `privilege`, granted on the alias only, allows `probe`.
pub fn alias_allows(privilege: &str, probe: &Probe) -> bool {
    ALIAS_ALLOWED
        .iter()
        .any(|(p, names)| *p == privilege && names.contains(&probe.name))
}

pub fn alias_user_of(privilege: &str) -> String {
    format!("ua-{privilege}")
}

pub fn alias_role_name(privilege: &str) -> String {
    format!("ra-{privilege}")
}

/// The role granting `privilege` on [`ALIAS`] and nothing else.
pub fn alias_role_of(privilege: &str) -> Value {
    json!({"indices": [{"names": [ALIAS], "privileges": [privilege]}]})
}

/// The alias and the documents the alias probes delete (after [`seed_requests`]).
pub fn alias_seed_requests() -> Vec<(&'static str, String, Option<Value>, u16)> {
    let mut out = vec![(
        "POST",
        "/_aliases".to_string(),
        Some(json!({"actions": [{"add": {"index": "idx", "alias": ALIAS}}]})),
        200,
    )];
    for (privilege, _) in ALIAS_ALLOWED {
        out.push((
            "PUT",
            format!("/idx/_doc/ad-{privilege}"),
            Some(json!({"title": "to delete through the alias"})),
            201,
        ));
    }
    out
}
