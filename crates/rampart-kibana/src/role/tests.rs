use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};
use serde_json::{Value, json};

use super::*;
use crate::features::FeatureRegistry;

fn reg() -> FeatureRegistry {
    FeatureRegistry::builtin().unwrap()
}

fn put(body: Value) -> Result<RoleDescriptor, Vec<ValidationError>> {
    let role = parse_put_body("r", &body)?;
    to_es(&role, None, &reg())
}

/// The 400 message Kibana answers for `kibana` entries.
fn put_message(kibana: Value) -> String {
    let errs = put(json!({"elasticsearch": {}, "kibana": kibana})).unwrap_err();
    validation_response(&errs).message
}

#[test]
fn either_base_or_feature_is_required() {
    for entry in [
        json!({}),
        json!({"base": []}),
        json!({"feature": {}}),
        json!({"feature": {"foo": []}}),
    ] {
        assert_eq!(
            put_message(json!([entry])),
            "[request body.kibana.0]: either [base] or [feature] is expected, but none of them specified"
        );
    }
}

#[test]
fn base_with_features_is_rejected_but_empty_combinations_are_fine() {
    assert_eq!(
        put_message(json!([{"base": ["all"], "feature": {"foo": []}, "spaces": ["a"]}])),
        "[request body.kibana.0]: definition of [feature] isn't allowed when non-empty [base] is defined."
    );
    assert!(
        put(
            json!({"elasticsearch": {}, "kibana": [{"base": [], "feature": {"discover": ["all"]}}]})
        )
        .is_ok()
    );
    assert!(
        put(json!({"elasticsearch": {}, "kibana": [{"base": ["all"], "feature": {}}]})).is_ok()
    );
}

#[test]
fn unknown_base_privileges() {
    assert_eq!(
        put_message(json!([{"base": ["read", "foo"]}])),
        "[request body.kibana.0.base.1]: unknown global privilege \"foo\", must be one of [all,read]"
    );
    assert_eq!(
        put_message(json!([{"base": ["space_all"], "spaces": ["a"]}])),
        "[request body.kibana.0.base.0]: unknown space privilege \"space_all\", must be one of [all,read]"
    );
}

#[test]
fn bad_feature_ids_and_privilege_ids() {
    assert_eq!(
        put_message(json!([{"feature": {"foo bar": ["all"]}}])),
        "[request body.kibana.0.feature.key(\"foo bar\")]: only a-z, A-Z, 0-9, '_', and '-' are allowed"
    );
    assert_eq!(
        put_message(json!([{"feature": {"foo": ["all", "re*d"]}}])),
        "[request body.kibana.0.feature.foo.1]: only a-z, A-Z, 0-9, '_', and '-' are allowed"
    );
}

#[test]
fn bad_spaces() {
    assert_eq!(
        put_message(json!([{"base": ["all"], "spaces": ["foo-*"]}])),
        "[request body.kibana.0.spaces]: types that failed validation:\n\
         - [request body.kibana.0.spaces.0.0]: expected value to equal [*]\n\
         - [request body.kibana.0.spaces.1.0]: must be lower case, a-z, 0-9, '_', and '-' are allowed"
    );
    assert_eq!(
        put_message(json!([{"base": ["all"], "spaces": ["*", "foo"]}])),
        "[request body.kibana.0.spaces]: types that failed validation:\n\
         - [request body.kibana.0.spaces.0.1]: expected value to equal [*]\n\
         - [request body.kibana.0.spaces.1.0]: must be lower case, a-z, 0-9, '_', and '-' are allowed"
    );
}

#[test]
fn spaces_default_to_all_spaces() {
    let role = put(json!({"elasticsearch": {}, "kibana": [{"base": ["read"]}]})).unwrap();
    assert_eq!(role.applications[0].resources, ["*"]);
}

#[test]
fn space_in_two_entries() {
    assert_eq!(
        put_message(json!([
            {"base": ["all"], "spaces": ["a", "b"]},
            {"base": ["read"], "spaces": ["b", "a"]},
            {"base": ["read"]},
            {"base": ["all"]}
        ])),
        "[request body.kibana]: more than one privilege is applied to the following spaces: [b,a,*]"
    );
}

#[test]
fn reserved_key_is_not_writable() {
    assert_eq!(
        put_message(json!([{"_reserved": ["ml_user"], "base": [], "spaces": ["*"]}])),
        "[request body.kibana.0._reserved]: Additional properties are not allowed ('_reserved' was unexpected)"
    );
}

#[test]
fn es_part_shape_errors() {
    let errs = put(json!({"elasticsearch": {"indices": [{"names": [], "privileges": ["read"]}]}}))
        .unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "[request body.elasticsearch.indices.0.names]: array size is [0], but cannot be smaller than [1]"
    );
    let errs = put(json!({"elasticsearch": {"indices": [{"names": ["a"], "privileges": ["read"], "clusters": ["c"]}]}})).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "[request body.elasticsearch.indices.0.clusters]: definition for this key is missing"
    );
    let errs = put(json!({})).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "[request body.elasticsearch]: expected value of type [object] but got [null]"
    );
    let errs = parse_put_body(&"x".repeat(1025), &json!({"elasticsearch": {}})).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "[request params.name]: value has length [1025] but it must have a maximum length of [1024]."
    );
}

#[test]
fn feature_aware_validation() {
    let msg =
        put_message(json!([{"feature": {"fleetv2": ["all", "read"]}, "spaces": ["sales", "ops"]}]));
    assert_eq!(
        msg,
        "Role cannot be updated due to validation errors: [\"Feature privilege [fleetv2.all] requires all spaces to be selected but received [sales,ops]\",\"Feature [fleetv2] does not support privilege [read].\",\"Feature privilege [fleetv2.read] requires all spaces to be selected but received [sales,ops]\"]"
    );
    let msg = put_message(
        json!([{"feature": {"siem": ["minimal_all", "endpoint_list_all"]}, "spaces": ["a"]}]),
    );
    assert_eq!(
        msg,
        "Role cannot be updated due to validation errors: [\"Sub-feature privilege [Security - Endpoint List] requires all spaces to be selected but received [a]\"]"
    );
    // All spaces satisfies requireAllSpaces; unknown features are stored as is.
    assert!(put(json!({"elasticsearch": {}, "kibana": [{"feature": {"fleetv2": ["all"], "siem": ["endpoint_list_all"]}}]})).is_ok());
    assert!(put(json!({"elasticsearch": {}, "kibana": [{"feature": {"nope": ["whatever"]}, "spaces": ["a"]}]})).is_ok());
}

#[test]
fn disabled_sub_feature_privilege_is_rejected() {
    let text = include_str!("../../data/features.json");
    let mut all: Vec<Value> = serde_json::from_str(text).unwrap();
    all[0]["sub_features"][0]["privilege_groups"][0]["privileges"][0]["disabled"] = true.into();
    let registry = FeatureRegistry::from_json(&Value::Array(all).to_string()).unwrap();
    let role = parse_put_body(
        "r",
        &json!({"elasticsearch": {}, "kibana": [{"feature": {"discover": ["minimal_read", "url_create"]}}]}),
    )
    .unwrap();
    let errs = to_es(&role, None, &registry).unwrap_err();
    assert_eq!(
        errs,
        [ValidationError::Feature(
            "Feature [discover] does not support specified sub-feature privileges [url_create]."
                .into()
        )]
    );
}

#[test]
fn to_es_keeps_foreign_applications_and_es_fields() {
    let mut existing = RoleDescriptor::named("r");
    existing.applications = vec![
        app("kibana-.kibana", &["all"], &["*"]),
        app("kibana-*", &["reserved_ml_user"], &["*"]),
        app("logstash-app", &["read"], &["*"]),
    ];
    let role = parse_put_body(
        "r",
        &json!({"description": "d", "metadata": {"version": 1},
                "elasticsearch": {"cluster": ["monitor"], "run_as": ["bob"],
                                  "indices": [{"names": ["logs-*"], "privileges": ["read"], "query": "{\"match_all\":{}}"}]},
                "kibana": [{"base": ["all"], "spaces": ["engineering"]}]}),
    )
    .unwrap();
    let es = to_es(&role, Some(&existing), &reg()).unwrap();
    assert_eq!(es.cluster, ["monitor"]);
    assert_eq!(es.run_as, ["bob"]);
    assert_eq!(es.description.as_deref(), Some("d"));
    assert_eq!(es.indices[0].query.as_deref(), Some("{\"match_all\":{}}"));
    let apps: Vec<&str> = es
        .applications
        .iter()
        .map(|a| a.application.as_str())
        .collect();
    assert_eq!(apps, ["kibana-.kibana", "kibana-*", "logstash-app"]);
    assert_eq!(es.applications[0].privileges, ["space_all"]);
    assert_eq!(es.applications[0].resources, ["space:engineering"]);
}

#[test]
fn b4_example_transform() {
    let es = put(json!({"elasticsearch": {}, "kibana": [
        { "base": ["read"], "feature": {}, "spaces": ["*"] },
        { "base": [], "feature": { "dashboard": ["all"], "discover": ["minimal_read", "url_create"] }, "spaces": ["marketing", "sales"] },
        { "base": ["all"], "feature": {}, "spaces": ["engineering"] }
    ]}))
    .unwrap();
    let apps: Vec<Value> = es
        .applications
        .iter()
        .map(|a| json!({"application": a.application, "privileges": a.privileges, "resources": a.resources}))
        .collect();
    assert_eq!(
        Value::Array(apps),
        json!([
            {"application":"kibana-.kibana","privileges":["read"],"resources":["*"]},
            {"application":"kibana-.kibana","privileges":["feature_dashboard.all","feature_discover.minimal_read","feature_discover.url_create"],"resources":["space:marketing","space:sales"]},
            {"application":"kibana-.kibana","privileges":["space_all"],"resources":["space:engineering"]}
        ])
    );
}

fn app(application: &str, privileges: &[&str], resources: &[&str]) -> ApplicationPrivileges {
    ApplicationPrivileges {
        application: application.into(),
        privileges: privileges.iter().map(|s| s.to_string()).collect(),
        resources: resources.iter().map(|s| s.to_string()).collect(),
    }
}

fn transform(apps: Vec<ApplicationPrivileges>) -> KibanaRole {
    let mut r = RoleDescriptor::named("r");
    r.applications = apps;
    from_es(&r, &reg()).unwrap()
}

fn reason(apps: Vec<ApplicationPrivileges>) -> Vec<String> {
    let k = transform(apps);
    assert!(k.kibana.is_empty());
    k.transform_errors
}

#[test]
fn every_rejection_reason_in_order() {
    let cases: Vec<(Vec<ApplicationPrivileges>, &str)> = vec![
        (
            vec![app("kibana-*", &["reserved_ml_user", "all"], &["*"])],
            "reserved_privileges_mixed",
        ),
        (
            vec![app("*", &["read"], &["*"])],
            "reserved_privileges_mixed",
        ),
        (
            vec![app("kibana-.kibana", &["reserved_ml_user"], &["*"])],
            "reserved_privileges_wrong_app",
        ),
        (
            vec![app("kibana-.kibana", &["space_all"], &["*"])],
            "space_privileges_global",
        ),
        (
            vec![app("kibana-.kibana", &["all"], &["space:a"])],
            "global_privileges_space",
        ),
        (
            vec![app("kibana-*", &["reserved_ml_user"], &["space:a"])],
            "global_privileges_space",
        ),
        (
            vec![app(
                "kibana-.kibana",
                &["space_read", "feature_discover.all"],
                &["space:a"],
            )],
            "base_feature_privileges_mixed",
        ),
        (
            vec![app(
                "kibana-.kibana",
                &["read", "feature_discover.all"],
                &["*"],
            )],
            "base_feature_privileges_mixed",
        ),
        (
            vec![app(
                "kibana-.kibana",
                &["feature_discover.all"],
                &["*", "space:a"],
            )],
            "global_resource_mixed",
        ),
        (
            vec![app("kibana-.kibana", &["space_read"], &["space:a", "foo"])],
            "invalid_resource_format",
        ),
        (
            vec![
                app("kibana-.kibana", &["space_read"], &["space:a"]),
                app("kibana-.kibana", &["space_all"], &["space:a"]),
            ],
            "duplicated_resources",
        ),
        (
            vec![app(
                "kibana-.kibana",
                &["feature_fleetv2.all"],
                &["space:a"],
            )],
            "feature_requires_all_spaces",
        ),
        (
            vec![app("kibana-.kibana", &["feature_fleetv2.read"], &["*"])],
            "disabled_feature_privileges",
        ),
        (
            vec![app("kibana-.kibana", &["feature_discover"], &["*"])],
            "transformation_exception",
        ),
        (
            vec![app("kibana-.kibana", &["bogus"], &["space:a"])],
            "transformation_exception",
        ),
    ];
    for (apps, code) in cases {
        assert_eq!(reason(apps), [format!("kibana:{code}")], "{code}");
    }
    // The first failing check wins: mixed reserved (1) before wrong resource format (7).
    assert_eq!(
        reason(vec![
            app("kibana-.kibana", &["space_read"], &["bad"]),
            app("kibana-*", &["read"], &["*"]),
        ]),
        ["kibana:reserved_privileges_mixed"]
    );
}

#[test]
fn empty_resources_fail_the_request() {
    let mut r = RoleDescriptor::named("r");
    r.applications = vec![app("kibana-.kibana", &["all"], &[])];
    let err = from_es(&r, &reg()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ES returned an application entry without resources, can't process this"
    );
    // Only Kibana's applications are inspected.
    r.applications = vec![app("other", &["all"], &[])];
    assert!(from_es(&r, &reg()).is_ok());
}

#[test]
fn get_shape_with_reserved_superuser_and_unrecognized() {
    let k = transform(vec![
        app("kibana-.kibana", &["read"], &["*"]),
        app("kibana-*", &["reserved_ml_user"], &["*"]),
        app(
            "kibana-.kibana",
            &["feature_dashboard.all", "feature_dashboard.all"],
            &["space:marketing", "space:sales"],
        ),
        app("logstash-app", &["x"], &["*"]),
        app("logstash-app", &["y"], &["*"]),
        app("*", &["*"], &["*"]),
    ]);
    assert!(k.transform_errors.is_empty());
    assert_eq!(
        k.to_json()["kibana"],
        json!([
            { "base": ["read"], "feature": {}, "spaces": ["*"] },
            { "_reserved": ["ml_user"], "base": [], "feature": {}, "spaces": ["*"] },
            { "base": [], "feature": { "dashboard": ["all"] }, "spaces": ["marketing", "sales"] },
            { "base": ["*"], "feature": {}, "spaces": ["*"] }
        ])
    );
    assert_eq!(
        k.to_json()["_unrecognized_applications"],
        json!(["logstash-app"])
    );
    assert_eq!(k.to_json()["_transform_error"], json!([]));
    let es = k.to_json()["elasticsearch"].clone();
    assert_eq!(
        es,
        json!({"cluster": [], "remote_cluster": [], "indices": [], "remote_indices": [], "run_as": []})
    );
}

#[test]
fn roles_sorted_and_space_filter() {
    let mut roles: Vec<KibanaRole> = ["b", "B", "a"]
        .iter()
        .map(|n| KibanaRole {
            name: n.to_string(),
            ..Default::default()
        })
        .collect();
    sort_roles(&mut roles);
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["B", "a", "b"]);
    let k = transform(vec![app(
        "kibana-.kibana",
        &["feature_dashboard.all"],
        &["space:marketing"],
    )]);
    assert!(k.grants_in_space("marketing") && !k.grants_in_space("sales"));
}
