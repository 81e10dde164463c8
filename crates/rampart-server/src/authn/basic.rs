//! Username/password authentication through the realm chain: reserved, file, native.

use std::sync::Arc;

use rampart_core::builtin::reserved_users;

use super::cache::{AuthCache, Inputs};
use super::identity::{Authentication, Credential, RealmRef, UserInfo};
use super::{NATIVE_REALM, RESERVED_REALM, password, unauthorized};
use crate::error::ApiError;
use crate::state::{AppState, blocking, read_inline};

/// A user found by some realm, with its password hash.
struct Found {
    user: UserInfo,
    realm: RealmRef,
    hash: Option<String>,
}

/// The reserved users, parsed once.
static RESERVED: std::sync::LazyLock<Vec<rampart_core::builtin::ReservedUser>> =
    std::sync::LazyLock::new(|| reserved_users().unwrap_or_default());

fn reserved_info(name: &str) -> Option<UserInfo> {
    let u = RESERVED.iter().find(|u| u.username == name)?.clone();
    Some(UserInfo {
        username: u.username,
        roles: u.roles,
        full_name: u.full_name,
        email: u.email,
        metadata: u.metadata,
        enabled: u.enabled,
    })
}

/// Find a user by name in the realm chain (reserved, file, native).
fn find(state: &AppState, username: &str) -> Result<Option<Found>, ApiError> {
    let revision = state.store.revision().map_err(ApiError::internal)?;
    let key = username.to_string();
    if let Some(mut user) = reserved_info(username) {
        let st = state
            .authn
            .reserved_cache
            .get_or_load(&key, revision, || state.store.get_reserved_user(username))
            .map_err(ApiError::internal)?;
        if let Some(st) = &st {
            user.enabled = st.enabled;
        }
        return Ok(Some(Found {
            user,
            realm: RealmRef::new(RESERVED_REALM.0, RESERVED_REALM.1),
            hash: st.and_then(|s| s.password_hash),
        }));
    }
    if let Some((user, hash)) = state.file_realm.lookup(username) {
        return Ok(Some(Found {
            user,
            realm: RealmRef::new(super::FILE_REALM.0, super::FILE_REALM.1),
            hash: Some(hash),
        }));
    }
    let native = state
        .authn
        .native_cache
        .get_or_load(&key, revision, || state.store.get_user(username))
        .map_err(ApiError::internal)?;
    if let Some(rec) = native {
        let user = UserInfo {
            username: rec.username,
            roles: rec.roles,
            full_name: rec.full_name,
            email: rec.email,
            metadata: rec.metadata,
            enabled: rec.enabled,
        };
        return Ok(Some(Found {
            user,
            realm: RealmRef::new(NATIVE_REALM.0, NATIVE_REALM.1),
            hash: Some(rec.password_hash),
        }));
    }
    Ok(None)
}

/// Look a user up without credentials (run-as targets).
pub(crate) async fn lookup(
    state: &Arc<AppState>,
    username: &str,
) -> Result<Option<(UserInfo, RealmRef)>, ApiError> {
    let st = Arc::clone(state);
    let name = username.to_string();
    read_inline(move || Ok(find(&st, &name)?.map(|f| (f.user, f.realm))))
}

/// Authenticate a username and password.
pub(crate) async fn authenticate(
    state: &Arc<AppState>,
    cache: &AuthCache,
    username: &str,
    pass: &str,
    uri: &str,
) -> Result<Authentication, ApiError> {
    // What the realm chain's answer depends on, read before the chain runs: if either
    // changes meanwhile, what is remembered below is already stale and never used.
    let inputs = Inputs {
        revision: state.store.revision().map_err(ApiError::internal)?,
        file_generation: state.file_realm.generation(),
    };
    if let Some(auth) = cache.get(username, pass, inputs) {
        return Ok(auth);
    }
    let st = Arc::clone(state);
    let name = username.to_string();
    let found = read_inline(move || find(&st, &name))?;
    let fail = || {
        unauthorized(format!(
            "unable to authenticate user [{username}] for REST request [{uri}]"
        ))
    };
    let Some(found) = found else {
        return Err(fail());
    };
    let Some(hash) = found.hash.filter(|h| !h.is_empty()) else {
        return Err(fail());
    };
    if !found.user.enabled {
        return Err(fail());
    }
    let (p, h) = (pass.to_string(), hash);
    let ok = blocking(move || Ok(password::verify(&p, &h))).await?;
    if !ok {
        return Err(fail());
    }
    let auth = Authentication {
        user: found.user,
        authentication_realm: found.realm.clone(),
        lookup_realm: found.realm,
        run_as: None,
        credential: Credential::Password,
    };
    cache.remember(username, pass, inputs, &auth);
    Ok(auth)
}
