use super::*;

fn kp() -> KibanaPrivileges {
    KibanaPrivileges::build(&FeatureRegistry::builtin().unwrap())
}

fn has(actions: &[String], a: &str) -> bool {
    actions.iter().any(|x| x == a)
}

#[test]
fn registered_names_cover_base_feature_and_reserved() {
    let names: Vec<String> = kp().serialized().into_iter().map(|(n, _)| n).collect();
    assert_eq!(&names[..4], ["all", "read", "space_all", "space_read"]);
    for n in [
        "feature_discover.all",
        "feature_discover.minimal_read",
        "feature_discover.url_create",
        "feature_graph.minimal_all",
        "reserved_ml_user",
        "reserved_ml_admin",
        "reserved_ml_apm_user",
        "reserved_monitoring",
        "reserved_fleet-setup",
    ] {
        assert!(names.iter().any(|x| x == n), "{n}");
    }
    assert!(!names.iter().any(|n| n.starts_with("feature_monitoring.")));
}

#[test]
fn feature_privilege_actions_are_built_like_kibana() {
    let kp = kp();
    let all = kp.feature_actions("discover", "all").unwrap();
    assert_eq!(all[0], "login:");
    for a in [
        "app:discover",
        "ui:navLinks/discover",
        "ui:catalogue/discover",
        "ui:discover/show",
        "ui:discover/save",
        "api:fileUpload:analyzeFile",
        "saved_object:search/create",
        "saved_object:search/share_to_space",
        "saved_object:index-pattern/get",
        // merged sub-feature privileges (includeIn: all)
        "ui:discover/createShortUrl",
        "saved_object:url/create",
        "ui:management/kibana/search_sessions",
    ] {
        assert!(has(all, a), "{a}");
    }
    assert!(!has(all, "saved_object:index-pattern/create"));
    let minimal = kp.feature_actions("discover", "minimal_all").unwrap();
    assert!(has(minimal, "ui:discover/save") && !has(minimal, "ui:discover/createShortUrl"));
    let read = kp.feature_actions("discover", "read").unwrap();
    assert!(has(read, "saved_object:search/find") && !has(read, "saved_object:search/create"));
    assert!(!has(read, "ui:discover/createShortUrl"));
    let url = kp.feature_actions("discover", "url_create").unwrap();
    assert_eq!(url[0], "login:");
    assert!(has(url, "ui:discover/createShortUrl"));
}

#[test]
fn include_in_read_merges_into_both() {
    let kp = kp();
    let read = kp.feature_actions("rulesSettings", "read").unwrap();
    let all = kp.feature_actions("rulesSettings", "all").unwrap();
    assert!(has(read, "ui:rulesSettings/readFlappingSettingsUI"));
    assert!(has(all, "ui:rulesSettings/readFlappingSettingsUI"));
    assert!(has(all, "ui:rulesSettings/writeFlappingSettingsUI"));
    assert!(!has(read, "ui:rulesSettings/writeFlappingSettingsUI"));
    // includeIn: none merges nowhere
    let siem_all = kp.feature_actions("siem", "all").unwrap();
    assert!(!has(siem_all, "ui:siem/writeEndpointList"));
}

#[test]
fn base_privileges_union_features_and_global_extras() {
    let kp = kp();
    let space_all = kp.actions_of("space_all").unwrap();
    let space_read = kp.actions_of("space_read").unwrap();
    let global_all = kp.actions_of("all").unwrap();
    assert!(has(space_all, "ui:discover/save") && has(space_all, "app:ml"));
    assert!(has(space_read, "ui:discover/show") && !has(space_read, "ui:discover/save"));
    assert!(!has(space_all, "space:manage") && has(global_all, "space:manage"));
    assert!(has(global_all, "ui:discover/save"));
    // Stack Monitoring is only reachable through its reserved privilege.
    assert!(!has(global_all, "app:monitoring"));
    assert!(has(
        kp.actions_of("reserved_monitoring").unwrap(),
        "app:monitoring"
    ));
    // fleetv2 read is disabled: not part of space_read.
    assert!(!has(space_read, "ui:fleetv2/read"));
    assert!(has(
        kp.feature_actions("fleetv2", "read").unwrap(),
        "ui:fleetv2/read"
    ));
    assert!(has(space_all, "api:fleet-all"));
}

#[test]
fn descriptors_ready_to_store() {
    let d = kp().descriptors(APPLICATION);
    assert!(
        d.iter()
            .all(|p| p.application == "kibana-.kibana" && !p.actions.is_empty())
    );
    assert!(d.iter().all(|p| p.actions.iter().all(|a| !a.contains('*'))));
    let mut names: Vec<&str> = d.iter().map(|p| p.name.as_str()).collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "no duplicate names");
}

#[test]
fn catalogue_body_lists_ids_or_actions() {
    let kp = kp();
    let body = kp.catalogue_body(false);
    assert_eq!(body["global"], serde_json::json!(["all", "read"]));
    assert_eq!(body["space"], serde_json::json!(["all", "read"]));
    assert_eq!(
        body["features"]["graph"],
        serde_json::json!(["all", "read", "minimal_all", "minimal_read"])
    );
    assert_eq!(
        body["reserved"],
        serde_json::json!([
            "ml_user",
            "ml_admin",
            "ml_apm_user",
            "fleet-setup",
            "monitoring"
        ])
    );
    let with = kp.catalogue_body(true);
    assert_eq!(with["features"]["graph"]["all"][0], "login:");
}

#[test]
fn every_feature_privilege_gets_the_automatic_saved_object_grants() {
    let kp = kp();
    let read_ops = ["bulk_get", "get", "find"];
    for name in [
        "read",
        "space_read",
        "all",
        "space_all",
        "feature_discover.read",
        "feature_discover.minimal_read",
        "feature_graph.all",
        "feature_graph.minimal_all",
        "reserved_ml_user",
    ] {
        let actions = kp.actions_of(name).unwrap();
        for kind in ["config", "config-global", "url", "telemetry"] {
            for op in read_ops {
                let a = format!("saved_object:{kind}/{op}");
                assert!(has(actions, &a), "{name}: {a}");
            }
        }
    }
    // `all` (and reserved) may write telemetry; `read` only reads it; config stays read-only.
    let read = kp.actions_of("feature_discover.read").unwrap();
    assert!(!has(read, "saved_object:telemetry/create"));
    let all = kp.actions_of("feature_discover.all").unwrap();
    assert!(has(all, "saved_object:telemetry/create"));
    assert!(!has(all, "saved_object:config-global/create"));
    assert!(has(
        kp.actions_of("reserved_ml_admin").unwrap(),
        "saved_object:telemetry/update"
    ));
    // Sub-feature privileges get none of it (only what they declare).
    let sub = kp.actions_of("feature_discover.url_create").unwrap();
    assert!(!has(sub, "saved_object:config/find"));
    // advancedSettings declares `config` under `all` itself: no duplicates.
    let adv = kp.actions_of("feature_advancedSettings.all").unwrap();
    let finds = adv
        .iter()
        .filter(|a| *a == "saved_object:config/find")
        .count();
    assert_eq!(finds, 1);
}
