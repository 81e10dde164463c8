//! Decisions: cluster, index, run-as and application checks against a compiled permission,
//! returning values with reasons or Elasticsearch's exact denial messages.

mod application;
mod cluster;
mod decision;
mod denial;
mod expression;
mod global;
mod grants;
mod index;
mod message;
mod remote;
mod run_as;
mod subject;

use std::sync::Arc;

pub use application::ApplicationCheck;
pub use cluster::{ApiKeyOperation, ApiKeyRequest, ClusterRequest, RoleManageRequest};
pub use decision::{Decision, DocumentAccess, FieldAccess, IndexAccess, IndexDecision, Reason};
pub use denial::Denial;
pub use expression::{ExpressionDecision, ExpressionError, NameChecker};
pub use index::{IndexLookup, IndexRequest, NoIndexMetadata};
pub use remote::{RemoteAccess, RemoteDecision};
pub use subject::{Authentication, Subject};

use crate::permission::Permission;

/// The permission a request is authorized against: a plain role set, or for an API key with
/// role descriptors, the key's role limited by its owner's (both must allow).
#[derive(Debug, Clone)]
pub enum EffectiveRole {
    Plain(Arc<Permission>),
    Limited {
        assigned: Arc<Permission>,
        limited_by: Arc<Permission>,
    },
}

impl EffectiveRole {
    pub fn plain(p: Arc<Permission>) -> Self {
        EffectiveRole::Plain(p)
    }

    pub fn limited(assigned: Arc<Permission>, limited_by: Arc<Permission>) -> Self {
        EffectiveRole::Limited {
            assigned,
            limited_by,
        }
    }

    /// The permissions that must all allow, in order (key first, then owner).
    pub fn sides(&self) -> Vec<&Permission> {
        self.side_iter().collect()
    }

    /// The sides without allocating (decisions are on the hot path).
    pub(crate) fn side_iter(&self) -> impl Iterator<Item = &Permission> {
        let (first, second): (&Permission, Option<&Permission>) = match self {
            EffectiveRole::Plain(p) => (p, None),
            EffectiveRole::Limited {
                assigned,
                limited_by,
            } => (assigned, Some(limited_by)),
        };
        std::iter::once(first).chain(second)
    }

    /// Role names for messages: the plain role's, or the owner's for a limited role.
    pub fn role_names(&self) -> &[String] {
        match self {
            EffectiveRole::Plain(p) => p.role_names(),
            EffectiveRole::Limited { limited_by, .. } => limited_by.role_names(),
        }
    }

    pub fn missing_roles(&self) -> &[String] {
        match self {
            EffectiveRole::Plain(p) => p.missing_roles(),
            EffectiveRole::Limited { limited_by, .. } => limited_by.missing_roles(),
        }
    }
}

#[cfg(test)]
mod tests;
