use serde_json::json;

use super::*;

fn parse(body: Value) -> Result<RolloverRequest, ParseFailure> {
    RolloverRequest::parse(Some(&body), false, false)
}

#[test]
fn conditions_parse_in_body_order_with_their_labels() {
    let r = parse(
        json!({"conditions": {"max_docs": 1, "max_age": "7d", "min_size": "1gb",
        "max_primary_shard_size": "50gb", "min_primary_shard_docs": "10"}}),
    )
    .unwrap();
    let labels: Vec<String> = r.conditions.iter().map(Condition::label).collect();
    assert_eq!(
        labels,
        [
            "[max_docs: 1]",
            "[max_age: 7d]",
            "[min_size: 1gb]",
            "[max_primary_shard_size: 50gb]",
            "[min_primary_shard_docs: 10]"
        ]
    );
    assert!(!r.has_create_body());
    assert_eq!(
        RolloverRequest::parse(None, true, false).unwrap(),
        RolloverRequest {
            dry_run: true,
            ..Default::default()
        }
    );
}

#[test]
fn unknown_fields_and_wrong_types_are_elasticsearchs_parse_errors() {
    let e = parse(json!({"conditions": {"max_doc": 1}})).unwrap_err();
    assert_eq!(
        e.chain,
        vec![
            (
                XCONTENT,
                "[rollover] failed to parse field [conditions]".to_string()
            ),
            (
                XCONTENT,
                "[rollover_conditions] unknown field [max_doc]".to_string()
            ),
        ]
    );
    assert_eq!(
        e.caused_by(),
        Some(json!({"type": XCONTENT, "reason": "[rollover_conditions] unknown field [max_doc]"}))
    );
    let e = parse(json!({"condition": {}})).unwrap_err();
    assert_eq!(
        e.chain,
        vec![(XCONTENT, "[rollover] unknown field [condition]".to_string())]
    );
    assert_eq!(e.caused_by(), None);
    let e = parse(json!({"conditions": 3})).unwrap_err();
    assert_eq!(
        e.chain[0].1,
        "[rollover] conditions doesn't support values of type: VALUE_NUMBER"
    );
    let e = parse(json!({"conditions": {"max_age": 5}})).unwrap_err();
    assert_eq!(
        e.chain[1].1,
        "[rollover_conditions] max_age doesn't support values of type: VALUE_NUMBER"
    );
    let e = parse(json!({"conditions": {"max_docs": "many"}})).unwrap_err();
    assert_eq!(
        e.chain.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        [XCONTENT, XCONTENT, "number_format_exception"]
    );
    assert_eq!(
        e.caused_by().unwrap()["caused_by"]["reason"],
        "For input string: \"many\""
    );
    let e = parse(json!({"conditions": {"max_size": "5"}})).unwrap_err();
    assert_eq!(e.chain[2].0, "parse_exception");
    let e = parse(json!({"mappings": {"_doc": {"properties": {}}}})).unwrap_err();
    assert_eq!(e.chain[1].0, "illegal_argument_exception");
    let e = parse(json!([1])).unwrap_err();
    assert_eq!(
        e.chain[0].1,
        "[rollover] Expected START_OBJECT but was: START_ARRAY"
    );
}

#[test]
fn min_conditions_need_a_max_condition() {
    let e = parse(json!({"conditions": {"min_docs": 1}})).unwrap_err();
    assert_eq!(
        e.chain,
        vec![(
            VALIDATION,
            "Validation Failed: 1: at least one max_* rollover condition must be set when using min_* conditions;".to_string()
        )]
    );
    assert!(parse(json!({"conditions": {"min_docs": 1, "max_age": "1d"}})).is_ok());
}

#[test]
fn conditions_are_met_when_all_mins_and_one_max_are() {
    let r =
        parse(json!({"conditions": {"max_docs": 2, "max_size": "1kb", "min_age": "1s"}})).unwrap();
    let facts = IndexFacts {
        docs: 2,
        size_bytes: 10,
        created_ms: 1_000,
    };
    let results = r.evaluate(&facts, 1_500);
    assert_eq!(
        results,
        vec![
            ("[max_docs: 2]".to_string(), true),
            ("[max_size: 1kb]".to_string(), false),
            ("[min_age: 1s]".to_string(), false),
        ]
    );
    assert!(!r.conditions_met(&results), "min_age is not met");
    let results = r.evaluate(&facts, 2_000);
    assert!(r.conditions_met(&results));
    let results = r.evaluate(&IndexFacts { docs: 1, ..facts }, 2_000);
    assert!(!r.conditions_met(&results), "no max condition is met");
    let none = parse(json!({})).unwrap();
    assert!(none.conditions_met(&none.evaluate(&facts, 0)));
}

#[test]
fn outcomes_render_elasticsearchs_response() {
    let outcome = RolloverOutcome {
        old_index: "logs-000001".into(),
        new_index: "logs-000002".into(),
        conditions: vec![("[max_docs: 1]".into(), true)],
        dry_run: false,
        rolled_over: true,
        acknowledged: true,
        lazy: false,
    };
    assert_eq!(
        outcome.render(),
        json!({"acknowledged": true, "shards_acknowledged": true, "old_index": "logs-000001",
            "new_index": "logs-000002", "rolled_over": true, "dry_run": false, "lazy": false,
            "conditions": {"[max_docs: 1]": true}})
    );
}
