#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Document level security through the public API: PUT-time validation, per-user rendering and
//! the combined filter (facts section 7, roles/30_prohibited_role_query.yml).

use rampart_core::dls::{DocumentRestriction, UserContext, render_role_query, validate_role_query};
use serde_json::{Map, json};

#[test]
fn prohibited_role_query_yaml() {
    let query = json!({"terms": {"field": {"index": "_index", "type": "_type", "id": "_id", "path": "_path"}}});
    let err = validate_role_query(&query).unwrap_err();
    assert!(
        err.to_string()
            .contains("terms query with terms lookup isn't supported as part of a role query")
    );
}

#[test]
fn query_given_as_string_is_validated() {
    assert!(validate_role_query(&json!(r#"{"match":{"marker":"test_1"}}"#)).is_ok());
    let err = validate_role_query(&json!(
        r#"{"has_parent":{"parent_type":"p","query":{"match_all":{}}}}"#
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "has_parent query isn't supported as part of a role query"
    );
}

#[test]
fn templates_pass_put_but_fail_closed_at_search() {
    // shape is fine at PUT; the rendered query uses a terms lookup, caught at render time
    let stored = json!({"template": {"source": {"terms": {"f": {"index": "{{_user.username}}", "id": "1", "path": "p"}}}}});
    assert!(validate_role_query(&stored).is_ok());
    let err = render_role_query(&stored.to_string(), &UserContext::named("u"), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "terms query with terms lookup isn't supported as part of a role query"
    );
}

#[test]
fn api_key_filter_for_owner_metadata_template() {
    let mut metadata = Map::new();
    metadata.insert("groups".into(), json!(["ops", "dev"]));
    let owner = UserContext {
        username: "owner".into(),
        roles: vec!["r".into()],
        metadata,
        ..UserContext::default()
    };
    let owner_side = DocumentRestriction::from_group_queries([Some(
        r#"{"template":{"source":"{\"terms\":{\"group\":{{#toJson}}_user.metadata.groups{{/toJson}}}}}"}}"#,
    )]);
    let key_side = DocumentRestriction::from_group_queries([
        Some(r#"{"term":{"public":true}}"#),
        None::<&str>,
    ]);
    assert!(key_side.is_unrestricted());
    let limited = DocumentRestriction::from_group_queries([Some(r#"{"term":{"public":true}}"#)]);
    let filter = limited
        .and(owner_side.clone())
        .to_filter(&owner, None)
        .unwrap()
        .unwrap();
    let sides = filter["bool"]["filter"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    let rendered: Vec<_> = sides
        .iter()
        .map(|s| s["bool"]["should"][0].clone())
        .collect();
    assert!(rendered.contains(&json!({"terms": {"group": ["ops", "dev"]}})));
    assert!(rendered.contains(&json!({"term": {"public": true}})));
    assert_eq!(key_side.and(owner_side.clone()), owner_side);
}
