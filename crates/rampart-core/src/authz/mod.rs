//! Decisions: cluster, index, run-as and application checks against a compiled permission,
//! returning values with reasons or Elasticsearch's exact denial messages.

mod application;
mod cluster;
mod decision;
mod expression;
mod global;
mod index;
mod message;
mod run_as;
mod subject;

use std::sync::Arc;

pub use application::ApplicationCheck;
pub use cluster::{ApiKeyOperation, ApiKeyRequest, ClusterRequest, RoleManageRequest};
pub use decision::{
    Decision, Denial, DocumentAccess, FieldAccess, IndexAccess, IndexDecision, Reason,
};
pub use expression::{ExpressionDecision, ExpressionError, NameChecker};
pub use index::{IndexLookup, IndexRequest, NoIndexMetadata};
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
        match self {
            EffectiveRole::Plain(p) => vec![p],
            EffectiveRole::Limited {
                assigned,
                limited_by,
            } => vec![assigned, limited_by],
        }
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

/// Mark reasons from the second (owner) side of a limited role.
pub(crate) fn side_reasons(side: usize, reasons: Vec<Reason>) -> Vec<Reason> {
    if side == 0 {
        reasons
    } else {
        reasons
            .into_iter()
            .map(|r| Reason::LimitedBy {
                reason: Box::new(r),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
