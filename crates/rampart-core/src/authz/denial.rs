//! Why something was denied: the facts of the refusal, kept compact when decided. The exact
//! Elasticsearch 403 message and the privileges that would grant are derived from them on
//! first use (the HTTP layer renders the message; most internal callers only branch on it).

use std::sync::OnceLock;

use serde::Serialize;
use serde::ser::SerializeMap;
use smallvec::SmallVec;

use super::EffectiveRole;
use super::message;
use super::subject::{Authentication, Subject};
use crate::error::EsError;
use crate::permission::{
    CompileError, cluster_privileges_granting, granting_tables_ready, index_privileges_granting,
};

/// Short text kept inline (action, user and index names are short): a denial costs one
/// allocation, its box, however many names it carries.
#[derive(Clone, PartialEq, Eq)]
struct Text(SmallVec<[u8; 32]>);

impl Text {
    fn new(s: &str) -> Self {
        Text(SmallVec::from_slice(s.as_bytes()))
    }

    fn as_str(&self) -> &str {
        // Always built from a `&str`, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

type Names = SmallVec<[Text; 1]>;

/// Which message family, and what its suffix depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DenialKind {
    /// No "granted by" suffix (a cluster check of an action that is not a cluster action).
    Unsuffixed,
    /// Suffix: the cluster privileges granting the action; `conditional_ok` says whether the
    /// request met `manage_own_api_key`'s condition.
    Cluster { conditional_ok: bool },
    /// Suffix: the index privileges granting the action (and with the `::failures` selector).
    Index { failures: bool },
    /// The run-as message (section 12.3).
    RunAs { target: Box<str> },
}

impl<'a> Facts<'a> {
    fn plain(action: &'a str, kind: DenialKind) -> Self {
        Facts {
            action,
            kind,
            indices: &[],
            restricted: &[],
            with_run_as: true,
        }
    }
}

/// Why something was denied.
#[derive(Debug, Clone)]
pub struct Denial {
    action: Text,
    /// The user as the message names it (the owner for an API key).
    user: Text,
    authentication: Authentication,
    run_as: Option<String>,
    /// Whose role names the message lists (`None` when the subject kind shows none).
    roles: Option<EffectiveRole>,
    kind: DenialKind,
    indices: Names,
    restricted_indices: Names,
    message: OnceLock<String>,
}

/// What a denial is about, beyond the subject.
struct Facts<'a> {
    action: &'a str,
    kind: DenialKind,
    indices: &'a [&'a str],
    restricted: &'a [&'a str],
    /// Whether the message mentions the subject's run-as target.
    with_run_as: bool,
}

impl Denial {
    /// Built in one expression straight into its box: a denial is large, and moving it
    /// around would cost more than filling it.
    fn boxed(subject: &Subject, role: &EffectiveRole, facts: Facts<'_>) -> Box<Self> {
        Box::new(Denial {
            action: Text::new(facts.action),
            user: Text::new(&subject.user),
            authentication: subject.authentication.clone(),
            run_as: subject.run_as.clone().filter(|_| facts.with_run_as),
            roles: subject.shows_roles().then(|| role.clone()),
            kind: facts.kind,
            indices: facts.indices.iter().map(|n| Text::new(n)).collect(),
            restricted_indices: facts.restricted.iter().map(|n| Text::new(n)).collect(),
            message: OnceLock::new(),
        })
    }

    /// A cluster action refused; `conditional_ok` as for [`cluster_privileges_granting`].
    pub(crate) fn cluster(
        subject: &Subject,
        role: &EffectiveRole,
        action: &str,
        conditional_ok: bool,
    ) -> Result<Box<Self>, CompileError> {
        // The only way rendering could fail later is a broken privilege table: fail now.
        granting_tables_ready()?;
        let kind = DenialKind::Cluster { conditional_ok };
        Ok(Self::boxed(subject, role, Facts::plain(action, kind)))
    }

    /// A cluster check of something that is not a cluster action (no suffix).
    pub(crate) fn not_cluster(subject: &Subject, role: &EffectiveRole, action: &str) -> Box<Self> {
        Self::boxed(subject, role, Facts::plain(action, DenialKind::Unsuffixed))
    }

    /// An index action refused on these names (split into plain and restricted).
    pub(crate) fn index(
        subject: &Subject,
        role: &EffectiveRole,
        action: &str,
        indices: &[&str],
        restricted: &[&str],
        failures: bool,
    ) -> Result<Box<Self>, CompileError> {
        granting_tables_ready()?;
        let facts = Facts {
            indices,
            restricted,
            ..Facts::plain(action, DenialKind::Index { failures })
        };
        Ok(Self::boxed(subject, role, facts))
    }

    /// Running as `target` refused; `subject` and `authenticating` are the authenticating
    /// user and its role (the message never names the target or its roles).
    pub(crate) fn run_as(
        subject: &Subject,
        authenticating: &EffectiveRole,
        action: &str,
        target: &str,
    ) -> Box<Self> {
        let kind = DenialKind::RunAs {
            target: target.into(),
        };
        let facts = Facts {
            with_run_as: false,
            ..Facts::plain(action, kind)
        };
        Self::boxed(subject, authenticating, facts)
    }

    pub fn action(&self) -> &str {
        self.action.as_str()
    }

    /// The exact Elasticsearch 403 `reason` (rendered on first call).
    pub fn message(&self) -> &str {
        self.message.get_or_init(|| self.render_message())
    }

    /// Privileges that would grant the action, least first (the message's suffix).
    pub fn granted_by(&self) -> Vec<&'static str> {
        // The privilege tables were checked when the denial was decided: these cannot fail.
        match &self.kind {
            DenialKind::Unsuffixed | DenialKind::RunAs { .. } => Vec::new(),
            DenialKind::Cluster { conditional_ok } => {
                cluster_privileges_granting(self.action(), *conditional_ok).unwrap_or_default()
            }
            DenialKind::Index { .. } => {
                index_privileges_granting(self.action(), false).unwrap_or_default()
            }
        }
    }

    /// Requested names that lacked permission (index actions).
    pub fn indices(&self) -> Vec<&str> {
        self.indices.iter().map(Text::as_str).collect()
    }

    /// Requested restricted (system) names that lacked permission (index actions).
    pub fn restricted_indices(&self) -> Vec<&str> {
        self.restricted_indices.iter().map(Text::as_str).collect()
    }

    /// The subject as the message names it (realm fields are never shown).
    fn who(&self) -> Subject {
        Subject {
            user: self.user.as_str().to_string(),
            run_as: self.run_as.clone(),
            authentication: self.authentication.clone(),
            realm_name: String::new(),
            realm_type: String::new(),
        }
    }

    fn render_message(&self) -> String {
        let action = self.action();
        let roles = self.roles.as_ref();
        let who = self.who();
        match &self.kind {
            DenialKind::RunAs { target } => message::run_as_denied(action, &who, roles, target),
            DenialKind::Unsuffixed => message::action_denied(action, &who, roles, "", ""),
            DenialKind::Cluster { .. } => {
                let suffix = message::granted_by_part("cluster", &self.granted_by());
                message::action_denied(action, &who, roles, "", &suffix)
            }
            DenialKind::Index { failures } => {
                let context = message::indices_context(&self.indices(), &self.restricted_indices());
                let data = self.granted_by();
                let failure = if *failures {
                    index_privileges_granting(action, true).unwrap_or_default()
                } else {
                    Vec::new()
                };
                let suffix = message::index_suffix(&data, &failure);
                message::action_denied(action, &who, roles, &context, &suffix)
            }
        }
    }

    /// The denial's fields in an already open map (shared with [`super::Decision`]'s shape).
    pub(crate) fn serialize_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry("action", self.action())?;
        map.serialize_entry("message", self.message())?;
        map.serialize_entry("granted_by", &self.granted_by())?;
        map.serialize_entry("indices", &self.indices())?;
        map.serialize_entry("restricted_indices", &self.restricted_indices())
    }
}

impl PartialEq for Denial {
    fn eq(&self, other: &Self) -> bool {
        self.action == other.action
            && self.message() == other.message()
            && self.granted_by() == other.granted_by()
            && self.indices == other.indices
            && self.restricted_indices == other.restricted_indices
    }
}

impl Serialize for Denial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(5))?;
        self.serialize_fields(&mut map)?;
        map.end()
    }
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Denial {}

impl EsError for Denial {
    fn es_type(&self) -> &'static str {
        "security_exception"
    }
    fn status(&self) -> u16 {
        403
    }
}
