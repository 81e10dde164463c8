//! The records a `SecurityStore` holds. Roles, role mappings and application privileges are
//! opaque JSON documents (the engine parses and validates them); the rest are typed because the
//! store itself looks them up by their fields.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user of the native realm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub username: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Map<String, Value>,
    pub enabled: bool,
}

/// What has been changed about a built-in (reserved) user; absent means all defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservedUserState {
    pub username: String,
    /// `None`: the password was never set, so the bootstrap password applies.
    pub password_hash: Option<String>,
    pub enabled: bool,
}

/// A stored role descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleDoc {
    pub name: String,
    pub doc: Value,
    /// Strictly increases on every put of this name, also across delete and re-create, so
    /// `(name, revision)` can key a permission cache.
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleMappingDoc {
    pub name: String,
    pub doc: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppPrivilegeDoc {
    pub application: String,
    pub name: String,
    pub doc: Value,
}

/// A security document of some other kind (a Kibana space, a user profile, a settings
/// document), stored opaquely. `seq_no` starts at 1 and rises on every write of this id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectDoc {
    pub kind: String,
    pub id: String,
    pub seq_no: u64,
    pub doc: Value,
}

/// The precondition of an object write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteCondition {
    /// Write whatever is stored.
    Any,
    /// Create only: fail with `Conflict` if the id exists.
    Absent,
    /// Replace only the version with this `seq_no`: fail with `Conflict` otherwise (also when
    /// the id does not exist).
    SeqNo(u64),
}

/// An API key. Only the hash of its secret is ever stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: Option<String>,
    pub hash: String,
    pub creation_ms: i64,
    pub expiration_ms: Option<i64>,
    pub invalidated: bool,
    pub invalidation_ms: Option<i64>,
    pub username: String,
    pub realm_name: String,
    pub realm_type: String,
    pub role_descriptors: Value,
    pub limited_by_role_descriptors: Value,
    pub metadata: Value,
    /// `"rest"` or `"cross_cluster"`.
    pub key_type: String,
    /// Bumped by every update and invalidation; updates must name the version they read.
    pub version: u64,
}

/// Which API keys `find_api_keys` returns; every set field must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiKeyFilter {
    pub ids: Option<Vec<String>>,
    /// An exact name, or a prefix followed by `*` (`"*"` alone matches every key, named or not).
    pub name: Option<String>,
    pub username: Option<String>,
    pub realm_name: Option<String>,
    /// Only keys that are neither invalidated nor expired at `now_ms`.
    pub active_only: bool,
    /// The clock `active_only` compares expirations with (the caller's, so tests are exact).
    pub now_ms: i64,
}

/// The answer of an invalidation: which records changed now and which had already been
/// invalidated before. Ids that do not exist appear in neither list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalidation {
    pub invalidated: Vec<String>,
    pub previously_invalidated: Vec<String>,
}

/// An OAuth2 access token (and its optional refresh token), stored by hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub access_hash: String,
    pub refresh_hash: Option<String>,
    pub username: String,
    pub realm_name: String,
    pub realm_type: String,
    /// The authentication the token stands for, opaque to the store.
    pub authentication: Value,
    pub creation_ms: i64,
    pub expiration_ms: i64,
    pub invalidated: bool,
    pub refresh_used: bool,
}

/// Which tokens an invalidation applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSelector {
    AccessHash(String),
    RefreshHash(String),
    Username(String),
    /// All tokens of a realm, optionally only those of one user in it.
    Realm {
        realm_name: String,
        username: Option<String>,
    },
}

/// The answer of a token invalidation, counted (tokens have no public ids).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenInvalidation {
    pub invalidated: u64,
    pub previously_invalidated: u64,
}

/// A service-account token, identified by `namespace/service/name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTokenRecord {
    pub namespace: String,
    pub service: String,
    pub name: String,
    pub hash: String,
    pub creation_ms: i64,
}
