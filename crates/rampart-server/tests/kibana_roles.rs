#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The Kibana role API over HTTP: the worked example of kibana.md (i), every validation (a.3,
//! a.4) and transform rejection reason (b.5), reserved edits, `createOnly`, bulk, query, the
//! roles-per-space listing and the privilege summary.

mod common;
mod kibana_support;

use kibana_support::{KibanaNode, is_kibana_error};
use serde_json::{Value, json};

fn worked_example() -> Value {
    json!({"elasticsearch": {}, "kibana": [
        {"base": ["read"], "spaces": ["*"]},
        {"feature": {"dashboard": ["all"], "discover": ["minimal_read", "url_create"]}, "spaces": ["marketing"]}
    ]})
}

#[tokio::test]
async fn worked_example_stores_es_applications_and_reads_back() {
    let k = KibanaNode::new();
    k.put_role("marketing", worked_example()).await;
    let (s, es) = k.node.admin("GET", "/_security/role/marketing", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        es["marketing"]["applications"],
        json!([
            {"application": "kibana-.kibana", "privileges": ["read"], "resources": ["*"]},
            {"application": "kibana-.kibana", "privileges": ["feature_dashboard.all", "feature_discover.minimal_read", "feature_discover.url_create"], "resources": ["space:marketing"]}
        ])
    );
    let (s, b) = k.admin("GET", "/api/security/role/marketing", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["kibana"],
        json!([
            {"base": ["read"], "feature": {}, "spaces": ["*"]},
            {"base": [], "feature": {"dashboard": ["all"], "discover": ["minimal_read", "url_create"]}, "spaces": ["marketing"]}
        ])
    );
    assert_eq!(b["_transform_error"], json!([]));
    assert_eq!(b["_unrecognized_applications"], json!([]));
    assert_eq!(
        b["elasticsearch"],
        json!({"cluster": [], "remote_cluster": [], "indices": [], "remote_indices": [], "run_as": []})
    );
}

#[tokio::test]
async fn worked_example_privilege_summary() {
    let k = KibanaNode::new();
    k.put_role("marketing", worked_example()).await;
    let (s, b) = k
        .admin(
            "GET",
            "/internal/security/role/marketing/privilege_summary",
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let columns = b["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 2);
    let cell = |c: usize, f: &str| {
        columns[c]["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == f)
            .cloned()
            .unwrap_or_else(|| panic!("no {f} in column {c}"))
    };
    assert_eq!(columns[0]["spaces"], json!(["*"]));
    assert_eq!(columns[0]["base"], "Read");
    assert_eq!(cell(0, "discover")["privilege"], "Read");
    assert_eq!(cell(0, "ml")["privilege"], "Read");
    assert_eq!(columns[1]["spaces"], json!(["marketing"]));
    assert_eq!(columns[1]["base"], "Custom");
    assert_eq!(cell(1, "dashboard")["privilege"], "All");
    let discover = cell(1, "discover");
    assert_eq!(discover["privilege"], "Read");
    assert_eq!(discover["hasCustomizedSubFeaturePrivileges"], true);
    assert!(
        discover["subFeaturePrivileges"]
            .as_array()
            .unwrap()
            .contains(&json!("url_create"))
    );
    assert_eq!(cell(1, "visualize")["privilege"], "Read");
    assert!(
        columns[0]["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["id"] != "monitoring"),
        "Stack Monitoring has no feature privileges"
    );
    let (s, _) = k
        .admin(
            "GET",
            "/internal/security/role/ghost/privilege_summary",
            None,
        )
        .await;
    assert_eq!(s, 404);
}

async fn put_message(k: &KibanaNode, kibana: Value) -> String {
    let (s, b) = k
        .admin(
            "PUT",
            "/api/security/role/bad",
            Some(json!({"elasticsearch": {}, "kibana": kibana})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(is_kibana_error(&b, 400), "{b}");
    b["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_schema_validation_message() {
    let k = KibanaNode::new();
    for entry in [
        json!({}),
        json!({"base": []}),
        json!({"feature": {}}),
        json!({"feature": {"foo": []}}),
    ] {
        assert_eq!(
            put_message(&k, json!([entry])).await,
            "[request body.kibana.0]: either [base] or [feature] is expected, but none of them specified"
        );
    }
    let cases = [
        (
            json!([{"base": ["all"], "feature": {"discover": ["all"]}, "spaces": ["sales"]}]),
            "[request body.kibana.0]: definition of [feature] isn't allowed when non-empty [base] is defined.",
        ),
        (
            json!([{"base": ["read", "foo"]}]),
            "[request body.kibana.0.base.1]: unknown global privilege \"foo\", must be one of [all,read]",
        ),
        (
            json!([{"base": ["space_all"], "spaces": ["a"]}]),
            "[request body.kibana.0.base.0]: unknown space privilege \"space_all\", must be one of [all,read]",
        ),
        (
            json!([{"feature": {"foo bar": ["all"]}}]),
            "[request body.kibana.0.feature.key(\"foo bar\")]: only a-z, A-Z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!([{"feature": {"foo": ["all", "re*d"]}}]),
            "[request body.kibana.0.feature.foo.1]: only a-z, A-Z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!([{"base": ["all"], "spaces": ["foo-*"]}]),
            "[request body.kibana.0.spaces]: types that failed validation:\n- [request body.kibana.0.spaces.0.0]: expected value to equal [*]\n- [request body.kibana.0.spaces.1.0]: must be lower case, a-z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!([{"base": ["all"], "spaces": ["*", "foo"]}]),
            "[request body.kibana.0.spaces]: types that failed validation:\n- [request body.kibana.0.spaces.0.1]: expected value to equal [*]\n- [request body.kibana.0.spaces.1.0]: must be lower case, a-z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!([{"base": ["all"], "spaces": ["a", "b"]}, {"base": ["read"], "spaces": ["b"]}]),
            "[request body.kibana]: more than one privilege is applied to the following spaces: [b]",
        ),
        (
            json!([{"_reserved": ["ml_user"], "base": [], "spaces": ["*"]}]),
            "[request body.kibana.0._reserved]: Additional properties are not allowed ('_reserved' was unexpected)",
        ),
    ];
    for (kibana, message) in cases {
        assert_eq!(put_message(&k, kibana.clone()).await, message, "{kibana}");
    }
    // `elasticsearch` is required; the name is at most 1024 characters.
    let (s, b) = k
        .admin("PUT", "/api/security/role/r", Some(json!({})))
        .await;
    assert_eq!(s, 400);
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .starts_with("[request body.elasticsearch]"),
        "{b}"
    );
    let long = "x".repeat(1025);
    let (s, b) = k
        .admin(
            "PUT",
            &format!("/api/security/role/{long}"),
            Some(json!({"elasticsearch": {}})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["message"],
        "[request params.name]: value has length [1025] but it must have a maximum length of [1024]."
    );
}

#[tokio::test]
async fn every_feature_validation_message() {
    let k = KibanaNode::new();
    // kibana.md (i): fleetv2 requires all spaces (8.x).
    assert_eq!(
        put_message(
            &k,
            json!([{"feature": {"fleetv2": ["all"]}, "spaces": ["sales"]}])
        )
        .await,
        "Role cannot be updated due to validation errors: [\"Feature privilege [fleetv2.all] requires all spaces to be selected but received [sales]\"]"
    );
    assert_eq!(
        put_message(
            &k,
            json!([{"feature": {"fleetv2": ["all", "read"]}, "spaces": ["sales", "ops"]}])
        )
        .await,
        "Role cannot be updated due to validation errors: [\"Feature privilege [fleetv2.all] requires all spaces to be selected but received [sales,ops]\",\"Feature [fleetv2] does not support privilege [read].\",\"Feature privilege [fleetv2.read] requires all spaces to be selected but received [sales,ops]\"]"
    );
    assert_eq!(
        put_message(
            &k,
            json!([{"feature": {"siem": ["minimal_all", "endpoint_list_all"]}, "spaces": ["a"]}])
        )
        .await,
        "Role cannot be updated due to validation errors: [\"Sub-feature privilege [Security - Endpoint List] requires all spaces to be selected but received [a]\"]"
    );
    // Unknown features are stored as they are; all-spaces entries may use requireAllSpaces.
    k.put_role("ok1", json!({"elasticsearch": {}, "kibana": [{"feature": {"nope": ["whatever"]}, "spaces": ["a"]}]})).await;
    k.put_role("ok2", json!({"elasticsearch": {}, "kibana": [{"feature": {"fleetv2": ["all"], "siem": ["endpoint_list_all"]}}]})).await;
}

/// Store an ES role with these applications through the ES API, read it through Kibana's.
async fn transform_error(k: &KibanaNode, applications: Value) -> Value {
    let (s, b) = k
        .node
        .admin(
            "PUT",
            "/_security/role/t",
            Some(json!({"applications": applications})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = k.admin("GET", "/api/security/role/t", None).await;
    assert_eq!(s, 200, "{b}");
    if b["_transform_error"] != json!([]) {
        assert_eq!(b["kibana"], json!([]), "{b}");
    }
    b["_transform_error"].clone()
}

#[tokio::test]
async fn every_transform_rejection_reason_in_order() {
    let k = KibanaNode::new();
    let app =
        |a: &str, p: Value, r: Value| json!({"application": a, "privileges": p, "resources": r});
    let kb = "kibana-.kibana";
    let cases = [
        (
            json!([app(
                "kibana-*",
                json!(["reserved_ml_user", "all"]),
                json!(["*"])
            )]),
            "reserved_privileges_mixed",
        ),
        (
            json!([app(kb, json!(["reserved_ml_user"]), json!(["*"]))]),
            "reserved_privileges_wrong_app",
        ),
        (
            json!([app(kb, json!(["space_all"]), json!(["*"]))]),
            "space_privileges_global",
        ),
        (
            json!([app(kb, json!(["all"]), json!(["space:a"]))]),
            "global_privileges_space",
        ),
        (
            json!([app(
                kb,
                json!(["read", "feature_discover.all"]),
                json!(["*"])
            )]),
            "base_feature_privileges_mixed",
        ),
        (
            json!([app(kb, json!(["read"]), json!(["*", "space:a"]))]),
            "global_resource_mixed",
        ),
        (
            json!([app(kb, json!(["space_read"]), json!(["a"]))]),
            "invalid_resource_format",
        ),
        (
            json!([
                app(kb, json!(["space_read"]), json!(["space:a"])),
                app(kb, json!(["space_all"]), json!(["space:a"]))
            ]),
            "duplicated_resources",
        ),
        (
            json!([app(kb, json!(["feature_fleetv2.all"]), json!(["space:a"]))]),
            "feature_requires_all_spaces",
        ),
        (
            json!([app(kb, json!(["feature_fleetv2.read"]), json!(["*"]))]),
            "disabled_feature_privileges",
        ),
        (
            json!([app(kb, json!(["feature_bad"]), json!(["*"]))]),
            "transformation_exception",
        ),
        // Order: a space base privilege on `*` (3) is reported before mixing (5).
        (
            json!([app(
                kb,
                json!(["space_all", "feature_discover.all"]),
                json!(["*"])
            )]),
            "space_privileges_global",
        ),
    ];
    for (applications, reason) in cases {
        assert_eq!(
            transform_error(&k, applications.clone()).await,
            json!([format!("kibana:{reason}")]),
            "{applications}"
        );
    }
    // Reserved privileges through `kibana-*` read back as `_reserved`; other apps are listed.
    let ok = transform_error(
        &k,
        json!([
            app("kibana-*", json!(["reserved_ml_user"]), json!(["*"])),
            app("logstash-app", json!(["x"]), json!(["*"]))
        ]),
    )
    .await;
    assert_eq!(ok, json!([]));
    let (_, b) = k.admin("GET", "/api/security/role/t", None).await;
    assert_eq!(
        b["kibana"],
        json!([{"_reserved": ["ml_user"], "base": [], "feature": {}, "spaces": ["*"]}])
    );
    assert_eq!(b["_unrecognized_applications"], json!(["logstash-app"]));
}

#[tokio::test]
async fn put_keeps_foreign_applications_and_create_only_conflicts() {
    let k = KibanaNode::new();
    let (s, _) = k
        .node
        .admin(
            "PUT",
            "/_security/role/mixed",
            Some(json!({"applications": [
                {"application": "kibana-.kibana", "privileges": ["all"], "resources": ["*"]},
                {"application": "logstash-app", "privileges": ["x"], "resources": ["*"]}
            ]})),
        )
        .await;
    assert_eq!(s, 200);
    k.put_role(
        "mixed",
        json!({"elasticsearch": {"cluster": ["monitor"]}, "kibana": [{"base": ["read"]}]}),
    )
    .await;
    let (_, es) = k.node.admin("GET", "/_security/role/mixed", None).await;
    assert_eq!(
        es["mixed"]["applications"],
        json!([
            {"application": "kibana-.kibana", "privileges": ["read"], "resources": ["*"]},
            {"application": "logstash-app", "privileges": ["x"], "resources": ["*"]}
        ])
    );
    assert_eq!(es["mixed"]["cluster"], json!(["monitor"]));
    let (s, b) = k
        .admin(
            "PUT",
            "/api/security/role/mixed?createOnly=true",
            Some(json!({"elasticsearch": {}})),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(
        b["message"],
        "Role already exists and cannot be created: mixed"
    );
    let (s, _) = k
        .admin(
            "PUT",
            "/api/security/role/fresh?createOnly=true",
            Some(json!({"elasticsearch": {}})),
        )
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn reserved_roles_and_metadata_cannot_be_edited() {
    let k = KibanaNode::new();
    let (s, b) = k
        .admin(
            "PUT",
            "/api/security/role/superuser",
            Some(json!({"elasticsearch": {}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("is reserved"),
        "{b}"
    );
    let (s, b) = k
        .admin("DELETE", "/api/security/role/kibana_admin", None)
        .await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(
        b["message"],
        "role [kibana_admin] is reserved and cannot be deleted"
    );
    let (s, b) = k
        .admin(
            "PUT",
            "/api/security/role/r",
            Some(json!({"elasticsearch": {}, "metadata": {"_private": 1}})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    // `_reserved` in metadata is not a way to make a role reserved: ES refuses every
    // `_`-prefixed metadata key (true or false), Kibana passes that 400 through, and nothing
    // is written (not even over an existing role).
    k.put_role(
        "existing",
        json!({"elasticsearch": {"cluster": ["monitor"]}}),
    )
    .await;
    for (name, value) in [("r", true), ("r", false), ("existing", true)] {
        let body = json!({"elasticsearch": {}, "metadata": {"_reserved": value}});
        let path = format!("/api/security/role/{name}");
        let (s, b) = k.admin("PUT", &path, Some(body.clone())).await;
        assert_eq!(s, 400, "{b}");
        assert!(is_kibana_error(&b, 400), "{b}");
        assert!(
            b["message"]
                .as_str()
                .unwrap()
                .contains("role descriptor metadata keys may not start with [_]"),
            "{b}"
        );
        let (s, b) = k
            .admin(
                "POST",
                "/api/security/roles",
                Some(json!({"roles": {name: body}})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert!(b["errors"][name].is_object(), "{b}");
    }
    let (s, _) = k.admin("GET", "/api/security/role/r", None).await;
    assert_eq!(s, 404);
    let (s, b) = k.admin("GET", "/api/security/role/existing", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["elasticsearch"]["cluster"], json!(["monitor"]));
    assert_eq!(b["metadata"], json!({}));
    // Built-in roles read back in Kibana's format (superuser: base `*` [9.x]).
    let (s, b) = k.admin("GET", "/api/security/role/superuser", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["kibana"],
        json!([{"base": ["*"], "feature": {}, "spaces": ["*"]}])
    );
    assert_eq!(b["metadata"]["_reserved"], true);
}

#[tokio::test]
async fn get_list_delete_and_authorization() {
    let k = KibanaNode::new();
    k.put_role(
        "b_role",
        json!({"elasticsearch": {}, "kibana": [{"base": ["all"], "spaces": ["s1"]}]}),
    )
    .await;
    k.put_role("a_role", json!({"elasticsearch": {}})).await;
    let (s, b) = k.admin("GET", "/api/security/role", None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert!(names.contains(&"a_role") && names.contains(&"superuser"));
    // Roles granting something in space s1: b_role (own entry) and global roles.
    let (s, b) = k.admin("GET", "/internal/security/roles/s1", None).await;
    assert_eq!(s, 200);
    let in_s1: Vec<&str> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        in_s1.contains(&"b_role") && !in_s1.contains(&"a_role"),
        "{in_s1:?}"
    );
    // Delegated authorization: a user without security privileges gets ES's 403.
    let u = k.user("plain", &["viewer"]);
    let (s, b) = k.call(u, "GET", "/api/security/role", None).await;
    assert_eq!(s, 403);
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .starts_with("action [cluster:admin/xpack/security/role/get] is unauthorized"),
        "{b}"
    );
    let (s, b) = k
        .call(
            u,
            "PUT",
            "/api/security/role/x",
            Some(json!({"elasticsearch": {}})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    // Validation (400) comes before authorization (403), as Kibana validates first.
    let (s, _) = k
        .call(u, "PUT", "/api/security/role/x", Some(json!({"kibana": 1})))
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        k.admin("DELETE", "/api/security/role/a_role", None).await.0,
        204
    );
    let (s, b) = k.admin("DELETE", "/api/security/role/a_role", None).await;
    assert_eq!(s, 404);
    assert!(is_kibana_error(&b, 404));
    assert_eq!(
        k.admin("GET", "/api/security/role/a_role", None).await.0,
        404
    );
}

#[tokio::test]
async fn bulk_put_reports_created_updated_noop_and_errors() {
    let k = KibanaNode::new();
    k.put_role(
        "existing",
        json!({"elasticsearch": {}, "kibana": [{"base": ["read"]}]}),
    )
    .await;
    k.put_role(
        "same",
        json!({"elasticsearch": {}, "kibana": [{"base": ["read"]}]}),
    )
    .await;
    let (s, b) = k
        .admin(
            "POST",
            "/api/security/roles",
            Some(json!({"roles": {
                "new_one": {"elasticsearch": {}, "kibana": [{"base": ["all"], "spaces": ["x"]}]},
                "existing": {"elasticsearch": {}, "kibana": [{"base": ["all"]}]},
                "same": {"elasticsearch": {}, "kibana": [{"base": ["read"]}]},
                "fleet_bad": {"elasticsearch": {}, "kibana": [{"feature": {"fleetv2": ["all"]}, "spaces": ["x"]}]},
                "superuser": {"elasticsearch": {}}
            }})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["created"], json!(["new_one"]));
    assert_eq!(b["updated"], json!(["existing"]));
    assert_eq!(b["noop"], json!(["same"]));
    assert_eq!(
        b["errors"]["fleet_bad"]["type"],
        "kibana_privilege_validation_exception"
    );
    assert_eq!(
        b["errors"]["fleet_bad"]["reason"],
        "Role cannot be updated due to validation errors: [\"Feature privilege [fleetv2.all] requires all spaces to be selected but received [x]\"]"
    );
    assert!(
        b["errors"]["superuser"]["reason"]
            .as_str()
            .unwrap()
            .contains("reserved")
    );
    // A schema error fails the whole request, at its place in the body.
    let (s, b) = k
        .admin(
            "POST",
            "/api/security/roles",
            Some(json!({"roles": {"r": {"elasticsearch": {}, "kibana": [{}]}}})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["message"],
        "[request body.roles.r.kibana.0]: either [base] or [feature] is expected, but none of them specified"
    );
}

#[tokio::test]
async fn query_filters_sorts_and_pages() {
    let k = KibanaNode::new();
    for n in ["Alpha_team", "beta_team", "gamma"] {
        k.put_role(n, json!({"elasticsearch": {}})).await;
    }
    let (s, b) = k
        .admin(
            "POST",
            "/api/security/role/_query",
            Some(json!({"query": "TEAM", "filters": {"showReservedRoles": false}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["total"], 2);
    let names: Vec<&str> = b["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha_team", "beta_team"]);
    let (_, b) = k
        .admin(
            "POST",
            "/api/security/role/_query",
            Some(
                json!({"query": "team", "size": 1, "sort": {"field": "name", "direction": "desc"}}),
            ),
        )
        .await;
    assert_eq!(b["count"], 1);
    assert_eq!(b["total"], 2);
    assert_eq!(b["roles"][0]["name"], "beta_team");
    let (_, b) = k
        .admin("POST", "/api/security/role/_query", Some(json!({})))
        .await;
    assert!(
        b["total"].as_u64().unwrap() > 3,
        "reserved roles are shown by default"
    );
}

/// Kibana 9.x can rewrite deprecated feature privileges into their replacements; our registry
/// does not register the replacing features, so `true` is refused with a clear 400 (on GET one
/// and GET all), while `false` or absent answers as usual.
#[tokio::test]
async fn replace_deprecated_privileges_is_refused_clearly() {
    let k = KibanaNode::new();
    k.put_role("marketing", worked_example()).await;
    for path in ["/api/security/role/marketing", "/api/security/role"] {
        let (s, b) = k
            .admin(
                "GET",
                &format!("{path}?replaceDeprecatedPrivileges=true"),
                None,
            )
            .await;
        assert_eq!(s, 400, "{b}");
        assert!(is_kibana_error(&b, 400), "{b}");
        assert_eq!(
            b["message"],
            rampart_server::kibana::REPLACE_DEPRECATED_UNSUPPORTED
        );
        let (s, b) = k
            .admin(
                "GET",
                &format!("{path}?replaceDeprecatedPrivileges=false"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let (s, _) = k
            .admin(
                "GET",
                &format!("{path}?replaceDeprecatedPrivileges=maybe"),
                None,
            )
            .await;
        assert_eq!(s, 400);
    }
}
