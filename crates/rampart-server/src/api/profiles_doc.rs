//! The stored user profile: its document, uid, ES rendering, `data` key filtering and the
//! merge semantics of profile updates. Pure: no store, no clock.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The store kind of profile objects.
pub const KIND: &str = "profile";
/// Elasticsearch's primary term; a single node never changes it.
pub const PRIMARY_TERM: u64 = 1;
/// Re-activating an unchanged profile within this window writes nothing (as in ES).
pub const ACTIVATE_INTERVAL_MS: i64 = 30_000;
/// The highest uid differentiator tried before giving up on hash collisions.
pub const MAX_DIFFERENTIATOR: u32 = 9;

/// The user a profile belongs to, as its realm knew it at the last activation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileUser {
    pub username: String,
    pub roles: Vec<String>,
    pub realm_name: String,
    pub realm_type: String,
    pub email: Option<String>,
    pub full_name: Option<String>,
}

/// One stored profile (the object's document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileDoc {
    pub uid: String,
    pub enabled: bool,
    pub last_synchronized: i64,
    pub user: ProfileUser,
    #[serde(default)]
    pub labels: Map<String, Value>,
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// The base of a user's profile uid: `u_` and the URL-safe SHA-256 of the username. The
/// differentiator suffix (`_0`, `_1`, …) separates users whose names hash alike or who share
/// a name across realms.
pub fn base_uid(username: &str) -> String {
    let digest = Sha256::digest(username.as_bytes());
    format!("u_{}", URL_SAFE_NO_PAD.encode(digest))
}

/// The uid with a differentiator.
pub fn uid_with(base: &str, differentiator: u32) -> String {
    format!("{base}_{differentiator}")
}

/// ES's document id of a profile (used in its error messages).
pub fn doc_id(uid: &str) -> String {
    format!("profile_{uid}")
}

impl ProfileUser {
    /// Whether `other` is the same user: same username and realm; file and native users are
    /// identified by realm type alone, as ES does (their realm names are per-node config).
    pub fn same_subject(&self, other: &ProfileUser) -> bool {
        if self.username != other.username || self.realm_type != other.realm_type {
            return false;
        }
        matches!(self.realm_type.as_str(), "file" | "native") || self.realm_name == other.realm_name
    }

    fn to_json(&self) -> Value {
        let mut u = json!({
            "username": self.username,
            "roles": self.roles,
            "realm_name": self.realm_name,
        });
        if let Some(o) = u.as_object_mut() {
            if let Some(e) = &self.email {
                o.insert("email".into(), json!(e));
            }
            if let Some(f) = &self.full_name {
                o.insert("full_name".into(), json!(f));
            }
        }
        u
    }
}

impl ProfileDoc {
    /// A new, enabled profile.
    pub fn new(uid: String, user: ProfileUser, now_ms: i64) -> Self {
        ProfileDoc {
            uid,
            enabled: true,
            last_synchronized: now_ms,
            user,
            labels: Map::new(),
            data: Map::new(),
        }
    }

    /// Parse a stored document; `None` when it is not a profile this binary can read.
    pub fn from_stored(doc: &Value) -> Option<Self> {
        serde_json::from_value(doc.clone()).ok()
    }

    pub fn to_stored(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Activation: the realm's current view of the user, enabled, synchronized now. `None`
    /// when nothing changed recently enough that ES would skip the write.
    pub fn activated(&self, user: ProfileUser, now_ms: i64) -> Option<Self> {
        let unchanged = self.user == user && self.enabled;
        if unchanged && now_ms.saturating_sub(self.last_synchronized) < ACTIVATE_INTERVAL_MS {
            return None;
        }
        let mut next = self.clone();
        next.user = user;
        next.enabled = true;
        next.last_synchronized = now_ms;
        Some(next)
    }

    /// The ES rendering: `data` holds only the requested keys (none by default).
    pub fn render(&self, seq_no: u64, data_keys: &[String]) -> Value {
        json!({
            "uid": self.uid,
            "enabled": self.enabled,
            "last_synchronized": self.last_synchronized,
            "user": self.user.to_json(),
            "labels": self.labels,
            "data": filter_data(&self.data, data_keys),
            "_doc": {"_primary_term": PRIMARY_TERM, "_seq_no": seq_no},
        })
    }

    /// The suggest-hit rendering (no versioning, no enabled flag).
    pub fn render_hit(&self, data_keys: &[String]) -> Value {
        json!({
            "uid": self.uid,
            "user": self.user.to_json(),
            "labels": self.labels,
            "data": filter_data(&self.data, data_keys),
        })
    }
}

/// The part of `data` named by `keys`: `*` is everything, `a.b` a nested path.
pub fn filter_data(data: &Map<String, Value>, keys: &[String]) -> Map<String, Value> {
    if keys.iter().any(|k| k == "*") {
        return data.clone();
    }
    let mut out = Map::new();
    for key in keys {
        let mut path = key.split('.');
        let Some(first) = path.next() else { continue };
        let rest: Vec<&str> = path.collect();
        if let Some(v) = data.get(first) {
            if let Some(picked) = pick(v, &rest) {
                let slot = out.entry(first.to_string()).or_insert(Value::Null);
                merge(slot, picked);
            }
        }
    }
    out
}

/// The value at `path` below `v`, wrapped back into its enclosing objects.
fn pick(v: &Value, path: &[&str]) -> Option<Value> {
    let Some((head, tail)) = path.split_first() else {
        return Some(v.clone());
    };
    let inner = pick(v.as_object()?.get(*head)?, tail)?;
    let mut m = Map::new();
    m.insert((*head).to_string(), inner);
    Some(Value::Object(m))
}

/// Recursive merge of a partial document into `target`, as an ES partial update: objects
/// merge key by key, anything else replaces.
pub fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (slot, patch) => *slot = patch,
    }
}

/// Merge `patch` into a map field.
pub fn merge_map(target: &mut Map<String, Value>, patch: Map<String, Value>) {
    let mut v = Value::Object(std::mem::take(target));
    merge(&mut v, Value::Object(patch));
    if let Value::Object(m) = v {
        *target = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, realm_type: &str, realm_name: &str) -> ProfileUser {
        ProfileUser {
            username: name.into(),
            roles: vec!["r".into()],
            realm_name: realm_name.into(),
            realm_type: realm_type.into(),
            email: None,
            full_name: Some("Full".into()),
        }
    }

    #[test]
    fn uids_are_stable_and_url_safe() {
        let b = base_uid("joe");
        assert_eq!(b, base_uid("joe"));
        assert_ne!(b, base_uid("jane"));
        assert!(b.starts_with("u_"));
        assert!(!b.contains(['+', '/', '=']));
        assert_eq!(uid_with(&b, 0), format!("{b}_0"));
    }

    #[test]
    fn file_and_native_users_match_by_realm_type() {
        let a = user("joe", "native", "default_native");
        assert!(a.same_subject(&user("joe", "native", "other_native")));
        assert!(!a.same_subject(&user("joe", "file", "default_file")));
        assert!(!a.same_subject(&user("jim", "native", "default_native")));
        let ldap = user("joe", "ldap", "ldap1");
        assert!(!ldap.same_subject(&user("joe", "ldap", "ldap2")));
    }

    #[test]
    fn data_is_filtered_by_key_and_path() {
        let data = json!({"app1": {"theme": "dark", "lang": "en"}, "app2": {"x": 1}});
        let data = data.as_object().unwrap();
        assert_eq!(Value::Object(filter_data(data, &[])), json!({}));
        assert_eq!(
            Value::Object(filter_data(data, &["app1".into()])),
            json!({"app1": {"theme": "dark", "lang": "en"}})
        );
        assert_eq!(
            Value::Object(filter_data(data, &["app1.theme".into(), "app2".into()])),
            json!({"app1": {"theme": "dark"}, "app2": {"x": 1}})
        );
        assert_eq!(Value::Object(filter_data(data, &["*".into()])), json!(data));
        assert_eq!(
            Value::Object(filter_data(data, &["nope".into()])),
            json!({})
        );
    }

    #[test]
    fn updates_merge_objects_and_replace_leaves() {
        let mut m = json!({"app1": {"theme": "dark", "n": {"a": 1}}})
            .as_object()
            .cloned()
            .unwrap();
        merge_map(
            &mut m,
            json!({"app1": {"theme": "light", "n": {"b": 2}}, "app2": [1]})
                .as_object()
                .cloned()
                .unwrap(),
        );
        assert_eq!(
            Value::Object(m),
            json!({"app1": {"theme": "light", "n": {"a": 1, "b": 2}}, "app2": [1]})
        );
    }

    #[test]
    fn activation_skips_recent_unchanged_profiles() {
        let doc = ProfileDoc::new("u_x_0".into(), user("joe", "native", "n"), 1_000);
        assert!(doc.activated(doc.user.clone(), 2_000).is_none());
        let later = doc
            .activated(doc.user.clone(), 1_000 + ACTIVATE_INTERVAL_MS)
            .unwrap();
        assert_eq!(later.last_synchronized, 1_000 + ACTIVATE_INTERVAL_MS);
        let mut disabled = doc.clone();
        disabled.enabled = false;
        assert!(disabled.activated(doc.user.clone(), 2_000).unwrap().enabled);
        let mut changed = doc.user.clone();
        changed.roles.push("more".into());
        assert_eq!(doc.activated(changed, 2_000).unwrap().user.roles.len(), 2);
    }

    #[test]
    fn rendering_has_es_fields_and_no_absent_user_fields() {
        let doc = ProfileDoc::new("u_x_0".into(), user("joe", "native", "default_native"), 5);
        let r = doc.render(3, &[]);
        assert_eq!(r["_doc"], json!({"_primary_term": 1, "_seq_no": 3}));
        assert_eq!(r["user"]["realm_name"], "default_native");
        assert!(r["user"].get("email").is_none());
        assert!(r["user"].get("realm_domain").is_none());
        assert_eq!(r["data"], json!({}));
        assert_eq!(ProfileDoc::from_stored(&doc.to_stored()), Some(doc));
    }
}
