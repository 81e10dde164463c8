use super::*;

fn registry() -> FeatureRegistry {
    FeatureRegistry::builtin().unwrap()
}

#[test]
fn builtin_registry_loads_all_features_in_order() {
    let r = registry();
    let ids: Vec<&str> = r.features().iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), 29);
    assert_eq!(ids.first(), Some(&"discover"));
    assert!(ids.contains(&"ml") && ids.contains(&"fleetv2") && ids.contains(&"monitoring"));
}

#[test]
fn flags_are_loaded() {
    let r = registry();
    let fleet = r.get("fleetv2").unwrap();
    assert!(fleet.top_privilege("all").unwrap().require_all_spaces);
    assert!(fleet.top_privilege("read").unwrap().disabled);
    let siem = r.get("siem").unwrap();
    assert!(siem.sub_features.iter().any(|s| s.require_all_spaces));
    assert!(r.get("monitoring").unwrap().privileges.is_none());
    let url = r
        .get("discover")
        .unwrap()
        .sub_feature_privilege("url_create")
        .unwrap();
    assert_eq!(url.include_in, IncludeIn::All);
}

#[test]
fn privilege_ids_most_permissive_first() {
    let r = registry();
    assert_eq!(
        r.get("graph").unwrap().privilege_ids(),
        ["all", "read", "minimal_all", "minimal_read"]
    );
    assert_eq!(
        r.get("discover").unwrap().privilege_ids(),
        [
            "all",
            "read",
            "minimal_all",
            "minimal_read",
            "url_create",
            "store_search_session",
            "generate_report"
        ]
    );
    assert!(r.get("monitoring").unwrap().privilege_ids().is_empty());
}

#[test]
fn include_in_merge_rule() {
    assert!(IncludeIn::All.merges_into("all") && !IncludeIn::All.merges_into("read"));
    assert!(IncludeIn::Read.merges_into("all") && IncludeIn::Read.merges_into("read"));
    assert!(!IncludeIn::None.merges_into("all") && !IncludeIn::None.merges_into("read"));
}

fn one_feature(
    patch: impl FnOnce(&mut serde_json::Value),
) -> Result<FeatureRegistry, RegistryError> {
    let text = include_str!("../../data/features.json");
    let all: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    let mut f = all.into_iter().find(|f| f["id"] == "graph").unwrap();
    patch(&mut f);
    FeatureRegistry::from_json(&serde_json::Value::Array(vec![f]).to_string())
}

#[test]
fn registration_rules_reject_bad_features() {
    assert!(one_feature(|_| {}).is_ok());
    for id in ["catalogue", "management", "navLinks", "bad id", ""] {
        assert!(
            matches!(
                one_feature(|f| f["id"] = id.into()),
                Err(RegistryError::InvalidFeature { .. })
            ),
            "{id}"
        );
    }
    // An app used by a privilege must be declared, and a declared app must be used.
    assert!(one_feature(|f| f["app"] = serde_json::json!(["graph"])).is_err());
    assert!(one_feature(|f| f["catalogue"] = serde_json::json!(["graph", "extra"])).is_err());
    // hidden needs privileges: null and reserved privileges.
    assert!(one_feature(|f| f["hidden"] = true.into()).is_err());
    // privileges: null forbids sub-features.
    let err = one_feature(|f| {
        f["privileges"] = serde_json::Value::Null;
        f["sub_features"] =
            serde_json::json!([{"name": "x", "require_all_spaces": false, "privilege_groups": []}]);
    });
    assert!(err.is_err());
}

#[test]
fn duplicate_feature_is_rejected() {
    let text = include_str!("../../data/features.json");
    let all: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    let g = all.into_iter().find(|f| f["id"] == "graph").unwrap();
    let two = serde_json::Value::Array(vec![g.clone(), g]).to_string();
    assert_eq!(
        FeatureRegistry::from_json(&two),
        Err(RegistryError::DuplicateFeature("graph".into()))
    );
}

#[test]
fn features_api_body_is_kibana_shaped() {
    let body = registry().features_api_body();
    let arr = body.as_array().unwrap();
    assert_eq!(arr.len(), 29);
    let discover = &arr[0];
    assert_eq!(discover["id"], "discover");
    assert_eq!(discover["category"]["label"], "Analytics");
    assert_eq!(discover["privileges"]["all"]["ui"][0], "show");
    assert_eq!(
        discover["subFeatures"][0]["privilegeGroups"][0]["privileges"][0]["includeIn"],
        "all"
    );
    let fleet = arr.iter().find(|f| f["id"] == "fleetv2").unwrap();
    assert_eq!(fleet["privileges"]["read"]["disabled"], true);
    let monitoring = arr.iter().find(|f| f["id"] == "monitoring").unwrap();
    assert!(monitoring["privileges"].is_null());
    assert_eq!(monitoring["reserved"]["privileges"][0]["id"], "monitoring");
}
