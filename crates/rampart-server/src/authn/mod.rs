//! Authentication: the `Authorization` header (Basic, ApiKey, Bearer) against the realm chain
//! (reserved, file, native), API keys and tokens; then `es-security-runas-user`.
//!
//! Failures are ES's 401s with `WWW-Authenticate`. Secrets are compared in constant time and
//! never logged. Successful password checks are cached (keyed by a salted digest of the
//! password, never the password) because bcrypt is deliberately slow.

pub mod api_key;
mod basic;
mod cache;
pub mod file_realm;
mod identity;
pub mod password;
pub mod service_account;
pub mod token;

pub use file_realm::FileRealm;
pub use identity::{ApiKeyIdentity, Authentication, Credential, RealmRef, UserInfo};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::ApiError;
use crate::http::Req;
use crate::revision_cache::RevisionCache;
use crate::state::AppState;
use cache::AuthCache;
use password::Algorithm;

/// The `WWW-Authenticate` challenges, in ES's order.
pub const CHALLENGES: [&str; 3] = [
    "Basic realm=\"security\", charset=\"UTF-8\"",
    "Bearer realm=\"security\"",
    "ApiKey",
];

/// A 401 with ES's challenges.
pub fn unauthorized(reason: impl Into<String>) -> ApiError {
    let mut e = ApiError::new(401, "security_exception", reason);
    e.authenticate = CHALLENGES.iter().map(|s| s.to_string()).collect();
    e
}

/// Realm names of this node.
pub const RESERVED_REALM: (&str, &str) = ("reserved", "reserved");
pub const FILE_REALM: (&str, &str) = ("default_file", "file");
pub const NATIVE_REALM: (&str, &str) = ("default_native", "native");

/// The authenticator and its settings.
#[derive(Debug)]
pub struct Authenticator {
    pub algorithm: Algorithm,
    cache: AuthCache,
    pub run_as_enabled: bool,
    /// Parsed identities of recently used API keys.
    pub api_keys: api_key::KeyCache,
    /// Store lookups of the realm chain, per store revision.
    pub(crate) reserved_cache: RevisionCache<String, Option<rampart_store::ReservedUserState>>,
    pub(crate) native_cache: RevisionCache<String, Option<rampart_store::UserRecord>>,
}

/// Parsed `Authorization` header.
enum Presented {
    Basic { username: String, password: String },
    ApiKey { id: String, secret: String },
    Bearer(String),
}

fn parse_authorization(value: &str) -> Option<Presented> {
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    // `name:secret`, decoded; the name keeps the decoded buffer (one allocation fewer).
    let pair = || -> Option<(String, String)> {
        let mut text = String::from_utf8(STANDARD.decode(rest).ok()?).ok()?;
        let colon = text.find(':')?;
        let secret = text.get(colon + 1..)?.to_string();
        text.truncate(colon);
        Some((text, secret))
    };
    if scheme.eq_ignore_ascii_case("basic") {
        let (username, password) = pair()?;
        Some(Presented::Basic { username, password })
    } else if scheme.eq_ignore_ascii_case("apikey") {
        let (id, secret) = pair()?;
        Some(Presented::ApiKey { id, secret })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Some(Presented::Bearer(rest.to_string()))
    } else {
        None
    }
}

impl Authenticator {
    pub fn new(algorithm: Algorithm, run_as_enabled: bool) -> Self {
        Authenticator {
            algorithm,
            cache: AuthCache::new(),
            run_as_enabled,
            api_keys: api_key::KeyCache::default(),
            reserved_cache: RevisionCache::default(),
            native_cache: RevisionCache::default(),
        }
    }

    /// Forget cached successful authentications (password or user changes).
    pub fn clear_cache(&self) {
        self.cache.clear();
    }

    /// Authenticate a username and password through the realm chain (token and API-key
    /// grants), without run-as.
    pub async fn authenticate_password(
        &self,
        state: &std::sync::Arc<AppState>,
        username: &str,
        password: &str,
        uri: &str,
    ) -> Result<Authentication, ApiError> {
        basic::authenticate(state, &self.cache, username, password, uri).await
    }

    /// Look a user up without credentials (the `run_as` of API-key grants).
    pub async fn lookup_user(
        &self,
        state: &std::sync::Arc<AppState>,
        username: &str,
    ) -> Result<Option<(UserInfo, RealmRef)>, ApiError> {
        basic::lookup(state, username).await
    }

    /// Authenticate a request, including run-as resolution.
    pub async fn authenticate(
        &self,
        state: &std::sync::Arc<AppState>,
        req: &Req,
    ) -> Result<Authentication, ApiError> {
        let Some(header) = req.header("authorization") else {
            if req.headers.contains_key("authorization") {
                return Err(unauthorized(
                    "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
                ));
            }
            return Err(unauthorized(format!(
                "missing authentication credentials for REST request [{}]",
                req.uri
            )));
        };
        let presented = parse_authorization(header).ok_or_else(|| {
            unauthorized("unable to authenticate with provided credentials and anonymous access is not allowed for this request")
        })?;
        let mut auth = match presented {
            Presented::Basic { username, password } => {
                basic::authenticate(state, &self.cache, &username, &password, &req.uri).await?
            }
            // The other schemes' futures are boxed: an async fn is as large as its largest
            // await point, and the whole request future is moved into axum's box per request.
            Presented::ApiKey { id, secret } => {
                Box::pin(api_key::authenticate(state, &self.api_keys, &id, &secret)).await?
            }
            Presented::Bearer(bearer) => match service_account::decode_token(&bearer) {
                Some(t) => Box::pin(service_account::authenticate(state, t)).await?,
                None => Box::pin(token::authenticate(state, &bearer)).await?,
            },
        };
        if let Some(target) = req.header("es-security-runas-user") {
            if self.run_as_enabled
                && matches!(
                    auth.credential,
                    Credential::Password | Credential::Token | Credential::ApiKey(_)
                )
            {
                if target.is_empty() {
                    state.audit.run_as_denied(&auth, "", req);
                    return Err(unauthorized(format!(
                        "unable to authenticate user [{}] for REST request [{}]",
                        auth.user.username, req.uri
                    )));
                }
                let (user, realm) = Box::pin(basic::lookup(state, target))
                    .await?
                    .unwrap_or_else(|| {
                        (
                            UserInfo {
                                username: target.to_string(),
                                ..Default::default()
                            },
                            RealmRef::new("__anonymous", "__anonymous"),
                        )
                    });
                auth.lookup_realm = realm;
                auth.run_as = Some(user);
            }
        }
        state.audit.authentication_success(&auth, req);
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(value: &str) -> Option<(String, String)> {
        match parse_authorization(value)? {
            Presented::Basic { username, password } => Some((username, password)),
            _ => None,
        }
    }

    #[test]
    fn basic_credentials_split_at_the_first_colon() {
        let encoded = STANDARD.encode("alice:pa:ss");
        let want = Some(("alice".to_string(), "pa:ss".to_string()));
        assert_eq!(basic(&format!("Basic {encoded}")), want);
        assert_eq!(basic(&format!("bAsIc  {encoded} ")), want);
        assert_eq!(basic(&format!("Basic {}", STANDARD.encode("alice"))), None);
        assert_eq!(
            basic(&format!("Basic {}", STANDARD.encode(":"))),
            Some((String::new(), String::new()))
        );
        assert_eq!(basic("Basic %%%"), None);
        assert!(parse_authorization("Digest x").is_none());
    }

    #[test]
    fn api_keys_and_bearer_tokens_are_recognised() {
        let key = format!("apikey {}", STANDARD.encode("id:secret"));
        assert!(matches!(
            parse_authorization(&key),
            Some(Presented::ApiKey { id, secret }) if id == "id" && secret == "secret"
        ));
        assert!(matches!(
            parse_authorization("Bearer tok "),
            Some(Presented::Bearer(t)) if t == "tok"
        ));
    }
}
