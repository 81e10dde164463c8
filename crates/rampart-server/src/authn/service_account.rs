//! Built-in service accounts (`elastic/fleet-server`, …), their role descriptors, and
//! service-account token authentication (`Authorization: Bearer <token>`).
//!
//! A token is base64 of the bytes `00 01 00 01` followed by `namespace/service/name:secret`,
//! the layout Elasticsearch uses, so tools that split tokens keep working. Only a salted hash
//! of the secret is stored (the secret has 128 random bits, see `api_key`).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use rampart_core::builtin::BuiltinRoles;
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use serde_json::{Value, json};

use super::api_key::verify_secret;
use super::identity::{Authentication, Credential, RealmRef, UserInfo};
use super::unauthorized;
use crate::error::ApiError;
use crate::state::{AppState, blocking};

/// The realm service-account authentications report.
pub const SERVICE_ACCOUNT_REALM: &str = "_service_account";
const MAGIC: [u8; 4] = [0, 1, 0, 1];

/// The built-in service accounts, sorted by name.
pub const ACCOUNTS: [&str; 4] = [
    "elastic/auto-ops",
    "elastic/fleet-server",
    "elastic/fleet-server-remote",
    "elastic/kibana",
];

/// The role descriptor of a built-in account, as data. `elastic/kibana` acts as the built-in
/// `kibana_system` role; the others are reduced versions of Elasticsearch's grants (the exact
/// descriptors are not part of the facts).
fn descriptor_json(account: &str) -> Option<Value> {
    Some(match account {
        "elastic/auto-ops" => json!({
            "cluster": ["monitor", "read_ilm", "read_slm"],
            "indices": [{"names": ["*"], "privileges": ["monitor", "view_index_metadata"],
                         "allow_restricted_indices": true}],
        }),
        "elastic/fleet-server" => json!({
            "cluster": ["monitor", "manage_own_api_key", "read_fleet_secrets"],
            "indices": [
                {"names": ["logs-*", "metrics-*", "traces-*", ".logs-endpoint.diagnostic.collection-*",
                           ".logs-endpoint.action.responses-*", ".logs-endpoint.heartbeat-*"],
                 "privileges": ["write", "create_index", "auto_configure"]},
                {"names": ["profiling-*"], "privileges": ["read", "write"]},
                {"names": ["traces-apm.sampled-*"], "privileges": ["read", "monitor", "maintenance"]},
                {"names": [".fleet-secrets*"], "privileges": ["read"], "allow_restricted_indices": true},
                {"names": [".fleet-actions*", ".fleet-agents*", ".fleet-artifacts*", ".fleet-enrollment-api-keys*",
                           ".fleet-policies*", ".fleet-policies-leader*", ".fleet-servers*",
                           ".fleet-fileds*"],
                 "privileges": ["read", "write", "monitor", "create_index", "auto_configure", "maintenance"],
                 "allow_restricted_indices": true},
            ],
            "applications": [{"application": "kibana-*", "privileges": ["reserved_fleet-setup"],
                              "resources": ["*"]}],
        }),
        "elastic/fleet-server-remote" => json!({
            "cluster": ["monitor"],
            "indices": [{"names": ["logs-*", "metrics-*", "traces-*"],
                         "privileges": ["write", "create_index", "auto_configure"]}],
        }),
        _ => return None,
    })
}

/// Whether `ns/service` is a built-in account.
pub fn exists(account: &str) -> bool {
    ACCOUNTS.contains(&account)
}

/// The role descriptor (named after the account) of a built-in account.
pub fn role_descriptor(builtin: &BuiltinRoles, account: &str) -> Option<RoleDescriptor> {
    if account == "elastic/kibana" {
        let mut r = builtin.get("kibana_system")?.clone();
        r.name = account.to_string();
        r.description = None;
        return Some(r);
    }
    let body = descriptor_json(account)?;
    match parse_role(account, &body, RoleContext::RoleApi) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::error!(account, error = %e, "built-in service account descriptor is invalid");
            None
        }
    }
}

/// `full_name` of an account's user.
pub fn full_name(account: &str) -> String {
    format!("Service account - {account}")
}

/// Encode a token's bearer value.
pub fn encode_token(account: &str, name: &str, secret: &str) -> String {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(format!("{account}/{name}:{secret}").as_bytes());
    STANDARD_NO_PAD.encode(bytes)
}

/// A decoded service token: (namespace, service, token name, secret).
pub struct Presented {
    pub namespace: String,
    pub service: String,
    pub name: String,
    pub secret: String,
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed.
        write!(f, "{}/{}/{}", self.namespace, self.service, self.name)
    }
}

/// Decode a bearer value if it is a service-account token.
pub fn decode_token(bearer: &str) -> Option<Presented> {
    let bytes = STANDARD_NO_PAD
        .decode(bearer.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(bearer))
        .ok()?;
    let rest = bytes.strip_prefix(&MAGIC)?;
    let text = std::str::from_utf8(rest).ok()?;
    let (qualified, secret) = text.split_once(':')?;
    let mut parts = qualified.split('/');
    let (Some(ns), Some(svc), Some(name), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(Presented {
        namespace: ns.to_string(),
        service: svc.to_string(),
        name: name.to_string(),
        secret: secret.to_string(),
    })
}

fn rejected() -> ApiError {
    unauthorized(
        "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    )
}

/// The authentication of an account's token.
pub fn authentication(account: &str, token_name: &str) -> Authentication {
    let realm = RealmRef::new(SERVICE_ACCOUNT_REALM, SERVICE_ACCOUNT_REALM);
    Authentication {
        user: UserInfo {
            username: account.to_string(),
            roles: Vec::new(),
            full_name: Some(full_name(account)),
            email: None,
            // ES marks service-account users so clients can tell them from realm users.
            metadata: std::iter::once((
                "_elastic_service_account".to_string(),
                serde_json::Value::Bool(true),
            ))
            .collect(),
            enabled: true,
        },
        authentication_realm: realm.clone(),
        lookup_realm: realm,
        run_as: None,
        credential: Credential::ServiceAccount {
            name: account.to_string(),
            token_name: token_name.to_string(),
            token_source: "index".into(),
        },
    }
}

/// Authenticate a service-account token.
pub(crate) async fn authenticate(
    state: &Arc<AppState>,
    token: Presented,
) -> Result<Authentication, ApiError> {
    let account = format!("{}/{}", token.namespace, token.service);
    if !exists(&account) {
        return Err(rejected());
    }
    let st = Arc::clone(state);
    let (ns, svc, name) = (
        token.namespace.clone(),
        token.service.clone(),
        token.name.clone(),
    );
    let rec = blocking(move || {
        st.store
            .get_service_token(&ns, &svc, &name)
            .map_err(ApiError::internal)
    })
    .await?
    .ok_or_else(rejected)?;
    if !verify_secret(&token.secret, &rec.hash) {
        return Err(rejected());
    }
    Ok(authentication(&account, &token.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_parse_and_tokens_round_trip() {
        let builtin = BuiltinRoles::load().unwrap();
        for a in ACCOUNTS {
            assert!(role_descriptor(&builtin, a).is_some(), "{a}");
        }
        let t = encode_token("elastic/fleet-server", "token1", "s3cr3t");
        assert!(t.starts_with("AAEAAW"));
        let p = decode_token(&t).unwrap();
        assert_eq!(
            (p.namespace.as_str(), p.service.as_str(), p.name.as_str()),
            ("elastic", "fleet-server", "token1")
        );
        assert_eq!(p.secret, "s3cr3t");
        assert!(decode_token(&super::super::token::generate()).is_none());
    }
}
