//! `xpack.security.enabled: false`: the node serves every route without authentication or
//! authorization, as Elasticsearch does when security is off. The `_security` APIs are not
//! registered at all (Elasticsearch's security plugin registers no REST handlers then), so
//! they answer the router's `no handler found for uri [..] and method [..]` 400.
//!
//! Handlers still receive a [`Ctx`]: its subject is a fixed internal user and its role grants
//! everything (every index, restricted ones included), so no handler needs a second code path
//! and no document restriction can apply.

use std::sync::{Arc, OnceLock};

use rampart_core::authz::EffectiveRole;
use rampart_core::permission::Permission;
use rampart_core::role::{RoleContext, parse_role};
use serde_json::json;

use crate::authn::{Authentication, Credential, RealmRef, UserInfo};
use crate::error::ApiError;
use crate::routes::Ctx;
use crate::settings::{Settings, SettingsError};
use crate::state::SharedState;

/// The setting, as Elasticsearch names it.
pub const SECURITY_ENABLED: &str = "xpack.security.enabled";

/// The user name handlers see on a node with security disabled (scroll owners, logs).
pub const UNSECURED_USER: &str = "_xpack_security_disabled";

/// Whether security is on (the default).
pub fn security_enabled(settings: &Settings) -> Result<bool, SettingsError> {
    settings.get_bool(SECURITY_ENABLED, true)
}

/// Whether a route exists on a node with security disabled: everything but `_security`.
pub fn route_exists(path: &str) -> bool {
    !(path == "/_security" || path.starts_with("/_security/"))
}

/// The handler context of every request on a node with security disabled.
pub fn context(state: &SharedState, action: &'static str) -> Result<Ctx, ApiError> {
    let auth = Authentication {
        user: UserInfo {
            username: UNSECURED_USER.into(),
            enabled: true,
            ..UserInfo::default()
        },
        authentication_realm: RealmRef::new("__attach", "__attach"),
        lookup_realm: RealmRef::new("__attach", "__attach"),
        run_as: None,
        credential: Credential::Anonymous,
    };
    Ok(Ctx {
        state: Arc::clone(state),
        subject: auth.subject(),
        auth,
        role: EffectiveRole::plain(everything(state)?),
        action,
    })
}

/// A permission granting every action on every index and application, compiled once.
fn everything(state: &SharedState) -> Result<Arc<Permission>, ApiError> {
    static EVERYTHING: OnceLock<Arc<Permission>> = OnceLock::new();
    if let Some(p) = EVERYTHING.get() {
        return Ok(Arc::clone(p));
    }
    let body = json!({
        "cluster": ["all"],
        "indices": [{"names": ["*"], "privileges": ["all"], "allow_restricted_indices": true}],
        "applications": [{"application": "*", "privileges": ["*"], "resources": ["*"]}],
    });
    let role = parse_role("_security_disabled", &body, RoleContext::File).map_err(|e| {
        tracing::error!(error = %e, "cannot build the security-disabled role");
        ApiError::internal("cannot build the security-disabled role")
    })?;
    let compiled = state
        .security
        .permission_of(state.store.as_ref(), &[role])?;
    Ok(Arc::clone(EVERYTHING.get_or_init(|| compiled)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_security_paths_disappear() {
        assert!(!route_exists("/_security/user"));
        assert!(!route_exists("/_security"));
        assert!(route_exists("/_securityx"));
        assert!(route_exists("/{index}/_search"));
        assert!(route_exists("/"));
    }

    #[test]
    fn the_setting_defaults_to_enabled_and_rejects_garbage() {
        let mut s = Settings::default();
        assert_eq!(security_enabled(&s), Ok(true));
        s.set(SECURITY_ENABLED, "false");
        assert_eq!(security_enabled(&s), Ok(false));
        s.set(SECURITY_ENABLED, "nope");
        assert!(security_enabled(&s).is_err());
    }
}
