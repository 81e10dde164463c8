//! The application privileges Kibana registers under `kibana-.kibana` (sections b.1–b.3) and the
//! `GET /api/security/privileges` catalogue (a.7).

pub mod actions;

use std::collections::HashMap;

use rampart_core::permission::{ApplicationPrivilegeDescriptor, ApplicationPrivilegeStore};
use serde_json::{Map, Value, json};

use crate::features::{Feature, FeatureRegistry, Grants};
use actions::{ActionList, LOGIN, grants_actions};

/// Kibana's application name for the default `.kibana` index.
pub const APPLICATION: &str = "kibana-.kibana";
/// The application pattern built-in ES roles use for reserved privileges.
pub const RESERVED_APPLICATION: &str = "kibana-*";

/// Actions only the global base privileges carry (spaces management and friends).
const GLOBAL_ALL_ONLY: [&str; 10] = [
    "api:features",
    "space:manage",
    "ui:spaces/manage",
    "ui:management/kibana/spaces",
    "ui:catalogue/spaces",
    "ui:enterpriseSearch/all",
    "api:decryptedTelemetry",
    "api:manage_spaces",
    "ui:globalSettings/save",
    "ui:globalSettings/show",
];
const GLOBAL_READ_ONLY: [&str; 1] = ["ui:globalSettings/show"];

type Named = Vec<(String, Vec<String>)>;

/// Every Kibana privilege with its actions, in registration order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KibanaPrivileges {
    global: Named,
    space: Named,
    /// feature id → (privilege id → actions)
    features: Vec<(String, Named)>,
    reserved: Named,
    /// ES privilege name → actions.
    by_name: HashMap<String, Vec<String>>,
}

fn with_login(f: impl FnOnce(&mut ActionList)) -> Vec<String> {
    let mut out = ActionList::default();
    out.push(LOGIN.to_string());
    f(&mut out);
    out.into_vec()
}

/// Saved-object types Kibana's feature registry adds to every `all` and reserved privilege
/// when a feature registers: (`savedObject.all`, `savedObject.read`). Every user of any
/// feature must read advanced settings (`config`, `config-global`) and short URLs, and may
/// write telemetry preferences.
const AUTOMATIC_ALL: (&[&str], &[&str]) = (&["telemetry"], &["config", "config-global", "url"]);
/// The same for every `read` privilege (telemetry becomes read-only).
const AUTOMATIC_READ: (&[&str], &[&str]) = (&[], &["config", "config-global", "telemetry", "url"]);

/// A privilege definition with the automatic saved-object grants of its kind appended
/// (without duplicates, keeping the definition's own order first).
fn with_automatic_grants(g: &Grants, (all, read): (&[&str], &[&str])) -> Grants {
    let mut out = g.clone();
    for (list, extra) in [
        (&mut out.saved_object.all, all),
        (&mut out.saved_object.read, read),
    ] {
        for t in extra {
            if !list.iter().any(|x| x == t) {
                list.push((*t).to_string());
            }
        }
    }
    out
}

/// The definition of top privilege `top` as Kibana registers it (automatic grants applied).
fn top_grants(f: &Feature, top: &str) -> Option<Grants> {
    let p = f.top_privilege(top)?;
    let automatic = if top == "read" {
        AUTOMATIC_READ
    } else {
        AUTOMATIC_ALL
    };
    Some(with_automatic_grants(&p.grants, automatic))
}

/// `feature_<f>.<top>` with its sub-feature privileges merged in (b.3).
fn merged_top(f: &Feature, top: &str) -> Option<Vec<String>> {
    let grants = top_grants(f, top)?;
    Some(with_login(|out| {
        grants_actions(&f.id, &grants, out);
        for sub in f.sub_feature_privileges() {
            if sub.include_in.merges_into(top) && !sub.disabled {
                grants_actions(&f.id, &sub.grants, out);
            }
        }
    }))
}

fn feature_privileges(f: &Feature) -> Named {
    let mut out = Vec::new();
    let tops = f.top_privilege_ids();
    for top in &tops {
        if let Some(actions) = merged_top(f, top) {
            out.push((top.to_string(), actions));
        }
    }
    for top in &tops {
        if let Some(grants) = top_grants(f, top) {
            let actions = with_login(|o| grants_actions(&f.id, &grants, o));
            out.push((format!("minimal_{top}"), actions));
        }
    }
    for sub in f.sub_feature_privileges() {
        let actions = with_login(|o| grants_actions(&f.id, &sub.grants, o));
        out.push((sub.id.clone(), actions));
    }
    out
}

/// Whether base privileges include this feature privilege.
fn in_base(f: &Feature, top: &str) -> bool {
    !f.hidden
        && f.top_privilege(top)
            .is_some_and(|p| !p.exclude_from_base_privileges && !p.disabled)
}

impl KibanaPrivileges {
    /// Build the full privilege set from the registry (license: every privilege registered).
    pub fn build(registry: &FeatureRegistry) -> Self {
        let mut features = Vec::new();
        let mut reserved = Vec::new();
        let mut space_all = ActionList::default();
        let mut space_read = ActionList::default();
        space_all.push(LOGIN.to_string());
        space_read.push(LOGIN.to_string());
        for f in registry.features() {
            if f.privileges.is_some() && !f.hidden {
                for top in ["all", "read"] {
                    if !in_base(f, top) {
                        continue;
                    }
                    let merged = merged_top(f, top).unwrap_or_default();
                    if top == "read" {
                        space_read.extend(merged.iter().cloned());
                    }
                    space_all.extend(merged);
                }
                features.push((f.id.clone(), feature_privileges(f)));
            }
            for r in f.reserved_privileges() {
                let mut out = ActionList::default();
                let grants = with_automatic_grants(&r.privilege.grants, AUTOMATIC_ALL);
                grants_actions(&f.id, &grants, &mut out);
                reserved.push((r.id.clone(), out.into_vec()));
            }
        }
        let space_all = space_all.into_vec();
        let space_read = space_read.into_vec();
        let mut global_all = ActionList::default();
        global_all.extend(space_all.iter().cloned());
        global_all.extend(GLOBAL_ALL_ONLY.iter().map(|s| s.to_string()));
        let mut global_read = ActionList::default();
        global_read.extend(space_read.iter().cloned());
        global_read.extend(GLOBAL_READ_ONLY.iter().map(|s| s.to_string()));

        let mut kp = KibanaPrivileges {
            global: vec![
                ("all".into(), global_all.into_vec()),
                ("read".into(), global_read.into_vec()),
            ],
            space: vec![("all".into(), space_all), ("read".into(), space_read)],
            features,
            reserved,
            by_name: HashMap::new(),
        };
        kp.by_name = kp.serialized().into_iter().collect();
        kp
    }

    /// (ES privilege name, actions) in registration order.
    pub fn serialized(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = self.global.clone();
        out.extend(
            self.space
                .iter()
                .map(|(n, a)| (format!("space_{n}"), a.clone())),
        );
        for (f, privileges) in &self.features {
            out.extend(
                privileges
                    .iter()
                    .map(|(p, a)| (format!("feature_{f}.{p}"), a.clone())),
            );
        }
        out.extend(
            self.reserved
                .iter()
                .map(|(r, a)| (format!("reserved_{r}"), a.clone())),
        );
        out
    }

    /// The descriptors to store with `PUT /_security/privilege`, for `application`.
    pub fn descriptors(&self, application: &str) -> Vec<ApplicationPrivilegeDescriptor> {
        self.serialized()
            .into_iter()
            .map(|(name, actions)| ApplicationPrivilegeDescriptor {
                application: application.to_string(),
                name,
                actions,
                metadata: Map::new(),
            })
            .collect()
    }

    /// A store holding only Kibana's privileges under [`APPLICATION`].
    pub fn store(&self) -> ApplicationPrivilegeStore {
        ApplicationPrivilegeStore::new(self.descriptors(APPLICATION))
    }

    /// The actions of a registered ES privilege name (`all`, `space_read`, `feature_x.y`, …).
    pub fn actions_of(&self, es_name: &str) -> Option<&[String]> {
        self.by_name.get(es_name).map(Vec::as_slice)
    }

    /// Actions of feature privilege `feature.privilege`.
    pub fn feature_actions(&self, feature: &str, privilege: &str) -> Option<&[String]> {
        self.actions_of(&format!("feature_{feature}.{privilege}"))
    }

    /// `GET /api/security/privileges` (with `includeActions=true`: action lists instead of ids).
    pub fn catalogue_body(&self, include_actions: bool) -> Value {
        let list = |named: &Named| -> Value {
            if include_actions {
                Value::Object(named.iter().map(|(n, a)| (n.clone(), json!(a))).collect())
            } else {
                json!(named.iter().map(|(n, _)| n).collect::<Vec<_>>())
            }
        };
        let features: Map<String, Value> = self
            .features
            .iter()
            .map(|(f, p)| (f.clone(), list(p)))
            .collect();
        json!({
            "global": list(&self.global),
            "space": list(&self.space),
            "features": features,
            "reserved": list(&self.reserved),
        })
    }
}

#[cfg(test)]
mod tests;
