#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Properties of field permissions and `_source` filtering over random roles and documents.

use proptest::prelude::*;
use rampart_core::fls::{FieldPermissions, FieldSecurityDef};
use serde_json::{Map, Value, json};

const KEYS: &[&str] = &["a", "b", "c", "a.b", "_x", "ab"];
const PATTERNS: &[&str] = &[
    "*",
    "a",
    "a.*",
    "a*",
    "b",
    "b.?",
    "?",
    "c.*",
    "a.b",
    "*.b",
    "_x",
    "ab",
    "/a(\\..*)?/",
    "/~(b.*)/",
    "/[ab]/",
    "/(c\\.)+c/",
    "/_.*/",
];
const FIELDS: &[&str] = &[
    "a", "b", "c", "ab", "a.b", "a.c", "a.b.c", "b.a", "b.ab", "c.a", "c.c.c", "_x", "_id", "a._x",
    "z", "",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(1)),
        Just(json!("s")),
        Just(Value::Null),
        Just(json!(true))
    ]
}

fn document() -> impl Strategy<Value = Value> {
    let tree = leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|entries| {
                let map: Map<String, Value> = entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                Value::Object(map)
            }),
        ]
    });
    prop::collection::vec((prop::sample::select(KEYS), tree), 0..5).prop_map(|entries| {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    })
}

/// A compiling definition (an `except` outside the grant is dropped rather than rejected).
fn permissions() -> impl Strategy<Value = FieldPermissions> {
    (
        prop::collection::vec(prop::sample::select(PATTERNS), 0..3),
        prop::collection::vec(prop::sample::select(PATTERNS), 0..2),
        any::<bool>(),
    )
        .prop_map(|(grant, except, no_fls)| {
            if no_fls {
                return FieldPermissions::unrestricted();
            }
            FieldSecurityDef::new(grant.clone(), except)
                .compile()
                .or_else(|_| FieldSecurityDef::new(grant, Vec::<String>::new()).compile())
                .unwrap()
        })
}

/// Every leaf path of a filtered document (array elements share their array's path).
fn leaf_paths(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaf_paths(v, &p, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            items.iter().for_each(|item| leaf_paths(item, path, out));
        }
        _ => out.push(path.to_string()),
    }
}

proptest! {
    #[test]
    fn filtered_source_only_has_permitted_paths(p in permissions(), doc in document()) {
        let filtered = p.filter_source(&doc);
        let mut paths = Vec::new();
        leaf_paths(&filtered, "", &mut paths);
        for path in paths.iter().filter(|path| !path.is_empty()) {
            prop_assert!(p.permits(path), "{path} not permitted in {filtered}");
        }
        prop_assert_eq!(p.filter_source(&filtered), filtered.clone(), "not idempotent");
        if p.is_unrestricted() {
            prop_assert_eq!(filtered, doc);
        }
    }

    #[test]
    fn algebra_matches_pointwise_logic(a in permissions(), b in permissions()) {
        let union = a.union(&b);
        let both = a.intersect(&b);
        for field in FIELDS {
            prop_assert_eq!(union.permits(field), a.permits(field) || b.permits(field), "union {}", field);
            prop_assert_eq!(both.permits(field), a.permits(field) && b.permits(field), "intersection {}", field);
            if union.is_unrestricted() { prop_assert!(union.permits(field)); }
            if both.is_unrestricted() { prop_assert!(both.permits(field)); }
        }
        for p in [&a, &b, &union, &both] {
            for field in FIELDS {
                if let Some((object, _)) = field.split_once('.') {
                    if p.permits(field) {
                        prop_assert!(p.permits_object_path_prefix(object), "{} under {}", field, object);
                    }
                }
            }
        }
    }
}
