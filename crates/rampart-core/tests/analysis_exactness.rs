//! Exactness of access analysis: for random role sets, users, keys and targets, the answers
//! equal brute force through the engine's own `authorize_*` over a universe of names/actions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;
use rampart_core::analysis::{
    AccessIndex, AccessInput, ApiKeyEntry, ImpactInput, MappingEntry, RoleSource, RoleTemplate,
    Target, UserEntry, analyze_impact,
};
use rampart_core::authz::{
    ApplicationCheck, ClusterRequest, EffectiveRole, IndexRequest, NoIndexMetadata, Subject,
};
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{
    ApplicationPrivilegeDescriptor, ApplicationPrivilegeStore, Permission, RestrictedIndices,
};
use rampart_core::role::{ApplicationPrivileges, IndicesPrivileges, RoleDescriptor};

const NAMES: &[&str] = &[
    "logs-1",
    "logs-2",
    "metrics-a",
    "secret",
    "other",
    ".security-7",
];
const PATTERNS: &[&str] = &[
    "logs-*",
    "logs-1",
    "metrics-*",
    "*",
    "secret",
    "/lo.*/",
    ".security*",
    "?ther",
];
const INDEX_PRIVILEGES: &[&str] = &[
    "read",
    "write",
    "all",
    "indices:data/read/search",
    "view_index_metadata",
    "create_doc",
    "monitor",
    "indices:data/read/*",
];
const INDEX_ACTIONS: &[&str] = &[
    "indices:data/read/search",
    "indices:data/write/index",
    "indices:admin/mapping/put",
    "indices:monitor/stats",
    "indices:data/read/get",
    "indices:admin/create",
];
const CLUSTER_PRIVILEGES: &[&str] = &[
    "monitor",
    "manage",
    "manage_security",
    "read_security",
    "cluster:monitor/health",
    "all",
    // Raw pieces whose union equals `monitor`'s actions: privilege targets are reached
    // jointly by several roles.
    "cluster:monitor/*",
    "indices:admin/template/get",
    "cluster:admin/component_template/get",
    "indices:admin/index_template/get",
    "monitor_ml",
];
/// Cluster privilege targets (every action of the privilege).
const CLUSTER_PRIVILEGE_TARGETS: &[&str] = &[
    "monitor",
    "manage",
    "read_security",
    "monitor_ml",
    "manage_security",
    "all",
];
const CLUSTER_ACTIONS: &[&str] = &[
    "cluster:monitor/health",
    "cluster:monitor/state",
    "cluster:admin/xpack/security/role/get",
    "cluster:admin/xpack/security/user/put",
    "cluster:admin/settings/update",
];

const APP_PRIVILEGES: &[&str] = &["read", "write", "all", "data:read/x", "data:*"];
const APP_RESOURCES: &[&str] = &["*", "space:a", "space:*", "space:b"];
const APP_ACTIONS: &[&str] = &["data:read/x", "data:write/y", "admin:z"];

/// The stored application privileges every role is compiled against.
fn app_store() -> ApplicationPrivilegeStore {
    let p = |name: &str, actions: &[&str]| ApplicationPrivilegeDescriptor {
        application: "app".into(),
        name: name.into(),
        actions: actions.iter().map(|a| a.to_string()).collect(),
        metadata: Default::default(),
    };
    ApplicationPrivilegeStore::new([
        p("read", &["data:read/*"]),
        p("write", &["data:write/*"]),
        p("all", &["*"]),
    ])
}

/// Brute force: does this effective role allow the target?
type Oracle = Box<dyn Fn(&EffectiveRole) -> bool>;

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_string)
}

fn entry() -> impl Strategy<Value = IndicesPrivileges> {
    (
        prop::collection::vec(pick(PATTERNS), 1..3),
        prop::collection::vec(pick(INDEX_PRIVILEGES), 1..3),
        any::<bool>(),
        prop::option::weighted(0.3, Just(r#"{"term":{"a":1}}"#.to_string())),
    )
        .prop_map(|(names, privileges, allow, query)| IndicesPrivileges {
            names,
            privileges,
            allow_restricted_indices: allow,
            query,
            field_security: None,
        })
}

fn app_entry() -> impl Strategy<Value = ApplicationPrivileges> {
    (
        prop::collection::vec(pick(APP_PRIVILEGES), 1..3),
        prop::collection::vec(pick(APP_RESOURCES), 1..3),
    )
        .prop_map(|(privileges, resources)| ApplicationPrivileges {
            application: "app".into(),
            privileges,
            resources,
        })
}

fn role(name: String) -> impl Strategy<Value = RoleDescriptor> {
    (
        prop::collection::vec(pick(CLUSTER_PRIVILEGES), 0..3),
        prop::collection::vec(entry(), 0..3),
        prop::collection::vec(pick(&["u*", "u1", "admin"]), 0..2),
        prop::collection::vec(app_entry(), 0..2),
    )
        .prop_map(
            move |(cluster, indices, run_as, applications)| RoleDescriptor {
                cluster,
                indices,
                run_as,
                applications,
                ..RoleDescriptor::named(name.clone())
            },
        )
}

fn roles() -> impl Strategy<Value = Vec<RoleDescriptor>> {
    (1usize..5).prop_flat_map(|n| (0..n).map(|i| role(format!("r{i}"))).collect::<Vec<_>>())
}

fn subsets(n: usize, count: usize) -> impl Strategy<Value = Vec<Vec<usize>>> {
    prop::collection::vec(prop::collection::vec(0..n.max(1), 0..3), count)
}

fn compile(roles: &[RoleDescriptor]) -> Arc<Permission> {
    Arc::new(
        Permission::compile(
            roles,
            &[],
            &app_store(),
            &RestrictedIndices::builtin().unwrap(),
        )
        .unwrap(),
    )
}

fn app_allowed(role: &EffectiveRole, actions: &[&str], resource: &str) -> bool {
    let store = app_store();
    actions.iter().all(|action| {
        let check = ApplicationCheck {
            application: "app",
            privilege: action,
            resource,
        };
        role.check_application(&check, &store).unwrap()
    })
}

fn index_allowed(role: &EffectiveRole, name: &str, action: &str) -> bool {
    let names = [name.to_string()];
    let req = IndexRequest {
        action,
        names: &names,
        data_streams: false,
        lookup: &NoIndexMetadata,
    };
    let subject = Subject::user("x", "native", "native");
    role.authorize_index(&subject, &req)
        .unwrap()
        .decision
        .is_allowed()
}

fn cluster_allowed(role: &EffectiveRole, action: &str) -> bool {
    let subject = Subject::user("x", "native", "native");
    role.authorize_cluster(&subject, action, &ClusterRequest::default())
        .unwrap()
        .is_allowed()
}

/// Brute force for a privilege target: the engine's `_has_privileges` evaluation.
fn cluster_privilege_held(role: &EffectiveRole, privilege: &str) -> bool {
    let req = HasPrivilegesRequest {
        cluster: vec![privilege.to_string()],
        index: Vec::new(),
        application: Vec::new(),
    };
    has_privileges(role, "x", &req, &app_store())
        .unwrap()
        .has_all_requested()
}

fn take(roles: &[RoleDescriptor], ids: &[usize]) -> Vec<RoleDescriptor> {
    let set: BTreeSet<usize> = ids.iter().map(|i| i % roles.len()).collect();
    set.into_iter().map(|i| roles[i].clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn who_can_reach_equals_brute_force(
        roles in roles(),
        user_roles in subsets(5, 6),
        key_sides in subsets(5, 4),
        key_owner in subsets(5, 4),
    ) {
        let users: Vec<UserEntry> = user_roles.iter().enumerate().map(|(i, ids)| UserEntry {
            name: format!("u{i}"),
            realm: "native".into(),
            roles: take(&roles, ids).into_iter().map(|r| r.name).collect(),
            enabled: true,
        }).collect();
        let keys: Vec<ApiKeyEntry> = key_sides.iter().zip(&key_owner).enumerate().map(|(i, (k, o))| ApiKeyEntry {
            id: format!("k{i}"),
            name: None,
            owner: "u0".into(),
            role_descriptors: take(&roles, k),
            limited_by: take(&roles, o),
        }).collect();
        let mapping = MappingEntry {
            name: "m".into(),
            roles: users[0].roles.clone(),
            rules: "{\"field\":{\"username\":\"*\"}}".into(),
            enabled: true,
            ..Default::default()
        };
        // A mapping naming u1's roles literally plus a template that can produce r1..r4.
        let templated = MappingEntry {
            name: "t".into(),
            roles: users[1].roles.clone(),
            role_templates: vec![RoleTemplate { source: "r{{metadata.n}}".into(), format: "string".into() }],
            rules: "{\"field\":{\"username\":\"*\"}}".into(),
            enabled: true,
        };
        let index = AccessIndex::build(AccessInput {
            roles: roles.iter().cloned().map(|r| (r, RoleSource::Native)).collect(),
            users: users.clone(),
            mappings: vec![mapping, templated],
            api_keys: keys.clone(),
            applications: app_store(),
            restricted: RestrictedIndices::builtin().unwrap(),
        }).unwrap();
        let user_perms: Vec<EffectiveRole> = users.iter().map(|u| {
            let rs: Vec<RoleDescriptor> = roles.iter().filter(|r| u.roles.contains(&r.name)).cloned().collect();
            EffectiveRole::plain(compile(&rs))
        }).collect();
        let key_perms: Vec<EffectiveRole> = keys.iter().map(|k| {
            if k.role_descriptors.is_empty() {
                EffectiveRole::plain(compile(&k.limited_by))
            } else {
                EffectiveRole::limited(compile(&k.role_descriptors), compile(&k.limited_by))
            }
        }).collect();
        let role_perms: Vec<EffectiveRole> = roles.iter()
            .map(|r| EffectiveRole::plain(compile(std::slice::from_ref(r)))).collect();
        let mut targets: Vec<(Target, Oracle)> = Vec::new();
        for name in NAMES {
            for action in INDEX_ACTIONS {
                let (n, a) = (name.to_string(), action.to_string());
                targets.push((
                    Target::Index { name: n.clone(), privilege: a.clone() },
                    Box::new(move |r: &EffectiveRole| index_allowed(r, &n, &a)),
                ));
            }
        }
        for action in CLUSTER_ACTIONS {
            let a = action.to_string();
            targets.push((
                Target::Cluster { privilege: a.clone() },
                Box::new(move |r: &EffectiveRole| cluster_allowed(r, &a)),
            ));
        }
        for privilege in CLUSTER_PRIVILEGE_TARGETS {
            let p = privilege.to_string();
            targets.push((
                Target::Cluster { privilege: p.clone() },
                Box::new(move |r: &EffectiveRole| cluster_privilege_held(r, &p)),
            ));
        }
        for resource in ["space:a", "*"] {
            for n in 1..=APP_ACTIONS.len() {
                for skip in 0..APP_ACTIONS.len() {
                    let actions: Vec<&'static str> =
                        APP_ACTIONS.iter().cycle().skip(skip).take(n).copied().collect();
                    targets.push((
                        Target::ApplicationActions {
                            application: "app".into(),
                            actions: actions.iter().map(|a| a.to_string()).collect(),
                            resource: resource.into(),
                        },
                        Box::new(move |r: &EffectiveRole| app_allowed(r, &actions, resource)),
                    ));
                }
            }
        }
        let u1_roles: Vec<RoleDescriptor> =
            roles.iter().filter(|r| users[1].roles.contains(&r.name)).cloned().collect();
        for (target, allowed) in targets {
            let answer = index.who(target.clone()).unwrap();
            let got: BTreeSet<String> = answer.users.iter().map(|u| u.username.clone()).collect();
            let want: BTreeSet<String> = users.iter().zip(&user_perms).filter(|(_, p)| allowed(p)).map(|(u, _)| u.name.clone()).collect();
            prop_assert_eq!(&got, &want, "users for {:?}", target);
            let got_roles: BTreeSet<String> = answer.roles.iter().map(|r| r.role.clone()).collect();
            let want_roles: BTreeSet<String> = roles.iter().zip(&role_perms)
                .filter(|(_, p)| allowed(p)).map(|(r, _)| r.name.clone()).collect();
            prop_assert_eq!(&got_roles, &want_roles, "roles for {:?}", target);
            let got_keys: BTreeSet<String> = answer.api_keys.iter().map(|k| k.id.clone()).collect();
            let want_keys: BTreeSet<String> = keys.iter().zip(&key_perms).filter(|(_, p)| allowed(p)).map(|(k, _)| k.id.clone()).collect();
            prop_assert_eq!(&got_keys, &want_keys, "keys for {:?}", target);
            let mapping_reaches = want.contains("u0");
            let m = answer.role_mappings.iter().find(|m| m.mapping == "m");
            prop_assert_eq!(m.is_some(), mapping_reaches, "mapping for {:?}", target);
            // The templated mapping: every mapped user reaches it when u1 does; otherwise the
            // template lists exactly the roles that, added to u1's, reach it.
            let t = answer.role_mappings.iter().find(|m| m.mapping == "t");
            let all = want.contains("u1");
            prop_assert_eq!(t.is_some_and(|m| m.all_mapped_users), all, "templated mapping for {:?}", target);
            if !all {
                let want_template: BTreeSet<String> = roles.iter()
                    .filter(|r| !users[1].roles.contains(&r.name))
                    .filter(|r| {
                        let mut rs = u1_roles.clone();
                        rs.push((*r).clone());
                        allowed(&EffectiveRole::plain(compile(&rs)))
                    })
                    .map(|r| r.name.clone())
                    .collect();
                let got_template: BTreeSet<String> = t
                    .map(|m| m.role_templates.iter().flat_map(|g| g.roles.clone()).collect())
                    .unwrap_or_default();
                prop_assert_eq!(&got_template, &want_template, "template roles for {:?}", target);
            }
        }
    }

    #[test]
    fn impact_sets_equal_brute_force_difference(before in role("r".into()), after in role("r".into())) {
        let report = analyze_impact(&ImpactInput {
            old: vec![before.clone()],
            new: vec![after.clone()],
            users: Vec::new(),
            api_keys: Vec::new(),
            applications: app_store(),
            restricted: RestrictedIndices::builtin().unwrap(),
        }).unwrap();
        let change = &report.roles[0];
        let old = EffectiveRole::plain(compile(&[before]));
        let new = EffectiveRole::plain(compile(&[after]));
        let mut any_added = false;
        for name in NAMES {
            for action in INDEX_ACTIONS {
                let (o, n) = (index_allowed(&old, name, action), index_allowed(&new, name, action));
                any_added |= n && !o;
                prop_assert_eq!(change.index_added(name, action), n && !o, "added {} {}", name, action);
                prop_assert_eq!(change.index_removed(name, action), o && !n, "removed {} {}", name, action);
            }
        }
        for action in CLUSTER_ACTIONS {
            let (o, n) = (cluster_allowed(&old, action), cluster_allowed(&new, action));
            any_added |= n && !o;
            prop_assert_eq!(change.cluster_added(action), n && !o, "cluster added {}", action);
            prop_assert_eq!(change.cluster_removed(action), o && !n, "cluster removed {}", action);
        }
        if any_added {
            prop_assert!(report.widens);
        }
    }
}

/// A privilege reached only by the union of two roles' raw action patterns (neither role
/// alone): the user holding both is listed, the users holding one are not.
#[test]
fn privilege_target_reached_jointly_by_raw_patterns() {
    let role = |name: &str, cluster: &[&str]| RoleDescriptor {
        cluster: cluster.iter().map(|c| c.to_string()).collect(),
        ..RoleDescriptor::named(name)
    };
    let roles = vec![
        role(
            "stats",
            &["cluster:monitor/*", "indices:admin/template/get"],
        ),
        role(
            "templates",
            &[
                "cluster:admin/component_template/get",
                "indices:admin/index_template/get",
            ],
        ),
        role("health", &["cluster:monitor/health"]),
    ];
    let user = |name: &str, roles: &[&str]| UserEntry {
        name: name.into(),
        realm: "native".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        enabled: true,
    };
    let index = AccessIndex::build(AccessInput {
        roles: roles.into_iter().map(|r| (r, RoleSource::Native)).collect(),
        users: vec![
            user("both", &["stats", "templates"]),
            user("one", &["stats", "health"]),
            user("other", &["templates"]),
        ],
        mappings: Vec::new(),
        api_keys: Vec::new(),
        applications: app_store(),
        restricted: RestrictedIndices::builtin().unwrap(),
    })
    .unwrap();
    let answer = index
        .who(Target::Cluster {
            privilege: "monitor".into(),
        })
        .unwrap();
    let users: Vec<&str> = answer.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(users, ["both"]);
    assert_eq!(answer.users[0].roles, ["stats", "templates"]);
    assert!(answer.roles.is_empty());
}
