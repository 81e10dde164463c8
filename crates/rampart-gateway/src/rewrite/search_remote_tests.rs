//! Restricted searches over remote targets (`alias:pattern`).

use super::*;
use crate::rewrite::filter_search_response;
use rampart_core::error::EsError;
use rampart_core::fls::{FieldPermissions, FieldSecurityDef};
use rampart_query::{parse_query, parse_search_request};

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

fn planned(body: &Value, targets: &[Target], direct: bool) -> Result<SearchPlan, GatewayError> {
    let request = parse_search_request(body).unwrap();
    if direct {
        plan_search_direct(body, &request, targets)
    } else {
        plan_search(body, &request, targets)
    }
}

fn pattern(value: &str) -> Value {
    if value.contains('*') {
        json!({"wildcard": {"_index": {"value": value}}})
    } else {
        json!({"terms": {"_index": [value]}})
    }
}

/// `_index` admitting a remote target: its pattern or its data streams' backing indices.
fn admits(alias: &str, index: &str) -> Value {
    json!({"bool": {"should": [pattern(&format!("{alias}:{index}")),
        pattern(&format!("{alias}:.ds-{index}-*"))], "minimum_should_match": 1}})
}

/// `_index` admitting every index of a remote cluster.
fn whole(alias: &str) -> Value {
    json!({"wildcard": {"_index": {"value": format!("{alias}:*")}}})
}

#[test]
fn a_remote_target_alone_on_its_cluster_is_scoped_to_the_cluster_with_its_dls() {
    let body = json!({"query": {"match": {"title": "rust"}}});
    // Even a "direct" request: the remote's concrete indices are unknown.
    let plan = planned(
        &body,
        &[target("other:logs-*", Some(term("dept", "x")), None)],
        true,
    )
    .unwrap();
    let expected = json!({"bool": {
        "must": [{"match": {"title": {"query": "rust"}}}],
        "filter": [whole("other"), {"term": {"dept": {"value": "x"}}}]
    }});
    assert_eq!(
        parse_query(&plan.body["query"]).unwrap(),
        parse_query(&expected).unwrap()
    );
}

#[test]
fn remote_and_local_targets_partition_by_restriction() {
    let targets = [
        target("logs-1", Some(term("dept", "x")), None),
        target("other:logs-*", Some(term("dept", "x")), None),
        target("third:logs-1", None, None),
        target("metrics", None, None),
    ];
    let plan = planned(&json!({}), &targets, false).unwrap();
    let expected = json!({"bool": {"should": [
        {"bool": {"must": [{"match_all": {}}], "filter": [
            {"bool": {"should": [{"terms": {"_index": ["logs-1"]}}, whole("other")],
                "minimum_should_match": 1}},
            {"term": {"dept": {"value": "x"}}}]}},
        {"bool": {"must": [{"match_all": {}}], "filter": [
            {"bool": {"should": [{"terms": {"_index": ["metrics"]}}, whole("third")],
                "minimum_should_match": 1}}]}}
    ], "minimum_should_match": 1}});
    assert_eq!(
        parse_query(&plan.body["query"]).unwrap(),
        parse_query(&expected).unwrap()
    );
}

#[test]
fn a_narrower_remote_target_takes_its_indices_out_of_a_wider_one() {
    let targets = [
        target(
            "other:logs-*",
            Some(term("dept", "x")),
            Some(fls(&["public"])),
        ),
        target("other:logs-1", Some(term("dept", "y")), None),
    ];
    let plan = planned(&json!({}), &targets, false).unwrap();
    let wider = json!({"bool": {"filter": [admits("other", "logs-*")],
        "must_not": [admits("other", "logs-1")]}});
    let expected = json!({"bool": {"should": [
        {"bool": {"must": [{"match_all": {}}],
            "filter": [wider, {"term": {"dept": {"value": "x"}}}]}},
        {"bool": {"must": [{"match_all": {}}],
            "filter": [admits("other", "logs-1"), {"term": {"dept": {"value": "y"}}}]}}
    ], "minimum_should_match": 1}});
    assert_eq!(
        parse_query(&plan.body["query"]).unwrap(),
        parse_query(&expected).unwrap()
    );

    // Each remote hit is filtered with the field set of the target owning its index.
    let filter = plan.response.expect("FLS applies");
    let mut answer = json!({"hits": {"hits": [
        {"_index": "other:logs-2", "_source": {"public": 1, "secret": 2}},
        {"_index": "other:logs-1", "_source": {"public": 1, "secret": 2}},
        {"_index": "other:.ds-logs-2-2024.01.01-000001", "_source": {"public": 1, "secret": 2}},
        {"_index": "logs-2", "_source": {"public": 1, "secret": 2}},
        {"_index": "third:logs-1", "_source": {"public": 1, "secret": 2}}
    ]}});
    filter_search_response(&mut answer, &filter);
    let sources: Vec<&Value> = answer["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["_source"])
        .collect();
    assert_eq!(sources[0], &json!({"public": 1}));
    assert_eq!(sources[1], &json!({"public": 1, "secret": 2}));
    assert_eq!(sources[2], &json!({"public": 1}), "a backing index");
    assert_eq!(
        sources[3],
        &json!({"public": 1}),
        "unknown: the intersection"
    );
    assert_eq!(
        sources[4],
        &json!({"public": 1}),
        "unknown: the intersection"
    );
}

#[test]
fn ambiguous_remote_overlaps_are_refused() {
    let targets = [
        target("other:logs-*", Some(term("dept", "x")), None),
        target("other:*-1", Some(term("dept", "y")), None),
    ];
    let err = planned(&json!({}), &targets, false).unwrap_err();
    assert_eq!(err.status(), 400);
    assert_eq!(err.es_type(), "security_exception");
    // The same overlap under one restriction is one group: nothing to decide.
    let same = [
        target("other:logs-*", Some(term("dept", "x")), None),
        target("other:*-1", Some(term("dept", "x")), None),
    ];
    assert!(planned(&json!({}), &same, false).is_ok());
}

#[test]
fn unrestricted_remote_searches_are_forwarded_unchanged() {
    let body = json!({"query": {"match_all": {}}, "size": 3});
    let plan = planned(&body, &[target("other:logs-*", None, None)], false).unwrap();
    assert_eq!(plan.body, body);
    assert!(plan.response.is_none());
}
