//! `SecurityStore for SqliteStore`: each method is one read snapshot or one write transaction
//! around the table module that does the work.

use serde_json::Value;

use super::codec::{json_list, to_u64};
use super::{SqliteStore, WriteTx, api_keys, documents, objects, tokens, users};
use crate::error::StoreError;
use crate::records::{
    ApiKeyFilter, ApiKeyRecord, AppPrivilegeDoc, Invalidation, ObjectDoc, ReservedUserState,
    RoleDoc, RoleMappingDoc, ServiceTokenRecord, TokenInvalidation, TokenRecord, TokenSelector,
    UserRecord, WriteCondition,
};
use crate::store::{SecurityStore, StoreResult};

impl SecurityStore for SqliteStore {
    fn get_user(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.read(|tx| users::get(tx, username))
    }
    fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        self.read(users::list)
    }
    fn put_user(&self, user: &UserRecord) -> StoreResult<bool> {
        self.write(|w| users::put(w, user))
    }
    fn delete_user(&self, username: &str) -> StoreResult<bool> {
        self.write(|w| users::delete(w, username))
    }
    fn set_user_enabled(&self, username: &str, enabled: bool) -> StoreResult<bool> {
        self.write(|w| users::set_enabled(w, username, enabled))
    }
    fn set_user_password(&self, username: &str, password_hash: &str) -> StoreResult<bool> {
        self.write(|w| users::set_password(w, username, password_hash))
    }

    fn get_reserved_user(&self, username: &str) -> StoreResult<Option<ReservedUserState>> {
        self.read(|tx| users::get_reserved(tx, username))
    }
    fn list_reserved_users(&self) -> StoreResult<Vec<ReservedUserState>> {
        self.read(users::list_reserved)
    }
    fn put_reserved_user(&self, state: &ReservedUserState) -> StoreResult<()> {
        self.write(|w| users::put_reserved(w, state))
    }

    fn get_role(&self, name: &str) -> StoreResult<Option<RoleDoc>> {
        self.read(|tx| documents::get_role(tx, name))
    }
    fn get_roles(&self, names: &[String]) -> StoreResult<Vec<RoleDoc>> {
        self.read(|tx| documents::get_roles(tx, names))
    }
    fn list_roles(&self) -> StoreResult<Vec<RoleDoc>> {
        self.read(documents::list_roles)
    }
    fn put_role(&self, name: &str, doc: &Value) -> StoreResult<bool> {
        let roles = [(name.to_owned(), doc.clone())];
        let created = self.write(|w| documents::put_roles(w, &roles))?;
        Ok(created.first().copied().unwrap_or(false))
    }
    fn delete_role(&self, name: &str) -> StoreResult<bool> {
        let found = self.write(|w| documents::delete_roles(w, &[name.to_owned()]))?;
        Ok(!found.is_empty())
    }
    fn put_roles(&self, roles: &[(String, Value)]) -> StoreResult<Vec<bool>> {
        self.write(|w| documents::put_roles(w, roles))
    }
    fn delete_roles(&self, names: &[String]) -> StoreResult<Vec<String>> {
        self.write(|w| documents::delete_roles(w, names))
    }

    fn get_role_mapping(&self, name: &str) -> StoreResult<Option<RoleMappingDoc>> {
        self.read(|tx| documents::get_mapping(tx, name))
    }
    fn list_role_mappings(&self) -> StoreResult<Vec<RoleMappingDoc>> {
        self.read(documents::list_mappings)
    }
    fn put_role_mapping(&self, name: &str, doc: &Value) -> StoreResult<bool> {
        self.write(|w| documents::put_mapping(w, name, doc))
    }
    fn delete_role_mapping(&self, name: &str) -> StoreResult<bool> {
        self.write(|w| documents::delete_mapping(w, name))
    }

    fn list_privileges(&self) -> StoreResult<Vec<AppPrivilegeDoc>> {
        self.read(documents::list_privileges)
    }
    fn get_application_privileges(&self, application: &str) -> StoreResult<Vec<AppPrivilegeDoc>> {
        self.read(|tx| documents::get_application_privileges(tx, application))
    }
    fn get_privileges(
        &self,
        application: &str,
        names: &[String],
    ) -> StoreResult<Vec<AppPrivilegeDoc>> {
        self.read(|tx| documents::get_privileges(tx, application, names))
    }
    fn put_privileges(&self, privileges: &[AppPrivilegeDoc]) -> StoreResult<Vec<bool>> {
        self.write(|w| documents::put_privileges(w, privileges))
    }
    fn delete_privileges(&self, application: &str, names: &[String]) -> StoreResult<Vec<String>> {
        self.write(|w| documents::delete_privileges(w, application, names))
    }

    fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()> {
        self.write(|w| api_keys::create(w, key))
    }
    fn get_api_key(&self, id: &str) -> StoreResult<Option<ApiKeyRecord>> {
        self.read(|tx| api_keys::get(tx, id))
    }
    fn find_api_keys(&self, filter: &ApiKeyFilter) -> StoreResult<Vec<ApiKeyRecord>> {
        self.read(|tx| api_keys::find(tx, filter))
    }
    fn update_api_key(&self, key: &ApiKeyRecord, expected_version: u64) -> StoreResult<u64> {
        self.write(|w| api_keys::update(w, key, expected_version))
    }
    fn invalidate_api_keys(&self, ids: &[String], now_ms: i64) -> StoreResult<Invalidation> {
        self.write(|w| api_keys::invalidate(w, ids, now_ms))
    }

    fn create_token(&self, token: &TokenRecord) -> StoreResult<()> {
        self.write(|w| tokens::create(w, token))
    }
    fn get_token_by_access(&self, access_hash: &str) -> StoreResult<Option<TokenRecord>> {
        self.read(|tx| tokens::get_by_access(tx, access_hash))
    }
    fn get_token_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<TokenRecord>> {
        self.read(|tx| tokens::get_by_refresh(tx, refresh_hash))
    }
    fn use_refresh_token(&self, refresh_hash: &str) -> StoreResult<TokenRecord> {
        self.write(|w| tokens::use_refresh(w, refresh_hash))
    }
    fn invalidate_tokens(&self, selector: &TokenSelector) -> StoreResult<TokenInvalidation> {
        self.write(|w| tokens::invalidate(w, selector))
    }

    fn create_service_token(&self, token: &ServiceTokenRecord) -> StoreResult<()> {
        self.write(|w| tokens::create_service_token(w, token))
    }
    fn get_service_token(
        &self,
        namespace: &str,
        service: &str,
        name: &str,
    ) -> StoreResult<Option<ServiceTokenRecord>> {
        self.read(|tx| tokens::get_service_token(tx, namespace, service, name))
    }
    fn list_service_tokens(
        &self,
        namespace: &str,
        service: &str,
    ) -> StoreResult<Vec<ServiceTokenRecord>> {
        self.read(|tx| tokens::list_service_tokens(tx, namespace, service))
    }
    fn delete_service_token(
        &self,
        namespace: &str,
        service: &str,
        name: &str,
    ) -> StoreResult<bool> {
        self.write(|w| tokens::delete_service_token(w, namespace, service, name))
    }

    fn revision(&self) -> StoreResult<u64> {
        if let Some(r) = self.recent_revision() {
            return Ok(r);
        }
        let r = self.read(|tx| {
            let raw: i64 =
                tx.query_row("SELECT revision FROM store_meta WHERE id = 0", [], |row| {
                    row.get(0)
                })?;
            to_u64("store revision", raw)
        })?;
        self.note_revision(r);
        Ok(r)
    }

    fn get_object(&self, kind: &str, id: &str) -> StoreResult<Option<ObjectDoc>> {
        self.read(|tx| objects::get(tx, kind, id))
    }
    fn list_objects(&self, kind: &str) -> StoreResult<Vec<ObjectDoc>> {
        self.read(|tx| objects::list(tx, kind))
    }
    fn put_object(
        &self,
        kind: &str,
        id: &str,
        doc: &Value,
        condition: WriteCondition,
    ) -> StoreResult<u64> {
        self.write(|w| objects::put(w, kind, id, doc, condition))
    }
    fn delete_object(&self, kind: &str, id: &str) -> StoreResult<bool> {
        self.write(|w| objects::delete(w, kind, id))
    }

    fn reset(&self, keep_users: &[String]) -> StoreResult<()> {
        self.write(|w| reset_all(w, keep_users))
    }
}

fn reset_all(write: &mut WriteTx<'_>, keep_users: &[String]) -> Result<(), StoreError> {
    let tx = write.tx();
    tx.execute(
        "DELETE FROM users WHERE username NOT IN (SELECT value FROM json_each(?1))",
        [json_list(keep_users)?],
    )?;
    tx.execute_batch(
        "DELETE FROM reserved_users;
         DELETE FROM roles;
         DELETE FROM role_mappings;
         DELETE FROM app_privileges;
         DELETE FROM api_keys;
         DELETE FROM tokens;
         DELETE FROM service_tokens;
         DELETE FROM objects;",
    )?;
    write.bump()?;
    Ok(())
}
