#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Generated: random valid Kibana roles → PUT (Kibana → ES role) → GET (ES → Kibana) returns
//! exactly what was put.

mod common;
mod kibana_support;

use kibana_support::KibanaNode;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Feature privileges valid in any entry (no requireAllSpaces, none disabled).
const FEATURES: &[(&str, &[&str])] = &[
    (
        "discover",
        &[
            "all",
            "read",
            "minimal_all",
            "minimal_read",
            "url_create",
            "store_search_session",
        ],
    ),
    ("dashboard", &["all", "read", "minimal_read", "url_create"]),
    ("visualize", &["all", "read"]),
    ("ml", &["all", "read"]),
    ("dev_tools", &["all", "read"]),
    ("indexPatterns", &["all", "read"]),
    ("savedObjectsManagement", &["all", "read"]),
];
const SPACES: &[&str] = &["a", "b", "c", "marketing", "sales", "x-1", "y_2"];

#[derive(Debug, Clone)]
enum Grant {
    Base(&'static str),
    /// (feature index, privilege index subset mask)
    Features(Vec<(usize, u8)>),
}

fn grant() -> impl Strategy<Value = Grant> {
    prop_oneof![
        prop::sample::select(vec!["all", "read"]).prop_map(Grant::Base),
        prop::collection::vec((0..FEATURES.len(), 1u8..=63), 1..4).prop_map(Grant::Features),
    ]
}

fn grant_json(g: &Grant) -> (Vec<String>, Map<String, Value>) {
    match g {
        Grant::Base(b) => (vec![(*b).to_string()], Map::new()),
        Grant::Features(fs) => {
            let mut m = Map::new();
            for (fi, mask) in fs {
                let (id, privileges) = FEATURES[*fi];
                if m.contains_key(id) {
                    continue;
                }
                let chosen: Vec<&str> = privileges
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, p)| *p)
                    .collect();
                let chosen = if chosen.is_empty() {
                    vec![privileges[0]]
                } else {
                    chosen
                };
                m.insert(id.to_string(), json!(chosen));
            }
            (Vec::new(), m)
        }
    }
}

/// (optional all-spaces grant, per-space grants over disjoint space sets, cluster privileges)
type GeneratedRole = (Option<Grant>, Vec<(Vec<usize>, Grant)>, Vec<&'static str>);

fn role() -> impl Strategy<Value = GeneratedRole> {
    (
        prop::option::of(grant()),
        prop::collection::vec(
            (prop::collection::vec(0..SPACES.len(), 1..3), grant()),
            0..3,
        ),
        prop::sample::subsequence(vec!["monitor", "manage_ml", "read_security"], 0..3),
    )
}

fn kibana_entries(global: &Option<Grant>, per_space: &[(Vec<usize>, Grant)]) -> Vec<Value> {
    let mut used = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    if let Some(g) = global {
        let (base, feature) = grant_json(g);
        out.push(json!({"base": base, "feature": feature, "spaces": ["*"]}));
    }
    for (spaces, g) in per_space {
        let spaces: Vec<&str> = spaces
            .iter()
            .map(|i| SPACES[*i])
            .filter(|s| used.insert(*s))
            .collect();
        if spaces.is_empty() {
            continue;
        }
        let (base, feature) = grant_json(g);
        out.push(json!({"base": base, "feature": feature, "spaces": spaces}));
    }
    out
}

#[test]
fn random_kibana_roles_round_trip_exactly() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let k = KibanaNode::new();
    let counter = std::sync::atomic::AtomicU32::new(0);
    proptest!(ProptestConfig::with_cases(48), |(r in role())| {
        let (global, per_space, cluster) = r;
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let name = format!("generated_{n}");
        let kibana = kibana_entries(&global, &per_space);
        let body = json!({
            "description": format!("role {n}"),
            "metadata": {"n": n},
            "elasticsearch": {"cluster": cluster, "indices": [{"names": ["logs-*"], "privileges": ["read"]}]},
            "kibana": kibana,
        });
        let (s, b) = rt.block_on(k.admin("PUT", &format!("/api/security/role/{name}"), Some(body.clone())));
        prop_assert_eq!(s, 204, "{}", b);
        let (s, got) = rt.block_on(k.admin("GET", &format!("/api/security/role/{name}"), None));
        prop_assert_eq!(s, 200);
        prop_assert_eq!(&got["kibana"], &body["kibana"]);
        prop_assert_eq!(&got["description"], &body["description"]);
        prop_assert_eq!(&got["metadata"], &body["metadata"]);
        prop_assert_eq!(&got["elasticsearch"]["cluster"], &body["elasticsearch"]["cluster"]);
        prop_assert_eq!(&got["elasticsearch"]["indices"][0]["names"], &json!(["logs-*"]));
        prop_assert_eq!(&got["_transform_error"], &json!([]));
        // PUT of what GET returned is a no-op for the stored ES role.
        let (_, es_before) = rt.block_on(k.node.admin("GET", &format!("/_security/role/{name}"), None));
        let again = json!({"description": got["description"], "metadata": got["metadata"],
                           "elasticsearch": {"cluster": got["elasticsearch"]["cluster"], "indices": got["elasticsearch"]["indices"]},
                           "kibana": got["kibana"]});
        let (s, _) = rt.block_on(k.admin("PUT", &format!("/api/security/role/{name}"), Some(again)));
        prop_assert_eq!(s, 204);
        let (_, es_after) = rt.block_on(k.node.admin("GET", &format!("/_security/role/{name}"), None));
        prop_assert_eq!(es_before, es_after);
    });
}
