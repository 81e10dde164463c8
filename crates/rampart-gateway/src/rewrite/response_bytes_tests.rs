use super::*;
use crate::rewrite::response::filter_search_response;
use crate::rewrite::{IndexRestrictions, Target};
use proptest::prelude::*;
use rampart_core::fls::{FieldPermissions, FieldSecurityDef};
use serde_json::json;

fn fls(grant: &[&str]) -> FieldPermissions {
    FieldSecurityDef::new(grant.to_vec(), Vec::<String>::new())
        .compile()
        .unwrap()
}

fn filter() -> ResponseFilter {
    ResponseFilter::new(&[
        Target {
            index: "a".into(),
            restrictions: IndexRestrictions {
                documents: None,
                fields: Some(fls(&["public", "obj.open"])),
            },
        },
        Target {
            index: "b".into(),
            restrictions: IndexRestrictions::unrestricted(),
        },
    ])
}

/// The parsed path's answer, compact.
fn parsed_path(text: &str, filter: &ResponseFilter) -> String {
    let mut body: Value = serde_json::from_str(text).unwrap();
    filter_search_response(&mut body, filter);
    body.to_string()
}

/// The byte path's answer, read back and written compactly (numbers and spacing normalised
/// as the parsed path writes them).
fn byte_path(text: &str, filter: &ResponseFilter) -> Option<String> {
    let out = filter_search_response_bytes(text.as_bytes(), filter)?;
    let value: Value = serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("invalid output {e}: {}", String::from_utf8_lossy(&out)));
    Some(value.to_string())
}

fn assert_same(text: &str) {
    let filter = filter();
    let fast = byte_path(text, &filter).unwrap_or_else(|| panic!("not read: {text}"));
    assert_eq!(fast, parsed_path(text, &filter), "{text}");
}

#[test]
fn answers_are_filtered_as_the_parsed_path_filters_them() {
    let answer = json!({
        "took": 3, "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 3, "relation": "eq"}, "max_score": 1.5, "hits": [
            {"_index": "a", "_id": "1", "_score": 1.5,
             "_source": {"public": "p", "secret": "s {\"x\": [1]}", "obj": {"open": 1, "closed": 2}},
             "fields": {"public": ["p"], "secret": ["s"]},
             "highlight": {"secret": ["<em>s</em>"]},
             "_ignored": ["secret", "public"],
             "_explanation": {"value": 1.0, "description": "secret:s"},
             "sort": [1, "x"],
             "inner_hits": {"nested": {"hits": {"total": {"value": 1}, "hits": [
                 {"_index": "a", "_id": "1", "_source": {"public": 1, "secret": 2}}]}}}},
            {"_index": "b", "_id": "2", "_source": {"public": "p", "secret": "s"}},
            {"_index": "elsewhere", "_id": "3", "_source": {"public": "p", "secret": "s"}},
            {"_index": "a", "_id": "4"}
        ]},
        "aggregations": {
            "by": {"buckets": [{"key": "k", "doc_count": 1, "top": {"hits": {"total": {"value": 1},
                "hits": [{"_index": "a", "_source": {"secret": 3, "public": 4}}]}}}]},
            "count": {"value": 2}
        }
    });
    let compact = answer.to_string();
    assert_same(&compact);
    assert_same(&serde_json::to_string_pretty(&answer).unwrap());
    let filtered: Value = serde_json::from_str(&byte_path(&compact, &filter()).unwrap()).unwrap();
    let hits = &filtered["hits"]["hits"];
    assert_eq!(
        hits[0]["_source"],
        json!({"public": "p", "obj": {"open": 1}})
    );
    assert_eq!(hits[0].get("_explanation"), None);
    assert_eq!(
        hits[2]["_source"],
        json!({"public": "p"}),
        "unknown index: fail closed"
    );
    assert_eq!(
        filtered["aggregations"]["by"]["buckets"][0]["top"]["hits"]["hits"][0]["_source"],
        json!({"public": 4})
    );
}

#[test]
fn untouched_parts_keep_the_upstreams_bytes() {
    let text = r#"{"took": 1, "hits": {"total": {"value": 1}, "max_score": 1.50, "hits": [
        {"_index": "b", "_id": "x", "_score": 1.50, "_source": {"secret": 1.50}}]},
        "aggregations": {"stats": {"avg": 2.50}}}"#;
    let out = String::from_utf8(filter_search_response_bytes(text.as_bytes(), &filter()).unwrap())
        .unwrap();
    assert!(out.contains(r#""max_score":1.50"#), "{out}");
    assert!(out.contains(r#""_score":1.50"#), "{out}");
    assert!(out.contains(r#"{"stats": {"avg": 2.50}}"#), "{out}");
    assert_same(text);
}

#[test]
fn unusual_answers_are_left_to_the_parsed_path() {
    let filter = filter();
    for text in [
        // A filtered key spelled with an escape.
        r#"{"hits": {"hits": [{"_index": "a", "_sour\u0063e": {"secret": 1}}]}}"#,
        // Repeated keys.
        r#"{"hits": {"hits": [{"_index": "a", "_source": {}, "_source": {"secret": 1}}]}}"#,
        r#"{"hits": {"hits": []}, "hits": {"hits": [{"_index": "a", "_source": {"secret": 1}}]}}"#,
        r#"{"hits": {"hits": [], "hits": []}}"#,
        r#"{"aggregations": {}, "aggregations": {}}"#,
        // Other shapes.
        r#"{"hits": {"hits": [1]}}"#,
        r#"{"hits": {"hits": {"_source": {}}}}"#,
        r#"{"hits": []}"#,
        r#"[]"#,
        // Not JSON.
        r#"{"hits": {"hits": [{"_index": "a"}]}"#,
        r#"{"took": 1} trailing"#,
        r#"{"took": @}"#,
        r#"{"took": 1,}"#,
        "",
    ] {
        assert_eq!(
            filter_search_response_bytes(text.as_bytes(), &filter),
            None,
            "{text}"
        );
    }
}

#[test]
fn aggregations_that_may_hold_hits_are_parsed() {
    // `hits` inside an aggregation (even as a bucket key) or escapes: parsed and walked.
    assert_same(
        r#"{"aggregations": {"t": {"hits": {"hits": [{"_index": "a", "_source": {"secret": 1, "public": 2}}]}}}}"#,
    );
    assert_same(r#"{"aggregations": {"t": {"buckets": [{"key": "hits"}]}}}"#);
    assert_same(
        r#"{"aggregations": {"t": {"h\u0069ts": {"hits": [{"_index": "a", "_source": {"secret": 1}}]}}}}"#,
    );
}

/// Random answers: JSON values of the shapes a search answer has, with strings full of
/// JSON's special characters.
fn text() -> impl Strategy<Value = String> {
    prop::string::string_regex(r#"[a-z{}\[\]",:\\ é]{0,8}"#).unwrap()
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ]
}

fn source() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec!["public", "secret", "obj", "open", "x"]);
    leaf().prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..4).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn hit() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::option::of(source()),
        prop::option::of(source()),
        prop::option::of(prop::collection::vec(text(), 0..3)),
        any::<bool>(),
        leaf(),
    )
        .prop_map(|(index, src, fields, ignored, explain, extra)| {
            let mut hit = json!({"_index": index, "_id": "1", "sort": [extra]});
            let o = hit.as_object_mut().unwrap();
            if let Some(s) = src {
                o.insert("_source".into(), s);
            }
            if let Some(f) = fields {
                o.insert("fields".into(), f.clone());
                o.insert("highlight".into(), f);
            }
            if let Some(i) = ignored {
                o.insert("_ignored".into(), json!(i));
            }
            if explain {
                o.insert("_explanation".into(), json!({"description": "x"}));
            }
            hit
        })
}

fn answer() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(hit(), 0..4),
        prop::option::of(prop::collection::vec(hit(), 0..2)),
        leaf(),
    )
        .prop_map(|(hits, top, extra)| {
            let mut answer = json!({"took": 1, "extra": extra,
                "hits": {"total": {"value": hits.len()}, "hits": hits}});
            if let Some(top) = top {
                answer["aggregations"] =
                    json!({"by": {"buckets": [{"key": "k", "top": {"hits": {"hits": top}}}]}});
            }
            answer
        })
}

proptest! {
    #[test]
    fn the_byte_path_answers_as_the_parsed_path(answer in answer(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&answer).unwrap()
        } else {
            answer.to_string()
        };
        let filter = filter();
        // serde_json writes keys without escapes here, so the byte path must read it.
        let fast = byte_path(&text, &filter);
        prop_assert!(fast.is_some(), "not read: {}", text);
        prop_assert_eq!(fast.unwrap(), parsed_path(&text, &filter));
    }
}
