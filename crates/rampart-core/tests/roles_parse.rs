#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Role descriptor parsing: accepted shapes and the exact Elasticsearch error texts.

use rampart_core::error::EsError;
use rampart_core::role::{RoleContext, RoleError, parse_role, parse_role_bytes};
use serde_json::{Value, json};

fn parse(body: Value) -> Result<rampart_core::role::RoleDescriptor, RoleError> {
    parse_role("r", &body, RoleContext::RoleApi)
}

fn reason(body: Value) -> String {
    let e = parse(body).unwrap_err();
    e.reason()
}

fn parse_reason(body: Value) -> String {
    let e = parse(body).unwrap_err();
    assert_eq!(e.es_type(), "parse_exception", "{e:?}");
    e.reason()
}

#[test]
fn empty_object_is_an_empty_role() {
    let role = parse(json!({})).unwrap();
    assert_eq!(role.name, "r");
    assert!(role.cluster.is_empty() && role.indices.is_empty() && role.applications.is_empty());
    assert_eq!(
        role.transient_metadata.get("enabled"),
        Some(&Value::Bool(true))
    );
}

#[test]
fn full_role_parses_with_aliases_and_single_strings() {
    let role = parse(json!({
        "cluster": "monitor",
        "index": [{"names": "logs-*", "privileges": "read", "allow_restricted_indices": true,
                   "field_security": {"grant": ["a*"], "except": ["a.secret"]},
                   "query": {"term": {"x": 1}}}],
        "application": [{"application": "kibana-.kibana", "privileges": ["read"], "resources": "*"}],
        "run_as": ["bob"],
        "metadata": {"k": "v"},
        "transient_metadata": {"enabled": false},
        "type": "role",
        "metadata_flattened": {"k": "v"},
        "remote_indices": [{"clusters": ["c*"], "names": ["i"], "privileges": ["read"]}],
        "remote_cluster": [{"privileges": ["monitor_enrich"], "clusters": ["c1"]}],
        "global": {"application": {"manage": {"applications": ["app-*"]}},
                   "profile": {"write": {"applications": ["kibana*"]}},
                   "role": {"manage": {"indices": [{"names": ["a*"], "privileges": ["read"]}]}}},
        "description": "d"
    }))
    .unwrap();
    assert_eq!(role.cluster, ["monitor"]);
    let idx = &role.indices[0];
    assert_eq!(idx.names, ["logs-*"]);
    assert_eq!(idx.privileges, ["read"]);
    assert!(idx.allow_restricted_indices);
    assert_eq!(idx.query.as_deref(), Some(r#"{"term":{"x":1}}"#));
    assert_eq!(idx.field_security.as_ref().unwrap().except, ["a.secret"]);
    assert_eq!(role.applications[0].resources, ["*"]);
    // Client-sent transient metadata is dropped.
    assert_eq!(
        role.transient_metadata.get("enabled"),
        Some(&Value::Bool(true))
    );
    assert_eq!(role.remote_indices[0].clusters, ["c*"]);
    assert_eq!(role.remote_cluster[0].clusters, ["c1"]);
    assert_eq!(
        role.global.application_manage.as_deref(),
        Some(&["app-*".to_string()][..])
    );
    assert_eq!(
        role.global.profile_write.as_deref(),
        Some(&["kibana*".to_string()][..])
    );
    assert_eq!(role.global.role_manage.as_ref().unwrap()[0].names, ["a*"]);
    assert_eq!(role.description.as_deref(), Some("d"));
}

#[test]
fn query_forms() {
    let q = |query: Value| {
        parse(json!({"indices": [{"names": "i", "privileges": "read", "query": query}]}))
    };
    assert_eq!(
        q(json!("{\"match_all\":{}}")).unwrap().indices[0]
            .query
            .as_deref(),
        Some("{\"match_all\":{}}")
    );
    assert_eq!(q(json!("")).unwrap().indices[0].query, None);
    assert_eq!(q(Value::Null).unwrap().indices[0].query, None);
    assert_eq!(
        q(json!(1)).unwrap_err().reason(),
        "failed to parse indices privileges for role [r]. expected field [query] value to be null, a string, an array, or an object, but found [VALUE_NUMBER] instead"
    );
}

#[test]
fn invalid_query_string_is_wrapped_with_position_and_names() {
    let e = parse(json!({"indices": [
        {"names": "ok", "privileges": "read"},
        {"names": ["a", "b"], "privileges": "read", "query": "{not json"}
    ]}))
    .unwrap_err();
    assert_eq!(e.es_type(), "parse_exception");
    assert_eq!(
        e.reason(),
        "failed to parse field 'query' for indices [a,b] at index privilege [1] of role descriptor"
    );
    assert!(e.caused_by().is_some());
}

#[test]
fn top_level_errors() {
    assert_eq!(
        parse_reason(json!([])),
        "failed to parse role [r]. expected an object but found [START_ARRAY] instead"
    );
    assert_eq!(
        parse_reason(json!({"foo": 1})),
        "failed to parse role [r]. unexpected field [foo]"
    );
    assert_eq!(
        parse_reason(json!({"restriction": {"workflows": ["x"]}})),
        "failed to parse role [r]. unexpected field [restriction]"
    );
    assert_eq!(
        parse_reason(json!({"metadata": "x"})),
        "expected field [metadata] to be of type object, but found [VALUE_STRING] instead"
    );
    let e = parse(json!({"cluster": ["a", 1]})).unwrap_err();
    assert_eq!(e.reason(), "failed to parse role [r]");
    assert_eq!(e.caused_by().unwrap().0, "parse_exception");
}

#[test]
fn description_and_restriction_depend_on_context() {
    let with_description = json!({"description": "d"});
    assert!(parse_role("r", &with_description, RoleContext::File).is_ok());
    assert_eq!(
        parse_role("r", &with_description, RoleContext::ApiKey)
            .unwrap_err()
            .reason(),
        "failed to parse role [r]. unexpected field [description]"
    );
    let restricted = json!({"restriction": {"workflows": ["search_application_query"]}});
    let role = parse_role("r", &restricted, RoleContext::ApiKey).unwrap();
    assert_eq!(
        role.restriction.unwrap().workflows,
        ["search_application_query"]
    );
    let empty = json!({"restriction": {"workflows": []}});
    assert_eq!(
        parse_role("r", &empty, RoleContext::ApiKey)
            .unwrap_err()
            .reason(),
        "failed to parse restriction for role [r]. [workflows] cannot be an empty array"
    );
    let unknown = json!({"restriction": {"foo": []}});
    assert_eq!(
        parse_role("r", &unknown, RoleContext::ApiKey)
            .unwrap_err()
            .reason(),
        "failed to parse restriction for role [r]. unexpected field [foo]"
    );
}

#[test]
fn indices_errors() {
    let p = "failed to parse indices privileges for role [r].";
    assert_eq!(
        parse_reason(json!({"indices": {}})),
        format!(
            "{p} expected field [indices] value to be an array, but found [START_OBJECT] instead"
        )
    );
    assert_eq!(
        parse_reason(json!({"index": ["x"]})),
        format!(
            "{p} expected field [index] value to be an array of objects, but found an array element of type [VALUE_STRING]"
        )
    );
    assert_eq!(
        parse_reason(json!({"indices": [{"names": [], "privileges": ["read"]}]})),
        format!("{p} [names] cannot be an empty array")
    );
    assert_eq!(
        parse_reason(json!({"indices": [{"names": 1, "privileges": ["read"]}]})),
        format!(
            "{p} expected field [names] value to be a string or an array of strings, but found [VALUE_NUMBER] instead"
        )
    );
    assert_eq!(
        parse_reason(
            json!({"indices": [{"names": "i", "privileges": ["read"], "allow_restricted_indices": "yes"}]})
        ),
        format!(
            "{p} expected field [allow_restricted_indices] value to be a boolean, but found [VALUE_STRING] instead"
        )
    );
    assert_eq!(
        parse_reason(json!({"indices": [{"names": "i", "privileges": ["read"], "x": 1}]})),
        format!("{p} unexpected field [x]")
    );
    assert_eq!(
        parse_reason(json!({"indices": [{"privileges": ["read"]}]})),
        format!("{p} missing required [names] field")
    );
    assert_eq!(
        parse_reason(json!({"indices": [{"names": "i"}]})),
        format!("{p} missing required [privileges] field")
    );
    let e = parse(json!({"indices": [{"names": "i", "privileges": []}]})).unwrap_err();
    assert_eq!(e.es_type(), "illegal_argument_exception");
    assert_eq!(
        e.reason(),
        "Indices privileges must define at least one privilege"
    );
    assert_eq!(
        parse_reason(
            json!({"indices": [{"names": "i", "privileges": ["read"], "clusters": ["c"]}]})
        ),
        format!("{p} unexpected field [clusters]")
    );
}

#[test]
fn field_security_errors() {
    let p = "failed to parse indices privileges for role [r].";
    let fls = |fs: Value| {
        reason(json!({"indices": [{"names": "i", "privileges": ["read"], "field_security": fs}]}))
    };
    assert_eq!(
        fls(json!({})),
        format!("{p} \"field_security\" must not be empty.")
    );
    assert_eq!(
        fls(json!({"grant": ["a"], "other": ["b"]})),
        format!("{p} \"field_security\" only accepts options grant and except, but got: other")
    );
    assert_eq!(
        fls(json!({"grant": null})),
        format!("{p} grant must not be null.")
    );
    assert_eq!(
        fls(json!({"except": ["a"]})),
        format!("{p} field_security requires grant if except is given")
    );
    let only_metadata = parse(json!({"indices": [{"names": "i", "privileges": ["read"], "field_security": {"grant": []}}]})).unwrap();
    assert_eq!(
        only_metadata.indices[0]
            .field_security
            .as_ref()
            .unwrap()
            .grant
            .as_deref(),
        Some(&[][..])
    );
    assert_eq!(
        reason(json!({"indices": [{"names": "i", "privileges": ["read"], "fields": ["a"]}]})),
        "[\"fields\": [...]] format has changed for field permissions in role [r], use [\"field_security\": {\"grant\":[...],\"except\":[...]}] instead"
    );
}

#[test]
fn application_errors() {
    let p = "failed to parse application privileges for role [r].";
    assert_eq!(
        parse_reason(json!({"applications": [{"application": "app", "privileges": ["a"]}]})),
        format!("{p} missing required [resources] field")
    );
    assert_eq!(
        parse_reason(json!({"applications": [{"application": "app", "resources": ["*"]}]})),
        format!("{p} missing required [privileges] field")
    );
    assert_eq!(
        parse_reason(
            json!({"applications": [{"application": "app", "privileges": ["a"], "resources": ["*"], "x": 1}]})
        ),
        format!("{p} unexpected field [x]")
    );
    let e =
        parse(json!({"applications": [{"privileges": ["a"], "resources": ["*"]}]})).unwrap_err();
    assert_eq!(
        e.reason(),
        "application privileges must have an application name"
    );
}

#[test]
fn remote_errors() {
    assert_eq!(
        parse_reason(json!({"remote_indices": [{"names": "i", "privileges": ["read"]}]})),
        "failed to parse remote indices privileges for role [r]. missing required [clusters] field"
    );
    assert_eq!(
        reason(json!({"remote_indices": [{"names": "i", "privileges": ["read"], "clusters": []}]})),
        "the [remote_indices] sub-field [clusters] must refer to at least one cluster alias or cluster alias pattern"
    );
    let p = "failed to parse remote_cluster for role [r].";
    assert_eq!(
        parse_reason(json!({"remote_cluster": {}})),
        format!(
            "{p} expected field [remote_cluster] value to be an array, but found [START_OBJECT] instead"
        )
    );
    assert_eq!(
        parse_reason(
            json!({"remote_cluster": [{"privileges": ["monitor_enrich", "all"], "clusters": ["*"]}]})
        ),
        format!(
            "{p} [monitor_enrich, monitor_stats] are the only values allowed for [privileges] within [remote_cluster]. Found [monitor_enrich, all]"
        )
    );
    assert_eq!(
        parse_reason(
            json!({"remote_cluster": [{"privileges": ["monitor_enrich"], "clusters": ["*"], "x": 1}]})
        ),
        format!("{p} unexpected field [x]")
    );
    assert_eq!(
        parse_reason(json!({"remote_cluster": [{"privileges": ["monitor_enrich"]}]})),
        format!("{p} [clusters] must be defined when [privileges] are defined ")
    );
    assert_eq!(
        parse_reason(json!({"remote_cluster": [{"clusters": ["*"]}]})),
        format!("{p} [privileges] must be defined when [clusters] are defined ")
    );
    assert!(
        parse(json!({"remote_cluster": [{"privileges": [" Monitor_Stats"], "clusters": ["*"]}]}))
            .is_ok()
    );
}

#[test]
fn global_errors() {
    let e = parse(json!({"global": {"foo": {}}})).unwrap_err();
    assert_eq!(e.es_type(), "x_content_parse_exception");
    assert_eq!(
        e.reason(),
        "failed to parse privilege. expected one of [application, profile, role] but found [foo] instead"
    );
    assert_eq!(
        reason(json!({"global": []})),
        "failed to parse privilege. expected [START_OBJECT] but found [START_ARRAY] instead"
    );
    assert_eq!(
        reason(json!({"global": {"application": "x"}})),
        "failed to parse privilege. expected [START_OBJECT] but found [VALUE_STRING] instead"
    );
    assert_eq!(
        reason(json!({"global": {"application": {"write": {}}}})),
        "failed to parse privilege. expected field name [manage] but found [write] instead"
    );
    assert_eq!(
        reason(
            json!({"global": {"role": {"manage": {"indices": [{"names": [], "privileges": ["read"]}]}}}})
        ),
        "Indices privileges must refer to at least one index name or index name pattern"
    );
}

#[test]
fn bytes_report_json_errors() {
    let e = parse_role_bytes("r", b"{\"cluster\": [}", RoleContext::RoleApi).unwrap_err();
    assert_eq!(e.es_type(), "x_content_parse_exception");
    assert!(e.reason().starts_with("[1:"), "{}", e.reason());
    let e = parse_role_bytes("r", b"  ", RoleContext::RoleApi).unwrap_err();
    assert_eq!(e.es_type(), "parse_exception");
    assert_eq!(e.reason(), "request body is required");
    let role = parse_role_bytes("r", br#"{"cluster": ["all"]}"#, RoleContext::RoleApi).unwrap();
    assert_eq!(role.cluster, ["all"]);
}

#[test]
fn fls_except_must_be_inside_grant() {
    let body = json!({"indices": [{"names": "i", "privileges": ["read"], "field_security": {"grant": ["a*"], "except": ["b"]}}]});
    assert_eq!(
        parse_reason(body),
        "failed to parse indices privileges for role [r] - Exceptions for field permissions must be a subset of the granted fields but b is not a subset of a*"
    );
    let ok = json!({"indices": [{"names": "i", "privileges": ["read"], "field_security": {"grant": ["*"], "except": ["secret*"]}}]});
    assert!(parse(ok).is_ok());
}
