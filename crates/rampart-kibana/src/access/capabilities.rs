//! Feature availability and `POST /api/core/capabilities` (section d).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::oracle::{ActionOracle, space_resource};
use crate::error::KibanaError;
use crate::features::{Feature, FeatureRegistry, Grants};
use crate::privileges::KibanaPrivileges;
use crate::spaces::Space;

/// Whether the caller's privileges grant feature `f` in the space (any of its registered
/// privileges, including reserved ones, is fully granted).
pub fn feature_granted(
    f: &Feature,
    space_id: &str,
    privileges: &KibanaPrivileges,
    oracle: &dyn ActionOracle,
) -> Result<bool, KibanaError> {
    let resource = space_resource(space_id);
    let mut names: Vec<String> = f
        .top_privilege_ids()
        .into_iter()
        .filter(|top| f.top_privilege(top).is_some_and(|p| !p.disabled))
        .flat_map(|top| {
            [
                format!("feature_{}.minimal_{top}", f.id),
                format!("feature_{}.{top}", f.id),
            ]
        })
        .collect();
    names.extend(
        f.reserved_privileges()
            .map(|r| format!("reserved_{}", r.id)),
    );
    for name in names {
        let Some(actions) = privileges.actions_of(&name) else {
            continue;
        };
        if oracle.privilege_granted(&resource, &name, actions)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A feature is available iff the space does not hide it AND the privileges grant it.
pub fn feature_available(
    f: &Feature,
    space: &Space,
    registry: &FeatureRegistry,
    privileges: &KibanaPrivileges,
    oracle: &dyn ActionOracle,
) -> Result<bool, KibanaError> {
    if space.hides(&f.id, registry) {
        return Ok(false);
    }
    feature_granted(f, &space.id, privileges, oracle)
}

/// The resolved capabilities of one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub nav_links: BTreeMap<String, bool>,
    pub catalogue: BTreeMap<String, bool>,
    pub management: BTreeMap<String, BTreeMap<String, bool>>,
    /// Feature (or bucket such as `spaces`) → capability → enabled.
    pub features: BTreeMap<String, BTreeMap<String, bool>>,
}

impl Capabilities {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("navLinks".into(), json!(self.nav_links));
        m.insert("management".into(), json!(self.management));
        m.insert("catalogue".into(), json!(self.catalogue));
        for (f, caps) in &self.features {
            m.insert(f.clone(), json!(caps));
        }
        Value::Object(m)
    }

    fn register_grants(&mut self, feature_id: &str, g: &Grants) {
        for a in &g.app {
            self.nav_links.insert(a.clone(), true);
        }
        for c in &g.catalogue {
            self.catalogue.insert(c.clone(), true);
        }
        for (section, ids) in &g.management {
            let s = self.management.entry(section.clone()).or_default();
            for i in ids {
                s.insert(i.clone(), true);
            }
        }
        let caps = self.features.entry(feature_id.to_string()).or_default();
        for u in &g.ui {
            caps.insert(u.clone(), true);
        }
    }

    /// Every registered capability, enabled.
    fn registered(registry: &FeatureRegistry) -> Self {
        let mut c = Capabilities::default();
        for f in registry.features() {
            let mut grants: Vec<&Grants> = Vec::new();
            if let Some(p) = &f.privileges {
                grants.extend(p.all.iter().chain(p.read.iter()).map(|p| &p.grants));
            }
            grants.extend(f.sub_feature_privileges().map(|p| &p.grants));
            grants.extend(f.reserved_privileges().map(|r| &r.privilege.grants));
            c.features.entry(f.id.clone()).or_default();
            for g in grants {
                c.register_grants(&f.id, g);
            }
        }
        c.catalogue.insert("spaces".into(), true);
        c.management
            .entry("kibana".into())
            .or_default()
            .insert("spaces".into(), true);
        c.features
            .entry("spaces".into())
            .or_default()
            .insert("manage".into(), true);
        c
    }

    /// Spaces switcher: hide entries owned only by disabled features, and disabled features'
    /// own capabilities.
    fn apply_space(&mut self, registry: &FeatureRegistry, disabled: &BTreeSet<String>) {
        let enabled: Vec<&Feature> = registry
            .features()
            .iter()
            .filter(|f| !disabled.contains(&f.id))
            .collect();
        let kept_apps: BTreeSet<&String> = enabled.iter().flat_map(|f| &f.app).collect();
        let kept_cat: BTreeSet<&String> = enabled.iter().flat_map(|f| &f.catalogue).collect();
        for f in registry
            .features()
            .iter()
            .filter(|f| disabled.contains(&f.id))
        {
            for a in f.app.iter().filter(|a| !kept_apps.contains(a)) {
                self.nav_links.insert(a.clone(), false);
            }
            for c in f.catalogue.iter().filter(|c| !kept_cat.contains(c)) {
                self.catalogue.insert(c.clone(), false);
            }
            for (section, ids) in &f.management {
                for i in ids {
                    let kept = enabled
                        .iter()
                        .any(|e| e.management.get(section).is_some_and(|l| l.contains(i)));
                    if !kept {
                        self.management
                            .entry(section.clone())
                            .or_default()
                            .insert(i.clone(), false);
                    }
                }
            }
            if let Some(caps) = self.features.get_mut(&f.id) {
                caps.values_mut().for_each(|v| *v = false);
            }
        }
    }

    /// Security switcher: disable every capability whose `ui:` action is not granted.
    fn apply_security(
        &mut self,
        resource: &str,
        oracle: &dyn ActionOracle,
    ) -> Result<(), KibanaError> {
        for (k, v) in self.nav_links.iter_mut().filter(|(_, v)| **v) {
            *v = oracle.granted(resource, &format!("ui:navLinks/{k}"))?;
        }
        for (k, v) in self.catalogue.iter_mut().filter(|(_, v)| **v) {
            *v = oracle.granted(resource, &format!("ui:catalogue/{k}"))?;
        }
        for (section, items) in self.management.iter_mut() {
            for (k, v) in items.iter_mut().filter(|(_, v)| **v) {
                *v = oracle.granted(resource, &format!("ui:management/{section}/{k}"))?;
            }
        }
        for (f, caps) in self.features.iter_mut() {
            for (k, v) in caps.iter_mut().filter(|(_, v)| **v) {
                *v = oracle.granted(resource, &format!("ui:{f}/{k}"))?;
            }
        }
        Ok(())
    }
}

/// Resolve capabilities for a request in `space` (section d, resolution order).
pub fn resolve_capabilities(
    registry: &FeatureRegistry,
    space: &Space,
    oracle: &dyn ActionOracle,
) -> Result<Capabilities, KibanaError> {
    let mut caps = Capabilities::registered(registry);
    let disabled: BTreeSet<String> = space
        .effective_disabled_features(registry)
        .into_iter()
        .collect();
    caps.apply_space(registry, &disabled);
    caps.apply_security(&space_resource(&space.id), oracle)?;
    Ok(caps)
}
