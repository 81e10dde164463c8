//! The storage contract. Methods are synchronous because SQLite is; the server calls them from
//! `tokio::task::spawn_blocking`. Every write method is atomic (all or nothing) and durable once
//! it returns `Ok`, and every write that changes something bumps the global `revision`.

use serde_json::Value;

use crate::error::StoreError;
use crate::records::{
    ApiKeyFilter, ApiKeyRecord, AppPrivilegeDoc, Invalidation, ObjectDoc, ReservedUserState,
    RoleDoc, RoleMappingDoc, ServiceTokenRecord, TokenInvalidation, TokenRecord, TokenSelector,
    UserRecord, WriteCondition,
};

pub type StoreResult<T> = Result<T, StoreError>;

/// Where security data lives. Lists are sorted by their key (name, or application then name;
/// API keys oldest first). Names must not be empty (`StoreError::Invalid`).
pub trait SecurityStore: Send + Sync + 'static {
    // ---- native users ----
    fn get_user(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    fn list_users(&self) -> StoreResult<Vec<UserRecord>>;
    /// Creates or replaces the user; `true` when it was created.
    fn put_user(&self, user: &UserRecord) -> StoreResult<bool>;
    /// `true` when the user existed.
    fn delete_user(&self, username: &str) -> StoreResult<bool>;
    /// `true` when the user exists.
    fn set_user_enabled(&self, username: &str, enabled: bool) -> StoreResult<bool>;
    /// `true` when the user exists.
    fn set_user_password(&self, username: &str, password_hash: &str) -> StoreResult<bool>;

    // ---- reserved (built-in) users ----
    fn get_reserved_user(&self, username: &str) -> StoreResult<Option<ReservedUserState>>;
    fn list_reserved_users(&self) -> StoreResult<Vec<ReservedUserState>>;
    fn put_reserved_user(&self, state: &ReservedUserState) -> StoreResult<()>;

    // ---- roles ----
    fn get_role(&self, name: &str) -> StoreResult<Option<RoleDoc>>;
    /// The roles among `names` that exist (unknown names are skipped).
    fn get_roles(&self, names: &[String]) -> StoreResult<Vec<RoleDoc>>;
    fn list_roles(&self) -> StoreResult<Vec<RoleDoc>>;
    /// `true` when the role was created.
    fn put_role(&self, name: &str, doc: &Value) -> StoreResult<bool>;
    fn delete_role(&self, name: &str) -> StoreResult<bool>;
    /// Puts all roles in one transaction; per role, `true` when created.
    fn put_roles(&self, roles: &[(String, Value)]) -> StoreResult<Vec<bool>>;
    /// Deletes all in one transaction; returns the names that existed.
    fn delete_roles(&self, names: &[String]) -> StoreResult<Vec<String>>;

    // ---- role mappings ----
    fn get_role_mapping(&self, name: &str) -> StoreResult<Option<RoleMappingDoc>>;
    fn list_role_mappings(&self) -> StoreResult<Vec<RoleMappingDoc>>;
    fn put_role_mapping(&self, name: &str, doc: &Value) -> StoreResult<bool>;
    fn delete_role_mapping(&self, name: &str) -> StoreResult<bool>;

    // ---- application privileges ----
    fn list_privileges(&self) -> StoreResult<Vec<AppPrivilegeDoc>>;
    fn get_application_privileges(&self, application: &str) -> StoreResult<Vec<AppPrivilegeDoc>>;
    /// The privileges of `application` among `names` that exist.
    fn get_privileges(
        &self,
        application: &str,
        names: &[String],
    ) -> StoreResult<Vec<AppPrivilegeDoc>>;
    /// Puts all in one transaction; per privilege, `true` when created.
    fn put_privileges(&self, privileges: &[AppPrivilegeDoc]) -> StoreResult<Vec<bool>>;
    /// Returns the names that existed.
    fn delete_privileges(&self, application: &str, names: &[String]) -> StoreResult<Vec<String>>;

    // ---- API keys ----
    /// Stores a new key at version 1 (`key.version` is ignored); `Conflict` if the id exists.
    fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()>;
    fn get_api_key(&self, id: &str) -> StoreResult<Option<ApiKeyRecord>>;
    fn find_api_keys(&self, filter: &ApiKeyFilter) -> StoreResult<Vec<ApiKeyRecord>>;
    /// Replaces the key if its stored version is still `expected_version` (else `Conflict`;
    /// `NotFound` if the id is unknown). Returns the new version.
    fn update_api_key(&self, key: &ApiKeyRecord, expected_version: u64) -> StoreResult<u64>;
    fn invalidate_api_keys(&self, ids: &[String], now_ms: i64) -> StoreResult<Invalidation>;

    // ---- OAuth2 tokens ----
    /// `Conflict` if the access or refresh hash is already stored.
    fn create_token(&self, token: &TokenRecord) -> StoreResult<()>;
    fn get_token_by_access(&self, access_hash: &str) -> StoreResult<Option<TokenRecord>>;
    fn get_token_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// Atomically marks the refresh token used and returns the token as it was before.
    /// `NotFound` if unknown; `Conflict` if already used or invalidated, so of two concurrent
    /// callers exactly one succeeds.
    fn use_refresh_token(&self, refresh_hash: &str) -> StoreResult<TokenRecord>;
    fn invalidate_tokens(&self, selector: &TokenSelector) -> StoreResult<TokenInvalidation>;

    // ---- service-account tokens ----
    /// `Conflict` if a token of that name exists for the service.
    fn create_service_token(&self, token: &ServiceTokenRecord) -> StoreResult<()>;
    fn get_service_token(
        &self,
        namespace: &str,
        service: &str,
        name: &str,
    ) -> StoreResult<Option<ServiceTokenRecord>>;
    fn list_service_tokens(
        &self,
        namespace: &str,
        service: &str,
    ) -> StoreResult<Vec<ServiceTokenRecord>>;
    fn delete_service_token(&self, namespace: &str, service: &str, name: &str)
    -> StoreResult<bool>;

    // ---- other security documents, by kind ----
    // Objects do not bump the global revision: no permission depends on them.
    fn get_object(&self, kind: &str, id: &str) -> StoreResult<Option<ObjectDoc>>;
    /// Every object of `kind`, sorted by id.
    fn list_objects(&self, kind: &str) -> StoreResult<Vec<ObjectDoc>>;
    /// Writes `doc` under (`kind`, `id`) if `condition` holds (`Conflict` otherwise) and returns
    /// the new `seq_no`.
    fn put_object(
        &self,
        kind: &str,
        id: &str,
        doc: &Value,
        condition: WriteCondition,
    ) -> StoreResult<u64>;
    /// `true` if it existed.
    fn delete_object(&self, kind: &str, id: &str) -> StoreResult<bool>;

    // ---- administration ----
    /// Monotonic; changes after every write that changed something.
    fn revision(&self) -> StoreResult<u64>;
    /// Deletes all users but `keep_users`, every role, mapping, privilege, API key, token and
    /// service token and object, and clears reserved-user state (for test clusters).
    fn reset(&self, keep_users: &[String]) -> StoreResult<()>;
}
