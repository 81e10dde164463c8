//! `SecurityStore` for `UpstreamStore`: reads from the snapshot, writes through `write`.

use serde_json::Value;

use rampart_store::{
    ApiKeyFilter, ApiKeyRecord, AppPrivilegeDoc, Invalidation, ObjectDoc, ReservedUserState,
    RoleDoc, RoleMappingDoc, SecurityStore, ServiceTokenRecord, StoreError, StoreResult,
    TokenInvalidation, TokenRecord, TokenSelector, UserRecord, WriteCondition,
};

use super::UpstreamStore;
use super::snapshot::{
    Snapshot, api_key_id, envelope, mapping_id, object_id, object_prefix, privilege_id,
    privilege_prefix, reserved_id, role_id, service_prefix, service_token_id, token_id, user_id,
};

pub(super) fn require_name(what: &str, name: &str) -> StoreResult<()> {
    if name.is_empty() {
        Err(StoreError::Invalid(format!("empty {what} name")))
    } else {
        Ok(())
    }
}

impl UpstreamStore {
    fn put_role_in(
        snapshot: &Snapshot,
        revision: u64,
        batch: &mut super::Batch,
        name: &str,
        doc: &Value,
    ) -> StoreResult<bool> {
        let id = role_id(name);
        let created = !snapshot.contains(&id);
        let record = RoleDoc {
            name: name.to_owned(),
            doc: doc.clone(),
            revision,
        };
        batch.put(snapshot, id.clone(), envelope("role", &id, &record, &[])?);
        Ok(created)
    }

    fn update_user(
        &self,
        username: &str,
        change: impl FnOnce(&mut UserRecord),
    ) -> StoreResult<bool> {
        self.write(|snapshot, _, batch| {
            let id = user_id(username);
            let Some(mut user) = snapshot.get::<UserRecord>(&id)? else {
                return Ok(false);
            };
            change(&mut user);
            batch.put(snapshot, id.clone(), envelope("user", &id, &user, &[])?);
            Ok(true)
        })
    }
}

impl SecurityStore for UpstreamStore {
    fn get_user(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.snapshot()?.get(&user_id(username))
    }

    fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        self.snapshot()?.list("user-")
    }

    fn put_user(&self, user: &UserRecord) -> StoreResult<bool> {
        require_name("user", &user.username)?;
        self.write(|snapshot, _, batch| {
            let id = user_id(&user.username);
            let created = !snapshot.contains(&id);
            batch.put(snapshot, id.clone(), envelope("user", &id, user, &[])?);
            Ok(created)
        })
    }

    fn delete_user(&self, username: &str) -> StoreResult<bool> {
        self.write(|snapshot, _, batch| {
            let id = user_id(username);
            let existed = snapshot.contains(&id);
            batch.delete(snapshot, id);
            Ok(existed)
        })
    }

    fn set_user_enabled(&self, username: &str, enabled: bool) -> StoreResult<bool> {
        self.update_user(username, |u| u.enabled = enabled)
    }

    fn set_user_password(&self, username: &str, password_hash: &str) -> StoreResult<bool> {
        self.update_user(username, |u| password_hash.clone_into(&mut u.password_hash))
    }

    fn get_reserved_user(&self, username: &str) -> StoreResult<Option<ReservedUserState>> {
        self.snapshot()?.get(&reserved_id(username))
    }

    fn list_reserved_users(&self) -> StoreResult<Vec<ReservedUserState>> {
        self.snapshot()?.list("reserved-")
    }

    fn put_reserved_user(&self, state: &ReservedUserState) -> StoreResult<()> {
        require_name("user", &state.username)?;
        self.write(|snapshot, _, batch| {
            let id = reserved_id(&state.username);
            batch.put(snapshot, id.clone(), envelope("reserved", &id, state, &[])?);
            Ok(())
        })
    }

    fn get_role(&self, name: &str) -> StoreResult<Option<RoleDoc>> {
        self.snapshot()?.get(&role_id(name))
    }

    fn get_roles(&self, names: &[String]) -> StoreResult<Vec<RoleDoc>> {
        let snapshot = self.snapshot()?;
        let mut names: Vec<&String> = names.iter().collect();
        names.sort();
        names.dedup();
        let mut roles = Vec::new();
        for name in names {
            if let Some(role) = snapshot.get(&role_id(name))? {
                roles.push(role);
            }
        }
        Ok(roles)
    }

    fn list_roles(&self) -> StoreResult<Vec<RoleDoc>> {
        self.snapshot()?.list("role-")
    }

    fn put_role(&self, name: &str, doc: &Value) -> StoreResult<bool> {
        require_name("role", name)?;
        self.write(|snapshot, revision, batch| {
            Self::put_role_in(snapshot, revision, batch, name, doc)
        })
    }

    fn delete_role(&self, name: &str) -> StoreResult<bool> {
        Ok(!self.delete_roles(&[name.to_owned()])?.is_empty())
    }

    fn put_roles(&self, roles: &[(String, Value)]) -> StoreResult<Vec<bool>> {
        for (name, _) in roles {
            require_name("role", name)?;
        }
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|snapshot, revision, batch| {
            roles
                .iter()
                .map(|(name, doc)| Self::put_role_in(snapshot, revision, batch, name, doc))
                .collect()
        })
    }

    fn delete_roles(&self, names: &[String]) -> StoreResult<Vec<String>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|snapshot, _, batch| {
            let mut found = Vec::new();
            for name in names {
                let id = role_id(name);
                if snapshot.contains(&id) && !found.contains(name) {
                    found.push(name.clone());
                    batch.delete(snapshot, id);
                }
            }
            Ok(found)
        })
    }

    fn get_role_mapping(&self, name: &str) -> StoreResult<Option<RoleMappingDoc>> {
        self.snapshot()?.get(&mapping_id(name))
    }

    fn list_role_mappings(&self) -> StoreResult<Vec<RoleMappingDoc>> {
        self.snapshot()?.list("mapping-")
    }

    fn put_role_mapping(&self, name: &str, doc: &Value) -> StoreResult<bool> {
        require_name("role mapping", name)?;
        self.write(|snapshot, _, batch| {
            let id = mapping_id(name);
            let created = !snapshot.contains(&id);
            let record = RoleMappingDoc {
                name: name.to_owned(),
                doc: doc.clone(),
            };
            batch.put(
                snapshot,
                id.clone(),
                envelope("mapping", &id, &record, &[])?,
            );
            Ok(created)
        })
    }

    fn delete_role_mapping(&self, name: &str) -> StoreResult<bool> {
        self.write(|snapshot, _, batch| {
            let id = mapping_id(name);
            let existed = snapshot.contains(&id);
            batch.delete(snapshot, id);
            Ok(existed)
        })
    }

    fn list_privileges(&self) -> StoreResult<Vec<AppPrivilegeDoc>> {
        let mut all: Vec<AppPrivilegeDoc> = self.snapshot()?.list("privilege-")?;
        all.sort_by(|a, b| (&a.application, &a.name).cmp(&(&b.application, &b.name)));
        Ok(all)
    }

    fn get_application_privileges(&self, application: &str) -> StoreResult<Vec<AppPrivilegeDoc>> {
        self.snapshot()?.list(&privilege_prefix(application))
    }

    fn get_privileges(
        &self,
        application: &str,
        names: &[String],
    ) -> StoreResult<Vec<AppPrivilegeDoc>> {
        let all = self.get_application_privileges(application)?;
        Ok(all
            .into_iter()
            .filter(|p| names.contains(&p.name))
            .collect())
    }

    fn put_privileges(&self, privileges: &[AppPrivilegeDoc]) -> StoreResult<Vec<bool>> {
        for p in privileges {
            require_name("application", &p.application)?;
            require_name("privilege", &p.name)?;
        }
        if privileges.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|snapshot, _, batch| {
            privileges
                .iter()
                .map(|p| {
                    let id = privilege_id(&p.application, &p.name);
                    let created = !snapshot.contains(&id);
                    batch.put(snapshot, id.clone(), envelope("privilege", &id, p, &[])?);
                    Ok(created)
                })
                .collect()
        })
    }

    fn delete_privileges(&self, application: &str, names: &[String]) -> StoreResult<Vec<String>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|snapshot, _, batch| {
            let mut found = Vec::new();
            for name in names {
                let id = privilege_id(application, name);
                if snapshot.contains(&id) && !found.contains(name) {
                    found.push(name.clone());
                    batch.delete(snapshot, id);
                }
            }
            Ok(found)
        })
    }

    fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()> {
        self.create_api_key_impl(key)
    }

    fn get_api_key(&self, id: &str) -> StoreResult<Option<ApiKeyRecord>> {
        self.snapshot()?.get(&api_key_id(id))
    }

    fn find_api_keys(&self, filter: &ApiKeyFilter) -> StoreResult<Vec<ApiKeyRecord>> {
        self.find_api_keys_impl(filter)
    }

    fn update_api_key(&self, key: &ApiKeyRecord, expected_version: u64) -> StoreResult<u64> {
        self.update_api_key_impl(key, expected_version)
    }

    fn invalidate_api_keys(&self, ids: &[String], now_ms: i64) -> StoreResult<Invalidation> {
        self.invalidate_api_keys_impl(ids, now_ms)
    }

    fn create_token(&self, token: &TokenRecord) -> StoreResult<()> {
        self.create_token_impl(token)
    }

    fn get_token_by_access(&self, access_hash: &str) -> StoreResult<Option<TokenRecord>> {
        self.snapshot()?.get(&token_id(access_hash))
    }

    fn get_token_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let snapshot = self.snapshot()?;
        match snapshot.refresh_index.get(refresh_hash) {
            Some(id) => snapshot.get(id),
            None => Ok(None),
        }
    }

    fn use_refresh_token(&self, refresh_hash: &str) -> StoreResult<TokenRecord> {
        self.use_refresh_token_impl(refresh_hash)
    }

    fn invalidate_tokens(&self, selector: &TokenSelector) -> StoreResult<TokenInvalidation> {
        self.invalidate_tokens_impl(selector)
    }

    fn create_service_token(&self, token: &ServiceTokenRecord) -> StoreResult<()> {
        require_name("service token", &token.name)?;
        self.write(|snapshot, _, batch| {
            let id = service_token_id(&token.namespace, &token.service, &token.name);
            if snapshot.contains(&id) {
                return Err(StoreError::Conflict("service token exists".into()));
            }
            batch.put(
                snapshot,
                id.clone(),
                envelope("service_token", &id, token, &[])?,
            );
            Ok(())
        })
    }

    fn get_service_token(
        &self,
        namespace: &str,
        service: &str,
        name: &str,
    ) -> StoreResult<Option<ServiceTokenRecord>> {
        self.snapshot()?
            .get(&service_token_id(namespace, service, name))
    }

    fn list_service_tokens(
        &self,
        namespace: &str,
        service: &str,
    ) -> StoreResult<Vec<ServiceTokenRecord>> {
        self.snapshot()?.list(&service_prefix(namespace, service))
    }

    fn delete_service_token(
        &self,
        namespace: &str,
        service: &str,
        name: &str,
    ) -> StoreResult<bool> {
        self.write(|snapshot, _, batch| {
            let id = service_token_id(namespace, service, name);
            let existed = snapshot.contains(&id);
            batch.delete(snapshot, id);
            Ok(existed)
        })
    }

    fn get_object(&self, kind: &str, id: &str) -> StoreResult<Option<ObjectDoc>> {
        self.snapshot()?.get(&object_id(kind, id))
    }

    fn list_objects(&self, kind: &str) -> StoreResult<Vec<ObjectDoc>> {
        self.snapshot()?.list(&object_prefix(kind))
    }

    fn put_object(
        &self,
        kind: &str,
        id: &str,
        doc: &Value,
        condition: WriteCondition,
    ) -> StoreResult<u64> {
        require_name("object kind", kind)?;
        require_name("object id", id)?;
        self.write(|snapshot, _, batch| {
            batch.objects_only = true;
            let doc_id = object_id(kind, id);
            let stored = snapshot.get::<ObjectDoc>(&doc_id)?;
            let current = stored.as_ref().map(|o| o.seq_no);
            let allowed = match condition {
                WriteCondition::Any => true,
                WriteCondition::Absent => current.is_none(),
                WriteCondition::SeqNo(expected) => current == Some(expected),
            };
            if !allowed {
                return Err(StoreError::Conflict(format!(
                    "[{kind}] object [{id}] is at {current:?}"
                )));
            }
            let seq_no = current.unwrap_or(0) + 1;
            let record = ObjectDoc {
                kind: kind.to_owned(),
                id: id.to_owned(),
                seq_no,
                doc: doc.clone(),
            };
            batch.put(
                snapshot,
                doc_id.clone(),
                envelope("object", &doc_id, &record, &[])?,
            );
            Ok(seq_no)
        })
    }

    fn delete_object(&self, kind: &str, id: &str) -> StoreResult<bool> {
        self.write(|snapshot, _, batch| {
            batch.objects_only = true;
            let doc_id = object_id(kind, id);
            let existed = snapshot.contains(&doc_id);
            batch.delete(snapshot, doc_id);
            Ok(existed)
        })
    }

    fn revision(&self) -> StoreResult<u64> {
        Ok(self.snapshot()?.revision)
    }

    fn reset(&self, keep_users: &[String]) -> StoreResult<()> {
        self.write(|snapshot, _, batch| {
            let kept: Vec<String> = keep_users.iter().map(|u| user_id(u)).collect();
            for id in snapshot.docs.keys() {
                if !kept.contains(id) {
                    batch.delete(snapshot, id.clone());
                }
            }
            Ok(())
        })
    }
}
