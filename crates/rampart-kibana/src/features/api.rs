//! `GET /api/features`: the registry rendered in Kibana's (camelCase) feature format.

use serde_json::{Map, Value, json};

use super::model::{Feature, FeaturePrivilege, Grants, GroupType, IncludeIn, SubFeature};
use super::registry::FeatureRegistry;

/// Category id → label shown by Kibana.
fn category_label(id: &str) -> &str {
    match id {
        "kibana" => "Analytics",
        "enterpriseSearch" => "Search",
        "observability" => "Observability",
        "securitySolution" => "Security",
        "management" => "Management",
        "chat" => "Chat",
        other => other,
    }
}

fn grants_json(g: &Grants) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("app".into(), json!(g.app));
    m.insert("catalogue".into(), json!(g.catalogue));
    if !g.management.is_empty() {
        m.insert("management".into(), json!(g.management));
    }
    m.insert(
        "savedObject".into(),
        json!({"all": g.saved_object.all, "read": g.saved_object.read}),
    );
    m.insert("ui".into(), json!(g.ui));
    m.insert("api".into(), json!(g.api));
    let a = &g.alerting;
    if !(a.rule.all.is_empty()
        && a.rule.read.is_empty()
        && a.alert.all.is_empty()
        && a.alert.read.is_empty())
    {
        m.insert(
            "alerting".into(),
            json!({"rule": {"all": a.rule.all, "read": a.rule.read},
                   "alert": {"all": a.alert.all, "read": a.alert.read}}),
        );
    }
    if !g.cases.is_empty() {
        m.insert("cases".into(), json!(g.cases));
    }
    m
}

fn privilege_json(p: &FeaturePrivilege) -> Value {
    let mut m = grants_json(&p.grants);
    for (key, flag) in [
        ("requireAllSpaces", p.require_all_spaces),
        ("disabled", p.disabled),
        ("excludeFromBasePrivileges", p.exclude_from_base_privileges),
    ] {
        if flag {
            m.insert(key.into(), Value::Bool(true));
        }
    }
    Value::Object(m)
}

fn sub_feature_json(s: &SubFeature) -> Value {
    let groups: Vec<Value> = s
        .privilege_groups
        .iter()
        .map(|g| {
            let privileges: Vec<Value> = g
                .privileges
                .iter()
                .map(|p| {
                    let mut m = Map::new();
                    m.insert("id".into(), json!(p.id));
                    m.insert("name".into(), json!(p.name));
                    m.insert(
                        "includeIn".into(),
                        json!(match p.include_in {
                            IncludeIn::All => "all",
                            IncludeIn::Read => "read",
                            IncludeIn::None => "none",
                        }),
                    );
                    m.extend(grants_json(&p.grants));
                    if let Some(l) = &p.minimum_license {
                        m.insert("minimumLicense".into(), json!(l));
                    }
                    Value::Object(m)
                })
                .collect();
            json!({
                "groupType": match g.group_type {
                    GroupType::Independent => "independent",
                    GroupType::MutuallyExclusive => "mutually_exclusive",
                },
                "privileges": privileges,
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    if s.require_all_spaces {
        m.insert("requireAllSpaces".into(), Value::Bool(true));
    }
    m.insert("privilegeGroups".into(), Value::Array(groups));
    Value::Object(m)
}

/// One feature in Kibana's format.
pub fn feature_json(f: &Feature) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(f.id));
    m.insert("name".into(), json!(f.name));
    if let Some(c) = &f.category {
        m.insert(
            "category".into(),
            json!({"id": c, "label": category_label(c)}),
        );
    }
    if let Some(o) = f.order {
        m.insert("order".into(), json!(o));
    }
    m.insert("app".into(), json!(f.app));
    m.insert("catalogue".into(), json!(f.catalogue));
    if !f.management.is_empty() {
        m.insert("management".into(), json!(f.management));
    }
    if !f.alerting.is_empty() {
        m.insert("alerting".into(), json!(f.alerting));
    }
    if !f.cases.is_empty() {
        m.insert("cases".into(), json!(f.cases));
    }
    if let Some(l) = &f.minimum_license {
        m.insert("minimumLicense".into(), json!(l));
    }
    if let Some(t) = &f.privileges_tooltip {
        m.insert("privilegesTooltip".into(), json!(t));
    }
    let privileges = match &f.privileges {
        None => Value::Null,
        Some(p) => {
            let mut pm = Map::new();
            if let Some(all) = &p.all {
                pm.insert("all".into(), privilege_json(all));
            }
            if let Some(read) = &p.read {
                pm.insert("read".into(), privilege_json(read));
            }
            Value::Object(pm)
        }
    };
    m.insert("privileges".into(), privileges);
    m.insert(
        "subFeatures".into(),
        Value::Array(f.sub_features.iter().map(sub_feature_json).collect()),
    );
    if let Some(r) = &f.reserved {
        let privileges: Vec<Value> = r
            .privileges
            .iter()
            .map(|p| json!({"id": p.id, "privilege": privilege_json(&p.privilege)}))
            .collect();
        m.insert(
            "reserved".into(),
            json!({"description": r.description, "privileges": privileges}),
        );
    }
    if let Some(d) = &f.deprecated_in {
        m.insert(
            "deprecated".into(),
            json!({"notice": format!("deprecated in {d}")}),
        );
    }
    Value::Object(m)
}

impl FeatureRegistry {
    /// The `GET /api/features` body: every non-hidden feature, in registration order.
    pub fn features_api_body(&self) -> Value {
        Value::Array(
            self.features()
                .iter()
                .filter(|f| !f.hidden)
                .map(feature_json)
                .collect(),
        )
    }
}
