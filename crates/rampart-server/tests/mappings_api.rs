#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Role-mapping API (put/get/delete, validation) and rule evaluation (`mapped_roles`).

mod common;

use common::{TestNode, reason};
use serde_json::{Value, json};

use rampart_server::api::role_mappings::{UserFacts, mapped_roles};

#[tokio::test]
async fn put_get_delete_role_mapping() {
    let node = TestNode::new();
    let body = json!({"enabled": true, "roles": ["kibana_user"], "rules": {"field": {"username": "*"}},
        "metadata": {"uuid": "b9a59ba9-6b92-4be2-bb8d-02bb270cb3a7"}});
    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role_mapping/everyone",
            Some(body.clone()),
        )
        .await;
    assert_eq!((s, b), (200, json!({"role_mapping": {"created": true}})));
    let (s, b) = node
        .admin(
            "POST",
            "/_security/role_mapping/everyone?refresh=true",
            Some(body),
        )
        .await;
    assert_eq!((s, b), (200, json!({"role_mapping": {"created": false}})));

    let (s, b) = node
        .admin("GET", "/_security/role_mapping/everyone", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"everyone": {"enabled": true, "roles": ["kibana_user"],
        "rules": {"field": {"username": "*"}}, "metadata": {"uuid": "b9a59ba9-6b92-4be2-bb8d-02bb270cb3a7"}}})
    );
    node.admin("PUT", "/_security/role_mapping/other", Some(json!({"enabled": false, "roles": ["x"],
        "rules": {"any": [{"field": {"groups": ["a", "b"]}}, {"except": {"field": {"realm.name": "file"}}}]}}))).await;
    let (_, b) = node.admin("GET", "/_security/role_mapping", None).await;
    assert_eq!(b.as_object().unwrap().len(), 2);
    assert_eq!(
        b["other"]["rules"]["any"][0]["field"]["groups"],
        json!(["a", "b"])
    );
    let (_, b) = node
        .admin("GET", "/_security/role_mapping/other,missing", None)
        .await;
    assert_eq!(b.as_object().unwrap().keys().collect::<Vec<_>>(), ["other"]);

    let (s, b) = node
        .admin("DELETE", "/_security/role_mapping/everyone", None)
        .await;
    assert_eq!((s, b), (200, json!({"found": true})));
    let (s, b) = node
        .admin("DELETE", "/_security/role_mapping/everyone", None)
        .await;
    assert_eq!((s, b), (404, json!({"found": false})));
    let (s, b) = node
        .admin("GET", "/_security/role_mapping/everyone", None)
        .await;
    assert_eq!((s, b), (404, json!({})));
}

#[tokio::test]
async fn role_templates_are_stored_as_es_shows_them() {
    let node = TestNode::new();
    let body = json!({"enabled": true, "rules": {"field": {"realm.name": "saml1"}},
        "role_templates": [{"template": {"source": "{{#tojson}}groups{{/tojson}}"}, "format": "json"},
                           {"template": {"source": "user_{{username}}"}}]});
    let (s, _) = node
        .admin("PUT", "/_security/role_mapping/tmpl", Some(body))
        .await;
    assert_eq!(s, 200);
    let (_, b) = node
        .admin("GET", "/_security/role_mapping/tmpl", None)
        .await;
    assert_eq!(b["tmpl"]["roles"], json!([]));
    assert_eq!(
        b["tmpl"]["role_templates"][0],
        json!({"template": "{\"source\":\"{{#tojson}}groups{{/tojson}}\"}", "format": "json"})
    );
    assert_eq!(b["tmpl"]["role_templates"][1]["format"], "string");
}

#[tokio::test]
async fn role_mapping_validation() {
    let node = TestNode::new();
    let put = |body: Value| node.admin("PUT", "/_security/role_mapping/m", Some(body));
    let rules = json!({"field": {"username": "*"}});
    let cases = [
        (
            json!({"enabled": true, "roles": [], "rules": rules}),
            "Validation Failed: 1: role-mapping roles or role-templates are missing;",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "role_templates": [{"template": {"source": "b"}}], "rules": rules}),
            "Validation Failed: 1: role-mapping cannot have both roles and role-templates;",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "rules": rules, "metadata": {"_x": 1}}),
            "Validation Failed: 1: metadata keys may not start with [_];",
        ),
        (
            json!({"enabled": true, "rules": rules}),
            "failed to parse role-mapping [m]. missing field [roles]",
        ),
        (
            json!({"enabled": true, "roles": ["a"]}),
            "failed to parse role-mapping [m]. missing field [rules]",
        ),
        (
            json!({"roles": ["a"], "rules": rules}),
            "failed to parse role-mapping [m]. missing field [enabled]",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "rules": rules, "bogus": 1}),
            "failed to parse role-mapping [m]. unexpected field [bogus]",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "rules": {"nope": {}}}),
            "failed to parse rules expression. field [nope] is not recognised",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "rules": {"field": {"username": {"x": 1}}}}),
            "failed to parse rules expression. expected a field value (string, number, boolean or null) but found [START_OBJECT] instead",
        ),
        (
            json!({"enabled": true, "roles": ["a"], "rules": {"any": {"field": {"username": "a"}}}}),
            "failed to parse rules expression. field [any] must be an array but found [START_OBJECT] instead",
        ),
        (
            json!({"enabled": true, "rules": rules, "role_templates": [{"template": {"source": "x"}, "format": "yaml"}]}),
            "failed to parse role template. [format] must be one of [string, json] but was [yaml]",
        ),
    ];
    for (body, expected) in cases {
        let (s, b) = put(body).await;
        assert_eq!((s, reason(&b)), (400, expected), "{b}");
    }
    let (s, _) = node.admin("GET", "/_security/role_mapping/m", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn role_mapping_needs_manage_security() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/reader",
        Some(json!({"cluster": ["read_security"]})),
    )
    .await;
    node.add_user("reader", "reader-password", &["reader"]);
    let reader = ("reader", "reader-password");
    node.admin(
        "PUT",
        "/_security/role_mapping/m",
        Some(json!({"enabled": true, "roles": ["a"], "rules": {"field": {"username": "*"}}})),
    )
    .await;
    let (s, _) = node
        .call_as(reader, "GET", "/_security/role_mapping/m", None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(reader, "DELETE", "/_security/role_mapping/m", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = node
        .call_as(
            reader,
            "PUT",
            "/_security/role_mapping/m2",
            Some(json!({"enabled": true, "roles": ["a"], "rules": {"field": {"username": "*"}}})),
        )
        .await;
    assert_eq!(s, 403);
}

fn user() -> UserFacts {
    let mut metadata = serde_json::Map::new();
    metadata.insert("level".into(), json!(3));
    metadata.insert("admin".into(), json!(true));
    metadata.insert("tags".into(), json!(["x", "y"]));
    UserFacts {
        username: "jdoe".into(),
        dn: Some("cn=jdoe, ou=People, dc=example, dc=com".into()),
        groups: vec![
            "cn=admins,ou=groups,dc=example,dc=com".into(),
            "devs".into(),
        ],
        realm_name: "ldap1".into(),
        metadata,
    }
}

fn mapping(roles: &[&str], rules: Value) -> Value {
    json!({"enabled": true, "roles": roles, "rules": rules})
}

#[test]
fn field_rules_match_strings_wildcards_regexes_and_dns() {
    let u = user();
    let check = |rules: Value| !mapped_roles(&[mapping(&["r"], rules)], &u).is_empty();
    assert!(check(json!({"field": {"username": "jdoe"}})));
    assert!(check(json!({"field": {"username": "j*"}})));
    assert!(check(json!({"field": {"username": "/j.o+e/"}})));
    assert!(!check(json!({"field": {"username": "/j.o/"}})));
    assert!(!check(json!({"field": {"username": "JDOE"}})));
    assert!(check(json!({"field": {"username": ["nobody", "jd?e"]}})));
    assert!(check(
        json!({"field": {"dn": "CN=jdoe,OU=people,DC=example,DC=com"}})
    ));
    assert!(check(
        json!({"field": {"dn": "*,ou=people,dc=example,dc=com"}})
    ));
    assert!(!check(
        json!({"field": {"dn": "*,ou=groups,dc=example,dc=com"}})
    ));
    assert!(check(
        json!({"field": {"groups": "cn=admins,ou=groups,dc=example,dc=com"}})
    ));
    assert!(check(json!({"field": {"groups": "devs"}})));
    assert!(!check(json!({"field": {"groups": "ops"}})));
    assert!(check(json!({"field": {"realm.name": "ldap*"}})));
}

#[test]
fn field_rules_match_numbers_booleans_null_and_metadata() {
    let u = user();
    let check = |rules: Value| !mapped_roles(&[mapping(&["r"], rules)], &u).is_empty();
    assert!(check(json!({"field": {"metadata.level": 3}})));
    assert!(!check(json!({"field": {"metadata.level": 4}})));
    assert!(check(json!({"field": {"metadata.admin": true}})));
    assert!(!check(json!({"field": {"metadata.admin": false}})));
    assert!(check(json!({"field": {"metadata.tags": "y"}})));
    assert!(check(json!({"field": {"metadata.missing": null}})));
    assert!(!check(json!({"field": {"metadata.level": null}})));
    assert!(!check(json!({"field": {"unknown_field": "*"}})));
}

#[test]
fn combinators_and_enabled_flag() {
    let u = user();
    let yes = json!({"field": {"username": "jdoe"}});
    let no = json!({"field": {"username": "other"}});
    let check = |rules: Value| !mapped_roles(&[mapping(&["r"], rules)], &u).is_empty();
    assert!(check(json!({"all": [yes, {"except": no}]})));
    assert!(!check(json!({"all": [yes, no]})));
    assert!(check(json!({"any": [no, yes]})));
    assert!(!check(json!({"any": [no]})));
    assert!(!check(json!({"any": []})));
    assert!(check(json!({"all": []})));
    assert!(!check(json!({"except": yes})));
    let disabled = json!({"enabled": false, "roles": ["r"], "rules": yes});
    assert!(mapped_roles(&[disabled], &u).is_empty());
}

#[test]
fn roles_from_several_mappings_are_merged_sorted_and_deduplicated() {
    let u = user();
    let mappings = [
        mapping(&["b", "a"], json!({"field": {"username": "*"}})),
        mapping(&["a", "c"], json!({"field": {"groups": "devs"}})),
        mapping(&["never"], json!({"field": {"groups": "ops"}})),
        json!({"not": "a mapping"}),
    ];
    assert_eq!(mapped_roles(&mappings, &u), ["a", "b", "c"]);
}

#[test]
fn role_templates_render_user_fields() {
    let u = user();
    let templated = json!({"enabled": true, "rules": {"field": {"username": "*"}}, "role_templates": [
        {"template": {"source": "user_{{username}}"}},
        {"template": "{\"source\":\"realm_{{realm.name}}\"}", "format": "string"},
        {"template": {"source": "{{#tojson}}metadata.tags{{/tojson}}"}, "format": "json"},
        {"template": {"source": "{{metadata.nothing}}"}}
    ]});
    assert_eq!(
        mapped_roles(&[templated], &u),
        ["realm_ldap1", "user_jdoe", "x", "y"]
    );
}
