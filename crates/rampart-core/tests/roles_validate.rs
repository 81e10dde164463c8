#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Role validation: names, privileges, applications, metadata, description.

use rampart_core::error::EsError;
use rampart_core::role::{
    RoleContext, RoleDescriptor, parse_role, validate_application_name,
    validate_application_privilege_name, validate_role,
};
use serde_json::{Value, json};

const NAME_RULE: &str = "They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed.";

fn problems(name: &str, body: Value, ctx: RoleContext) -> Vec<String> {
    let role = parse_role(name, &body, ctx).unwrap();
    match validate_role(&role, ctx) {
        Ok(()) => vec![],
        Err(rampart_core::role::RoleError::Validation(p)) => p,
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn valid_role_passes() {
    let body = json!({"cluster": ["monitor", "cluster:admin/xpack/*"], "indices": [{"names": "*", "privileges": ["read", "indices:data/read/*"]}],
                      "applications": [{"application": "kibana-*", "privileges": ["read", "data:read/*"], "resources": ["*"]}],
                      "metadata": {"owner": "x"}});
    assert!(problems("my role", body, RoleContext::RoleApi).is_empty());
}

#[test]
fn name_rules() {
    assert_eq!(
        problems("", json!({}), RoleContext::RoleApi),
        ["role name is missing"]
    );
    let too_long = "a".repeat(508);
    let expected =
        format!("Role names must be at least 1 and no more than 507 characters. {NAME_RULE}");
    assert_eq!(
        problems(&too_long, json!({}), RoleContext::RoleApi),
        vec![expected.clone()]
    );
    assert!(problems(&"a".repeat(507), json!({}), RoleContext::RoleApi).is_empty());
    assert!(problems(&too_long, json!({}), RoleContext::File).is_empty());
    assert_eq!(
        problems(&"a".repeat(1025), json!({}), RoleContext::File),
        [format!(
            "Role names must be at least 1 and no more than 1024 characters. {NAME_RULE}"
        )]
    );
    assert_eq!(
        problems(" lead", json!({}), RoleContext::RoleApi),
        vec![expected.clone()]
    );
    assert_eq!(
        problems("caf\u{e9}", json!({}), RoleContext::RoleApi),
        [expected]
    );
    assert_eq!(
        problems("superuser", json!({}), RoleContext::RoleApi),
        ["Role [superuser] is reserved and may not be used."]
    );
    assert!(problems("superuser", json!({}), RoleContext::ApiKey).is_empty());
}

#[test]
fn all_problems_are_reported_together() {
    let body = json!({
        "cluster": ["foo"],
        "indices": [{"names": "i", "privileges": ["read", "bar"]}],
        "applications": [{"application": "a b", "privileges": ["has space"], "resources": ["*"]}],
        "metadata": {"_secret": 1},
        "description": "x".repeat(1001)
    });
    let role = parse_role("r", &body, RoleContext::RoleApi).unwrap();
    let e = validate_role(&role, RoleContext::RoleApi).unwrap_err();
    assert_eq!(e.es_type(), "action_request_validation_exception");
    let reason = e.reason();
    assert!(reason.starts_with("Validation Failed: 1: unknown cluster privilege [foo]. a privilege must be either one of the predefined cluster privilege names ["), "{reason}");
    assert!(reason.contains(";2: unknown index privilege [bar]. a privilege must be either one of the predefined fixed indices privileges ["), "{reason}");
    assert!(
        reason.contains(";3: Application names may not contain whitespace (found 'a b');"),
        "{reason}"
    );
    assert!(reason.contains(";4: Application privilege names and actions must match the pattern ^\\p{Graph}*$ (found 'has space');"), "{reason}");
    assert!(
        reason.contains(";5: role descriptor metadata keys may not start with [_];"),
        "{reason}"
    );
    assert!(
        reason.ends_with(";6: Role description must be less than 1000 characters.;"),
        "{reason}"
    );
}

#[test]
fn reserved_metadata_is_allowed_on_reserved_roles_only() {
    let mut role = RoleDescriptor::named("r");
    role.metadata.insert("_reserved".into(), Value::Bool(true));
    assert!(validate_role(&role, RoleContext::File).is_ok());
    // Through the role and API key APIs a client cannot mark its role built-in.
    assert!(validate_role(&role, RoleContext::RoleApi).is_err());
    assert!(validate_role(&role, RoleContext::ApiKey).is_err());
    role.metadata.insert("_reserved".into(), Value::Bool(false));
    assert!(validate_role(&role, RoleContext::File).is_err());
}

#[test]
fn remote_problems() {
    let body =
        json!({"remote_indices": [{"names": "i", "privileges": ["nope"], "clusters": [""]}]});
    let p = problems("r", body, RoleContext::RoleApi);
    assert_eq!(p[0], "remote index cluster alias cannot be an empty string");
    assert!(p[1].starts_with("unknown index privilege [nope]"));
}

#[test]
fn global_role_manage_privileges_are_checked() {
    let body = json!({"global": {"role": {"manage": {"indices": [{"names": ["a"], "privileges": ["nope"]}]}}}});
    assert!(
        problems("r", body, RoleContext::RoleApi)[0].starts_with("unknown index privilege [nope]")
    );
}

#[test]
fn application_names() {
    let err = |name: &str, wildcard: bool| {
        validate_application_name(name, wildcard)
            .unwrap_err()
            .remove(0)
    };
    assert!(validate_application_name("kibana-.kibana", false).is_ok());
    assert!(validate_application_name("*", true).is_ok());
    assert!(validate_application_name("kibana-*", true).is_ok());
    assert!(validate_application_name("ki*", true).is_ok());
    assert_eq!(err("", true), "Application names cannot be blank");
    assert_eq!(
        err("app*", false),
        "Application names may not contain '*' (found 'app*')"
    );
    assert_eq!(
        err("a*p", true),
        "Application name patterns only support trailing wildcards (found 'a*p')"
    );
    assert_eq!(
        err("my app", true),
        "Application names may not contain whitespace (found 'my app')"
    );
    assert_eq!(
        err("1app", true),
        "An application name prefix must match the pattern ^[a-z][A-Za-z0-9]*$ (found '1app')"
    );
    assert_eq!(
        err("ap", true),
        "An application name prefix must be at least 3 characters long (found 'ap')"
    );
    assert_eq!(
        err("ab-x", false),
        "An application name prefix must be at least 3 characters long (found 'ab')"
    );
    assert_eq!(
        err("app-a|b", true),
        "An application name suffix may not contain any of the characters '\\/*?\"<>| ,' (found 'a|b')"
    );
}

#[test]
fn application_privilege_names() {
    assert!(validate_application_privilege_name("read").is_ok());
    assert!(validate_application_privilege_name("feature_x.all-1").is_ok());
    assert_eq!(
        validate_application_privilege_name("Read").unwrap_err(),
        "Application privilege names must match the pattern ^[a-z][a-zA-Z0-9_.-]*$ (found 'Read')"
    );
    assert!(validate_application_privilege_name("").is_err());
}
