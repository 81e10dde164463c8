//! Accessible spaces per purpose and the ML setup check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use rampart_core::role::{IndicesPrivileges, RoleDescriptor};
use rampart_kibana::Space;
use rampart_kibana::access::{Purpose, SpaceAccess, list_spaces};
use rampart_kibana::ml::{MlCheckInput, MlSettings, ml_setup_check};
use serde_json::json;

fn spaces(n: usize) -> Vec<Space> {
    (0..n)
        .map(|i| {
            Space::from_json(&json!({"id": format!("s{i}"), "name": format!("S{i}")})).unwrap()
        })
        .collect()
}

#[test]
fn accessible_spaces_by_purpose() {
    let k = common::kit();
    let role = k.compile(&[k.es_role(
        "r",
        json!({"elasticsearch": {}, "kibana": [
            {"base": ["read"], "spaces": ["s1"]},
            {"feature": {"savedObjectsManagement": ["all"]}, "spaces": ["s2"]},
            {"feature": {"discover": ["read"]}, "spaces": ["s3"]}
        ]}),
    )]);
    let access = SpaceAccess::new(&role).unwrap();
    let all = spaces(10_000);
    let ids = |v: Vec<&Space>| v.into_iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(access.filter(&all, Purpose::Any)), ["s1", "s2", "s3"]);
    assert_eq!(
        ids(access.filter(&all, Purpose::ShareSavedObjectsIntoSpace)),
        ["s2"]
    );
    assert_eq!(
        ids(access.filter(&all, Purpose::CopySavedObjectsIntoSpace)),
        ["s2"]
    );
    let with = access.authorized_purposes(&all);
    assert_eq!(with.len(), 3);
    // Base `read` reaches `saved_object:config/find` (Kibana's automatic grants), so a
    // read-only space can be used to find saved objects; a single feature's read does too.
    let find = |id: &str| {
        with.iter()
            .find(|(s, _)| s.id == id)
            .unwrap()
            .1
            .iter()
            .find(|(p, _)| *p == Purpose::FindSavedObjects)
            .unwrap()
            .1
    };
    assert!(find("s1"));
    assert!(find("s2"));
    assert!(find("s3"));
    assert_eq!(
        list_spaces(&access, &all, Some(Purpose::Any), true)
            .unwrap_err()
            .message,
        "include_authorized_purposes can only be false when purpose is specified"
    );
    let nobody = SpaceAccess::new(&k.compile(&[])).unwrap();
    assert_eq!(
        list_spaces(&nobody, &all, None, false).unwrap_err().status,
        403
    );
    // A global base privilege reaches every space.
    let admin = SpaceAccess::new(&k.compile(&[k.es_role(
        "a",
        json!({"elasticsearch": {}, "kibana": [{"base": ["all"]}]}),
    )]))
    .unwrap();
    assert_eq!(
        admin
            .filter(&all, Purpose::ShareSavedObjectsIntoSpace)
            .len(),
        10_000
    );
    // Superuser's `*` application.
    let mut su = RoleDescriptor::named("superuser");
    su.applications = vec![rampart_core::role::ApplicationPrivileges {
        application: "*".into(),
        privileges: vec!["*".into()],
        resources: vec!["*".into()],
    }];
    let su = SpaceAccess::new(&k.compile(&[su])).unwrap();
    assert!(su.allows("anything", Purpose::FindSavedObjects));
}

fn ml_role(
    k: &common::Kit,
    kibana: serde_json::Value,
    cluster: &[&str],
    index_privs: &[&str],
) -> RoleDescriptor {
    let mut r = k.es_role("ml", json!({"elasticsearch": {}, "kibana": kibana}));
    r.cluster = cluster.iter().map(|s| s.to_string()).collect();
    r.indices = vec![IndicesPrivileges {
        names: vec!["logs-*".into(), "dest-*".into()],
        privileges: index_privs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }];
    r
}

#[test]
fn ml_setup_check_reports_each_requirement() {
    let k = common::kit();
    let space = Space::from_json(&json!({"id": "ops", "name": "Ops"})).unwrap();
    let src = vec!["logs-1".to_string()];
    let dst = vec!["dest-1".to_string()];
    let full = k.compile(&[ml_role(
        &k,
        json!([{"feature": {"ml": ["all"], "indexPatterns": ["all"]}, "spaces": ["ops"]}]),
        &["manage_ml", "manage_ingest_pipelines"],
        &[
            "read",
            "view_index_metadata",
            "manage",
            "index",
            "create",
            "create_index",
        ],
    )]);
    let settings = MlSettings::default();
    let input = MlCheckInput {
        settings: &settings,
        space: &space,
        registry: &k.registry,
        role: &full,
        store: &k.store,
        username: "alice",
        source_indices: &src,
        destination_indices: &dst,
    };
    let report = ml_setup_check(&input).unwrap();
    assert!(
        report.iter().all(|r| r.passed && r.fix.is_none()),
        "{report:#?}"
    );

    let off = MlSettings {
        ml_enabled: Some(false),
        node_roles: Some(vec!["data".into(), "master".into()]),
    };
    let hidden =
        Space::from_json(&json!({"id": "ops", "name": "Ops", "disabledFeatures": ["ml"]})).unwrap();
    let weak = k.compile(&[ml_role(
        &k,
        json!([{"feature": {"discover": ["read"]}, "spaces": ["ops"]}]),
        &[],
        &["read"],
    )]);
    let input = MlCheckInput {
        settings: &off,
        space: &hidden,
        role: &weak,
        ..input
    };
    let report = ml_setup_check(&input).unwrap();
    let failed: Vec<&str> = report.iter().filter(|r| !r.passed).map(|r| r.id).collect();
    assert_eq!(
        failed,
        [
            "xpack.ml.enabled",
            "ml_node",
            "space_visibility",
            "es_ml_privileges",
            "source_indices",
            "destination_indices",
            "kibana_ml_feature",
            "data_views_management",
            "file_upload"
        ]
    );
    assert!(report.iter().filter(|r| !r.passed).all(|r| r.fix.is_some()));
    assert!(
        report[3]
            .fix
            .as_ref()
            .unwrap()
            .contains("machine_learning_admin")
    );

    // Read-only through the built-in role's reserved privilege counts as Kibana ML access.
    let mut ml_user = RoleDescriptor::named("machine_learning_user");
    ml_user.cluster = vec!["monitor_ml".into()];
    ml_user.applications = vec![rampart_core::role::ApplicationPrivileges {
        application: "kibana-*".into(),
        privileges: vec!["reserved_ml_user".into()],
        resources: vec!["*".into()],
    }];
    let ro = k.compile(&[ml_user]);
    let settings = MlSettings::default();
    let input = MlCheckInput {
        settings: &settings,
        space: &space,
        role: &ro,
        ..input
    };
    let report = ml_setup_check(&input).unwrap();
    let get = |id: &str| report.iter().find(|r| r.id == id).unwrap().clone();
    assert!(
        get("es_ml_privileges").passed && get("es_ml_privileges").description.contains("read-only")
    );
    assert!(
        get("kibana_ml_feature").passed && get("kibana_ml_feature").description.contains("Read")
    );
}

#[test]
fn ml_setup_check_superuser_without_indices_passes_everything() {
    let k = common::kit();
    let space = Space::from_json(&json!({"id": "default", "name": "Default"})).unwrap();
    let builtin = rampart_core::builtin::BuiltinRoles::load().unwrap();
    let superuser = k.compile(&[builtin.get("superuser").unwrap().clone()]);
    let settings = MlSettings::default();
    let none: Vec<String> = Vec::new();
    let report = ml_setup_check(&MlCheckInput {
        settings: &settings,
        space: &space,
        registry: &k.registry,
        role: &superuser,
        store: &k.store,
        username: "elastic",
        source_indices: &none,
        destination_indices: &none,
    })
    .unwrap();
    assert!(
        report.iter().all(|r| r.passed && r.fix.is_none()),
        "{report:#?}"
    );
    let upload = report.iter().find(|r| r.id == "file_upload").unwrap();
    assert!(upload.description.contains("no destination indices given"));

    // Without the Kibana/cluster grants, file upload still fails when no destination is named.
    let nobody = k.compile(&[]);
    let report = ml_setup_check(&MlCheckInput {
        role: &nobody,
        settings: &settings,
        space: &space,
        registry: &k.registry,
        store: &k.store,
        username: "nobody",
        source_indices: &none,
        destination_indices: &none,
    })
    .unwrap();
    let upload = report.iter().find(|r| r.id == "file_upload").unwrap();
    assert!(!upload.passed && upload.fix.is_some());
}

#[test]
fn ml_setup_check_names_missing_index_lists() {
    let k = common::kit();
    let space = Space::from_json(&json!({"id": "default", "name": "Default"})).unwrap();
    let nobody = k.compile(&[]);
    let settings = MlSettings::default();
    let none: Vec<String> = Vec::new();
    let report = ml_setup_check(&MlCheckInput {
        settings: &settings,
        space: &space,
        registry: &k.registry,
        role: &nobody,
        store: &k.store,
        username: "nobody",
        source_indices: &none,
        destination_indices: &none,
    })
    .unwrap();
    let src = report.iter().find(|r| r.id == "source_indices").unwrap();
    assert!(
        src.passed && src.description.ends_with("[none given]"),
        "{src:?}"
    );
}
