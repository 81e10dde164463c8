use serde_json::json;

use super::*;

fn alice() -> UserContext {
    let mut metadata = Map::new();
    metadata.insert("groups".into(), json!(["g1", "g\"2"]));
    metadata.insert("dept".into(), json!("eng"));
    UserContext {
        username: "alice".into(),
        full_name: Some("Alice \"Al\" Smith".into()),
        email: None,
        roles: vec!["r1".into(), "r2".into()],
        metadata,
    }
}

fn render(src: &Value) -> Result<Value, DlsError> {
    render_role_query(&src.to_string(), &alice(), None)
}

#[test]
fn plain_query_is_parsed_and_validated() {
    let q = json!({"term": {"dept": "x"}});
    assert_eq!(render(&q).unwrap(), q);
    let err = render(&json!({"percolate": {"field": "q"}})).unwrap_err();
    assert_eq!(
        err.0,
        "percolate query isn't supported as part of a role query"
    );
}

#[test]
fn object_template_sees_user() {
    let q = json!({"template": {"source": {"term": {"owner": "{{_user.username}}"}}}});
    assert_eq!(render(&q).unwrap(), json!({"term": {"owner": "alice"}}));
}

#[test]
fn inserted_values_are_json_escaped() {
    let q = json!({"template": {"source": {"term": {"name": "{{_user.full_name}}"}}}});
    assert_eq!(
        render(&q).unwrap(),
        json!({"term": {"name": "Alice \"Al\" Smith"}})
    );
}

#[test]
fn string_template_with_to_json() {
    let src = r#"{"terms":{"group":{{#toJson}}_user.metadata.groups{{/toJson}}}}"#;
    let q = json!({"template": {"source": src}});
    assert_eq!(
        render(&q).unwrap(),
        json!({"terms": {"group": ["g1", "g\"2"]}})
    );
}

#[test]
fn join_and_roles() {
    let src = r#"{"match":{"tags":"{{#join delimiter=' '}}_user.roles{{/join delimiter=' '}}"}}"#;
    let q = json!({"template": {"source": src}});
    assert_eq!(render(&q).unwrap(), json!({"match": {"tags": "r1 r2"}}));
}

#[test]
fn params_merge_and_user_always_wins() {
    let q = json!({"template": {
        "source": {"bool": {"filter": [
            {"term": {"f": "{{field_value}}"}},
            {"term": {"u": "{{_user.username}}"}}
        ]}},
        "params": {"field_value": "v", "_user": {"username": "mallory"}}
    }});
    assert_eq!(
        render(&q).unwrap(),
        json!({"bool": {"filter": [{"term": {"f": "v"}}, {"term": {"u": "alice"}}]}})
    );
}

#[test]
fn missing_variables_render_empty() {
    let q =
        json!({"template": {"source": {"term": {"x": "{{_user.metadata.nope}}|{{_user.email}}"}}}});
    assert_eq!(render(&q).unwrap(), json!({"term": {"x": "|"}}));
}

#[test]
fn unparsable_rendering_fails_closed() {
    let src = r#"{"terms":{"group":{{#toJson}}_user.metadata.nope{{/toJson}}}}"#;
    let err = render(&json!({"template": {"source": src}})).unwrap_err();
    assert!(
        err.0.starts_with("failed to parse rendered role query"),
        "{err}"
    );
    let err = render(&json!({"template": {"source": "{{#a}}"}})).unwrap_err();
    assert!(
        err.0.starts_with("failed to render role query template"),
        "{err}"
    );
    // rendered to something that is not a query
    let err = render(&json!({"template": {"source": "[]"}})).unwrap_err();
    assert!(err.0.contains("malformed"), "{err}");
    let err = render(&json!({"template": {"source": "{\"match_all\":{}} x"}})).unwrap_err();
    assert!(err.0.ends_with("trailing characters"), "{err}");
    let err = render(&json!({"template": {"source": "{\"match_all\":{}} {}"}})).unwrap_err();
    assert!(err.0.ends_with("trailing characters"), "{err}");
    let ok = render(&json!({"template": {"source": "{\"match_all\":{}}} "}})).unwrap();
    assert_eq!(ok, json!({"match_all": {}}));
    assert!(render_role_query("", &alice(), None).is_err());
    assert!(render_role_query("{not json", &alice(), None).is_err());
}

#[test]
fn stored_scripts_need_a_lookup() {
    let q = json!({"template": {"id": "my_script", "params": {"v": "z"}}});
    let err = render(&q).unwrap_err();
    assert_eq!(err.0, "unable to find script [my_script] in cluster state");
    let lookup = |id: &str| (id == "my_script").then(|| r#"{"term":{"v":"{{v}}"}}"#.to_string());
    let got = render_role_query(&q.to_string(), &alice(), Some(&lookup)).unwrap();
    assert_eq!(got, json!({"term": {"v": "z"}}));
    let other = json!({"template": {"id": "other"}});
    assert!(render_role_query(&other.to_string(), &alice(), Some(&lookup)).is_err());
}

#[test]
fn now_is_rejected_anywhere() {
    for q in [
        json!({"range": {"@timestamp": {"gte": "now-1d"}}}),
        json!({"bool": {"filter": [{"range": {"t": {"lt": "now"}}}]}}),
        json!({"range": {"t": {"to": "now/d"}}}),
        json!({"distance_feature": {"field": "t", "origin": "now", "pivot": "7d"}}),
        json!({"template": {"source": {"range": {"t": {"gte": "{{when}}"}}}, "params": {"when": "now-7d"}}}),
    ] {
        let err = render(&q).unwrap_err();
        assert_eq!(err.0, NOW_NOT_ALLOWED, "{q}");
    }
    assert!(render(&json!({"range": {"t": {"gte": "2020-01-01||+1d"}}})).is_ok());
    assert!(render(&json!({"range": {"word": {"gte": "nowhere"}}})).is_ok());
}

#[test]
fn wrapped_queries_are_checked_and_unwrapped() {
    // {"range":{"t":{"gte":"now"}}}
    let hidden_now = json!({"wrapper": {"query": "eyJyYW5nZSI6eyJ0Ijp7Imd0ZSI6Im5vdyJ9fX0="}});
    assert_eq!(render(&hidden_now).unwrap_err().0, NOW_NOT_ALLOWED);
    // {"has_child":{"type":"c","query":{"match_all":{}}}}
    let hidden_join = json!({"wrapper": {"query": "eyJoYXNfY2hpbGQiOnsidHlwZSI6ImMiLCJxdWVyeSI6eyJtYXRjaF9hbGwiOnt9fX19"}});
    assert_eq!(
        render(&hidden_join).unwrap_err().0,
        "has_child query isn't supported as part of a role query"
    );
    let plain = json!({"wrapper": {"query": "eyJ0ZXJtIjp7ImEiOjF9fQ=="}});
    assert_eq!(render(&plain).unwrap(), json!({"term": {"a": 1}}));
}
