#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Ingest pipelines through the router: the `/_ingest/pipeline` APIs and their privileges,
//! pipelines on index/create/bulk (`?pipeline=`, per-item, `index.default_pipeline`,
//! `index.final_pipeline`), `set_security_user` for a native user, an API key and run-as,
//! and pipelines surviving a restart.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{SUPERUSER, TestNode, basic, is_es_error, reason};
use serde_json::{Value, json};

const PW: &str = "password-123";

fn security_user_pipeline(properties: Option<&[&str]>) -> Value {
    let mut p = json!({"field": "user"});
    if let Some(props) = properties {
        p["properties"] = json!(props);
    }
    json!({"description": "who wrote it", "processors": [{"set_security_user": p}]})
}

async fn put_pipeline(node: &TestNode, id: &str, body: Value) {
    let (s, b) = node
        .admin("PUT", &format!("/_ingest/pipeline/{id}"), Some(body))
        .await;
    assert_eq!((s, &b), (200, &json!({"acknowledged": true})));
}

async fn source(node: &TestNode, index: &str, id: &str) -> Value {
    let (s, b) = node
        .admin("GET", &format!("/{index}/_doc/{id}"), None)
        .await;
    assert_eq!(s, 200, "{b}");
    b["_source"].clone()
}

#[tokio::test]
async fn pipelines_are_put_read_and_deleted_with_wildcards() {
    let node = TestNode::new();
    let (s, b) = node.admin("GET", "/_ingest/pipeline", None).await;
    assert_eq!((s, b), (404, json!({})));
    let def = security_user_pipeline(Some(&["username"]));
    put_pipeline(&node, "p1", def.clone()).await;
    put_pipeline(&node, "p2", json!({"processors": []})).await;
    put_pipeline(&node, "other", json!({"processors": []})).await;

    let (s, b) = node.admin("GET", "/_ingest/pipeline/p1", None).await;
    assert_eq!((s, b), (200, json!({"p1": def})));
    let (s, b) = node.admin("GET", "/_ingest/pipeline/p*,other", None).await;
    assert_eq!(s, 200);
    let mut ids: Vec<&String> = b.as_object().unwrap().keys().collect();
    ids.sort();
    assert_eq!(ids, ["other", "p1", "p2"]);
    let (_, b) = node
        .admin("GET", "/_ingest/pipeline/p1?summary=true", None)
        .await;
    assert_eq!(b, json!({"p1": {}}));
    let (s, b) = node.admin("GET", "/_ingest/pipeline/nope", None).await;
    assert_eq!((s, b), (404, json!({})));

    let (s, b) = node.admin("DELETE", "/_ingest/pipeline/nope", None).await;
    assert_eq!(s, 404);
    assert_eq!(b["error"]["type"], "resource_not_found_exception");
    assert_eq!(reason(&b), "pipeline [nope] is missing");
    let (s, _) = node
        .admin("DELETE", "/_ingest/pipeline/nothing*", None)
        .await;
    assert_eq!(s, 200, "a wildcard that matches nothing is not an error");
    let (s, _) = node.admin("DELETE", "/_ingest/pipeline/p*", None).await;
    assert_eq!(s, 200);
    let (_, b) = node.admin("GET", "/_ingest/pipeline", None).await;
    assert_eq!(b, json!({"other": {"processors": []}}));
}

#[tokio::test]
async fn invalid_definitions_are_refused_with_es_errors() {
    let node = TestNode::new();
    let cases = [
        (
            json!({"processors": [{"grok": {"field": "m"}}]}),
            "No processor type exists with name [grok]",
        ),
        (
            json!({"description": "x"}),
            "[processors] required property is missing",
        ),
        (
            json!({"processors": [{"set": {"value": 1}}]}),
            "[field] required property is missing",
        ),
        (
            json!({"processors": [{"set_security_user": {"field": "u", "properties": ["shoe_size"]}}]}),
            "[properties] illegal property value [shoe_size]. valid values are [USERNAME, ROLES, EMAIL, FULL_NAME, METADATA, API_KEY, REALM, AUTHENTICATION_TYPE]",
        ),
    ];
    for (body, expected) in cases {
        let (s, b) = node.admin("PUT", "/_ingest/pipeline/bad", Some(body)).await;
        assert_eq!(s, 400, "{b}");
        assert!(is_es_error(&b, 400), "{b}");
        assert_eq!(b["error"]["type"], "parse_exception");
        assert_eq!(reason(&b), expected);
    }
    let (_, b) = node
        .admin(
            "PUT",
            "/_ingest/pipeline/bad",
            Some(json!({"processors": [{"grok": {}}]})),
        )
        .await;
    assert_eq!(b["error"]["processor_type"], "grok");
    // Painless conditions are refused, never ignored.
    let (s, b) = node
        .admin(
            "PUT",
            "/_ingest/pipeline/bad",
            Some(json!({"processors": [{"set": {"field": "a", "value": 1, "if": "ctx.b == 1"}}]})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(reason(&b).contains("not supported"), "{b}");
    let (s, _) = node.admin("GET", "/_ingest/pipeline/bad", None).await;
    assert_eq!(s, 404, "nothing invalid was stored");
}

#[tokio::test]
async fn pipeline_apis_need_their_cluster_privileges() {
    let node = TestNode::new();
    put_pipeline(&node, "p", json!({"processors": []})).await;
    for (role, cluster) in [
        ("monitor_only", json!(["monitor"])),
        ("reader", json!(["read_pipeline"])),
        ("manager", json!(["manage_pipeline"])),
        ("ingest_manager", json!(["manage_ingest_pipelines"])),
    ] {
        let (s, _) = node
            .admin(
                "PUT",
                &format!("/_security/role/{role}"),
                Some(json!({"cluster": cluster})),
            )
            .await;
        assert_eq!(s, 200);
        node.add_user(role, PW, &[role]);
    }
    let put = json!({"processors": []});
    let (s, b) = node
        .call(
            "PUT",
            "/_ingest/pipeline/q",
            ("monitor_only", PW),
            Some(put.clone()),
        )
        .await;
    assert_eq!(s, 403);
    assert!(
        reason(&b).starts_with(
            "action [cluster:admin/ingest/pipeline/put] is unauthorized for user [monitor_only]"
        ),
        "{b}"
    );
    let (s, _) = node
        .call("GET", "/_ingest/pipeline/p", ("monitor_only", PW), None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = node
        .call("GET", "/_ingest/pipeline/p", ("reader", PW), None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call(
            "PUT",
            "/_ingest/pipeline/q",
            ("reader", PW),
            Some(put.clone()),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = node
        .call(
            "PUT",
            "/_ingest/pipeline/q",
            ("manager", PW),
            Some(put.clone()),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call(
            "DELETE",
            "/_ingest/pipeline/q",
            ("ingest_manager", PW),
            None,
        )
        .await;
    assert_eq!(s, 200);
}

/// ES's set_security_user/10_small_users_one_index.yml: authors are recorded by the
/// pipeline, and a role query on the recorded roles separates their documents. The `term` is
/// on the analysed `user.roles`, as in the YAML test: the standard analyzer keeps
/// `company_x_logs_role` one token.
#[tokio::test]
async fn native_users_are_recorded_and_dls_separates_them() {
    let node = TestNode::new();
    put_pipeline(
        &node,
        "my_pipeline",
        security_user_pipeline(Some(&["username", "roles"])),
    )
    .await;
    for (role, user) in [
        ("company_x_logs_role", "joe"),
        ("company_y_logs_role", "john"),
    ] {
        let body = json!({"cluster": ["all"], "indices": [{"names": "shared_logs", "privileges": ["all"],
            "query": {"term": {"user.roles": role}}}]});
        node.admin("PUT", &format!("/_security/role/{role}"), Some(body))
            .await;
        node.put_user(user, PW, &[role]).await;
    }
    for (i, user) in ["joe", "john"].iter().enumerate() {
        let (s, b) = node
            .call(
                "PUT",
                &format!("/shared_logs/_doc/{i}?pipeline=my_pipeline"),
                (*user, PW),
                Some(json!({"log": format!("{user}'s entry")})),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    node.admin("POST", "/shared_logs/_refresh", None).await;
    for (user, role) in [
        ("joe", "company_x_logs_role"),
        ("john", "company_y_logs_role"),
    ] {
        let (s, b) = node
            .call(
                "POST",
                "/shared_logs/_search?rest_total_hits_as_int=true",
                (user, PW),
                Some(json!({"query": {"match_all": {}}})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["hits"]["total"], 1, "{b}");
        assert_eq!(
            b["hits"]["hits"][0]["_source"]["user"],
            json!({"username": user, "roles": [role]})
        );
    }
}

#[tokio::test]
async fn all_properties_of_a_native_user_without_optional_ones() {
    let node = TestNode::new();
    put_pipeline(&node, "who", security_user_pipeline(None)).await;
    node.admin(
        "PUT",
        "/_security/user/ann",
        Some(
            json!({"password": PW, "roles": ["superuser"], "email": "ann@example.com",
                    "full_name": "Ann A", "metadata": {"team": "blue"}}),
        ),
    )
    .await;
    let (s, b) = node
        .call(
            "PUT",
            "/docs/_doc/1?pipeline=who",
            ("ann", PW),
            Some(json!({"m": 1})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        source(&node, "docs", "1").await,
        json!({"m": 1, "user": {"username": "ann", "roles": ["superuser"], "email": "ann@example.com",
            "full_name": "Ann A", "metadata": {"team": "blue"},
            "realm": {"name": "default_native", "type": "native"}, "authentication_type": "REALM"}})
    );
}

/// ES's set_security_user/20_api_key.yml.
#[tokio::test]
async fn api_keys_are_recorded_with_their_metadata_and_creator_realm() {
    let node = TestNode::new();
    put_pipeline(&node, "my_pipeline", security_user_pipeline(None)).await;
    let keys = [
        (
            "with-metadata",
            Some(
                json!({"string": "hello", "number": 42, "complex": {"foo": "bar", "values": [1, 3, 5]}}),
            ),
        ),
        ("no-metadata", None),
        ("empty-metadata", Some(json!({}))),
    ];
    for (i, (name, metadata)) in keys.iter().enumerate() {
        let mut body = json!({"name": name});
        if let Some(m) = metadata {
            body["metadata"] = m.clone();
        }
        let (s, key) = node.admin("POST", "/_security/api_key", Some(body)).await;
        assert_eq!(s, 200, "{key}");
        let auth = format!("ApiKey {}", key["encoded"].as_str().unwrap());
        let (s, b) = node
            .call_auth(
                "PUT",
                &format!("/index/_doc/{i}?pipeline=my_pipeline"),
                &auth,
                // A writer cannot pre-seed the roles a role query may later trust.
                Some(json!({"message": "m", "user": {"roles": ["forged_role"]}})),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let user = source(&node, "index", &i.to_string()).await["user"].clone();
        assert_eq!(user["username"], "elastic");
        assert_eq!(user["api_key"]["name"], *name);
        assert_eq!(user["api_key"]["id"], key["id"]);
        match metadata {
            Some(m) if !m.as_object().unwrap().is_empty() => {
                assert_eq!(&user["api_key"]["metadata"], m)
            }
            _ => assert!(user["api_key"].get("metadata").is_none(), "{user}"),
        }
        assert_eq!(
            user["realm"],
            json!({"name": "reserved", "type": "reserved"})
        );
        assert_eq!(user["authentication_type"], "API_KEY");
        assert!(
            user.get("roles").is_none(),
            "an API key's user has no roles; forged ones are removed: {user}"
        );
    }
}

#[tokio::test]
async fn run_as_records_the_target_user() {
    let node = TestNode::new();
    put_pipeline(
        &node,
        "who",
        security_user_pipeline(Some(&["username", "roles", "realm", "authentication_type"])),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/writer",
        Some(json!({"indices": [{"names": ["docs"], "privileges": ["all"]}]})),
    )
    .await;
    node.put_user("bob", PW, &["writer"]).await;
    let req = Request::builder()
        .method("PUT")
        .uri("/docs/_doc/1?pipeline=who")
        .header("authorization", basic(SUPERUSER.0, SUPERUSER.1))
        .header("es-security-runas-user", "bob")
        .header("content-type", "application/json")
        .body(Body::from(json!({"m": 1}).to_string()))
        .unwrap();
    let resp = node.send(req).await;
    assert_eq!(resp.status, 201, "{}", resp.json());
    assert_eq!(
        source(&node, "docs", "1").await["user"],
        json!({"username": "bob", "roles": ["writer"],
               "realm": {"name": "default_native", "type": "native"}, "authentication_type": "REALM"})
    );
}

#[tokio::test]
async fn the_write_is_authorized_before_the_pipeline_runs() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/reader",
        Some(json!({"indices": [{"names": ["docs"], "privileges": ["read"]}]})),
    )
    .await;
    node.add_user("reader", PW, &["reader"]);
    let (s, b) = node
        .call(
            "PUT",
            "/docs/_doc/1?pipeline=missing",
            ("reader", PW),
            Some(json!({"m": 1})),
        )
        .await;
    assert_eq!(
        s, 403,
        "the refusal comes first, not the missing pipeline: {b}"
    );
    let (s, b) = node
        .admin(
            "PUT",
            "/docs/_doc/1?pipeline=missing",
            Some(json!({"m": 1})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["type"], "illegal_argument_exception");
    assert_eq!(reason(&b), "pipeline with id [missing] does not exist");
    let (s, _) = node.admin("GET", "/docs/_doc/1", None).await;
    assert_eq!(s, 404, "nothing was written");
}
