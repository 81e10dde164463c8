//! Kibana-sized application privileges for `kibana-.kibana`, generated from Kibana's feature
//! catalogue the way Kibana registers them (literal action names such as `login:`,
//! `app:<id>`, `ui:<feature>/<capability>`, `saved_object:<type>/<op>`, `api:<tag>`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use rampart_core::permission::ApplicationPrivilegeDescriptor;
use serde_json::{Map, Value, json};

/// The Kibana application of the default Kibana index.
pub const KIBANA_APP: &str = "kibana-.kibana";

const SAVED_OBJECT_READ_OPS: [&str; 5] = [
    "bulk_get",
    "get",
    "find",
    "open_point_in_time",
    "close_point_in_time",
];
const SAVED_OBJECT_WRITE_OPS: [&str; 7] = [
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "bulk_delete",
    "share_to_space",
];
const RULE_READ_OPS: [&str; 6] = [
    "get",
    "getRuleState",
    "getAlertSummary",
    "getExecutionLog",
    "getExecutionErrors",
    "find",
];
const RULE_WRITE_OPS: [&str; 11] = [
    "create",
    "delete",
    "update",
    "updateApiKey",
    "enable",
    "disable",
    "muteAll",
    "unmuteAll",
    "muteAlert",
    "unmuteAlert",
    "snooze",
];
const GLOBAL_ONLY_ACTIONS: [&str; 6] = [
    "api:features",
    "space:manage",
    "ui:spaces/manage",
    "ui:management/kibana/spaces",
    "ui:catalogue/spaces",
    "ui:enterpriseSearch/all",
];

/// Where the shared spec keeps Kibana's feature catalogue, relative to this crate.
pub fn features_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/kibana-features.json")
}

/// Where the features came from (reported by the bench).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSource {
    SpecFile,
    Synthetic,
}

/// Kibana's feature catalogue from the shared spec, or a synthetic catalogue of the same size
/// when the file is missing or unreadable (bench setup only; the engine does no IO).
pub fn load_features() -> (Value, FeatureSource) {
    std::fs::read_to_string(features_path())
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .filter(Value::is_array)
        .map(|v| (v, FeatureSource::SpecFile))
        .unwrap_or_else(|| (synthetic_features(29), FeatureSource::Synthetic))
}

/// A catalogue of `count` features shaped like Kibana's (apps, catalogue, management, UI
/// capabilities, APIs, saved-object types, alerting rule types, one sub-feature each).
pub fn synthetic_features(count: usize) -> Value {
    let features: Vec<Value> = (0..count)
        .map(|i| {
            let id = format!("feature{i:02}");
            let types: Vec<String> = (0..6).map(|t| format!("{id}-type{t}")).collect();
            let ui: Vec<String> = (0..8).map(|c| format!("capability{c}")).collect();
            let api: Vec<String> = (0..5).map(|a| format!("{id}:api{a}")).collect();
            let rules: Vec<String> = (0..2).map(|r| format!("{id}.rule{r}")).collect();
            let privilege = |all: bool| {
                json!({
                    "app": [id, "kibana"],
                    "catalogue": [id],
                    "management": {"kibana": [format!("{id}_settings")]},
                    "savedObject": if all {
                        json!({"all": types, "read": ["index-pattern", "config"]})
                    } else {
                        json!({"all": [], "read": types})
                    },
                    "ui": if all { json!(ui) } else { json!(["capability0", "capability1"]) },
                    "api": if all { json!(api) } else { json!([api.first()]) },
                    "alerting": {"rule": {if all { "all" } else { "read" }: rules}}
                })
            };
            json!({
                "id": id,
                "privileges": {"all": privilege(true), "read": privilege(false)},
                "subFeatures": [{"privilegeGroups": [{"privileges": [{
                    "id": format!("{id}_extra"),
                    "includeIn": "all",
                    "ui": ["extraCapability"],
                    "api": [format!("{id}:extra")],
                    "savedObject": {"all": [format!("{id}-extra")], "read": []}
                }]}]}]
            })
        })
        .collect();
    Value::Array(features)
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = &str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The literal actions of one privilege definition of feature `feature`.
fn definition_actions(feature: &str, def: &Value, out: &mut BTreeSet<String>) {
    for app in strings(def.get("app")) {
        out.insert(format!("app:{app}"));
        out.insert(format!("ui:navLinks/{app}"));
    }
    for entry in strings(def.get("catalogue")) {
        out.insert(format!("ui:catalogue/{entry}"));
    }
    if let Some(sections) = def.get("management").and_then(Value::as_object) {
        for (section, ids) in sections {
            for id in strings(Some(ids)) {
                out.insert(format!("ui:management/{section}/{id}"));
            }
        }
    }
    for capability in strings(def.get("ui")) {
        out.insert(format!("ui:{feature}/{capability}"));
    }
    for tag in strings(def.get("api")) {
        out.insert(format!("api:{tag}"));
    }
    let saved = def.get("savedObject");
    for ty in strings(saved.and_then(|s| s.get("all"))) {
        for op in SAVED_OBJECT_READ_OPS.iter().chain(&SAVED_OBJECT_WRITE_OPS) {
            out.insert(format!("saved_object:{ty}/{op}"));
        }
    }
    for ty in strings(saved.and_then(|s| s.get("read"))) {
        for op in SAVED_OBJECT_READ_OPS {
            out.insert(format!("saved_object:{ty}/{op}"));
        }
    }
    let alerting = def.get("alerting");
    for kind in ["rule", "alert"] {
        let part = alerting.and_then(|a| a.get(kind));
        for rule_type in strings(part.and_then(|p| p.get("all"))) {
            alerting_actions(rule_type, feature, kind, true, out);
        }
        for rule_type in strings(part.and_then(|p| p.get("read"))) {
            alerting_actions(rule_type, feature, kind, false, out);
        }
    }
}

fn alerting_actions(
    rule_type: &str,
    consumer: &str,
    kind: &str,
    write: bool,
    out: &mut BTreeSet<String>,
) {
    let (read_ops, write_ops): (&[&str], &[&str]) = if kind == "rule" {
        (&RULE_READ_OPS, &RULE_WRITE_OPS)
    } else {
        (&["get", "find"], &["update"])
    };
    let ops = read_ops.iter().chain(if write { write_ops } else { &[] });
    for op in ops {
        out.insert(format!("alerting:{rule_type}/{consumer}/{kind}/{op}"));
    }
}

/// Sub-feature privileges of a feature: (id, includeIn, definition).
fn sub_feature_privileges(feature: &Value) -> Vec<(&str, &str, &Value)> {
    feature
        .get("subFeatures")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("privilegeGroups").and_then(Value::as_array))
        .flatten()
        .filter_map(|g| g.get("privileges").and_then(Value::as_array))
        .flatten()
        .filter_map(|p| {
            let id = p.get("id")?.as_str()?;
            let include_in = p.get("includeIn").and_then(Value::as_str).unwrap_or("none");
            Some((id, include_in, p))
        })
        .collect()
}

fn descriptor(name: &str, actions: BTreeSet<String>) -> ApplicationPrivilegeDescriptor {
    ApplicationPrivilegeDescriptor {
        application: KIBANA_APP.to_string(),
        name: name.to_string(),
        actions: actions.into_iter().collect(),
        metadata: Map::new(),
    }
}

/// Every privilege Kibana registers for its features: `all`, `read`, `space_all`,
/// `space_read`, and per feature `feature_<id>.{all,read,minimal_all,minimal_read}` plus one
/// per sub-feature privilege.
pub fn kibana_privileges(features: &Value) -> Vec<ApplicationPrivilegeDescriptor> {
    let login = || BTreeSet::from(["login:".to_string()]);
    let mut out = Vec::new();
    let mut space_all = login();
    let mut space_read = login();
    for feature in features.as_array().into_iter().flatten() {
        let Some(id) = feature.get("id").and_then(Value::as_str) else {
            continue;
        };
        let Some(privileges) = feature.get("privileges").filter(|p| p.is_object()) else {
            continue;
        };
        let subs = sub_feature_privileges(feature);
        for base in ["all", "read"] {
            let Some(def) = privileges.get(base) else {
                continue;
            };
            let mut minimal = login();
            definition_actions(id, def, &mut minimal);
            let mut merged = minimal.clone();
            for (_, include_in, sub) in &subs {
                if *include_in == base || (*include_in == "read" && base == "all") {
                    definition_actions(id, sub, &mut merged);
                }
            }
            space_all.extend(merged.iter().cloned());
            if base == "read" {
                space_read.extend(merged.iter().cloned());
            }
            out.push(descriptor(&format!("feature_{id}.{base}"), merged));
            out.push(descriptor(&format!("feature_{id}.minimal_{base}"), minimal));
        }
        for (sub_id, _, sub) in &subs {
            let mut actions = login();
            definition_actions(id, sub, &mut actions);
            out.push(descriptor(&format!("feature_{id}.{sub_id}"), actions));
        }
    }
    let mut all = space_all.clone();
    all.extend(GLOBAL_ONLY_ACTIONS.iter().map(|a| a.to_string()));
    let mut read = space_read.clone();
    read.insert("ui:globalSettings/show".to_string());
    out.push(descriptor("space_all", space_all));
    out.push(descriptor("space_read", space_read));
    out.push(descriptor("all", all));
    out.push(descriptor("read", read));
    out
}

/// Total number of action strings over all descriptors (with repeats across privileges).
pub fn total_actions(privileges: &[ApplicationPrivilegeDescriptor]) -> usize {
    privileges.iter().map(|p| p.actions.len()).sum()
}

#[cfg(test)]
mod tests;
