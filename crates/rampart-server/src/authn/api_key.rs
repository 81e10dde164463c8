//! API-key credentials: generating ids and secrets, hashing secrets, and authenticating
//! `Authorization: ApiKey base64(id:secret)`.
//!
//! Secrets are 128 random bits, so a salted SHA-256 is as strong as any stretched hash here
//! (stretching only helps low-entropy passwords) and keeps per-request verification cheap.
//! Parsed key identities are cached by (id, version): every update or invalidation bumps the
//! version, and the record is re-read on every request so invalidation takes effect at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use rampart_store::ApiKeyRecord;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::identity::{ApiKeyIdentity, Authentication, Credential, RealmRef, UserInfo};
use super::{password::constant_time_eq, unauthorized};
use crate::error::ApiError;
use crate::state::{AppState, blocking};

/// The realm API-key authentications report.
pub const API_KEY_REALM: &str = "_es_api_key";
const SALTED_SHA256: &str = "{SSHA256}";
const MAX_CACHED: usize = 10_000;

fn random_url_safe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new key id (20 characters, like Elasticsearch's).
pub fn generate_id() -> String {
    random_url_safe(15)
}

/// A new secret (22 characters of base64url, 128 random bits).
pub fn generate_secret() -> String {
    random_url_safe(16)
}

/// Salted SHA-256 of a high-entropy secret: `{SSHA256}<salt>$<digest>`.
pub fn hash_secret(secret: &str) -> String {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let digest = salted_digest(&salt, secret);
    format!(
        "{SALTED_SHA256}{}${}",
        STANDARD.encode(salt),
        STANDARD.encode(digest)
    )
}

fn salted_digest(salt: &[u8], secret: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().to_vec()
}

/// Check a secret against [`hash_secret`]'s output in constant time.
pub fn verify_secret(secret: &str, stored: &str) -> bool {
    let Some((salt, digest)) = stored
        .strip_prefix(SALTED_SHA256)
        .and_then(|rest| rest.split_once('$'))
    else {
        return false;
    };
    let (Ok(salt), Ok(digest)) = (STANDARD.decode(salt), STANDARD.decode(digest)) else {
        return false;
    };
    constant_time_eq(&salted_digest(&salt, secret), &digest)
}

/// The `encoded` credential of a create response: base64(`id:secret`).
pub fn encode_credential(id: &str, secret: &str) -> String {
    STANDARD.encode(format!("{id}:{secret}"))
}

/// Parse a stored descriptor map (`{"name": {...}}`) in the given context.
pub fn parse_descriptor_map(
    map: &Value,
    ctx: RoleContext,
) -> Result<Vec<RoleDescriptor>, ApiError> {
    let Some(obj) = map.as_object() else {
        return Ok(Vec::new());
    };
    obj.iter()
        .map(|(name, body)| parse_role(name, body, ctx).map_err(ApiError::from))
        .collect()
}

/// A descriptor map as stored and shown (`{"name": descriptor}`).
pub fn descriptor_map(roles: &[RoleDescriptor]) -> Value {
    let map: Map<String, Value> = roles
        .iter()
        .map(|r| (r.name.clone(), r.to_json()))
        .collect();
    Value::Object(map)
}

/// The engine-facing identity of a stored key.
pub fn identity_of(rec: &ApiKeyRecord) -> Result<ApiKeyIdentity, ApiError> {
    Ok(ApiKeyIdentity {
        id: rec.id.clone(),
        name: rec.name.clone(),
        role_descriptors: parse_descriptor_map(&rec.role_descriptors, RoleContext::ApiKey)?,
        // The owner's snapshot holds ordinary roles (which may carry descriptions).
        limited_by: parse_descriptor_map(&rec.limited_by_role_descriptors, RoleContext::RoleApi)?,
        key_type: rec.key_type.clone(),
    })
}

/// Parsed identities of recently used keys, by id, valid for one record version.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: RwLock<HashMap<String, (u64, Arc<ApiKeyIdentity>)>>,
}

impl KeyCache {
    fn get(&self, id: &str, version: u64) -> Option<Arc<ApiKeyIdentity>> {
        let e = self.entries.read().ok()?;
        e.get(id)
            .filter(|(v, _)| *v == version)
            .map(|(_, i)| Arc::clone(i))
    }

    fn put(&self, id: &str, version: u64, identity: Arc<ApiKeyIdentity>) {
        if let Ok(mut e) = self.entries.write() {
            if e.len() >= MAX_CACHED {
                e.clear();
            }
            e.insert(id.to_string(), (version, identity));
        }
    }

    /// Forget the given ids (`*` or an empty list: all).
    pub fn clear(&self, ids: &[String]) {
        if let Ok(mut e) = self.entries.write() {
            if ids.is_empty() || ids.iter().any(|i| i == "*") {
                e.clear();
            } else {
                for id in ids {
                    e.remove(id);
                }
            }
        }
    }
}

/// The generic 401 for any API-key failure (never saying which part was wrong).
fn rejected() -> ApiError {
    unauthorized(
        "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    )
}

/// Authenticate `id:secret`.
pub(crate) async fn authenticate(
    state: &Arc<AppState>,
    cache: &KeyCache,
    id: &str,
    secret: &str,
) -> Result<Authentication, ApiError> {
    let st = Arc::clone(state);
    let key_id = id.to_string();
    let rec = blocking(move || st.store.get_api_key(&key_id).map_err(ApiError::internal))
        .await?
        .ok_or_else(rejected)?;
    if rec.key_type != "rest" {
        return Err(unauthorized(format!(
            "authentication expected API key type of [rest], but API key [{}] has type [{}]",
            rec.id, rec.key_type
        )));
    }
    let now = chrono::Utc::now().timestamp_millis();
    if rec.invalidated || rec.expiration_ms.is_some_and(|e| e <= now) {
        return Err(rejected());
    }
    if !verify_secret(secret, &rec.hash) {
        return Err(rejected());
    }
    let identity = match cache.get(&rec.id, rec.version) {
        Some(i) => i,
        None => {
            let i = Arc::new(identity_of(&rec).map_err(|e| {
                tracing::warn!(key = %rec.id, error = %e.reason, "stored API key descriptors are invalid");
                rejected()
            })?);
            cache.put(&rec.id, rec.version, Arc::clone(&i));
            i
        }
    };
    let realm = RealmRef::new(API_KEY_REALM, API_KEY_REALM);
    Ok(Authentication {
        user: UserInfo {
            username: rec.username.clone(),
            enabled: true,
            ..Default::default()
        },
        authentication_realm: realm.clone(),
        lookup_realm: realm,
        run_as: None,
        credential: Credential::ApiKey(ApiKeyIdentity::clone(&identity)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_round_trip() {
        let s = generate_secret();
        assert_eq!(s.len(), 22);
        let h = hash_secret(&s);
        assert!(verify_secret(&s, &h));
        assert!(!verify_secret("other", &h));
        assert!(!verify_secret(&s, "garbage"));
        assert_eq!(generate_id().len(), 20);
    }
}
