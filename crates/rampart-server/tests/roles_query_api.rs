#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Role query API: the query DSL subset, paging and sorting.

mod common;

use common::{TestNode, reason};
use serde_json::{Value, json};

#[tokio::test]
async fn query_roles() {
    let node = TestNode::new();
    let roles = json!({"roles": {
        "admin_role": {"cluster": ["all"], "metadata": {"team": "a", "level": 3}},
        "backwards_role": {"cluster": ["all"], "description": "old one"},
        "role_with_description": {"description": "desc", "metadata": {"team": "b"},
            "applications": [{"application": "kibana-.kibana", "privileges": ["read"], "resources": ["*"]}]}
    }});
    node.admin("POST", "/_security/role", Some(roles)).await;

    let (s, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(json!({"query": {"match_all": {}}, "sort": ["name"]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (b["total"].clone(), b["count"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(b["roles"][0]["name"], "admin_role");
    assert_eq!(b["roles"][0]["_sort"], json!(["admin_role"]));

    let (_, b) = node
        .admin(
            "GET",
            "/_security/_query/role",
            Some(json!({"sort": [{"name": {"order": "desc"}}], "from": 2})),
        )
        .await;
    assert_eq!(
        (b["total"].clone(), b["count"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(b["roles"][0]["name"], "admin_role");

    let (_, b) = node.admin("GET", "/_security/_query/role", None).await;
    assert_eq!(b["total"], 3);
    assert!(b["roles"][0].get("_sort").is_none());

    let q = |query: Value| json!({"query": query});
    let names = |b: &Value| -> Vec<String> {
        b["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(
                json!({"bool": {"must_not": {"term": {"metadata._reserved": true}}}}),
            )),
        )
        .await;
    assert_eq!(b["total"], 3);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"term": {"metadata.team": "a"}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role"]);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"prefix": {"name": "ba"}}))),
        )
        .await;
    assert_eq!(names(&b), ["backwards_role"]);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"wildcard": {"name": "*_role"}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role", "backwards_role"]);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"exists": {"field": "description"}}))),
        )
        .await;
    assert_eq!(names(&b), ["backwards_role", "role_with_description"]);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(
                json!({"terms": {"applications.application": ["kibana-.kibana"]}}),
            )),
        )
        .await;
    assert_eq!(names(&b), ["role_with_description"]);
    let (_, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"ids": {"values": ["admin_role"]}}))),
        )
        .await;
    assert_eq!(names(&b), ["admin_role"]);
    let (_, b) = node
        .admin("POST", "/_security/_query/role", Some(q(json!({"bool": {"should": [{"term": {"name": "admin_role"}}, {"term": {"metadata.team": "b"}}]}}))))
        .await;
    assert_eq!(names(&b), ["admin_role", "role_with_description"]);

    let (s, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"term": {"cluster": "all"}}))),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Field [cluster] is not allowed for querying")
    );
    let (s, b) = node
        .admin(
            "POST",
            "/_security/_query/role",
            Some(q(json!({"fuzzy": {"name": "x"}}))),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (
            400,
            "Query type [fuzzy] is not currently supported in this context"
        )
    );
    let (s, _) = node
        .admin("POST", "/_security/_query/role", Some(json!({"bogus": 1})))
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn query_roles_needs_read_security() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/reader",
        Some(json!({"cluster": ["read_security"]})),
    )
    .await;
    node.admin("PUT", "/_security/role/nothing", Some(json!({})))
        .await;
    node.add_user("reader", "reader-password", &["reader"]);
    node.add_user("nobody", "nobody-password", &["nothing"]);
    let (s, b) = node
        .call_as(
            ("reader", "reader-password"),
            "POST",
            "/_security/_query/role",
            None,
        )
        .await;
    assert_eq!((s, b["total"].clone()), (200, json!(2)));
    let (s, _) = node
        .call_as(
            ("nobody", "nobody-password"),
            "GET",
            "/_security/_query/role",
            None,
        )
        .await;
    assert_eq!(s, 403);
}
