use std::collections::BTreeSet;

use super::*;
use crate::catalog;
use crate::test_support::spec_json;

#[test]
fn builtin_roles_load_and_match_the_reserved_role_names() {
    let roles = BuiltinRoles::load().unwrap();
    let names: BTreeSet<&str> = roles.names().collect();
    let reserved: BTreeSet<&str> = catalog::reserved_role_names().iter().copied().collect();
    assert_eq!(names, reserved);
    assert_eq!(roles.iter().count(), reserved.len(), "no duplicates");
    assert!(roles.iter().all(RoleDescriptor::is_reserved));
    assert_eq!(roles.names().next(), Some("superuser"));
}

#[test]
fn builtin_role_details_survive_the_yaml() {
    let roles = BuiltinRoles::load().unwrap();
    let superuser = roles.get("superuser").unwrap();
    assert!(superuser.transient_metadata.is_empty());
    assert_eq!(superuser.run_as, vec!["*"]);
    let viewer = roles.get("viewer").unwrap();
    assert_eq!(
        viewer.transient_metadata.get("enabled"),
        Some(&Value::Bool(true))
    );
    let apm = roles.get("apm_system").unwrap();
    assert!(
        apm.description
            .as_deref()
            .unwrap()
            .ends_with("Elasticsearch.\n")
    );
    let dft = roles.get("data_frame_transforms_user").unwrap();
    assert!(dft.description.as_deref().unwrap().ends_with(' '));
    assert!(
        roles
            .get("kibana_system")
            .unwrap()
            .global
            .application_manage
            .is_some()
    );
    assert!(roles.get("no_such_role").is_none());
}

#[test]
fn kibana_dashboard_only_user_is_deprecated_and_names_its_replacement() {
    let roles = BuiltinRoles::load().unwrap();
    let role = roles.get("kibana_dashboard_only_user").unwrap();
    assert_eq!(role.metadata.get("_deprecated"), Some(&Value::Bool(true)));
    let reason = role
        .metadata
        .get("_deprecated_reason")
        .and_then(Value::as_str)
        .unwrap();
    assert!(
        reason.contains("Kibana feature privileges") && reason.contains("viewer"),
        "{reason}"
    );
}

#[test]
fn reserved_users_are_the_seven_in_listing_order() {
    let users = reserved_users().unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        [
            "elastic",
            "kibana",
            "kibana_system",
            "logstash_system",
            "beats_system",
            "apm_system",
            "remote_monitoring_user"
        ]
    );
    let roles = BuiltinRoles::load().unwrap();
    for user in &users {
        assert!(user.enabled);
        for role in &user.roles {
            assert!(
                roles.get(role).is_some(),
                "{} has unknown role {role}",
                user.username
            );
        }
    }
}

/// Drift: every built-in role renders exactly as the facts say (key order ignored).
#[test]
fn builtin_roles_equal_the_facts() {
    let Some(facts) = spec_json("builtin-roles.json") else {
        eprintln!("note: facts folder missing, built-in role drift test skipped");
        return;
    };
    let roles = BuiltinRoles::load().unwrap();
    let mut checked = 0;
    for (name, expected) in facts.as_object().unwrap() {
        if name.starts_with('_') {
            continue;
        }
        let role = roles
            .get(name)
            .unwrap_or_else(|| panic!("built-in role {name} missing"));
        assert_eq!(
            &role.to_json(),
            expected,
            "built-in role {name} drifted from the facts"
        );
        checked += 1;
    }
    assert_eq!(checked, 32);
    let removed = &facts["_removed_roles"]["kibana_dashboard_only_user"]["last_definition_7x"];
    let mut rendered = roles.get("kibana_dashboard_only_user").unwrap().to_json();
    rendered["metadata"]["_deprecated_reason"] = removed["metadata"]["_deprecated_reason"].clone();
    assert_eq!(&rendered, removed);
}

/// Drift: reserved users equal the facts (ignoring `_`-prefixed notes).
#[test]
fn reserved_users_equal_the_facts() {
    let Some(facts) = spec_json("reserved-users.json") else {
        eprintln!("note: facts folder missing, reserved user drift test skipped");
        return;
    };
    let expected: Vec<Value> = facts
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| !name.starts_with('_'))
        .map(|(_, user)| {
            let fields = user
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| !k.starts_with('_'));
            Value::Object(fields.map(|(k, v)| (k.clone(), v.clone())).collect())
        })
        .collect();
    let actual: Vec<Value> = reserved_users()
        .unwrap()
        .iter()
        .map(ReservedUser::to_json)
        .collect();
    assert_eq!(actual, expected);
}
