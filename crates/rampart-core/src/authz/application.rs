//! Application privilege checks (section 11.3): privilege names or actions on resources.

use rampart_automaton::PatternSet;

use super::EffectiveRole;
use crate::permission::{
    ApplicationPrivilegeStore, CompileError, Memo, Permission, is_privilege_name,
};

/// One (application, privilege-or-action, resource) question.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationCheck<'a> {
    pub application: &'a str,
    /// A stored privilege name, or an action pattern (contains `/`, `*` or `:`).
    pub privilege: &'a str,
    /// A resource name or pattern (checked as a pattern: its language must be covered).
    pub resource: &'a str,
}

impl EffectiveRole {
    /// Whether every side grants the application privilege on the resource.
    pub fn check_application(
        &self,
        check: &ApplicationCheck<'_>,
        store: &ApplicationPrivilegeStore,
    ) -> Result<bool, CompileError> {
        let store_id = store.id().to_string();
        for side in self.side_iter() {
            let key = Memo::key(&[
                "a",
                &store_id,
                check.application,
                check.privilege,
                check.resource,
            ]);
            if !side.memo.get_or(key, || side_grants(side, check, store))? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn side_grants(
    p: &Permission,
    check: &ApplicationCheck<'_>,
    store: &ApplicationPrivilegeStore,
) -> Result<bool, CompileError> {
    let resource = PatternSet::new([check.resource])?;
    let requested_actions: Option<std::sync::Arc<PatternSet>> =
        if is_privilege_name(check.privilege) {
            match store.get(check.application, check.privilege) {
                Some(_) => Some(store.actions_of(check.application, &[check.privilege])?),
                None => None,
            }
        } else {
            Some(std::sync::Arc::new(PatternSet::new([check.privilege])?))
        };
    for entry in p.applications.entries() {
        if !entry.matches_application(check.application) {
            continue;
        }
        if !resource.is_subset_of(entry.resource_patterns())? {
            continue;
        }
        if entry.privileges.iter().any(|e| e == check.privilege) {
            return Ok(true);
        }
        let granted = entry.actions_for(check.application)?;
        if granted.is_total() {
            return Ok(true);
        }
        if let Some(wanted) = &requested_actions {
            if !wanted.is_empty() && !granted.is_empty() && wanted.is_subset_of(&granted)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
