//! Who is asking: the authenticated subject as the decision layer needs it (messages,
//! same-user rules, API-key ownership).

use serde::Serialize;

/// How the subject authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Authentication {
    /// A realm user with credentials (Basic, file/native/reserved realm).
    Realm,
    /// An OAuth2 access token.
    Token,
    /// An API key; `owner` is [`Subject::user`].
    ApiKey { id: String },
    /// A service account token (`namespace/service`).
    ServiceAccount { name: String },
    /// The anonymous user.
    Anonymous,
}

/// The authenticated subject of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// The authenticating principal (the owner for API keys).
    pub user: String,
    /// The effective principal when running as another user.
    pub run_as: Option<String>,
    pub authentication: Authentication,
    /// Realm name and type of the effective user (the lookup realm under run-as).
    pub realm_name: String,
    pub realm_type: String,
}

impl Subject {
    /// A realm user of a given realm.
    pub fn user(name: impl Into<String>, realm_name: &str, realm_type: &str) -> Self {
        Subject {
            user: name.into(),
            run_as: None,
            authentication: Authentication::Realm,
            realm_name: realm_name.to_string(),
            realm_type: realm_type.to_string(),
        }
    }

    /// An API key owned by `owner` of the given realm.
    pub fn api_key(
        id: impl Into<String>,
        owner: impl Into<String>,
        realm_name: &str,
        realm_type: &str,
    ) -> Self {
        Subject {
            user: owner.into(),
            run_as: None,
            authentication: Authentication::ApiKey { id: id.into() },
            realm_name: realm_name.to_string(),
            realm_type: realm_type.to_string(),
        }
    }

    /// The same subject running as `target`.
    pub fn running_as(
        mut self,
        target: impl Into<String>,
        realm_name: &str,
        realm_type: &str,
    ) -> Self {
        self.run_as = Some(target.into());
        self.realm_name = realm_name.to_string();
        self.realm_type = realm_type.to_string();
        self
    }

    /// The principal whose roles apply (run-as target, else the user).
    pub fn effective_user(&self) -> &str {
        self.run_as.as_deref().unwrap_or(&self.user)
    }

    /// The API key id, when authenticated with one.
    pub fn api_key_id(&self) -> Option<&str> {
        match &self.authentication {
            Authentication::ApiKey { id } => Some(id),
            _ => None,
        }
    }

    /// `<who>` of a denial message.
    pub(crate) fn describe(&self) -> String {
        match &self.authentication {
            Authentication::ApiKey { id } => format!("API key id [{id}] of user [{}]", self.user),
            Authentication::ServiceAccount { name } => format!("service account [{name}]"),
            _ => format!("user [{}]", self.user),
        }
    }

    /// Whether role names appear in denial messages (only when the effective subject is a user).
    pub(crate) fn shows_roles(&self) -> bool {
        !matches!(
            self.authentication,
            Authentication::ApiKey { .. } | Authentication::ServiceAccount { .. }
        )
    }
}
