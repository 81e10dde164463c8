//! Turning users into permissions: role names → descriptors (built-in, file, native) →
//! compiled permission, cached by role-set identity and store revision.

use std::sync::{Arc, RwLock};

use rampart_core::authz::EffectiveRole;
use rampart_core::builtin::BuiltinRoles;
use rampart_core::permission::{
    ApplicationPrivilegeDescriptor, ApplicationPrivilegeStore, Permission, PermissionCache,
    RestrictedIndices, RoleSetKey,
};
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use rampart_store::SecurityStore;

use crate::authn::{ApiKeyIdentity, Authentication, Credential};
use crate::error::ApiError;
use crate::revision_cache::RevisionCache;

/// Role resolution and permission compilation for the server.
pub struct SecurityService {
    pub builtin: BuiltinRoles,
    pub restricted: RestrictedIndices,
    /// Roles from the file realm's roles.yml (replaced when the file changes).
    file_roles: RwLock<Vec<RoleDescriptor>>,
    cache: PermissionCache,
    /// Parsed native roles per store revision.
    native_roles: RevisionCache<String, Option<(RoleDescriptor, u64)>>,
    /// The permission of a user's role names, valid for one store revision: a hit skips role
    /// resolution (descriptor clones) and the role-set key. Cleared with `cache`.
    by_role_names: RevisionCache<Vec<String>, Arc<Permission>>,
    /// The effective role of an API key (its descriptors limited by its owner's snapshot),
    /// valid for one store revision: a hit skips compiling both sides per request.
    api_key_roles: RevisionCache<String, Arc<ApiKeyRole>>,
    /// Stored application privileges, rebuilt when the store revision changes.
    /// (store revision checked, content fingerprint, compiled privileges)
    app_privileges: RwLock<(u64, u64, Arc<ApplicationPrivilegeStore>)>,
}

impl std::fmt::Debug for SecurityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityService").finish_non_exhaustive()
    }
}

/// A compiled API-key role and the descriptors it was compiled from.
#[derive(Debug)]
struct ApiKeyRole {
    role_descriptors: Vec<RoleDescriptor>,
    limited_by: Vec<RoleDescriptor>,
    role: EffectiveRole,
}

/// Role descriptors found for a set of names, and the names that were not found.
#[derive(Debug, Clone, Default)]
pub struct ResolvedRoles {
    pub roles: Vec<RoleDescriptor>,
    pub missing: Vec<String>,
    pub key: Vec<(String, u64)>,
}

impl SecurityService {
    pub fn new(builtin: BuiltinRoles, restricted: RestrictedIndices) -> Self {
        SecurityService {
            builtin,
            restricted,
            file_roles: RwLock::new(Vec::new()),
            cache: PermissionCache::new(10_000),
            native_roles: RevisionCache::default(),
            by_role_names: RevisionCache::default(),
            // Compiled permissions are large: as many as the permission cache keeps.
            api_key_roles: RevisionCache::bounded(10_000),
            app_privileges: RwLock::new((
                u64::MAX,
                0,
                Arc::new(ApplicationPrivilegeStore::default()),
            )),
        }
    }

    /// Replace the file-realm roles (roles.yml).
    pub fn set_file_roles(&self, roles: Vec<RoleDescriptor>) {
        if let Ok(mut r) = self.file_roles.write() {
            *r = roles;
        }
        self.clear_cache();
    }

    pub fn file_role(&self, name: &str) -> Option<RoleDescriptor> {
        self.file_roles
            .read()
            .ok()?
            .iter()
            .find(|r| r.name == name)
            .cloned()
    }

    pub fn file_roles(&self) -> Vec<RoleDescriptor> {
        self.file_roles
            .read()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Drop compiled permissions (role or privilege changes).
    pub fn clear_cache(&self) {
        self.cache.clear();
        self.by_role_names.clear();
        self.api_key_roles.clear();
    }

    /// Look up role descriptors by name: built-in first, then file, then native.
    pub fn resolve_roles(
        &self,
        store: &dyn SecurityStore,
        names: &[String],
    ) -> Result<ResolvedRoles, ApiError> {
        let mut out = ResolvedRoles::default();
        let mut native_names = Vec::new();
        for name in names {
            if let Some(r) = self.builtin.get(name) {
                out.roles.push(r.clone());
                out.key.push((name.clone(), 0));
            } else if let Some(r) = self.file_role(name) {
                out.roles.push(r);
                out.key.push((name.clone(), 0));
            } else {
                native_names.push(name.clone());
            }
        }
        if !native_names.is_empty() {
            let revision = store.revision().map_err(ApiError::internal)?;
            for name in native_names {
                // Parsed stored roles are cached per store revision: no store read per request.
                let parsed = self
                    .native_roles
                    .get_or_load(&name, revision, || -> Result<_, ApiError> {
                        let Some(doc) = store.get_role(&name).map_err(ApiError::internal)? else {
                            return Ok(None);
                        };
                        match parse_role(&doc.name, &doc.doc, RoleContext::RoleApi) {
                            Ok(role) => Ok(Some((role, doc.revision))),
                            Err(e) => {
                                // A stored role that no longer parses grants nothing (fail closed).
                                tracing::warn!(role = %name, error = %e, "stored role is invalid; ignoring it");
                                Ok(None)
                            }
                        }
                    })?;
                match parsed {
                    Some((role, rev)) => {
                        out.key.push((name.clone(), rev.saturating_add(1)));
                        out.roles.push(role);
                    }
                    None => out.missing.push(name),
                }
            }
        }
        Ok(out)
    }

    /// The stored application privileges (cached per store revision).
    pub fn application_privileges(
        &self,
        store: &dyn SecurityStore,
    ) -> Result<Arc<ApplicationPrivilegeStore>, ApiError> {
        Ok(self.application_privileges_versioned(store)?.1)
    }

    /// The stored application privileges and a fingerprint of their content. Permissions are
    /// cached by the fingerprint, so unrelated writes (users, API keys) do not recompile them.
    fn application_privileges_versioned(
        &self,
        store: &dyn SecurityStore,
    ) -> Result<(u64, Arc<ApplicationPrivilegeStore>), ApiError> {
        let revision = store.revision().map_err(ApiError::internal)?;
        if let Ok(cached) = self.app_privileges.read() {
            if cached.0 == revision {
                return Ok((cached.1, Arc::clone(&cached.2)));
            }
        }
        let docs = store.list_privileges().map_err(ApiError::internal)?;
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for d in &docs {
                d.application.hash(&mut h);
                d.name.hash(&mut h);
                d.doc.to_string().hash(&mut h);
            }
            h.finish()
        };
        if let Ok(mut cached) = self.app_privileges.write() {
            if cached.1 == fingerprint && cached.0 != u64::MAX {
                cached.0 = revision;
                return Ok((fingerprint, Arc::clone(&cached.2)));
            }
        }
        let privileges = docs.into_iter().map(|d| ApplicationPrivilegeDescriptor {
            application: d.application,
            name: d.name,
            actions: d
                .doc
                .get("actions")
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            metadata: d
                .doc
                .get("metadata")
                .and_then(|m| m.as_object())
                .cloned()
                .unwrap_or_default(),
        });
        let compiled = Arc::new(ApplicationPrivilegeStore::new(privileges));
        if let Ok(mut cached) = self.app_privileges.write() {
            *cached = (revision, fingerprint, Arc::clone(&compiled));
        }
        Ok((fingerprint, compiled))
    }

    /// Compile (or fetch) the permission of a role set.
    pub fn permission(
        &self,
        store: &dyn SecurityStore,
        resolved: &ResolvedRoles,
    ) -> Result<Arc<Permission>, ApiError> {
        let (fingerprint, apps) = self.application_privileges_versioned(store)?;
        let mut key = resolved.key.clone();
        key.push(("\u{0}missing".into(), resolved.missing.len() as u64));
        for m in &resolved.missing {
            key.push((format!("\u{0}missing:{m}"), 0));
        }
        key.push(("\u{0}apps".into(), fingerprint));
        let key = RoleSetKey::new(key);
        Ok(self.cache.get_or_compile(&key, || {
            Permission::compile(&resolved.roles, &resolved.missing, &apps, &self.restricted)
        })?)
    }

    /// Compile descriptors that are not stored roles (API-key descriptors).
    pub fn permission_of(
        &self,
        store: &dyn SecurityStore,
        roles: &[RoleDescriptor],
    ) -> Result<Arc<Permission>, ApiError> {
        let apps = self.application_privileges(store)?;
        Ok(Arc::new(Permission::compile(
            roles,
            &[],
            &apps,
            &self.restricted,
        )?))
    }

    /// The role a request is authorized against.
    pub fn effective_role(
        &self,
        store: &dyn SecurityStore,
        auth: &Authentication,
    ) -> Result<EffectiveRole, ApiError> {
        if let Credential::ApiKey(key) = &auth.credential {
            let revision = store.revision().map_err(ApiError::internal)?;
            let cached = self.api_key_roles.get_or_load(&key.id, revision, || {
                Ok::<_, ApiError>(Arc::new(ApiKeyRole {
                    role_descriptors: key.role_descriptors.clone(),
                    limited_by: key.limited_by.clone(),
                    role: self.api_key_role(store, key)?,
                }))
            })?;
            // The key's record may change without the revision moving (a store that bumps it
            // only for role and privilege writes): the descriptors decide, not the id alone.
            if cached.role_descriptors == key.role_descriptors
                && cached.limited_by == key.limited_by
            {
                return Ok(cached.role.clone());
            }
            let role = self.api_key_role(store, key)?;
            let fresh = ApiKeyRole {
                role_descriptors: key.role_descriptors.clone(),
                limited_by: key.limited_by.clone(),
                role: role.clone(),
            };
            self.api_key_roles
                .insert(&key.id, revision, Arc::new(fresh));
            return Ok(role);
        }
        if let Credential::ServiceAccount { name, .. } = &auth.credential {
            // A service account's permissions are its built-in descriptor, never stored roles.
            let roles: Vec<RoleDescriptor> =
                crate::authn::service_account::role_descriptor(&self.builtin, name)
                    .into_iter()
                    .collect();
            return Ok(EffectiveRole::plain(self.permission_of(store, &roles)?));
        }
        let names = &auth.effective_user().roles;
        let revision = store.revision().map_err(ApiError::internal)?;
        let permission = self.by_role_names.get_or_load(names, revision, || {
            let resolved = self.resolve_roles(store, names)?;
            self.permission(store, &resolved)
        })?;
        Ok(EffectiveRole::plain(permission))
    }

    /// Compile an API key's role: the owner's snapshot, limited by the key's own descriptors.
    fn api_key_role(
        &self,
        store: &dyn SecurityStore,
        key: &ApiKeyIdentity,
    ) -> Result<EffectiveRole, ApiError> {
        let limited_by = self.permission_of(store, &key.limited_by)?;
        if key.role_descriptors.is_empty() {
            return Ok(EffectiveRole::plain(limited_by));
        }
        let assigned = self.permission_of(store, &key.role_descriptors)?;
        Ok(EffectiveRole::limited(assigned, limited_by))
    }

    /// The role of the AUTHENTICATING user (for run-as checks).
    pub fn authenticating_role(
        &self,
        store: &dyn SecurityStore,
        auth: &Authentication,
    ) -> Result<EffectiveRole, ApiError> {
        let mut plain = auth.clone();
        plain.run_as = None;
        self.effective_role(store, &plain)
    }
}
