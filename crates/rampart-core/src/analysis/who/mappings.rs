//! Role mappings in a who-can-reach answer. Mapped users cannot be enumerated, so a mapping
//! is reported with its rules, the roles through which every mapped user reaches the target,
//! and its role templates ("roles named by template <t>") with the reaching roles they can
//! produce. A template producing one role is checked together with the mapping's literal
//! roles; combinations of several variable templates are not enumerated.

use std::collections::HashMap;

use super::{AccessIndex, Candidates, MappingGrant, Reach};
use crate::analysis::AnalysisError;
use crate::analysis::target::CompiledTarget;
use crate::analysis::templates::{TemplateGrant, TemplateShape};

impl AccessIndex {
    pub(super) fn mapping_grants(
        &self,
        t: &CompiledTarget,
        candidates: &Candidates,
        memo: &mut HashMap<Vec<u32>, Reach>,
    ) -> Result<Vec<MappingGrant>, AnalysisError> {
        let mut out = Vec::new();
        for m in &self.mappings {
            let literal_names =
                m.entry
                    .roles
                    .iter()
                    .chain(m.templates.iter().flat_map(|(_, shape)| match shape {
                        TemplateShape::Literal(names) => names.as_slice(),
                        _ => &[],
                    }));
            let mut literal: Vec<u32> = literal_names
                .filter_map(|r| self.role_ids.get(r).copied())
                .filter(|rid| candidates.roles.contains_key(rid))
                .collect();
            literal.sort_unstable();
            literal.dedup();
            let all =
                !literal.is_empty() && self.set_reaches(t, candidates, &literal, memo)?.is_some();
            let mut templates = Vec::new();
            for (template, shape) in &m.templates {
                let mut grant = TemplateGrant {
                    description: format!("roles named by template {}", template.source),
                    template: template.source.clone(),
                    format: template.format.clone(),
                    analysable: !matches!(shape, TemplateShape::Opaque(_)),
                    produces: shape.describe(),
                    roles: Vec::new(),
                    reason: None,
                };
                match shape {
                    TemplateShape::Literal(_) if all => {
                        grant.roles = literal
                            .iter()
                            .filter_map(|r| self.roles.get(*r as usize))
                            .map(|s| s.descriptor.name.clone())
                            .filter(|n| shape.can_produce(n))
                            .collect();
                    }
                    TemplateShape::Glob(_) if !all => {
                        for &rid in candidates.roles.keys() {
                            let Some(slot) = self.roles.get(rid as usize) else {
                                continue;
                            };
                            if literal.contains(&rid) || !shape.can_produce(&slot.descriptor.name) {
                                continue;
                            }
                            let mut set = literal.clone();
                            set.push(rid);
                            set.sort_unstable();
                            if self.set_reaches(t, candidates, &set, memo)?.is_some() {
                                grant.roles.push(slot.descriptor.name.clone());
                            }
                        }
                    }
                    TemplateShape::Opaque(reason) if !all && !candidates.roles.is_empty() => {
                        grant.reason = Some(format!("not analysable: {reason}"));
                        templates.push(grant);
                        continue;
                    }
                    _ => {}
                }
                if !grant.roles.is_empty() {
                    templates.push(grant);
                }
            }
            if all || !templates.is_empty() {
                out.push(MappingGrant {
                    mapping: m.entry.name.clone(),
                    enabled: m.entry.enabled,
                    rules: m.entry.rules.clone(),
                    roles: if all {
                        self.role_names(&literal)
                    } else {
                        Vec::new()
                    },
                    all_mapped_users: all,
                    role_templates: templates,
                });
            }
        }
        Ok(out)
    }
}
