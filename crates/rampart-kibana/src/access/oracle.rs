//! Where Kibana's action answers come from: the caller's compiled role (as ES would answer
//! `_has_privileges`), or a `_has_privileges` response already obtained.

use std::collections::HashSet;

use rampart_core::authz::{ApplicationCheck, EffectiveRole};
use rampart_core::has_privileges::HasPrivilegesResponse;
use rampart_core::permission::ApplicationPrivilegeStore;

use crate::error::KibanaError;
use crate::privileges::APPLICATION;

/// Answers "is `action` (or every action of a registered privilege) granted on `resource`
/// of `kibana-.kibana`".
pub trait ActionOracle {
    fn granted(&self, resource: &str, action: &str) -> Result<bool, KibanaError>;

    /// Whether the registered privilege `es_name` (with these actions) is granted.
    fn privilege_granted(
        &self,
        resource: &str,
        _es_name: &str,
        actions: &[String],
    ) -> Result<bool, KibanaError> {
        for a in actions {
            if !self.granted(resource, a)? {
                return Ok(false);
            }
        }
        Ok(!actions.is_empty())
    }
}

fn internal(e: impl std::fmt::Display) -> KibanaError {
    KibanaError::new(500, e.to_string())
}

/// Answers from a compiled role and the stored application privileges.
#[derive(Debug, Clone, Copy)]
pub struct RoleOracle<'a> {
    pub role: &'a EffectiveRole,
    pub store: &'a ApplicationPrivilegeStore,
}

impl ActionOracle for RoleOracle<'_> {
    fn granted(&self, resource: &str, action: &str) -> Result<bool, KibanaError> {
        let check = ApplicationCheck {
            application: APPLICATION,
            privilege: action,
            resource,
        };
        self.role
            .check_application(&check, self.store)
            .map_err(internal)
    }

    fn privilege_granted(
        &self,
        resource: &str,
        es_name: &str,
        _actions: &[String],
    ) -> Result<bool, KibanaError> {
        self.granted(resource, es_name)
    }
}

/// Answers from a `_has_privileges` response for `kibana-.kibana` (missing items: not granted).
#[derive(Debug, Clone, Default)]
pub struct AnswerOracle {
    granted: HashSet<(String, String)>,
}

impl AnswerOracle {
    pub fn from_response(response: &HasPrivilegesResponse) -> Self {
        let mut granted = HashSet::new();
        for (app, resources) in &response.application {
            if app != APPLICATION {
                continue;
            }
            for (resource, answers) in resources {
                for (action, ok) in answers {
                    if *ok {
                        granted.insert((resource.clone(), action.clone()));
                    }
                }
            }
        }
        AnswerOracle { granted }
    }
}

impl ActionOracle for AnswerOracle {
    fn granted(&self, resource: &str, action: &str) -> Result<bool, KibanaError> {
        Ok(self
            .granted
            .contains(&(resource.to_string(), action.to_string())))
    }
}

/// The resource of a space.
pub fn space_resource(space_id: &str) -> String {
    format!("space:{space_id}")
}
