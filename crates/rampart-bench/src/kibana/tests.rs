use super::*;

fn find<'a>(
    privileges: &'a [ApplicationPrivilegeDescriptor],
    name: &str,
) -> &'a ApplicationPrivilegeDescriptor {
    privileges.iter().find(|p| p.name == name).unwrap()
}

#[test]
fn spec_file_is_used_when_present() {
    let (_, source) = load_features();
    let expected = if features_path().exists() {
        FeatureSource::SpecFile
    } else {
        FeatureSource::Synthetic
    };
    assert_eq!(source, expected);
}

#[test]
fn spec_catalogue_gives_thousands_of_literal_actions() {
    let (features, _) = load_features();
    let privileges = kibana_privileges(&features);
    assert!(
        total_actions(&privileges) > 3000,
        "{}",
        total_actions(&privileges)
    );
    for p in &privileges {
        assert_eq!(p.application, KIBANA_APP);
        assert!(p.actions.iter().all(|a| !a.contains('*')), "{}", p.name);
    }
}

#[test]
fn synthetic_catalogue_is_kibana_sized() {
    let privileges = kibana_privileges(&synthetic_features(29));
    // 29 features x (all, read, minimal_all, minimal_read, one sub-feature) + 4 base privileges.
    assert_eq!(privileges.len(), 29 * 5 + 4);
    assert!(
        total_actions(&privileges) > 3000,
        "{}",
        total_actions(&privileges)
    );
}

#[test]
fn feature_privileges_merge_sub_features_and_minimal_ones_do_not() {
    let privileges = kibana_privileges(&synthetic_features(2));
    let all = find(&privileges, "feature_feature01.all");
    let minimal = find(&privileges, "feature_feature01.minimal_all");
    let sub = find(&privileges, "feature_feature01.feature01_extra");
    let extra = "ui:feature01/extraCapability".to_string();
    assert!(all.actions.contains(&extra));
    assert!(!minimal.actions.contains(&extra));
    assert!(sub.actions.contains(&extra));
    assert!(sub.actions.contains(&"login:".to_string()));
    assert!(
        all.actions
            .contains(&"saved_object:feature01-type0/share_to_space".to_string())
    );
    assert!(
        all.actions
            .contains(&"alerting:feature01.rule0/feature01/rule/snooze".to_string())
    );
}

#[test]
fn base_privileges_are_unions_and_global_all_adds_space_management() {
    let privileges = kibana_privileges(&synthetic_features(3));
    let space_all = find(&privileges, "space_all");
    let all = find(&privileges, "all");
    let read = find(&privileges, "read");
    assert!(space_all.actions.iter().all(|a| all.actions.contains(a)));
    assert!(all.actions.contains(&"space:manage".to_string()));
    assert!(!space_all.actions.contains(&"space:manage".to_string()));
    assert!(read.actions.contains(&"app:feature02".to_string()));
    assert!(
        !read
            .actions
            .contains(&"saved_object:feature02-type0/create".to_string())
    );
}
