#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Oracle property test: on random documents, roles (DLS query + FLS grant) and queries, the
//! server's answer through HTTP equals a naive scan-and-filter evaluator written here,
//! independently of the server's code.

mod common;

use std::collections::BTreeSet;

use common::TestNode;
use proptest::prelude::*;
use serde_json::{Value, json};

const FIELDS: &[&str] = &["color", "size", "flag"];
const COLORS: &[&str] = &["red", "green", "blue"];

/// A small query language both sides understand.
#[derive(Debug, Clone)]
enum Q {
    Term(usize, i64),
    /// `size` between the bounds.
    Range(i64, i64),
    Exists(usize),
    Not(Box<Q>),
    And(Box<Q>, Box<Q>),
    Or(Box<Q>, Box<Q>),
}

fn value_of(field: usize, v: i64) -> Value {
    match field {
        0 => json!(COLORS[(v.rem_euclid(3)) as usize]),
        1 => json!(v),
        _ => json!(v % 2 == 0),
    }
}

fn to_json(q: &Q) -> Value {
    match q {
        Q::Term(f, v) => json!({"term": {FIELDS[*f]: value_of(*f, *v)}}),
        Q::Range(lo, hi) => json!({"range": {"size": {"gte": lo, "lte": hi}}}),
        Q::Exists(f) => json!({"exists": {"field": FIELDS[*f]}}),
        Q::Not(q) => json!({"bool": {"must_not": [to_json(q)]}}),
        Q::And(a, b) => json!({"bool": {"filter": [to_json(a), to_json(b)]}}),
        Q::Or(a, b) => json!({"bool": {"should": [to_json(a), to_json(b)]}}),
    }
}

/// The reference: a field outside `visible` reads as missing.
fn eval(q: &Q, doc: &Value, visible: &BTreeSet<usize>) -> bool {
    let get = |f: usize| {
        visible
            .contains(&f)
            .then(|| doc.get(FIELDS[f]))
            .flatten()
            .filter(|v| !v.is_null())
    };
    match q {
        Q::Term(f, v) => get(*f) == Some(&value_of(*f, *v)),
        Q::Range(lo, hi) => get(1)
            .and_then(Value::as_i64)
            .is_some_and(|x| *lo <= x && x <= *hi),
        Q::Exists(f) => get(*f).is_some(),
        Q::Not(q) => !eval(q, doc, visible),
        Q::And(a, b) => eval(a, doc, visible) && eval(b, doc, visible),
        Q::Or(a, b) => eval(a, doc, visible) || eval(b, doc, visible),
    }
}

fn query() -> impl Strategy<Value = Q> {
    let leaf = prop_oneof![
        (0..3usize, 0..6i64).prop_map(|(f, v)| Q::Term(f, v)),
        (0..6i64, 0..6i64).prop_map(|(a, b)| Q::Range(a.min(b), a.max(b))),
        (0..3usize).prop_map(Q::Exists),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|q| Q::Not(Box::new(q))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Q::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Q::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn doc() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(0..3i64),
        proptest::option::of(0..6i64),
        proptest::option::of(0..2i64),
    )
        .prop_map(|(c, s, f)| {
            let mut d = serde_json::Map::new();
            if let Some(c) = c {
                d.insert("color".into(), value_of(0, c));
            }
            if let Some(s) = s {
                d.insert("size".into(), json!(s));
            }
            if let Some(f) = f {
                d.insert("flag".into(), json!(f == 0));
            }
            Value::Object(d)
        })
}

async fn check(docs: Vec<Value>, role_query: Q, granted: BTreeSet<usize>, user_query: Q) {
    let node = TestNode::new();
    node.admin("PUT", "/data", None).await;
    for (i, d) in docs.iter().enumerate() {
        let (s, b) = node
            .admin("PUT", &format!("/data/_doc/{i}"), Some(d.clone()))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = node.admin("POST", "/data/_refresh", None).await;
    assert_eq!(s, 200, "{b}");
    let grant: Vec<&str> = granted.iter().map(|f| FIELDS[*f]).collect();
    let role = json!({"indices": [{"names": ["data"], "privileges": ["read"],
        "query": to_json(&role_query), "field_security": {"grant": grant}}]});
    let (s, b) = node.admin("PUT", "/_security/role/r", Some(role)).await;
    assert_eq!(s, 200, "{b}");
    node.add_user("u", "password-123", &["r"]);
    let all: BTreeSet<usize> = (0..FIELDS.len()).collect();
    let expected: Vec<String> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| eval(&role_query, d, &all) && eval(&user_query, d, &granted))
        .map(|(i, _)| i.to_string())
        .collect();
    let body = json!({"query": to_json(&user_query), "size": 100});
    let (s, b) = node
        .call("POST", "/data/_search", ("u", "password-123"), Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
    let mut got: Vec<String> = b["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(
        got, want,
        "role {role_query:?} grant {granted:?} query {user_query:?}"
    );
    for hit in b["hits"]["hits"].as_array().unwrap() {
        for key in hit["_source"].as_object().unwrap().keys() {
            let f = FIELDS.iter().position(|n| n == key).unwrap();
            assert!(granted.contains(&f), "hidden field {key} returned");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn the_server_agrees_with_the_naive_evaluator(
        docs in proptest::collection::vec(doc(), 0..12),
        role_query in query(),
        granted in proptest::collection::btree_set(0..3usize, 0..=3),
        user_query in query(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(check(docs, role_query, granted, user_query));
    }
}
