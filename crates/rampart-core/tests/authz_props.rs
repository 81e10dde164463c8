#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Properties of the decision layer over random role sets and requests:
//! union monotonicity, limited roles (API keys), has_privileges agreeing with the decisions,
//! and the shape of every denial message.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;
use rampart_core::authz::{
    ApplicationCheck, ClusterRequest, Decision, EffectiveRole, IndexRequest, NoIndexMetadata,
    Subject,
};
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{
    ApplicationPrivilegeDescriptor, ApplicationPrivilegeStore, Permission, RestrictedIndices,
};
use rampart_core::role::{ApplicationPrivileges, IndicesPrivileges, RoleDescriptor};
use serde_json::json;

const CLUSTER_PRIVILEGES: &[&str] = &[
    "monitor",
    "manage",
    "all",
    "none",
    "manage_security",
    "manage_api_key",
    "manage_own_api_key",
    "read_security",
    "monitor_ml",
    "manage_ml",
    "transport_client",
    "manage_index_templates",
    "cluster:monitor/nodes/*",
    "cluster:admin/xpack/security/user/*",
];

const CLUSTER_ACTIONS: &[&str] = &[
    "cluster:monitor/health",
    "cluster:monitor/nodes/stats",
    "cluster:monitor/state",
    "cluster:monitor/xpack/ml/job/get",
    "cluster:admin/settings/update",
    "cluster:admin/xpack/ml/job/put",
    "cluster:admin/xpack/security/user/put",
    "cluster:admin/xpack/security/user/get",
    "cluster:admin/xpack/security/api_key/create",
    "cluster:admin/xpack/security/api_key/get",
    "cluster:admin/xpack/security/delegate_pki",
    "indices:admin/template/put",
    "internal:admin/tasks/ban",
];

/// Named index privileges (no failure-store ones: they answer a different selector).
const INDEX_PRIVILEGES: &[&str] = &[
    "read",
    "write",
    "index",
    "create",
    "create_doc",
    "delete",
    "view_index_metadata",
    "monitor",
    "manage",
    "all",
    "none",
    "delete_index",
    "create_index",
    "maintenance",
    "auto_configure",
];

/// Concrete index actions; together they tell the privileges above apart.
const INDEX_ACTIONS: &[&str] = &[
    "indices:data/read/search",
    "indices:data/read/get",
    "indices:admin/resolve/index",
    "indices:data/write/index:op_type/create",
    "indices:data/write/index:op_type/index",
    "indices:data/write/update",
    "indices:data/write/delete",
    "indices:data/write/bulk[s]",
    "indices:admin/get",
    "indices:admin/mappings/get",
    "indices:monitor/stats",
    "indices:monitor/settings/get",
    "indices:admin/create",
    "indices:admin/auto_create",
    "indices:admin/delete",
    "indices:admin/refresh",
    "indices:admin/forcemerge",
    "indices:admin/settings/update",
    "indices:admin/aliases",
    "indices:admin/rollover",
];

const INDEX_PATTERNS: &[&str] = &[
    "logs-a",
    "logs-b",
    "logs-*",
    "logs-?",
    "*",
    "l*",
    "other",
    ".security*",
    "/logs-[ab]/",
];

/// Concrete names (one restricted).
const INDEX_NAMES: &[&str] = &["logs-a", "logs-b", "logs-cc", "other", ".security-7"];

const RUN_AS_PATTERNS: &[&str] = &["bob", "svc-*", "*", "/team-[0-9]/", "alice"];
const RUN_AS_TARGETS: &[&str] = &["bob", "svc-x", "team-1", "alice", "carol"];

const APPLICATIONS: &[&str] = &["myapp", "my*", "*", "other"];
const APP_PRIVILEGES: &[&str] = &["read", "write", "admin", "data:read/*", "*"];
const APP_RESOURCES: &[&str] = &["doc/1", "doc/*", "*"];

fn store() -> ApplicationPrivilegeStore {
    let def = |name: &str, actions: &[&str]| ApplicationPrivilegeDescriptor {
        application: "myapp".into(),
        name: name.into(),
        actions: actions.iter().map(|s| s.to_string()).collect(),
        metadata: Default::default(),
    };
    ApplicationPrivilegeStore::new([
        def("read", &["data:read/*"]),
        def("write", &["data:write/*"]),
        def("admin", &["data:*"]),
    ])
}

fn strings(items: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(select(items.to_vec()).prop_map(String::from), 1..=max)
}

fn indices_entry() -> impl Strategy<Value = IndicesPrivileges> {
    (
        strings(INDEX_PATTERNS, 2),
        strings(INDEX_PRIVILEGES, 2),
        any::<bool>(),
    )
        .prop_map(
            |(names, privileges, allow_restricted_indices)| IndicesPrivileges {
                names,
                privileges,
                allow_restricted_indices,
                ..Default::default()
            },
        )
}

fn application_entry() -> impl Strategy<Value = ApplicationPrivileges> {
    (
        select(APPLICATIONS.to_vec()),
        strings(APP_PRIVILEGES, 2),
        strings(APP_RESOURCES, 2),
    )
        .prop_map(
            |(application, privileges, resources)| ApplicationPrivileges {
                application: application.into(),
                privileges,
                resources,
            },
        )
}

fn role() -> impl Strategy<Value = RoleDescriptor> {
    (
        prop::collection::vec(
            select(CLUSTER_PRIVILEGES.to_vec()).prop_map(String::from),
            0..3,
        ),
        prop::collection::vec(indices_entry(), 0..3),
        prop::collection::vec(
            select(RUN_AS_PATTERNS.to_vec()).prop_map(String::from),
            0..2,
        ),
        prop::collection::vec(application_entry(), 0..2),
    )
        .prop_map(|(cluster, indices, run_as, applications)| RoleDescriptor {
            cluster,
            indices,
            run_as,
            applications,
            ..Default::default()
        })
}

/// A role set with distinct names `<prefix>0`, `<prefix>1`, ...
fn roles(prefix: &'static str) -> impl Strategy<Value = Vec<RoleDescriptor>> {
    prop::collection::vec(role(), 0..3).prop_map(move |mut rs| {
        for (i, r) in rs.iter_mut().enumerate() {
            r.name = format!("{prefix}{i}");
        }
        rs
    })
}

fn compile(roles: &[RoleDescriptor]) -> Arc<Permission> {
    let restricted = RestrictedIndices::builtin().unwrap();
    Arc::new(Permission::compile(roles, &[], &store(), &restricted).unwrap())
}

fn user() -> Subject {
    Subject::user("u", "native", "native")
}

/// A random question of every kind.
#[derive(Debug, Clone)]
enum Question {
    Cluster(&'static str),
    Index(&'static str, Vec<String>),
    RunAs(&'static str),
    Application(&'static str, &'static str, &'static str),
}

fn question() -> impl Strategy<Value = Question> {
    prop_oneof![
        select(CLUSTER_ACTIONS.to_vec()).prop_map(Question::Cluster),
        (select(INDEX_ACTIONS.to_vec()), strings(INDEX_NAMES, 2))
            .prop_map(|(a, n)| Question::Index(a, n)),
        select(RUN_AS_TARGETS.to_vec()).prop_map(Question::RunAs),
        (
            select(vec!["myapp", "other"]),
            select(APP_PRIVILEGES.to_vec()),
            select(APP_RESOURCES.to_vec())
        )
            .prop_map(|(a, p, r)| Question::Application(a, p, r)),
    ]
}

/// The answer and, for a denial, its message.
fn ask(role: &EffectiveRole, subject: &Subject, q: &Question) -> (bool, Option<String>) {
    let decision = |d: Decision| (d.is_allowed(), d.denial().map(|x| x.message().to_string()));
    match q {
        Question::Cluster(a) => decision(
            role.authorize_cluster(subject, a, &ClusterRequest::default())
                .unwrap(),
        ),
        Question::Index(a, names) => {
            let req = IndexRequest {
                action: a,
                names,
                data_streams: true,
                lookup: &NoIndexMetadata,
            };
            decision(role.authorize_index(subject, &req).unwrap().decision)
        }
        Question::RunAs(t) => {
            decision(role.authorize_run_as(subject, "cluster:monitor/main", t, true))
        }
        Question::Application(app, privilege, resource) => {
            let check = ApplicationCheck {
                application: app,
                privilege,
                resource,
            };
            (role.check_application(&check, &store()).unwrap(), None)
        }
    }
}

fn action_of(q: &Question) -> &'static str {
    match q {
        Question::Cluster(a) | Question::Index(a, _) => a,
        Question::RunAs(_) => "cluster:monitor/main",
        Question::Application(..) => "",
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Section 4: the permission is a union; another role never takes anything away.
    #[test]
    fn adding_a_role_never_removes_an_allowed_decision(
        base in roles("a"),
        extra in role(),
        questions in prop::collection::vec(question(), 1..8),
    ) {
        let before = EffectiveRole::plain(compile(&base));
        let mut more = base.clone();
        more.push(RoleDescriptor { name: "extra".into(), ..extra });
        let after = EffectiveRole::plain(compile(&more));
        let subject = user();
        for q in &questions {
            if ask(&before, &subject, q).0 {
                prop_assert!(ask(&after, &subject, q).0, "{q:?} allowed by {base:?} but not after adding a role");
            }
        }
    }

    /// Section 10: a limited role allows only what both sides allow.
    #[test]
    fn a_limited_role_never_allows_what_either_side_denies(
        assigned in roles("k"),
        owner in roles("o"),
        questions in prop::collection::vec(question(), 1..8),
    ) {
        let (a, o) = (compile(&assigned), compile(&owner));
        let limited = EffectiveRole::limited(Arc::clone(&a), Arc::clone(&o));
        let subject = Subject::api_key("key", "u", "native", "native");
        for q in &questions {
            if ask(&limited, &subject, q).0 {
                prop_assert!(ask(&EffectiveRole::plain(Arc::clone(&a)), &subject, q).0, "{q:?}: key side denies");
                prop_assert!(ask(&EffectiveRole::plain(Arc::clone(&o)), &subject, q).0, "{q:?}: owner side denies");
            }
        }
    }

    /// Section 14 vs 6.1: for a concrete name, has_privileges(P) is true iff every sampled
    /// action of P is authorized on that name.
    #[test]
    fn has_privileges_agrees_with_index_decisions(
        rs in roles("r"),
        name in select(INDEX_NAMES.to_vec()),
        // Not auto_configure: its mapping/auto_put half is also granted to create/index/write
        // groups by the BWC rule of section 6.1, which has_privileges does not apply.
        privilege in select(INDEX_PRIVILEGES[..INDEX_PRIVILEGES.len() - 1].to_vec()),
    ) {
        let role = EffectiveRole::plain(compile(&rs));
        let body = json!({"index": [{"names": [name], "privileges": [privilege]}]});
        let req = HasPrivilegesRequest::parse("u", &body).unwrap();
        let resp = has_privileges(&role, "u", &req, &store()).unwrap();
        let says = resp.has_all_requested();
        let compiled = rampart_core::permission::index_privilege(privilege).unwrap();
        let names = vec![name.to_string()];
        let sampled: Vec<&str> = INDEX_ACTIONS.iter().copied().filter(|a| compiled.actions.matches(a)).collect();
        let allowed = sampled.iter().all(|a| {
            let req = IndexRequest { action: a, names: &names, data_streams: true, lookup: &NoIndexMetadata };
            role.authorize_index(&user(), &req).unwrap().is_allowed()
        });
        // `none` grants no action: has_privileges is false while "every sampled action" is vacuous.
        if !sampled.is_empty() {
            prop_assert_eq!(says, allowed, "{} on {} for {:?}", privilege, name, rs);
        }
    }

    /// Section 14 vs 3.1: a cluster privilege or raw action held per has_privileges is granted.
    #[test]
    fn has_privileges_true_implies_cluster_decisions_allow(
        rs in roles("r"),
        requested in prop_oneof![
            select(CLUSTER_PRIVILEGES.to_vec()),
            // Raw actions are privileges only when they are cluster actions.
            select(CLUSTER_ACTIONS[..CLUSTER_ACTIONS.len() - 1].to_vec()),
        ],
    ) {
        let role = EffectiveRole::plain(compile(&rs));
        let body = json!({"cluster": [requested]});
        let req = HasPrivilegesRequest::parse("u", &body).unwrap();
        if has_privileges(&role, "u", &req, &store()).unwrap().has_all_requested() {
            let compiled = rampart_core::permission::cluster_privilege(requested).unwrap();
            // A conditional privilege (manage_own_api_key) grants per request, not per action.
            prop_assume!(!compiled.conditional);
            for a in CLUSTER_ACTIONS.iter().filter(|a| compiled.actions.matches(a)) {
                let d = role.authorize_cluster(&user(), a, &ClusterRequest::default()).unwrap();
                prop_assert!(d.is_allowed(), "{} held but {} denied for {:?}", requested, a, rs);
            }
        }
    }

    /// Section 12.2/12.3: every denial message starts with the action and "is unauthorized for".
    #[test]
    fn denial_messages_start_with_the_action(
        rs in roles("r"),
        owner in roles("o"),
        api_key in any::<bool>(),
        questions in prop::collection::vec(question(), 1..8),
    ) {
        let (role, subject) = if api_key {
            (EffectiveRole::limited(compile(&rs), compile(&owner)), Subject::api_key("key", "u", "native", "native"))
        } else {
            (EffectiveRole::plain(compile(&rs)), user())
        };
        for q in &questions {
            if let (false, Some(message)) = ask(&role, &subject, q) {
                let prefix = format!("action [{}] is unauthorized for ", action_of(q));
                prop_assert!(message.starts_with(&prefix), "{message}");
            }
        }
    }
}
