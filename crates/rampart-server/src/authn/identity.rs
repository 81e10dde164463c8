//! Who a request is from, as authentication establishes it.

use rampart_core::authz::{Authentication as AuthKind, Subject};
use rampart_core::role::RoleDescriptor;
use serde_json::{Map, Value, json};

/// A user as realms know it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserInfo {
    pub username: String,
    pub roles: Vec<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Map<String, Value>,
    pub enabled: bool,
}

impl UserInfo {
    /// The user object of `_authenticate` and the user APIs.
    pub fn to_json(&self) -> Value {
        json!({
            "username": self.username,
            "roles": self.roles,
            "full_name": self.full_name,
            "email": self.email,
            "metadata": self.metadata,
            "enabled": self.enabled,
        })
    }
}

/// A realm reference: name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmRef {
    pub name: String,
    pub realm_type: String,
}

impl RealmRef {
    pub fn new(name: &str, realm_type: &str) -> Self {
        RealmRef {
            name: name.to_string(),
            realm_type: realm_type.to_string(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "type": self.realm_type})
    }
}

/// The API key a request authenticated with.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyIdentity {
    pub id: String,
    pub name: Option<String>,
    /// The key's own role descriptors (empty: the owner's snapshot applies unchanged).
    pub role_descriptors: Vec<RoleDescriptor>,
    /// The owner's role descriptors captured when the key was created or last updated.
    pub limited_by: Vec<RoleDescriptor>,
    pub key_type: String,
}

/// How the request authenticated.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    Password,
    Token,
    ApiKey(ApiKeyIdentity),
    ServiceAccount {
        name: String,
        token_name: String,
        token_source: String,
    },
    Anonymous,
}

/// An authenticated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Authentication {
    /// The authenticating user (the owner of an API key).
    pub user: UserInfo,
    pub authentication_realm: RealmRef,
    /// The realm of the effective user (equals `authentication_realm` without run-as).
    pub lookup_realm: RealmRef,
    /// The effective user when running as someone else.
    pub run_as: Option<UserInfo>,
    pub credential: Credential,
}

impl Authentication {
    /// The user whose roles apply.
    pub fn effective_user(&self) -> &UserInfo {
        self.run_as.as_ref().unwrap_or(&self.user)
    }

    /// `authentication_type` of `_authenticate`.
    pub fn authentication_type(&self) -> &'static str {
        match self.credential {
            Credential::Password => "realm",
            Credential::Token => "token",
            Credential::ApiKey(_) => "api_key",
            Credential::ServiceAccount { .. } => "token",
            Credential::Anonymous => "anonymous",
        }
    }

    /// The engine's view of the subject.
    pub fn subject(&self) -> Subject {
        let authentication = match &self.credential {
            Credential::Password => AuthKind::Realm,
            Credential::Token => AuthKind::Token,
            Credential::ApiKey(k) => AuthKind::ApiKey { id: k.id.clone() },
            Credential::ServiceAccount { name, .. } => {
                AuthKind::ServiceAccount { name: name.clone() }
            }
            Credential::Anonymous => AuthKind::Anonymous,
        };
        Subject {
            user: self.user.username.clone(),
            run_as: self.run_as.as_ref().map(|u| u.username.clone()),
            authentication,
            realm_name: self.lookup_realm.name.clone(),
            realm_type: self.lookup_realm.realm_type.clone(),
        }
    }
}
