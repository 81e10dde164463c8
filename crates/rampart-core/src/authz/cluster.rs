//! Cluster action authorization (section 3 of the facts): role privileges, the conditional
//! `manage_own_api_key`, `global` privileges, and the default same-user grants.

use super::decision::{Decision, Reason};
use super::denial::Denial;
use super::grants::{Grants, limited_by};
use super::subject::{Authentication, Subject};
use super::{EffectiveRole, global};
use crate::catalog::{self, ActionKind};
use crate::permission::{CompileError, Permission};
use crate::role::RoleDescriptor;

const API_KEY_PREFIX: &str = "cluster:admin/xpack/security/api_key/";
const QUERY_API_KEY: &str = "cluster:admin/xpack/security/api_key/query";

/// Which API-key operation a request performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyOperation {
    Create,
    Update,
    BulkUpdate,
    Get,
    Invalidate,
    Query,
    Grant,
}

/// The parts of an API-key request that ownership rules look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyRequest {
    pub ids: Vec<String>,
    pub username: Option<String>,
    pub realm_name: Option<String>,
    /// `owner=true`.
    pub owner: bool,
    pub with_limited_by: bool,
    /// A query already restricted to the caller's own keys.
    pub owner_filtered: bool,
}

/// Roles named by a role-management request (for `global.role.manage`).
#[derive(Debug, Clone, Copy)]
pub enum RoleManageRequest<'a> {
    Put(&'a [RoleDescriptor]),
    Delete(&'a [String]),
}

/// What a cluster request carries beyond its action name. Everything defaults to "not given".
#[derive(Debug, Clone, Default)]
pub struct ClusterRequest<'a> {
    pub api_key: Option<ApiKeyRequest>,
    /// Application names of an application-privilege request (`None`: the request names none).
    pub applications: Option<&'a [String]>,
    /// Top-level keys of update-profile-data `data` and `labels`.
    pub profile_namespaces: Option<&'a [String]>,
    pub roles: Option<RoleManageRequest<'a>>,
    /// Target username of same-user actions (change password, has/list privileges).
    pub username: Option<&'a str>,
}

impl EffectiveRole {
    /// Authorize a cluster action.
    pub fn authorize_cluster(
        &self,
        subject: &Subject,
        action: &str,
        request: &ClusterRequest<'_>,
    ) -> Result<Decision, CompileError> {
        if catalog::classify_action(action) != ActionKind::Cluster {
            return Ok(Decision::denied(Denial::not_cluster(subject, self, action)));
        }
        // The common case: an unconditional privilege on every side, kept as positions.
        let mut ids = [0u32; 2];
        let mut all_unconditional = true;
        for (slot, side) in ids.iter_mut().zip(self.side_iter()) {
            match side.cluster.granting_id(action) {
                Some(id) => *slot = id,
                None => {
                    all_unconditional = false;
                    break;
                }
            }
        }
        if all_unconditional {
            return Ok(Decision::granted(Grants::Cluster {
                role: self.clone(),
                ids,
            }));
        }
        let mut reasons = Vec::new();
        let mut all_sides = true;
        for (i, side) in self.side_iter().enumerate() {
            match side_grant(side, subject, action, request)? {
                Some(r) => reasons.push(limited_by(i, r)),
                None => {
                    all_sides = false;
                    break;
                }
            }
        }
        if all_sides {
            return Ok(Decision::allowed(reasons));
        }
        if let Some(rule) = default_role_grant(subject, action, request) {
            return Ok(Decision::granted(Grants::DefaultRole(rule)));
        }
        // A query of API keys is retried as "only my keys" (then manage_own_api_key can pass).
        if action == QUERY_API_KEY {
            if let Some(req) = request.api_key.as_ref().filter(|r| !r.owner_filtered) {
                let mut owned = request.clone();
                owned.api_key = Some(ApiKeyRequest {
                    owner_filtered: true,
                    ..req.clone()
                });
                let retry = self.authorize_cluster(subject, action, &owned)?;
                if retry.is_allowed() {
                    return Ok(retry);
                }
            }
        }
        let conditional_ok = own_api_key_condition(subject, action, request);
        Ok(Decision::denied(Denial::cluster(
            subject,
            self,
            action,
            conditional_ok,
        )?))
    }
}

/// The reason one permission grants the action, if it does.
fn side_grant(
    p: &Permission,
    subject: &Subject,
    action: &str,
    request: &ClusterRequest<'_>,
) -> Result<Option<Reason>, CompileError> {
    if let Some(g) = p.cluster.granting(action) {
        return Ok(Some(Reason::ClusterPrivilege {
            privilege: g.value.name.clone(),
            roles: g.roles.clone(),
        }));
    }
    if own_api_key_condition(subject, action, request) {
        if let Some(g) = p.cluster.conditional_matching(action).next() {
            return Ok(Some(Reason::ConditionalPrivilege {
                privilege: g.value.name.clone(),
                roles: g.roles.clone(),
                condition: "the request concerns only the caller's own API keys".into(),
            }));
        }
    }
    global::grant(p, action, request)
}

/// `manage_own_api_key`'s request condition.
fn own_api_key_condition(subject: &Subject, action: &str, request: &ClusterRequest<'_>) -> bool {
    let Some(op) = api_key_operation(action) else {
        return false;
    };
    let default_req = ApiKeyRequest::default();
    let req = request.api_key.as_ref().unwrap_or(&default_req);
    let is_key = subject.api_key_id().is_some();
    match op {
        ApiKeyOperation::Create | ApiKeyOperation::Update | ApiKeyOperation::BulkUpdate => true,
        ApiKeyOperation::Grant => false,
        ApiKeyOperation::Get => !(is_key && req.with_limited_by) && owns(subject, req),
        ApiKeyOperation::Invalidate => owns(subject, req),
        ApiKeyOperation::Query => req.owner_filtered && !(is_key && req.with_limited_by),
    }
}

fn api_key_operation(action: &str) -> Option<ApiKeyOperation> {
    Some(match action.strip_prefix(API_KEY_PREFIX)? {
        "create" => ApiKeyOperation::Create,
        "update" => ApiKeyOperation::Update,
        "bulk_update" => ApiKeyOperation::BulkUpdate,
        "get" => ApiKeyOperation::Get,
        "invalidate" => ApiKeyOperation::Invalidate,
        "query" => ApiKeyOperation::Query,
        "grant" => ApiKeyOperation::Grant,
        _ => return None,
    })
}

/// Whether the request concerns only keys owned by the subject.
fn owns(subject: &Subject, req: &ApiKeyRequest) -> bool {
    if let Some(own) = subject.api_key_id() {
        return !req.ids.is_empty() && req.ids.iter().all(|id| id == own);
    }
    if req.owner {
        return true;
    }
    match (&req.username, &req.realm_name) {
        (Some(u), Some(r)) => *u == subject.user && *r == subject.realm_name,
        _ => false,
    }
}

/// The default role's same-user grants (section 3.2).
fn default_role_grant(
    subject: &Subject,
    action: &str,
    request: &ClusterRequest<'_>,
) -> Option<&'static str> {
    let same_user = request
        .username
        .is_none_or(|u| u == subject.effective_user());
    match action {
        "cluster:admin/xpack/security/user/authenticate" => Some("every subject may authenticate"),
        "cluster:admin/xpack/security/user/change_password" => {
            let realm_auth = subject.authentication == Authentication::Realm;
            let realm_ok = matches!(subject.realm_type.as_str(), "native" | "reserved");
            (request.username == Some(subject.effective_user()) && realm_auth && realm_ok)
                .then_some("users may change their own password")
        }
        "cluster:admin/xpack/security/user/has_privileges" => {
            same_user.then_some("users may check their own privileges")
        }
        "cluster:admin/xpack/security/user/list_privileges" => {
            same_user.then_some("users may list their own privileges")
        }
        "cluster:admin/xpack/security/api_key/get" => {
            let req = request.api_key.as_ref()?;
            let own = subject.api_key_id()?;
            (req.ids.len() == 1 && req.ids.iter().all(|id| id == own) && !req.with_limited_by)
                .then_some("an API key may read its own information")
        }
        _ => None,
    }
}
