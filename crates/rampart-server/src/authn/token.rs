//! OAuth2 access and refresh tokens: generation, hashing, and `Authorization: Bearer`
//! authentication.
//!
//! Tokens are 256 random bits; the store keeps only their SHA-256 (unsalted, because the store
//! looks tokens up by hash, and a salt adds nothing for values of that entropy). The stored
//! record carries the authentication the token stands for, so a token keeps working with the
//! user and realm it was issued for.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::identity::{Authentication, Credential, RealmRef, UserInfo};
use super::unauthorized;
use crate::error::ApiError;
use crate::state::{AppState, blocking};

/// Lifetime of access tokens, as Elasticsearch's default (`xpack.security.authc.token.timeout`).
pub const ACCESS_TOKEN_LIFETIME_SECS: i64 = 20 * 60;
/// Refresh tokens live for a day, as in Elasticsearch.
pub const REFRESH_TOKEN_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// A new random token (never starts like a service-account token, see `service_account`).
pub fn generate() -> String {
    let mut buf = [0u8; 33];
    rand::fill(&mut buf);
    // A leading 0x02 version byte keeps OAuth tokens apart from service-account tokens,
    // whose decoded form starts with 0x00.
    if let Some(first) = buf.first_mut() {
        *first = 0x02;
    }
    URL_SAFE_NO_PAD.encode(buf)
}

/// The lookup hash of a token.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The authentication a token record carries.
pub fn authentication_to_json(auth: &Authentication) -> Value {
    let u = auth.effective_user();
    let mut out = json!({
        "user": {
            "username": u.username,
            "roles": u.roles,
            "full_name": u.full_name,
            "email": u.email,
            "metadata": u.metadata,
            "enabled": u.enabled,
        },
        "authentication_realm": auth.authentication_realm.to_json(),
        "lookup_realm": auth.lookup_realm.to_json(),
    });
    // A token minted by a service account (client_credentials) keeps standing for that
    // account and its token: its permissions are the account's, never stored roles.
    if let Credential::ServiceAccount {
        name,
        token_name,
        token_source,
    } = &auth.credential
    {
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "service_account".into(),
                json!({"name": name, "token_name": token_name, "token_source": token_source}),
            );
        }
    }
    out
}

fn realm_from(v: Option<&Value>) -> Option<RealmRef> {
    let v = v?;
    Some(RealmRef::new(
        v.get("name")?.as_str()?,
        v.get("type")?.as_str()?,
    ))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

/// Rebuild the authentication stored with a token.
pub fn authentication_from_json(v: &Value) -> Option<Authentication> {
    let user = v.get("user")?;
    let info = UserInfo {
        username: text(user, "username")?,
        roles: user
            .get("roles")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        full_name: text(user, "full_name"),
        email: text(user, "email"),
        metadata: user
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(Map::new),
        enabled: user.get("enabled").and_then(Value::as_bool).unwrap_or(true),
    };
    let authentication_realm = realm_from(v.get("authentication_realm"))?;
    let lookup_realm =
        realm_from(v.get("lookup_realm")).unwrap_or_else(|| authentication_realm.clone());
    let credential = match v.get("service_account") {
        Some(sa) => Credential::ServiceAccount {
            name: text(sa, "name")?,
            token_name: text(sa, "token_name")?,
            token_source: text(sa, "token_source")?,
        },
        None => Credential::Token,
    };
    Some(Authentication {
        user: info,
        authentication_realm,
        lookup_realm,
        run_as: None,
        credential,
    })
}

fn rejected() -> ApiError {
    unauthorized(
        "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    )
}

/// Authenticate a Bearer access token.
pub(crate) async fn authenticate(
    state: &Arc<AppState>,
    token: &str,
) -> Result<Authentication, ApiError> {
    let st = Arc::clone(state);
    let h = hash(token);
    let rec = blocking(move || st.store.get_token_by_access(&h).map_err(ApiError::internal))
        .await?
        .ok_or_else(rejected)?;
    let now = chrono::Utc::now().timestamp_millis();
    if rec.invalidated {
        return Err(rejected());
    }
    if rec.expiration_ms <= now {
        let mut e = unauthorized("token expired");
        e.authenticate = vec![
            "Bearer realm=\"security\", error=\"invalid_token\", error_description=\"The access token expired\"".into(),
        ];
        return Err(e);
    }
    authentication_from_json(&rec.authentication).ok_or_else(|| {
        tracing::warn!("stored token authentication is unreadable");
        rejected()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_round_trip() {
        let auth = Authentication {
            user: UserInfo {
                username: "joe".into(),
                roles: vec!["r".into()],
                enabled: true,
                ..Default::default()
            },
            authentication_realm: RealmRef::new("default_native", "native"),
            lookup_realm: RealmRef::new("default_native", "native"),
            run_as: None,
            credential: Credential::Token,
        };
        let back = authentication_from_json(&authentication_to_json(&auth));
        assert_eq!(back, Some(auth));
        assert_ne!(generate(), generate());
        assert_eq!(hash("a").len(), 64);
    }

    #[test]
    fn service_account_tokens_keep_their_account() {
        let auth = crate::authn::service_account::authentication("elastic/kibana", "t1");
        let back = authentication_from_json(&authentication_to_json(&auth)).unwrap();
        assert_eq!(back.credential, auth.credential);
        assert_eq!(back.user.username, "elastic/kibana");
        assert_eq!(back.user.metadata, auth.user.metadata);
    }
}
