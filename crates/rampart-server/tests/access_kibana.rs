#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Who can use a Kibana feature or base privilege in a space; the analysis index cache; role
//! templates of mappings. The exactness test compares the answer with brute force over every
//! user: `_has_privileges`-style checks of each of the privilege's actions through the engine.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::TestNode;
use rampart_core::analysis::{AccessIndex, AccessInput, RoleSource, UserEntry};
use rampart_core::authz::{ApplicationCheck, EffectiveRole};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::role::{ApplicationPrivileges, RoleDescriptor};
use rampart_server::api::access_kibana::{
    kibana_privileges, parse_kibana_target, with_kibana_privileges,
};
use serde_json::{Value, json};

fn usernames(b: &Value) -> Vec<String> {
    b["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect()
}

async fn put_role(node: &TestNode, name: &str, body: Value) {
    let (s, b) = node
        .admin("PUT", &format!("/_security/role/{name}"), Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
}

fn kibana_app(privileges: &[&str], resources: &[&str]) -> Value {
    json!({"applications": [{"application": "kibana-.kibana",
        "privileges": privileges, "resources": resources}]})
}

#[tokio::test]
async fn who_can_use_a_feature_in_a_space() {
    let node = TestNode::new();
    put_role(
        &node,
        "mkt_discover",
        kibana_app(&["feature_discover.read"], &["space:marketing"]),
    )
    .await;
    put_role(
        &node,
        "mkt_all",
        kibana_app(&["space_all"], &["space:marketing"]),
    )
    .await;
    put_role(
        &node,
        "other_space",
        kibana_app(&["space_all"], &["space:sales"]),
    )
    .await;
    put_role(
        &node,
        "dash_only",
        kibana_app(&["feature_dashboard.read"], &["space:marketing"]),
    )
    .await;
    node.add_user("dana", "dana-password", &["mkt_discover"]);
    node.add_user("mia", "mia-password", &["mkt_all"]);
    node.add_user("sam", "sam-password", &["other_space"]);
    node.add_user("dave", "dave-password", &["dash_only"]);
    let body =
        json!({"kibana": {"space": "marketing", "feature": "discover", "privilege": "read"}});
    let (s, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
    let users = usernames(&b);
    for u in ["dana", "mia", "elastic"] {
        assert!(users.contains(&u.to_string()), "{u} in {users:?}");
    }
    for u in ["sam", "dave"] {
        assert!(!users.contains(&u.to_string()), "{u} in {users:?}");
    }
    assert_eq!(b["kibana"]["privilege"], "feature_discover.read");
    assert_eq!(b["kibana"]["resource"], "space:marketing");
    // feature read does not give all; the base privilege of the space does.
    let body = json!({"kibana": {"space": "marketing", "feature": "discover", "privilege": "all"}});
    let (_, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    let users = usernames(&b);
    assert!(
        users.contains(&"mia".into()) && !users.contains(&"dana".into()),
        "{users:?}"
    );
    let body = json!({"kibana": {"space": "marketing", "base": "all"}});
    let (_, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    let users = usernames(&b);
    assert!(
        users.contains(&"mia".into()) && !users.contains(&"dana".into()),
        "{users:?}"
    );
    // Global base privileges need the `*` resource.
    let body = json!({"kibana": {"space": "*", "base": "all"}});
    let (_, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    assert!(!usernames(&b).contains(&"mia".into()));
}

#[tokio::test]
async fn the_cached_index_follows_every_change() {
    let node = TestNode::new();
    let body = json!({"index": {"name": "books", "privilege": "read"}});
    let n = &node;
    let who = |body: Value| async move {
        let (s, b) = n.admin("POST", "/_security/_access/who", Some(body)).await;
        assert_eq!(s, 200, "{b}");
        usernames(&b)
    };
    assert!(!who(body.clone()).await.contains(&"rita".into()));
    // Same input: the second answer comes from the cache and is the same.
    assert_eq!(who(body.clone()).await, who(body.clone()).await);
    put_role(
        &node,
        "books_reader",
        json!({"indices": [{"names": ["books"], "privileges": ["read"]}]}),
    )
    .await;
    node.add_user("rita", "rita-password", &["books_reader"]);
    assert!(who(body.clone()).await.contains(&"rita".into()));
    put_role(
        &node,
        "books_reader",
        json!({"indices": [{"names": ["films"], "privileges": ["read"]}]}),
    )
    .await;
    assert!(!who(body.clone()).await.contains(&"rita".into()));
    // File-realm users change without a store write.
    let config = node.dir.path().join("config");
    std::fs::write(config.join("users"), "fred:$2a$10$abcdefghijklmnopqrstuv\n").unwrap();
    std::fs::write(config.join("users_roles"), "superuser:fred\n").unwrap();
    assert!(who(body).await.contains(&"fred".into()));
}

#[tokio::test]
async fn role_templates_name_the_roles_they_can_produce() {
    let node = TestNode::new();
    put_role(
        &node,
        "team_a_reader",
        json!({"indices": [{"names": ["team-a-*"], "privileges": ["read"]}]}),
    )
    .await;
    put_role(
        &node,
        "team_b_reader",
        json!({"indices": [{"names": ["team-b-*"], "privileges": ["read"]}]}),
    )
    .await;
    let mapping = json!({"enabled": true, "rules": {"field": {"realm.name": "ldap1"}},
    "role_templates": [
        {"template": {"source": "team_{{metadata.team}}_reader"}, "format": "string"},
        {"template": {"source": "{{#tojson}}groups{{/tojson}}"}, "format": "json"}
    ]});
    let (s, b) = node
        .admin("PUT", "/_security/role_mapping/teams", Some(mapping))
        .await;
    assert_eq!(s, 200, "{b}");
    let body = json!({"index": {"name": "team-a-logs", "privilege": "read"}});
    let (s, b) = node
        .admin("POST", "/_security/_access/who", Some(body))
        .await;
    assert_eq!(s, 200, "{b}");
    let m = &b["role_mappings"][0];
    assert_eq!(m["mapping"], "teams", "{b}");
    assert_eq!(m["all_mapped_users"], false);
    let templates = m["role_templates"].as_array().unwrap();
    let glob = templates.iter().find(|t| t["analysable"] == true).unwrap();
    assert_eq!(
        glob["description"],
        "roles named by template team_{{metadata.team}}_reader"
    );
    assert_eq!(glob["produces"], "team_*_reader");
    assert_eq!(glob["roles"], json!(["team_a_reader"]));
    let opaque = templates.iter().find(|t| t["analysable"] == false).unwrap();
    assert!(
        opaque["reason"]
            .as_str()
            .unwrap()
            .contains("not analysable"),
        "{opaque}"
    );
}

/// Deterministic pseudo-random numbers (the same cases every run).
fn next(seed: &mut u64) -> usize {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as usize
}

fn pick<'a>(seed: &mut u64, pool: &[&'a str]) -> &'a str {
    pool[next(seed) % pool.len()]
}

const PRIVILEGES: &[&str] = &[
    "all",
    "read",
    "space_all",
    "space_read",
    "feature_discover.all",
    "feature_discover.read",
    "feature_discover.minimal_read",
    "feature_dashboard.read",
    "feature_dashboard.all",
    "feature_visualize.read",
    "login:",
    "ui:discover/show",
];
const RESOURCES: &[&str] = &["*", "space:marketing", "space:sales", "space:*"];
const APPLICATIONS: &[&str] = &["kibana-.kibana", "kibana-*", "other"];
const TARGETS: &[&str] = &[
    r#"{"space": "marketing", "feature": "discover", "privilege": "read"}"#,
    r#"{"space": "marketing", "feature": "discover", "privilege": "all"}"#,
    r#"{"space": "marketing", "feature": "dashboard", "privilege": "read"}"#,
    r#"{"space": "sales", "feature": "visualize", "privilege": "read"}"#,
    r#"{"space": "marketing", "base": "read"}"#,
    r#"{"space": "marketing", "base": "all"}"#,
    r#"{"space": "*", "base": "read"}"#,
    r#"{"space": "*", "feature": "discover", "privilege": "read"}"#,
];

fn random_role(seed: &mut u64, name: String) -> RoleDescriptor {
    let entries = (0..1 + next(seed) % 2)
        .map(|_| ApplicationPrivileges {
            application: pick(seed, APPLICATIONS).into(),
            privileges: (0..1 + next(seed) % 2)
                .map(|_| pick(seed, PRIVILEGES).to_string())
                .collect(),
            resources: (0..1 + next(seed) % 2)
                .map(|_| pick(seed, RESOURCES).to_string())
                .collect(),
        })
        .collect();
    RoleDescriptor {
        applications: entries,
        ..RoleDescriptor::named(name)
    }
}

#[test]
fn kibana_answers_equal_brute_force_over_every_user() {
    let kp = kibana_privileges().expect("Kibana model");
    let store = with_kibana_privileges(&ApplicationPrivilegeStore::default(), Some(kp));
    let restricted = RestrictedIndices::builtin().unwrap();
    let mut seed = 42;
    let mut reaching = 0;
    for case in 0..6 {
        let roles: Vec<RoleDescriptor> = (0..6)
            .map(|i| random_role(&mut seed, format!("r{i}")))
            .collect();
        let users: Vec<UserEntry> = (0..8)
            .map(|u| UserEntry {
                name: format!("u{u}"),
                realm: "native".into(),
                roles: (0..next(&mut seed) % 3)
                    .map(|_| format!("r{}", next(&mut seed) % roles.len()))
                    .collect(),
                enabled: true,
            })
            .collect();
        let index = AccessIndex::build(AccessInput {
            roles: roles
                .iter()
                .cloned()
                .map(|r| (r, RoleSource::Native))
                .collect(),
            users: users.clone(),
            mappings: Vec::new(),
            api_keys: Vec::new(),
            applications: with_kibana_privileges(&ApplicationPrivilegeStore::default(), Some(kp)),
            restricted: restricted.clone(),
        })
        .unwrap();
        let perms: Vec<EffectiveRole> = users
            .iter()
            .map(|u| {
                let rs: Vec<RoleDescriptor> = roles
                    .iter()
                    .filter(|r| u.roles.contains(&r.name))
                    .cloned()
                    .collect();
                EffectiveRole::plain(Arc::new(
                    Permission::compile(&rs, &[], &store, &restricted).unwrap(),
                ))
            })
            .collect();
        for text in TARGETS {
            let body: Value = serde_json::from_str(text).unwrap();
            let resolved = parse_kibana_target(body.as_object().unwrap(), Some(kp)).unwrap();
            let resource = resolved.resolved["resource"].as_str().unwrap().to_string();
            let actions = kp
                .actions_of(resolved.resolved["privilege"].as_str().unwrap())
                .unwrap();
            let got: BTreeSet<String> = index
                .who(resolved.target.clone())
                .unwrap()
                .users
                .into_iter()
                .map(|u| u.username)
                .collect();
            let want: BTreeSet<String> = users
                .iter()
                .zip(&perms)
                .filter(|(_, p)| {
                    actions.iter().all(|a| {
                        let check = ApplicationCheck {
                            application: "kibana-.kibana",
                            privilege: a,
                            resource: &resource,
                        };
                        p.check_application(&check, &store).unwrap()
                    })
                })
                .map(|(u, _)| u.name.clone())
                .collect();
            assert_eq!(got, want, "case {case}, target {text}, roles {roles:?}");
            reaching += want.len();
        }
    }
    assert!(reaching > 0, "the generated cases never reach a target");
}
