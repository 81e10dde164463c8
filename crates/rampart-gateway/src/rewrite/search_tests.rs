use super::*;
use crate::rewrite::refuse::{PROFILE, SUGGEST};
use proptest::prelude::*;
use rampart_core::error::EsError;
use rampart_core::fls::{FieldPermissions, FieldSecurityDef};
use rampart_query::{field_references, parse_query, parse_search_request};

fn fls(grant: &[&str]) -> FieldPermissions {
    FieldSecurityDef::new(grant.to_vec(), Vec::<String>::new())
        .compile()
        .unwrap()
}

fn term(field: &str, value: &str) -> Query {
    parse_query(&json!({"term": {field: value}})).unwrap()
}

fn target(index: &str, documents: Option<Query>, fields: Option<FieldPermissions>) -> Target {
    Target {
        index: index.into(),
        restrictions: IndexRestrictions { documents, fields },
    }
}

fn plan(body: Value, targets: &[Target]) -> Result<SearchPlan, GatewayError> {
    let request = parse_search_request(&body)?;
    plan_search(&body, &request, targets)
}

#[test]
fn unrestricted_callers_are_forwarded_unchanged() {
    let body =
        json!({"query": {"match_all": {}}, "suggest": {"s": {"text": "x"}}, "profile": true});
    let targets = [
        target("a", None, None),
        target("b", None, Some(FieldPermissions::unrestricted())),
    ];
    let request = SearchRequest::default();
    let planned = plan_search(&body, &request, &targets).unwrap();
    assert_eq!(planned.body, body);
    assert_eq!(planned.response, None);
}

#[test]
fn dls_is_an_index_scoped_filter() {
    let body = json!({"query": {"match": {"title": "rust"}}, "size": 5});
    let planned = plan(body, &[target("logs", Some(term("dept", "x")), None)]).unwrap();
    let expected = json!({"bool": {
        "must": [{"match": {"title": {"query": "rust"}}}],
        "filter": [{"terms": {"_index": ["logs"]}}, {"term": {"dept": {"value": "x"}}}]
    }});
    // Compared as parsed queries: rendering details (defaults) are the renderer's business.
    assert_eq!(
        parse_query(&planned.body["query"]).unwrap(),
        parse_query(&expected).unwrap()
    );
    assert_eq!(planned.body["size"], json!(5));
    assert_eq!(planned.response, None, "no FLS: answers pass unfiltered");
}

#[test]
fn groups_with_different_filters_are_alternatives() {
    let targets = [
        target("a", Some(term("dept", "x")), None),
        target("b", Some(term("dept", "y")), None),
        target("c", Some(term("dept", "x")), None),
        target("d", None, None),
    ];
    let planned = plan(json!({}), &targets).unwrap();
    let Query::Bool(top) = parse_query(&planned.body["query"]).unwrap() else {
        panic!("bool expected");
    };
    assert_eq!(top.should.len(), 3, "a+c share a filter; b; d unrestricted");
    let Query::Bool(first) = &top.should[0] else {
        panic!("bool clause expected");
    };
    assert_eq!(
        first.filter[0],
        parse_query(&json!({"terms": {"_index": ["a", "c"]}})).unwrap()
    );
    assert_eq!(first.filter[1], term("dept", "x"));
    let Query::Bool(last) = &top.should[2] else {
        panic!("bool clause expected");
    };
    assert_eq!(
        last.filter.len(),
        1,
        "the unrestricted index has only its _index filter"
    );
}

#[test]
fn hidden_fields_match_nothing_and_sort_as_missing() {
    let body = json!({
        "query": {"bool": {"must": [{"term": {"secret": "s"}}], "should": [{"term": {"public": "p"}}]}},
        "sort": [{"secret": "desc"}, {"public": "asc"}],
        "aggs": {"by_secret": {"terms": {"field": "secret"}},
                 "top": {"top_hits": {"sort": [{"secret": "asc"}]}}}
    });
    let planned = plan(body, &[target("a", None, Some(fls(&["public"])))]).unwrap();
    let query = parse_query(&planned.body["query"]).unwrap();
    assert!(!field_references(&query).contains("secret"), "{query:?}");
    assert_eq!(
        planned.body["sort"][0],
        json!({HIDDEN_FIELD: {"order": "desc", "unmapped_type": "keyword"}})
    );
    assert_eq!(planned.body["sort"][1], json!({"public": {"order": "asc"}}));
    assert_eq!(
        planned.body["aggs"]["by_secret"]["terms"]["field"],
        json!(HIDDEN_FIELD)
    );
    assert_eq!(
        planned.body["aggs"]["top"]["top_hits"]["sort"][0][HIDDEN_FIELD]["unmapped_type"],
        json!("keyword")
    );
    assert!(planned.response.is_some());
}

#[test]
fn sorts_and_aggs_see_only_fields_every_target_sees() {
    let body = json!({"sort": [{"a_only": "asc"}]});
    let targets = [
        target("x", None, Some(fls(&["a_only", "common"]))),
        target("y", None, Some(fls(&["common"]))),
    ];
    let planned = plan(body, &targets).unwrap();
    assert!(planned.body["sort"][0].get(HIDDEN_FIELD).is_some());
}

#[test]
fn refusals_apply_to_restricted_callers_only() {
    let restricted = [target("a", Some(term("d", "x")), None)];
    let open = [target("a", None, None)];
    for (body, expected) in [
        (
            json!({"suggest": {"s": {"text": "x", "term": {"field": "f"}}}}),
            SUGGEST,
        ),
        (json!({"profile": true}), PROFILE),
    ] {
        let request = SearchRequest::default();
        let err = plan_search(&body, &request, &restricted).unwrap_err();
        assert_eq!((err.status(), err.reason()), (400, expected.to_owned()));
        assert!(plan_search(&body, &request, &open).is_ok());
    }
    for body in [
        json!({"query": {"script": {"script": "doc['x'].value > 1"}}}),
        json!({"runtime_mappings": {"r": {"type": "keyword"}}}),
        json!({"query": {"terms": {"f": {"index": "other", "id": "1", "path": "p"}}}}),
        json!({"query": {"more_like_this": {"like": [{"_id": "1"}]}}}),
        json!({"query": {"percolate": {"field": "q", "document": {}}}}),
        json!({"aggs": {"g": {"global": {}}}}),
        json!({"knn": {"field": "v", "query_vector": [1.0], "k": 1, "num_candidates": 1}}),
        json!({"explain": true}),
        json!({"script_fields": {"s": {"script": "1"}}}),
    ] {
        let request = SearchRequest::default();
        let err = plan_search(&body, &request, &restricted).unwrap_err();
        assert_eq!(err.status(), 400, "{body}");
        assert_eq!(err.es_type(), "security_exception", "{body}");
        assert!(plan_search(&body, &request, &open).is_ok(), "{body}");
    }
}

#[test]
fn explain_set_by_url_parameter_is_refused() {
    let request = SearchRequest {
        explain: true,
        ..SearchRequest::default()
    };
    let restricted = [target("a", None, Some(fls(&["public"])))];
    let err = plan_search(&json!({}), &request, &restricted).unwrap_err();
    assert_eq!(err.status(), 400);
    assert!(plan_search(&json!({}), &request, &[target("a", None, None)]).is_ok());
}

#[test]
fn post_filter_is_scoped_and_hidden_too() {
    let body = json!({"post_filter": {"term": {"secret": "s"}}});
    let planned = plan(body, &[target("a", None, Some(fls(&["public"])))]).unwrap();
    let post_filter = parse_query(&planned.body["post_filter"]).unwrap();
    assert!(!field_references(&post_filter).contains("secret"));
}

#[test]
fn rendered_requests_parse_back_to_themselves() {
    let body = json!({
        "query": {"range": {"n": {"gte": 1}}}, "from": 3, "size": 7,
        "sort": [{"n": {"order": "desc", "missing": "_last"}}],
        "_source": {"includes": ["a*"], "excludes": ["a.b"]},
        "fields": ["x"], "track_total_hits": true, "version": true,
        "aggs": {"t": {"terms": {"field": "k"}}}, "timeout": "1s"
    });
    let request = parse_search_request(&body).unwrap();
    let again = parse_search_request(&render_request(&request)).unwrap();
    assert_eq!(again, request);
}

fn fields() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("public"), Just("secret"), Just("dept"), Just("n")]
}

fn leaf() -> impl Strategy<Value = Value> {
    (fields(), "[a-z]{1,3}").prop_map(|(f, v)| json!({"term": {f: v}}))
}

fn query() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop::collection::vec(inner, 1..3)
            .prop_map(|clauses| json!({"bool": {"must": clauses.clone(), "must_not": clauses}}))
    })
}

proptest! {
    /// For any query and any mix of restricted targets: each target's clause carries its
    /// own `_index` filter and its own DLS filter, and the user's part of the clause never
    /// references a field that target hides.
    #[test]
    fn every_clause_carries_its_filter_and_hides_its_fields(
        user_query in query(),
        restrictions in prop::collection::vec((any::<bool>(), any::<bool>()), 1..4),
    ) {
        let targets: Vec<Target> = restrictions.iter().enumerate().map(|(i, (dls, hide))| {
            target(
                &format!("idx{i}"),
                dls.then(|| term("dept", &format!("d{i}"))),
                hide.then(|| fls(&["public", "dept", "n"])),
            )
        }).collect();
        let body = json!({"query": user_query});
        let planned = plan(body, &targets).unwrap();
        let query = parse_query(&planned.body["query"]).unwrap();
        let clauses = match &query {
            Query::Bool(b) if !b.should.is_empty() => b.should.clone(),
            other => vec![other.clone()],
        };
        for t in &targets {
            if !t.restrictions.is_restricted() && !targets.iter().any(|o| o.restrictions.is_restricted()) {
                continue;
            }
            let clause = clauses.iter().find_map(|c| match c {
                Query::Bool(b) => b.filter.first().filter(|f| {
                    field_references(f).contains("_index")
                        && serde_json::to_string(f).unwrap().contains(&format!("\"{}\"", t.index))
                }).map(|_| b.clone()),
                _ => None,
            });
            let clause = clause.expect("each target has a clause");
            if let Some(dls) = &t.restrictions.documents {
                prop_assert!(clause.filter.contains(dls), "DLS filter missing for {}", t.index);
            }
            for must in &clause.must {
                for field in field_references(must) {
                    prop_assert!(t.restrictions.permits(&field), "{} sees {}", t.index, field);
                }
            }
        }
    }
}

#[test]
fn a_direct_single_group_needs_no_index_filter() {
    let body = json!({"query": {"match_all": {}}});
    let request = parse_search_request(&body).unwrap();
    let one = [target("logs", Some(term("dept", "x")), None)];
    let planned = plan_search_direct(&body, &request, &one).unwrap();
    let expected = json!({"bool": {
        "must": [{"match_all": {}}],
        "filter": [{"term": {"dept": {"value": "x"}}}]
    }});
    assert_eq!(
        parse_query(&planned.body["query"]).unwrap(),
        parse_query(&expected).unwrap()
    );
    // Two groups still need the partition to score each hit by its own index's clause.
    let two = [
        target("a", Some(term("dept", "x")), None),
        target("b", Some(term("dept", "y")), None),
    ];
    let planned = plan_search_direct(&body, &request, &two).unwrap();
    assert!(planned.body["query"].to_string().contains("_index"));
}
