use serde_json::{Map, Value, json};

use super::*;
use rampart_core::error::EsError;

fn map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn reason(v: Value) -> String {
    validate_aggs(&map(v)).unwrap_err().reason()
}

#[test]
fn supported_aggregations_validate() {
    let aggs = map(json!({
        "by_dept": {"terms": {"field": "dept", "size": 5},
            "aggs": {"avg_age": {"avg": {"field": "age"}},
                     "top": {"top_hits": {"size": 1, "sort": [{"age": "desc"}]}}}},
        "young": {"filter": {"range": {"age": {"lt": 30}}},
            "aggregations": {"n": {"value_count": {"field": "age"}}}},
        "groups": {"filters": {"filters": {"a": {"term": {"x": 1}}, "b": {"match": {"y": "z"}}}}},
        "h": {"date_histogram": {"field": "ts", "calendar_interval": "day"}, "meta": {"k": 1}}
    }));
    validate_aggs(&aggs).unwrap();
    let fields: Vec<_> = agg_field_references(&aggs).unwrap().into_iter().collect();
    assert_eq!(fields, ["age", "dept", "ts", "x", "y"]);
}

#[test]
fn errors_use_elasticsearch_texts() {
    assert_eq!(
        reason(json!({"a": {"foo": {}}})),
        "Unknown aggregation type [foo]"
    );
    assert_eq!(
        reason(json!({"a": {"composite": {}}})),
        "[composite] aggregation is not supported by this server"
    );
    assert_eq!(
        reason(json!({"a": {"terms": {"field": "x"}, "avg": {"field": "y"}}})),
        "Found two aggregation type definitions in [a]: [terms] and [avg]"
    );
    assert_eq!(
        reason(json!({"a": {}})),
        "Missing definition for aggregation [a]"
    );
    assert_eq!(
        reason(json!({"a": {"avg": {"field": "x"}, "aggs": {"b": {"max": {"field": "y"}}}}})),
        "Aggregator [a] of type [avg] cannot accept sub-aggregations"
    );
    assert_eq!(
        reason(json!({"a>b": {"avg": {"field": "x"}}})),
        "Invalid aggregation name [a>b]. Aggregation names can contain any character except '[', ']', and '>'"
    );
    assert_eq!(
        reason(json!({"a": {"sum": {"script": "doc.x"}}})),
        "[script] in aggregation [a] is not supported by this server"
    );
    assert_eq!(
        reason(json!({"a": {"filter": {"nope": {}}}})),
        "unknown query [nope]"
    );
    assert_eq!(
        reason(json!({"a": 1})),
        "Aggregation definition for [a starts with a [VALUE_NUMBER], expected a [START_OBJECT]."
    );
}

#[test]
fn hidden_fields_become_missing() {
    let aggs = map(json!({
        "s": {"terms": {"field": "secret"}, "aggs": {"m": {"max": {"field": "secret"}}, "p": {"min": {"field": "pub"}}}},
        "f": {"filter": {"term": {"secret": 1}}},
        "g": {"filters": {"filters": [{"term": {"pub": 1}}, {"exists": {"field": "secret"}}]}}
    }));
    let hidden = hide_agg_fields(&aggs, &|f| f != "secret").unwrap();
    assert_eq!(hidden["s"]["terms"]["field"], json!(HIDDEN_FIELD));
    assert_eq!(
        hidden["s"]["aggs"]["m"]["max"]["field"],
        json!(HIDDEN_FIELD)
    );
    assert_eq!(hidden["s"]["aggs"]["p"]["min"]["field"], json!("pub"));
    assert_eq!(hidden["f"]["filter"], json!({"match_none": {}}));
    assert_eq!(
        hidden["g"]["filters"]["filters"][1],
        json!({"match_none": {}})
    );
    assert_eq!(
        hidden["g"]["filters"]["filters"][0],
        json!({"term": {"pub": {"value": 1}}})
    );
    validate_aggs(&hidden).unwrap();
}
