//! Building an [`AccessIndex`]: compile every role once and fill the inverted maps.

use std::collections::HashMap;
use std::sync::Arc;

use rampart_automaton::PatternSet;

use super::{AccessIndex, KeySlot, MappingSlot, RoleSlot};
use crate::analysis::AnalysisError;
use crate::analysis::index::NameIndex;
use crate::analysis::keyed::{ApplicationIndex, ClusterIndex};
use crate::analysis::templates::TemplateShape;
use crate::analysis::who::AccessInput;
use crate::authz::EffectiveRole;
use crate::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use crate::role::RoleDescriptor;

pub(super) fn compile(
    roles: &[RoleDescriptor],
    apps: &ApplicationPrivilegeStore,
    restricted: &RestrictedIndices,
) -> Result<Arc<Permission>, AnalysisError> {
    Ok(Arc::new(Permission::compile(roles, &[], apps, restricted)?))
}

impl AccessIndex {
    pub fn build(input: AccessInput) -> Result<Self, AnalysisError> {
        let mut roles = Vec::new();
        let mut role_ids = HashMap::new();
        let mut names = NameIndex::default();
        let mut cluster = ClusterIndex::default();
        let mut applications = ApplicationIndex::default();
        for (descriptor, source) in input.roles {
            if role_ids.contains_key(&descriptor.name) {
                continue;
            }
            let id = roles.len() as u32;
            let permission = compile(
                std::slice::from_ref(&descriptor),
                &input.applications,
                &input.restricted,
            )?;
            for (gid, g) in permission.indices.groups().iter().enumerate() {
                names.add((id, gid as u32), &g.names, g.name_patterns());
            }
            cluster.add(id, &permission);
            applications.add(id, &permission)?;
            role_ids.insert(descriptor.name.clone(), id);
            roles.push(RoleSlot {
                descriptor,
                source,
                permission,
            });
        }
        let mut holders = vec![Vec::new(); roles.len()];
        let mut runners = Vec::new();
        for (uid, user) in input.users.iter().enumerate() {
            let mut patterns = Vec::new();
            let mut via = Vec::new();
            for r in &user.roles {
                let Some(&rid) = role_ids.get(r) else {
                    continue;
                };
                if let Some(h) = holders.get_mut(rid as usize) {
                    h.push(uid as u32);
                }
                if let Some(slot) = roles.get(rid as usize) {
                    if !slot.descriptor.run_as.is_empty() {
                        patterns.extend(slot.descriptor.run_as.iter().cloned());
                        via.push(r.clone());
                    }
                }
            }
            if !patterns.is_empty() {
                runners.push((uid as u32, PatternSet::new(&patterns)?, via));
            }
        }
        let mappings = input
            .mappings
            .into_iter()
            .map(|entry| {
                let templates = entry
                    .role_templates
                    .iter()
                    .map(|t| (t.clone(), TemplateShape::of(t)))
                    .collect();
                MappingSlot { entry, templates }
            })
            .collect();
        let mut keys = Vec::new();
        for entry in input.api_keys {
            let owner = compile(&entry.limited_by, &input.applications, &input.restricted)?;
            let role = if entry.role_descriptors.is_empty() {
                EffectiveRole::plain(owner)
            } else {
                let assigned = compile(
                    &entry.role_descriptors,
                    &input.applications,
                    &input.restricted,
                )?;
                EffectiveRole::limited(assigned, owner)
            };
            keys.push(KeySlot { entry, role });
        }
        let restricted_language = input.restricted.patterns().to_automaton()?;
        Ok(AccessIndex {
            roles,
            role_ids,
            users: input.users,
            holders,
            mappings,
            keys,
            runners,
            names,
            cluster,
            applications,
            app_privileges: input.applications,
            restricted: input.restricted,
            restricted_language,
        })
    }
}
