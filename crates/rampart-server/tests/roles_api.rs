#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Roles API: put/get/delete, bulk put/delete, query, cache clear, and `global.role.manage`.

mod common;

use common::{TestNode, reason};
use serde_json::json;

#[tokio::test]
async fn put_get_update_delete_role() {
    let node = TestNode::new();
    let role = json!({"cluster": ["all"], "metadata": {"key1": "val1"},
        "indices": [{"names": "*", "privileges": ["all"]}]});
    let (s, b) = node
        .admin("PUT", "/_security/role/admin_role", Some(role.clone()))
        .await;
    assert_eq!((s, b), (200, json!({"role": {"created": true}})));
    let (s, b) = node
        .admin(
            "POST",
            "/_security/role/admin_role?refresh=true",
            Some(role),
        )
        .await;
    assert_eq!((s, b), (200, json!({"role": {"created": false}})));

    let (s, b) = node.admin("GET", "/_security/role/admin_role", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["admin_role"]["cluster"], json!(["all"]));
    assert_eq!(b["admin_role"]["indices"][0]["names"], json!(["*"]));
    assert_eq!(b["admin_role"]["metadata"]["key1"], "val1");
    assert_eq!(
        b["admin_role"]["transient_metadata"],
        json!({"enabled": true})
    );

    let (s, b) = node
        .admin("DELETE", "/_security/role/admin_role", None)
        .await;
    assert_eq!((s, b), (200, json!({"found": true})));
    let (s, b) = node
        .admin("DELETE", "/_security/role/admin_role", None)
        .await;
    assert_eq!((s, b), (404, json!({"found": false})));
    let (s, b) = node.admin("GET", "/_security/role/admin_role", None).await;
    assert_eq!((s, b), (404, json!({})));
}

#[tokio::test]
async fn get_roles_lists_builtin_and_native_and_comma_names() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/mine",
        Some(json!({"cluster": ["monitor"]})),
    )
    .await;
    let (s, all) = node.admin("GET", "/_security/role", None).await;
    assert_eq!(s, 200);
    assert_eq!(all["superuser"]["metadata"]["_reserved"], true);
    assert_eq!(all["mine"]["cluster"], json!(["monitor"]));

    let (s, b) = node
        .admin("GET", "/_security/role/mine,superuser,nope", None)
        .await;
    assert_eq!(s, 200);
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    // Built-in roles first, then native ones (as ES lists them).
    assert_eq!(keys, ["superuser", "mine"]);
    let (s, b) = node.admin("GET", "/_security/role/foo,bar", None).await;
    assert_eq!((s, b), (404, json!({})));
}

#[tokio::test]
async fn put_role_errors() {
    let node = TestNode::new();
    let (s, b) = node
        .admin("PUT", "/_security/role/superuser", Some(json!({})))
        .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["type"], "action_request_validation_exception");
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: Role [superuser] is reserved and may not be used.;"
    );

    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role/r",
            Some(json!({"cluster": ["foo"], "bogus": 1})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        reason(&b),
        "failed to parse role [r]. unexpected field [bogus]"
    );

    let (s, b) = node
        .admin(
            "PUT",
            "/_security/role/r",
            Some(json!({"cluster": ["foo"]})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        reason(&b).starts_with("Validation Failed: 1: unknown cluster privilege [foo]"),
        "{b}"
    );

    let (s, b) = node
        .admin("PUT", "/_security/role/r", Some(json!({"indices": [{"names": "index",
            "privileges": ["all"], "query": {"terms": {"field": {"index": "_index", "id": "_id", "path": "_path"}}}}]})))
        .await;
    assert_eq!(s, 400);
    assert!(
        b.to_string()
            .contains("terms query with terms lookup isn't supported as part of a role query"),
        "{b}"
    );

    let (s, b) = node.admin("PUT", "/_security/role/r", None).await;
    assert_eq!((s, reason(&b)), (400, "request body is required"));
    let (s, b) = node
        .admin("PUT", "/_security/role/r?refresh=maybe", Some(json!({})))
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Unknown value for refresh: [maybe].")
    );

    let (s, b) = node
        .admin("DELETE", "/_security/role/superuser", None)
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "role [superuser] is reserved and cannot be deleted")
    );
}

#[tokio::test]
async fn description_and_remote_sections_round_trip() {
    let node = TestNode::new();
    let body = json!({"description": "Allows all security-related operations.", "cluster": ["manage_security"],
        "remote_indices": [{"names": ["logs*"], "privileges": ["read"], "allow_restricted_indices": false, "clusters": ["*"]}],
        "remote_cluster": [{"privileges": ["monitor_enrich"], "clusters": ["my_remote*", "my_remote2*"]}]});
    let (s, _) = node
        .admin("PUT", "/_security/role/remote_role", Some(body))
        .await;
    assert_eq!(s, 200);
    let (_, b) = node.admin("GET", "/_security/role/remote_role", None).await;
    let r = &b["remote_role"];
    assert_eq!(r["description"], "Allows all security-related operations.");
    assert_eq!(r["remote_indices"][0]["clusters"], json!(["*"]));
    assert_eq!(
        r["remote_cluster"][0]["clusters"],
        json!(["my_remote*", "my_remote2*"])
    );
}

#[tokio::test]
async fn bulk_put_and_delete() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/same",
        Some(json!({"cluster": ["monitor"]})),
    )
    .await;
    node.admin(
        "PUT",
        "/_security/role/changed",
        Some(json!({"cluster": ["monitor"]})),
    )
    .await;
    let body = json!({"roles": {
        "new_role": {"cluster": ["all"]},
        "same": {"cluster": ["monitor"]},
        "changed": {"cluster": ["manage"]},
        "superuser": {"cluster": ["all"]},
        "bad_priv": {"cluster": ["nope"]}
    }});
    let (s, b) = node.admin("POST", "/_security/role", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["created"], json!(["new_role"]));
    assert_eq!(b["updated"], json!(["changed"]));
    assert_eq!(b["noop"], json!(["same"]));
    assert_eq!(b["errors"]["count"], 2);
    let su = &b["errors"]["details"]["superuser"];
    assert_eq!(su["type"], "action_request_validation_exception");
    assert_eq!(
        su["reason"],
        "Validation Failed: 1: Role [superuser] is reserved and may not be used.;"
    );
    assert!(
        b["errors"]["details"]["bad_priv"]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown cluster privilege [nope]")
    );
    let (_, g) = node.admin("GET", "/_security/role/changed", None).await;
    assert_eq!(g["changed"]["cluster"], json!(["manage"]));

    let (s, b) = node
        .admin(
            "DELETE",
            "/_security/role",
            Some(json!({"names": ["new_role", "same", "missing", "kibana_system"]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["deleted"], json!(["new_role", "same"]));
    assert_eq!(b["not_found"], json!(["missing"]));
    assert_eq!(
        b["errors"]["details"]["kibana_system"]["reason"],
        "role [kibana_system] is reserved and cannot be deleted"
    );

    // A descriptor that does not parse fails the whole request.
    let (s, b) = node
        .admin(
            "POST",
            "/_security/role",
            Some(json!({"roles": {"x": {"cluster": ["all"]}, "y": {"nope": 1}}})),
        )
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "failed to parse role [y]. unexpected field [nope]")
    );
    let (s, _) = node.admin("GET", "/_security/role/x", None).await;
    assert_eq!(s, 404);
    let (s, b) = node
        .admin("DELETE", "/_security/role", Some(json!({"names": []})))
        .await;
    assert_eq!(
        (s, reason(&b)),
        (400, "Validation Failed: 1: role names are missing;")
    );
}

#[tokio::test]
async fn clear_roles_cache() {
    let node = TestNode::new();
    let (s, b) = node
        .admin("POST", "/_security/role/a,b/_clear_cache", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        b["_nodes"],
        json!({"total": 1, "successful": 1, "failed": 0})
    );
    assert_eq!(b["cluster_name"], "rampart");
    assert_eq!(b["nodes"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn role_changes_take_effect_for_users() {
    let node = TestNode::new();
    node.add_user("joe", "s3krit-password", &["admin_role"]);
    let joe = ("joe", "s3krit-password");
    let (s, _) = node.call_as(joe, "GET", "/_security/role", None).await;
    assert_eq!(s, 403);
    node.admin(
        "PUT",
        "/_security/role/admin_role",
        Some(json!({"cluster": ["all"]})),
    )
    .await;
    let (s, _) = node
        .call_as(
            joe,
            "PUT",
            "/_security/role/backwards_role",
            Some(json!({"indices": [{"privileges": ["all"], "names": "*"}]})),
        )
        .await;
    assert_eq!(s, 200);
    node.admin(
        "PUT",
        "/_security/role/admin_role",
        Some(json!({"cluster": ["monitor"]})),
    )
    .await;
    let (s, b) = node.call_as(joe, "GET", "/_security/role", None).await;
    assert_eq!(s, 403, "{b}");
}

#[tokio::test]
async fn role_manager_may_put_only_index_roles_within_its_patterns() {
    let node = TestNode::new();
    node.admin(
        "PUT",
        "/_security/role/role_manager",
        Some(json!({"global": {"role": {"manage": {"indices": [
        {"names": ["allowed-*"], "privileges": ["read", "write", "delete_index"]}]}}}})),
    )
    .await;
    node.add_user("mgr", "mgr-password", &["role_manager"]);
    let mgr = ("mgr", "mgr-password");

    let ok = json!({"indices": [{"names": ["allowed-1"], "privileges": ["read"]}]});
    let (s, b) = node
        .call_as(mgr, "PUT", "/_security/role/allowed-r1", Some(ok.clone()))
        .await;
    assert_eq!((s, b), (200, json!({"role": {"created": true}})));
    let (s, _) = node
        .call_as(
            mgr,
            "POST",
            "/_security/role",
            Some(json!({"roles": {"allowed-r2": ok}})),
        )
        .await;
    assert_eq!(s, 200);

    for denied in [
        json!({"indices": [{"names": ["other"], "privileges": ["read"]}]}),
        json!({"indices": [{"names": ["allowed-1"], "privileges": ["manage"]}]}),
        json!({"indices": [{"names": ["allowed-*", "x"], "privileges": ["read"]}]}),
        json!({"cluster": ["monitor"]}),
    ] {
        let (s, b) = node
            .call_as(mgr, "PUT", "/_security/role/allowed-r3", Some(denied))
            .await;
        assert_eq!(s, 403, "{b}");
        assert!(
            reason(&b).contains("cluster:admin/xpack/security/role/put"),
            "{b}"
        );
    }
    // Role names are checked as index names with `delete_index`.
    let (s, _) = node
        .call_as(
            mgr,
            "DELETE",
            "/_security/role",
            Some(json!({"names": ["allowed-r2", "other"]})),
        )
        .await;
    assert_eq!(s, 403);
    // Validation comes before authorization.
    let (s, _) = node
        .call_as(
            mgr,
            "PUT",
            "/_security/role/allowed-r3",
            Some(json!({"cluster": ["nope"]})),
        )
        .await;
    assert_eq!(s, 400);

    let (s, _) = node
        .call_as(mgr, "DELETE", "/_security/role/allowed-r1", None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(
            mgr,
            "DELETE",
            "/_security/role",
            Some(json!({"names": ["allowed-r2"]})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = node
        .call_as(mgr, "DELETE", "/_security/role/role_manager", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = node.call_as(mgr, "GET", "/_security/role", None).await;
    assert_eq!(s, 403);
}
