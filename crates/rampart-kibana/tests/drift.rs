//! Drift test: our registry data (generated once by tools/gen_features.py) still matches the
//! facts file `shared/spec/kibana-features.json`, when that file is present.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rampart_kibana::{FeatureRegistry, KibanaPrivileges};
use serde_json::Value;

fn spec() -> Option<Vec<Value>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/spec/kibana-features.json");
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[test]
fn registry_matches_facts_file() {
    let Some(spec) = spec() else {
        eprintln!("facts file not present; drift test skipped");
        return;
    };
    let registry = FeatureRegistry::builtin().unwrap();
    let privileges = KibanaPrivileges::build(&registry);
    let names: Vec<String> = privileges
        .serialized()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let ids: Vec<&str> = spec.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let ours: Vec<&str> = registry.features().iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ours, ids);
    for sf in &spec {
        let id = sf["id"].as_str().unwrap();
        let f = registry.get(id).unwrap();
        assert_eq!(f.name, sf["name"].as_str().unwrap(), "{id}");
        assert_eq!(f.category.as_deref(), sf["category"].as_str(), "{id}");
        assert_eq!(f.privileges.is_none(), sf["privileges"].is_null(), "{id}");
        for top in ["all", "read"] {
            let sp = &sf["privileges"][top];
            if let Some(p) = f.top_privilege(top) {
                assert_eq!(
                    p.require_all_spaces,
                    flag(sp, "requireAllSpaces"),
                    "{id}.{top}"
                );
                assert_eq!(p.disabled, flag(sp, "disabled"), "{id}.{top}");
                assert_eq!(
                    p.exclude_from_base_privileges,
                    flag(sp, "excludeFromBasePrivileges"),
                    "{id}.{top}"
                );
            } else {
                assert!(sp.is_null(), "{id}.{top}");
            }
        }
        let spec_subs: Vec<(String, String, String)> = sf["subFeatures"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["privilegeGroups"].as_array().unwrap())
            .flat_map(|g| {
                let gt = g["groupType"].as_str().unwrap().to_string();
                g["privileges"].as_array().unwrap().iter().map(move |p| {
                    (
                        p["id"].as_str().unwrap().to_string(),
                        p["includeIn"].as_str().unwrap().to_string(),
                        gt.clone(),
                    )
                })
            })
            .collect();
        let our_subs: Vec<(String, String, String)> = f
            .sub_features
            .iter()
            .flat_map(|s| &s.privilege_groups)
            .flat_map(|g| {
                let gt = format!("{:?}", g.group_type);
                g.privileges.iter().map(move |p| {
                    (
                        p.id.clone(),
                        format!("{:?}", p.include_in).to_lowercase(),
                        gt.clone(),
                    )
                })
            })
            .map(|(a, b, c)| {
                (
                    a,
                    b,
                    if c == "Independent" {
                        "independent".into()
                    } else {
                        "mutually_exclusive".into()
                    },
                )
            })
            .collect();
        assert_eq!(our_subs, spec_subs, "{id}");
        // The registered ES names equal the facts' serialized names, in order.
        let expected: Vec<String> = sf["serializedPrivilegeNames"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let prefix = format!("feature_{id}.");
        let got: Vec<String> = names
            .iter()
            .filter(|n| n.starts_with(&prefix))
            .cloned()
            .collect();
        assert_eq!(got, expected, "{id}");
        for r in sf["serializedReservedPrivilegeNames"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(names.iter().any(|n| n == r.as_str().unwrap()), "{r}");
        }
    }
}
