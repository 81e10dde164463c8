//! The worked example of kibana.md section (i).
#![allow(clippy::bool_assert_comparison)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use rampart_kibana::Space;
use rampart_kibana::access::{ActionOracle, RoleOracle, feature_available, resolve_capabilities};
use rampart_kibana::role::{from_es, parse_put_body, to_es, validation_response};
use rampart_kibana::summary::privilege_summary;
use serde_json::{Value, json};

fn body() -> Value {
    json!({"elasticsearch": {}, "kibana": [
        {"base": ["read"], "spaces": ["*"]},
        {"feature": {"dashboard": ["all"], "discover": ["minimal_read", "url_create"]}, "spaces": ["marketing"]}
    ]})
}

#[test]
fn es_applications() {
    let k = common::kit();
    let role = k.es_role("example", body());
    let apps: Vec<Value> = role
        .applications
        .iter()
        .map(|a| json!({"application": a.application, "privileges": a.privileges, "resources": a.resources}))
        .collect();
    assert_eq!(
        Value::Array(apps),
        json!([{"application":"kibana-.kibana","privileges":["read"],"resources":["*"]},
               {"application":"kibana-.kibana","privileges":["feature_dashboard.all","feature_discover.minimal_read","feature_discover.url_create"],"resources":["space:marketing"]}])
    );
}

#[test]
fn summary_columns() {
    let k = common::kit();
    let role = from_es(&k.es_role("example", body()), &k.registry).unwrap();
    let summary = privilege_summary(&role.kibana, &k.registry, &k.privileges);
    assert_eq!(summary.len(), 2);
    let global = &summary[0];
    assert_eq!(global.spaces, ["*"]);
    assert_eq!(global.base, "Read");
    let cell = |col: &rampart_kibana::summary::SummaryColumn, f: &str| {
        col.features
            .iter()
            .find(|c| c.feature == f)
            .unwrap()
            .clone()
    };
    for f in k
        .registry
        .features()
        .iter()
        .filter(|f| f.privileges.is_some())
    {
        let c = cell(global, &f.id);
        let read = f.top_privilege("read").unwrap();
        let expected = if read.disabled { "None" } else { "Read" };
        // fleetv2.read is disabled in 8.x; fleet (integrations) read is granted everywhere.
        assert_eq!(c.display, expected, "{}", f.id);
    }
    assert_eq!(cell(global, "ml").display, "Read");
    assert!(global.features.iter().all(|c| c.feature != "monitoring"));

    let marketing = &summary[1];
    assert_eq!(marketing.spaces, ["marketing"]);
    assert_eq!(marketing.base, "Custom");
    assert_eq!(cell(marketing, "dashboard").display, "All");
    let discover = cell(marketing, "discover");
    assert_eq!(discover.display, "Read");
    assert!(discover.has_customized_sub_features);
    assert_eq!(discover.sub_features, ["url_create"]);
    assert_eq!(cell(marketing, "visualize").display, "Read");
    assert!(!cell(marketing, "visualize").has_customized_sub_features);
    assert_eq!(cell(marketing, "fleet").display, "Read");
    assert_eq!(cell(global, "fleetv2").display, "None");

    // requireAllSpaces privileges show None outside the all-spaces column.
    let all = from_es(
        &k.es_role("all", json!({"elasticsearch": {}, "kibana": [{"base": ["all"]}, {"base": ["read"], "spaces": ["s"]}]})),
        &k.registry,
    )
    .unwrap();
    let summary = privilege_summary(&all.kibana, &k.registry, &k.privileges);
    assert_eq!(cell(&summary[0], "fleet").display, "All");
    assert_eq!(cell(&summary[0], "fleetv2").display, "All");
    assert_eq!(cell(&summary[1], "fleet").display, "None");
    assert_eq!(cell(&summary[1], "discover").display, "All");
    assert_eq!(summary[1].base, "Read");
}

#[test]
fn availability_in_marketing_with_dashboard_hidden() {
    let k = common::kit();
    let role = k.compile(&[k.es_role("example", body())]);
    let oracle = RoleOracle {
        role: &role,
        store: &k.store,
    };
    let space = Space::from_json(
        &json!({"id": "marketing", "name": "Marketing", "disabledFeatures": ["dashboard"]}),
    )
    .unwrap();
    let dashboard = k.registry.get("dashboard").unwrap();
    let discover = k.registry.get("discover").unwrap();
    assert!(!feature_available(dashboard, &space, &k.registry, &k.privileges, &oracle).unwrap());
    assert!(feature_available(discover, &space, &k.registry, &k.privileges, &oracle).unwrap());
    // Granted though: the privilege alone would allow it.
    assert!(
        oracle
            .granted("space:marketing", "ui:dashboard/createNew")
            .unwrap()
    );
    let caps = resolve_capabilities(&k.registry, &space, &oracle).unwrap();
    assert_eq!(caps.nav_links["dashboards"], false);
    assert!(caps.features["dashboard"].values().all(|v| !v));
    assert_eq!(caps.nav_links["discover"], true);
    assert_eq!(caps.features["discover"]["createShortUrl"], true);
    assert_eq!(caps.features["discover"]["save"], false);
}

#[test]
fn opening_discover_asks_app_and_login_on_the_space() {
    let k = common::kit();
    let role = k.compile(&[k.es_role("example", body())]);
    let oracle = RoleOracle {
        role: &role,
        store: &k.store,
    };
    assert!(oracle.granted("space:marketing", "app:discover").unwrap());
    assert!(oracle.granted("space:marketing", "login:").unwrap());
    assert!(
        !oracle
            .granted("space:marketing", "ui:discover/save")
            .unwrap()
    );
}

#[test]
fn rejected_puts() {
    let k = common::kit();
    let role = parse_put_body(
        "r",
        &json!({"elasticsearch": {}, "kibana": [{"base": ["all"], "feature": {"discover": ["all"]}, "spaces": ["sales"]}]}),
    )
    .unwrap();
    let errs = to_es(&role, None, &k.registry).unwrap_err();
    assert_eq!(
        validation_response(&errs).message,
        "[request body.kibana.0]: definition of [feature] isn't allowed when non-empty [base] is defined."
    );
    let role = parse_put_body(
        "r",
        &json!({"elasticsearch": {}, "kibana": [{"feature": {"fleetv2": ["all"]}, "spaces": ["sales"]}]}),
    )
    .unwrap();
    let errs = to_es(&role, None, &k.registry).unwrap_err();
    let e = validation_response(&errs);
    assert_eq!(e.status, 400);
    assert_eq!(
        e.message,
        "Role cannot be updated due to validation errors: [\"Feature privilege [fleetv2.all] requires all spaces to be selected but received [sales]\"]"
    );
}
