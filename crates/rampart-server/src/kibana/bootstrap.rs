//! What Kibana does at start: register the `kibana-.kibana` application privileges (only when
//! they changed, kibana.md b.1) and create the default space if it is missing (c.2).

use std::collections::{BTreeMap, BTreeSet};

use rampart_kibana::APPLICATION;
use rampart_kibana::spaces::{DEFAULT_SPACE_ID, Space};
use rampart_store::{AppPrivilegeDoc, StoreError, WriteCondition};
use serde_json::json;

use super::error::KbnError;
use super::model;
use super::spaces::{SPACE_KIND, space_doc};
use crate::state::AppState;

/// What a bootstrap changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BootstrapReport {
    /// Privileges written (0 when the stored set already matched).
    pub privileges_written: usize,
    /// Stored privileges no longer expected, deleted.
    pub privileges_deleted: usize,
    pub default_space_created: bool,
}

type ActionSets = BTreeMap<String, BTreeSet<String>>;

fn stored_sets(docs: &[AppPrivilegeDoc]) -> ActionSets {
    docs.iter()
        .map(|d| {
            let actions = d
                .doc
                .get("actions")
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (d.name.clone(), actions)
        })
        .collect()
}

/// Register Kibana's privileges and ensure the default space. Idempotent: a second call on an
/// unchanged store writes nothing.
pub fn bootstrap(state: &AppState) -> Result<BootstrapReport, KbnError> {
    let model = model()?;
    let store = state.store.as_ref();
    let mut report = BootstrapReport::default();
    let expected = model.privileges.descriptors(APPLICATION);
    let existing = store
        .get_application_privileges(APPLICATION)
        .map_err(KbnError::internal)?;
    let expected_sets: ActionSets = expected
        .iter()
        .map(|d| (d.name.clone(), d.actions.iter().cloned().collect()))
        .collect();
    // Kibana compares ignoring action order; so do we.
    if stored_sets(&existing) != expected_sets {
        let stale: Vec<String> = existing
            .iter()
            .filter(|d| !expected_sets.contains_key(&d.name))
            .map(|d| d.name.clone())
            .collect();
        if !stale.is_empty() {
            report.privileges_deleted = store
                .delete_privileges(APPLICATION, &stale)
                .map_err(KbnError::internal)?
                .len();
        }
        let docs: Vec<AppPrivilegeDoc> = expected
            .iter()
            .map(|d| AppPrivilegeDoc {
                application: d.application.clone(),
                name: d.name.clone(),
                doc: json!({
                    "application": d.application,
                    "name": d.name,
                    "actions": d.actions,
                    "metadata": {},
                }),
            })
            .collect();
        store.put_privileges(&docs).map_err(KbnError::internal)?;
        report.privileges_written = docs.len();
        state.security.clear_cache();
        tracing::info!(
            written = report.privileges_written,
            deleted = report.privileges_deleted,
            "registered the kibana-.kibana application privileges"
        );
    }
    report.default_space_created = ensure_default_space(state)?;
    Ok(report)
}

/// Create the default space unless it exists (a concurrent create is not an error).
pub(crate) fn ensure_default_space(state: &AppState) -> Result<bool, KbnError> {
    let doc = space_doc(&Space::default_space());
    match state
        .store
        .put_object(SPACE_KIND, DEFAULT_SPACE_ID, &doc, WriteCondition::Absent)
    {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(KbnError::internal(e)),
    }
}
