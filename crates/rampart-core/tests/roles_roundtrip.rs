#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! parse → to_json → parse is the identity, for built-in roles, a full example and random roles.

use proptest::prelude::*;
use rampart_core::builtin::BuiltinRoles;
use rampart_core::role::*;
use serde_json::{Map, Value, json};

fn reparse(role: &RoleDescriptor, ctx: RoleContext) -> RoleDescriptor {
    parse_role(&role.name, &role.to_json(), ctx).unwrap()
}

#[test]
fn builtin_roles_round_trip() {
    for role in BuiltinRoles::load().unwrap().iter() {
        assert_eq!(&reparse(role, RoleContext::File), role, "{}", role.name);
    }
}

#[test]
fn rendering_follows_the_get_role_field_order() {
    let body = json!({
        "description": "d", "remote_cluster": [{"clusters": ["c"], "privileges": ["monitor_stats"]}],
        "remote_indices": [{"clusters": ["c"], "privileges": ["read"], "names": ["i"]}],
        "metadata": {"m": 1}, "run_as": ["u"],
        "applications": [{"resources": ["*"], "privileges": ["p"], "application": "app"}],
        "indices": [{"query": {"match_all": {}}, "privileges": ["read"], "names": ["i"], "field_security": {"except": ["a.b"], "grant": ["a*"]}}],
        "global": {"profile": {"write": {"applications": ["k*"]}}}, "cluster": ["all"]
    });
    let role = parse_role("r", &body, RoleContext::RoleApi).unwrap();
    let rendered = role.to_json();
    let keys: Vec<&str> = rendered
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "cluster",
            "global",
            "indices",
            "applications",
            "run_as",
            "metadata",
            "transient_metadata",
            "remote_indices",
            "remote_cluster",
            "description"
        ]
    );
    let entry: Vec<&str> = rendered["indices"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        entry,
        [
            "names",
            "privileges",
            "field_security",
            "query",
            "allow_restricted_indices"
        ]
    );
    assert_eq!(rendered["indices"][0]["query"], json!("{\"match_all\":{}}"));
    let remote: Vec<&str> = rendered["remote_indices"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(remote.last(), Some(&"clusters"));
    assert_eq!(rendered["transient_metadata"], json!({"enabled": true}));
    assert_eq!(reparse(&role, RoleContext::RoleApi), role);
    let empty = RoleDescriptor::named("e").to_json();
    assert_eq!(
        empty,
        json!({"cluster": [], "indices": [], "applications": [], "run_as": [], "metadata": {}, "transient_metadata": {}})
    );
}

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.*-]{0,8}"
}

fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 1..4)
}

fn one_of(items: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(items).prop_map(String::from), 1..3)
}

fn indices_entry() -> impl Strategy<Value = IndicesPrivileges> {
    (
        words(),
        one_of(&["read", "write", "all", "monitor", "indices:data/read/*"]),
        prop::option::of(words().prop_flat_map(|grant| {
            let except = prop::sample::subsequence(grant.clone(), 0..=grant.len());
            (Just(grant), except)
        })),
        prop::option::of(
            ("[a-z]{1,5}", "[a-z0-9 ]{0,5}").prop_map(|(f, v)| json!({"term": {f: v}}).to_string()),
        ),
        any::<bool>(),
    )
        .prop_map(
            |(names, privileges, fls, query, allow_restricted_indices)| IndicesPrivileges {
                names,
                privileges,
                field_security: fls.map(|(grant, except)| FieldSecurity {
                    grant: Some(grant),
                    except,
                }),
                query,
                allow_restricted_indices,
            },
        )
}

fn role() -> impl Strategy<Value = RoleDescriptor> {
    let apps = prop::collection::vec(
        ("[a-z]{3,6}(-[a-z]{1,4})?", words(), words()).prop_map(
            |(application, privileges, resources)| ApplicationPrivileges {
                application,
                privileges,
                resources,
            },
        ),
        0..3,
    );
    let remote_indices = prop::collection::vec(
        (words(), indices_entry())
            .prop_map(|(clusters, indices)| RemoteIndicesPrivileges { clusters, indices }),
        0..2,
    );
    let remote_cluster = prop::collection::vec(
        (one_of(&["monitor_enrich", "monitor_stats"]), words()).prop_map(
            |(privileges, clusters)| RemoteClusterPrivileges {
                privileges,
                clusters,
            },
        ),
        0..2,
    );
    let global = (
        prop::option::of(words()),
        prop::option::of(words()),
        prop::option::of(prop::collection::vec(
            (words(), one_of(&["read", "all"]))
                .prop_map(|(names, privileges)| RoleManageGroup { names, privileges }),
            1..3,
        )),
    )
        .prop_map(
            |(application_manage, profile_write, role_manage)| GlobalPrivileges {
                application_manage,
                profile_write,
                role_manage,
            },
        );
    let metadata = prop::collection::btree_map("[a-z]{1,5}", any::<i32>(), 0..3);
    (
        "[a-z][a-z0-9 _-]{0,10}[a-z]",
        one_of(&["all", "monitor", "manage_security", "cluster:monitor/*"]),
        global,
        prop::collection::vec(indices_entry(), 0..3),
        apps,
        prop::collection::vec(word(), 0..2),
        metadata,
        remote_indices,
        remote_cluster,
        prop::option::of("[ -~]{0,20}"),
    )
        .prop_map(
            |(
                name,
                cluster,
                global,
                indices,
                applications,
                run_as,
                metadata,
                remote_indices,
                remote_cluster,
                description,
            )| {
                let mut transient_metadata = Map::new();
                transient_metadata.insert("enabled".into(), Value::Bool(true));
                RoleDescriptor {
                    name,
                    cluster,
                    global,
                    indices,
                    applications,
                    run_as,
                    metadata: metadata.into_iter().map(|(k, v)| (k, json!(v))).collect(),
                    transient_metadata,
                    remote_indices,
                    remote_cluster,
                    description,
                    restriction: None,
                }
            },
        )
}

proptest! {
    #[test]
    fn random_roles_survive_render_and_parse(role in role()) {
        let rendered = role.to_json();
        let parsed = parse_role(&role.name, &rendered, RoleContext::RoleApi).unwrap();
        prop_assert_eq!(&parsed, &role);
        let bytes = serde_json::to_vec(&rendered).unwrap();
        prop_assert_eq!(parse_role_bytes(&role.name, &bytes, RoleContext::RoleApi).unwrap(), role);
    }
}
