use serde_json::{Value, json};

use super::*;

fn reason(query: Value) -> String {
    validate_role_query(&query).unwrap_err().0
}

#[test]
fn accepts_ordinary_and_compound_queries() {
    for q in [
        Value::Null,
        json!(""),
        json!({"match": {"marker": "test_1"}}),
        json!(r#"{"term":{"a":"b"}}"#),
        json!({"bool": {"must": {"term": {"a": 1}}, "should": [{"match_all": {}}], "filter": [], "must_not": [{"exists": {"field": "x"}}]}}),
        json!({"constant_score": {"filter": {"terms": {"a": ["x", "y"], "boost": 2}}}}),
        json!({"dis_max": {"queries": [{"term": {"a": 1}}]}}),
        json!({"nested": {"path": "p", "query": {"match": {"p.a": "x"}}}}),
        json!({"function_score": {"query": {"match_all": {}}, "functions": [{"filter": {"term": {"a": 1}}, "weight": 2}]}}),
        json!({"geo_shape": {"loc": {"shape": {"type": "point", "coordinates": [1, 2]}}}}),
        json!({"more_like_this": {"fields": ["t"], "like": "some text"}}),
        json!({"template": {"source": {"term": {"owner": "{{_user.username}}"}}}}),
        json!({"template": {"source": "{\"match_all\":{}}", "params": {"a": 1}, "lang": "mustache"}}),
        json!({"template": {"id": "stored"}}),
    ] {
        assert_eq!(validate_role_query(&q), Ok(()), "{q}");
    }
}

#[test]
fn terms_lookup_is_rejected() {
    let q = json!({"terms": {"field": {"index": "_index", "type": "_type", "id": "_id", "path": "_path"}}});
    assert_eq!(
        reason(q),
        "terms query with terms lookup isn't supported as part of a role query"
    );
    let deep = json!({"bool": {"filter": [{"constant_score": {"filter": {"terms": {"f": {"index": "i", "id": "1", "path": "p"}}}}}]}});
    assert_eq!(
        reason(deep),
        "terms query with terms lookup isn't supported as part of a role query"
    );
}

#[test]
fn indexed_shapes_are_rejected() {
    let q = json!({"geo_shape": {"loc": {"indexed_shape": {"index": "shapes", "id": "1", "path": "s"}}}});
    assert_eq!(
        reason(q),
        "geoshape query referring to indexed shapes isn't supported as part of a role query"
    );
}

#[test]
fn join_and_percolator_queries_are_rejected() {
    for name in ["percolate", "has_child", "has_parent"] {
        let q = json!({ "bool": { "should": [ { name: {"query": {"match_all": {}}} } ] } });
        assert_eq!(
            reason(q),
            format!("{name} query isn't supported as part of a role query")
        );
    }
}

#[test]
fn unknown_queries_are_named() {
    assert_eq!(reason(json!({"foo": {}})), "unknown query [foo]");
    assert_eq!(
        reason(json!({"mach": {"a": 1}})),
        "unknown query [mach] did you mean [match]?"
    );
    assert_eq!(
        reason(json!({"dis_max": {"queries": [{"nope_nope_nope": {}}]}})),
        "unknown query [nope_nope_nope]"
    );
}

#[test]
fn malformed_structures_are_explained() {
    assert_eq!(
        reason(json!([1])),
        "query malformed, must start with start_object"
    );
    assert_eq!(reason(json!({})), "query malformed, empty clause found");
    assert_eq!(
        reason(json!({"term": {"a": 1}, "match": {"b": 2}})),
        "[term] malformed query, expected [END_OBJECT] but found [FIELD_NAME] [match]"
    );
    assert_eq!(
        reason(json!({"term": 3})),
        "[term] query malformed, no start_object after query name"
    );
    assert_eq!(
        reason(json!({"constant_score": {}})),
        "[constant_score] requires 'filter' field"
    );
    assert!(
        reason(json!({"dis_max": {"queries": {"term": {"a": 1}}}})).contains("must be an array")
    );
    assert!(reason(json!({"bool": {"must": "x"}})).contains("must be an object"));
    assert!(reason(json!("{not json")).starts_with("failed to parse role query as JSON"));
}

#[test]
fn template_shape_is_checked() {
    let both = "must specify either [source] for an inline script or [id] for a stored script";
    assert_eq!(reason(json!({"template": {}})), both);
    assert_eq!(
        reason(json!({"template": {"source": "x", "id": "y"}})),
        both
    );
    assert_eq!(
        reason(json!({"template": {"source": "x", "bogus": 1}})),
        "[script] unknown field [bogus]"
    );
    assert!(reason(json!({"template": {"source": 3}})).contains("[source]"));
    assert!(reason(json!({"template": {"id": "x", "params": []}})).contains("[params]"));
    assert!(reason(json!({"template": 7})).contains("object or a string"));
}

#[test]
fn es_error_presentation() {
    let e = DlsError("unknown query [x]".into());
    assert_eq!(e.status(), 400);
    assert_eq!(e.es_type(), "parse_exception");
    assert_eq!(e.caused_by().unwrap().0, "parsing_exception");
    let e = DlsError(NOW_NOT_ALLOWED.into());
    assert_eq!(e.caused_by().unwrap().0, "illegal_argument_exception");
}
