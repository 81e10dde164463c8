#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The change-password API: own password through the default role, others' with
//! manage_security, reserved users' hashes in reserved-user state.

mod common;

use common::{SUPERUSER, TestNode, reason};
use serde_json::json;

#[tokio::test]
async fn change_passwords() {
    let n = TestNode::new();
    n.put_user("joe", "s3krit-password", &["superuser"]).await;
    n.state
        .store
        .put_role(
            "user",
            &json!({"cluster": ["monitor"], "indices": [{"names": "*", "privileges": ["all"]}]}),
        )
        .unwrap();
    n.put_user("unprivileged_user", "s3krit-password", &["user"])
        .await;
    let unpriv = ("unprivileged_user", "s3krit-password");

    // Another user's password needs manage_security.
    let (s, b) = n
        .call(
            "PUT",
            "/_security/user/joe/_password",
            unpriv,
            Some(json!({"password": "s3krit-password2"})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("cluster:admin/xpack/security/user/change_password"),
        "{b}"
    );

    // One's own password needs nothing (both path forms).
    let (s, b) = n
        .call(
            "POST",
            "/_security/user/_password",
            unpriv,
            Some(json!({"password": "s3krit-password2"})),
        )
        .await;
    assert_eq!((s, b), (200, json!({})));
    assert_eq!(n.health_status(unpriv).await, 401);
    let unpriv2 = ("unprivileged_user", "s3krit-password2");
    assert_eq!(n.health_status(unpriv2).await, 200);
    let (s, _) = n
        .call(
            "PUT",
            "/_security/user/unprivileged_user/_password",
            unpriv2,
            Some(json!({"password": "s3krit-password3"})),
        )
        .await;
    assert_eq!(s, 200);

    // An admin sets someone else's password, as a hash too.
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/joe/_password",
            Some(json!({"password": "s3krit-password2"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(n.health_status(("joe", "s3krit-password")).await, 401);
    assert_eq!(n.health_status(("joe", "s3krit-password2")).await, 200);
    let hash = "{PBKDF2}10000$1v0C1l5iSn0=$lPJcWRh+eOF/8ti+NOgUTQ==";
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/joe/_password",
            Some(json!({"password_hash": hash})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(n.health_status(("joe", "s3krit-password2")).await, 401);

    // Errors.
    let cases = [
        (
            json!({"password": "short"}),
            "Validation Failed: 1: passwords must be at least [6] characters long;",
        ),
        (
            json!({"password_hash": "som3-1ong-passw0rd"}),
            "The provided password hash could not be resolved to a known hash algorithm.",
        ),
        (json!({}), "Validation Failed: 1: password is missing;"),
        (
            json!({"pass": "x"}),
            "failed to parse change password request. unexpected field [pass]",
        ),
    ];
    for (body, msg) in cases {
        let unpriv3 = ("unprivileged_user", "s3krit-password3");
        let (s, b) = n
            .call("PUT", "/_security/user/_password", unpriv3, Some(body))
            .await;
        assert_eq!((s, reason(&b)), (400, msg), "{b}");
    }
    let (s, b) = n
        .admin(
            "PUT",
            "/_security/user/ghost/_password",
            Some(json!({"password": "s3krit-password"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        reason(&b),
        "Validation Failed: 1: user must exist in order to change password;"
    );
}

#[tokio::test]
async fn reserved_user_passwords_are_stored_in_reserved_state() {
    let n = TestNode::new();
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/kibana_system/_password",
            Some(json!({"password": "kibana-password"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = n
        .call(
            "GET",
            "/_security/_authenticate",
            ("kibana_system", "kibana-password"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["authentication_realm"]["type"], json!("reserved"));
    assert!(n.state.store.get_user("kibana_system").unwrap().is_none());

    // elastic changes its own password without any extra privilege rule getting in the way.
    let (s, _) = n
        .admin(
            "POST",
            "/_security/user/_password",
            Some(json!({"password": "new-elastic-password"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(n.health_status(SUPERUSER).await, 401);
    assert_eq!(
        n.health_status(("elastic", "new-elastic-password")).await,
        200
    );
}
