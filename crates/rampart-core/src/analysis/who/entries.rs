//! The entries of a role that contribute to a target, as shown in an answer.

use std::collections::BTreeSet;

use super::{AccessIndex, EntryGrant};
use crate::analysis::impact::field_security_json;
use crate::analysis::target::{CompiledTarget, Kind, Target};

impl AccessIndex {
    pub(super) fn entries(&self, t: &CompiledTarget, rid: u32, groups: &[u32]) -> Vec<EntryGrant> {
        let Some(slot) = self.roles.get(rid as usize) else {
            return Vec::new();
        };
        let p = &slot.permission;
        match &t.target {
            Target::Index { .. } => groups
                .iter()
                .filter_map(|g| p.indices.group(*g))
                .map(|g| EntryGrant {
                    names: g.names.clone(),
                    privileges: g.privileges.clone(),
                    application: None,
                    allow_restricted_indices: g.allow_restricted,
                    query: g.queries.as_ref().map(|q| q.iter().cloned().collect()),
                    field_security: g
                        .field_security
                        .as_ref()
                        .map(|fs| fs.iter().map(field_security_json).collect()),
                })
                .collect(),
            Target::Cluster { .. } => {
                let Kind::Cluster { actions, .. } = &t.kind else {
                    return Vec::new();
                };
                let privileges: BTreeSet<String> =
                    p.cluster.grant_names_overlapping(actions).collect();
                vec![EntryGrant {
                    names: Vec::new(),
                    privileges: privileges.into_iter().collect(),
                    application: None,
                    allow_restricted_indices: false,
                    query: None,
                    field_security: None,
                }]
            }
            Target::Application { application, .. }
            | Target::ApplicationActions { application, .. } => p
                .applications
                .entries()
                .iter()
                .filter(|e| e.matches_application(application))
                .map(|e| EntryGrant {
                    names: e.resources.clone(),
                    privileges: e.privileges.clone(),
                    application: Some(e.application.clone()),
                    allow_restricted_indices: false,
                    query: None,
                    field_security: None,
                })
                .collect(),
        }
    }
}
