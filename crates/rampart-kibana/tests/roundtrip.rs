//! Random valid Kibana roles → ES role → Kibana role round-trip exactly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use proptest::prelude::*;
use rampart_core::role::IndicesPrivileges;
use rampart_kibana::role::{EsPrivileges, KibanaEntry, KibanaRole, from_es, to_es};

/// Feature privileges valid in any space (no requireAllSpaces, not disabled) plus an unknown
/// feature, which Kibana stores as is.
const SPACE_FEATURES: &[(&str, &[&str])] = &[
    (
        "discover",
        &[
            "all",
            "read",
            "minimal_read",
            "url_create",
            "store_search_session",
        ],
    ),
    ("dashboard", &["all", "minimal_all", "download_csv_report"]),
    ("ml", &["read", "all"]),
    ("rulesSettings", &["minimal_read", "readFlappingSettings"]),
    ("unknownFeature", &["custom_priv"]),
];

fn feature_map() -> impl Strategy<Value = Vec<(String, Vec<String>)>> {
    proptest::sample::subsequence(SPACE_FEATURES.to_vec(), 1..=SPACE_FEATURES.len()).prop_flat_map(
        |features| {
            features
                .into_iter()
                .map(|(f, privs)| {
                    proptest::sample::subsequence(privs.to_vec(), 1..=privs.len()).prop_map(
                        move |ps| (f.to_string(), ps.into_iter().map(str::to_string).collect()),
                    )
                })
                .collect::<Vec<_>>()
        },
    )
}

fn entry_body() -> impl Strategy<Value = (Vec<String>, Vec<(String, Vec<String>)>)> {
    prop_oneof![
        proptest::sample::select(vec!["all", "read"])
            .prop_map(|b| (vec![b.to_string()], Vec::new())),
        feature_map().prop_map(|f| (Vec::new(), f)),
    ]
}

fn role() -> impl Strategy<Value = KibanaRole> {
    let global = proptest::option::of(entry_body());
    let spaces = proptest::collection::vec(entry_body(), 0..4);
    let cluster = proptest::collection::vec(
        proptest::sample::select(vec!["monitor", "manage", "all"]),
        0..3,
    );
    let indices = proptest::collection::vec(
        (
            "[a-z]{1,6}\\*?",
            proptest::sample::select(vec!["read", "write"]),
        ),
        0..3,
    );
    (
        global,
        spaces,
        cluster,
        indices,
        proptest::option::of("[ -~]{0,20}"),
    )
        .prop_map(|(global, spaces, cluster, indices, description)| {
            let mut kibana = Vec::new();
            if let Some((base, feature)) = global {
                kibana.push(KibanaEntry {
                    base,
                    feature,
                    spaces: vec!["*".into()],
                    reserved: vec![],
                });
            }
            for (i, (base, feature)) in spaces.into_iter().enumerate() {
                // Distinct spaces per entry; some entries hold two.
                let mut s = vec![format!("space-{i}")];
                if i % 2 == 1 {
                    s.push(format!("other_{i}"));
                }
                kibana.push(KibanaEntry {
                    base,
                    feature,
                    spaces: s,
                    reserved: vec![],
                });
            }
            KibanaRole {
                name: "r".into(),
                description: description.filter(|d| !d.is_empty()),
                elasticsearch: EsPrivileges {
                    cluster: cluster.into_iter().map(str::to_string).collect(),
                    indices: indices
                        .into_iter()
                        .map(|(n, p)| IndicesPrivileges {
                            names: vec![n],
                            privileges: vec![p.to_string()],
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                },
                kibana,
                ..Default::default()
            }
        })
}

static KIT: std::sync::LazyLock<common::Kit> = std::sync::LazyLock::new(common::kit);

proptest! {
    #[test]
    fn kibana_es_kibana_round_trips(role in role()) {
        let k = &*KIT;
        let es = to_es(&role, None, &k.registry).unwrap();
        let back = from_es(&es, &k.registry).unwrap();
        prop_assert_eq!(back, role);
    }
}
