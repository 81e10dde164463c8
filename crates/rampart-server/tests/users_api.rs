#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Users, enable/disable, change-password and user query APIs, driven through the router.

mod common;

use common::{SUPERUSER, TestNode, reason};
use serde_json::{Value, json};

#[tokio::test]
async fn create_get_update_and_authenticate() {
    let n = TestNode::new();
    let body = json!({"password": "s3krit-password", "roles": ["superuser"], "full_name": "Bazooka Joe",
                      "email": "joe@bazooka.gum", "metadata": {"key1": "val1"}});
    let (s, b) = n.admin("PUT", "/_security/user/joe", Some(body)).await;
    assert_eq!((s, b), (200, json!({"created": true})));
    assert_eq!(n.health_status(("joe", "s3krit-password")).await, 200);

    let (s, b) = n.admin("GET", "/_security/user/joe", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"joe": {"username": "joe", "roles": ["superuser"], "full_name": "Bazooka Joe",
                       "email": "joe@bazooka.gum", "metadata": {"key1": "val1"}, "enabled": true}})
    );

    // Overwrite without a password keeps the old one; POST works like PUT.
    let (s, b) = n
        .admin(
            "POST",
            "/_security/user/joe",
            Some(json!({"roles": ["superuser", "foo"]})),
        )
        .await;
    assert_eq!((s, b), (200, json!({"created": false})));
    assert_eq!(n.health_status(("joe", "s3krit-password")).await, 200);
    let (_, b) = n.admin("GET", "/_security/user/joe", None).await;
    assert_eq!(b["joe"]["roles"], json!(["superuser", "foo"]));
    assert_eq!(b["joe"]["full_name"], Value::Null);
}

#[tokio::test]
async fn put_user_validation() {
    let n = TestNode::new();
    let cases = [
        (
            "joe",
            json!({"username": "joey", "password": "s3krit-password", "roles": []}),
            400,
            "[username] in source does not match the username provided [joe]",
        ),
        (
            "joe",
            json!({"password": "short", "roles": []}),
            400,
            "Validation Failed: 1: passwords must be at least [6] characters long;",
        ),
        (
            "joe",
            json!({"roles": []}),
            400,
            "Validation Failed: 1: password must be specified unless you are updating an existing user;",
        ),
        (
            "joe",
            json!({"password": "s3krit-password", "roles": [], "metadata": {"_x": 1}}),
            400,
            "Validation Failed: 1: metadata keys may not start with [_];",
        ),
        (
            "joe",
            json!({"password": "s3krit-password", "bogus": 1, "roles": []}),
            400,
            "failed to parse add user request. unexpected field [bogus]",
        ),
        (
            "joe",
            json!({"password_hash": "som3-1ong-passw0rd", "roles": []}),
            400,
            "The provided password hash could not be resolved to a known hash algorithm.",
        ),
        (
            "elastic",
            json!({"password": "s3krit-password", "roles": []}),
            400,
            "Validation Failed: 1: user [elastic] is reserved and only the password can be changed;",
        ),
        (
            "kibana_system",
            json!({"password": "s3krit-password", "roles": []}),
            400,
            "Validation Failed: 1: user [kibana_system] is reserved and only the password can be changed;",
        ),
        (
            "%20joe",
            json!({"password": "s3krit-password", "roles": []}),
            400,
            "Validation Failed: 1: User names must be at least 1 and no more than 507 characters.",
        ),
    ];
    for (name, body, status, msg) in cases {
        let (s, b) = n
            .admin("PUT", &format!("/_security/user/{name}"), Some(body))
            .await;
        assert_eq!(s, status, "{name}: {b}");
        assert!(reason(&b).starts_with(msg), "{name}: {b}");
    }
    let long = "a".repeat(508);
    let (s, _) = n
        .admin(
            "PUT",
            &format!("/_security/user/{long}"),
            Some(json!({"password": "s3krit-password", "roles": []})),
        )
        .await;
    assert_eq!(s, 400);
    // A valid bcrypt cost is required, too.
    let bad_cost = format!("$2a$03${}", "a".repeat(53));
    let (s, b) = n
        .admin(
            "PUT",
            "/_security/user/joe",
            Some(json!({"password_hash": bad_cost, "roles": []})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    // Validation comes before authorization: a user without privileges gets the 400.
    n.put_user("nobody", "s3krit-password", &[]).await;
    let (s, b) = n
        .call(
            "PUT",
            "/_security/user/x",
            ("nobody", "s3krit-password"),
            Some(json!({"password": "short", "roles": []})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = n
        .call(
            "PUT",
            "/_security/user/x",
            ("nobody", "s3krit-password"),
            Some(json!({"password": "longenough", "roles": []})),
        )
        .await;
    assert_eq!(s, 403, "{b}");
    assert!(
        reason(&b).contains("cluster:admin/xpack/security/user/put"),
        "{b}"
    );
}

#[tokio::test]
async fn password_hash_from_another_user_authenticates() {
    let n = TestNode::new();
    n.put_user("bob", "correct horse battery staple", &[]).await;
    let hash = n
        .state
        .store
        .get_user("bob")
        .unwrap()
        .unwrap()
        .password_hash;
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/joe",
            Some(json!({"password_hash": hash, "roles": ["superuser"]})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, b) = n
        .call(
            "GET",
            "/_security/_authenticate",
            ("joe", "correct horse battery staple"),
            None,
        )
        .await;
    assert_eq!((s, b["username"].clone()), (200, json!("joe")));
    assert_eq!(n.health_status(("joe", "s3krit-password")).await, 401);
    // A PBKDF2 hash in ES's format is accepted as well.
    let pbkdf2 = "{PBKDF2}50000$SGRCCCwQ9vz105opttTJAQ==$9FVXEWMXeiwlFTwbvkiQ6h0vN3REnWvukzWlle7ql8QosHdusRhFMBWhRjM7CLFZzq/owGhFh5BmrXRkO6IHZA==";
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/pre_hashed_user2",
            Some(json!({"password_hash": pbkdf2, "roles": ["superuser"]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        n.health_status(("pre_hashed_user2", "pre_hashed_user2-password"))
            .await,
        200
    );
}

#[tokio::test]
async fn list_users_reserved_first_and_missing_is_bare_404() {
    let n = TestNode::new();
    n.put_user("alice", "s3krit-password", &["viewer"]).await;
    let (s, b) = n.admin("GET", "/_security/user", None).await;
    assert_eq!(s, 200);
    let names: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "elastic",
            "kibana",
            "kibana_system",
            "logstash_system",
            "beats_system",
            "apm_system",
            "remote_monitoring_user",
            "alice"
        ]
    );
    assert_eq!(b["elastic"]["metadata"], json!({"_reserved": true}));
    assert_eq!(b["elastic"]["roles"], json!(["superuser"]));

    let (s, b) = n
        .admin("GET", "/_security/user/alice,elastic,ghost", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b.as_object().unwrap().len(), 2, "{b}");
    let (s, b) = n
        .admin("GET", "/_security/user/ghost?with_profile_uid=true", None)
        .await;
    assert_eq!((s, b), (404, json!({})));
}

#[tokio::test]
async fn delete_users() {
    let n = TestNode::new();
    n.put_user("joe", "s3krit-password", &[]).await;
    assert_eq!(
        n.admin("DELETE", "/_security/user/joe", None).await,
        (200, json!({"found": true}))
    );
    assert_eq!(
        n.admin("DELETE", "/_security/user/joe", None).await,
        (404, json!({"found": false}))
    );
    let (s, b) = n.admin("DELETE", "/_security/user/elastic", None).await;
    assert_eq!(s, 400);
    assert_eq!(
        reason(&b),
        "user [elastic] is reserved and cannot be deleted"
    );
    assert_eq!(n.health_status(("joe", "s3krit-password")).await, 401);
}

#[tokio::test]
async fn enable_disable_native_and_reserved_users() {
    let n = TestNode::new();
    n.put_user("joe", "s3krit-password", &["superuser"]).await;
    let joe = ("joe", "s3krit-password");
    assert_eq!(n.health_status(joe).await, 200);
    assert_eq!(
        n.admin("PUT", "/_security/user/joe/_disable", None).await,
        (200, json!({}))
    );
    assert_eq!(n.health_status(joe).await, 401);
    assert_eq!(
        n.admin("POST", "/_security/user/joe/_disable", None)
            .await
            .0,
        200
    );
    let (_, b) = n.admin("GET", "/_security/user/joe", None).await;
    assert_eq!(b["joe"]["enabled"], json!(false));
    assert_eq!(
        n.admin("POST", "/_security/user/joe/_enable", None).await,
        (200, json!({}))
    );
    assert_eq!(n.health_status(joe).await, 200);

    // Users cannot flip their own status.
    let (s, b) = n
        .call("PUT", "/_security/user/joe/_disable", joe, None)
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        reason(&b),
        "users may not update the enabled status of their own account"
    );

    // Reserved users: the stored flag flips, the password stays.
    assert_eq!(
        n.call("PUT", "/_security/user/elastic/_disable", joe, None)
            .await
            .0,
        200
    );
    assert_eq!(n.health_status(SUPERUSER).await, 401);
    let (_, b) = n.call("GET", "/_security/user/elastic", joe, None).await;
    assert_eq!(b["elastic"]["enabled"], json!(false));
    assert_eq!(
        n.call("PUT", "/_security/user/elastic/_enable", joe, None)
            .await
            .0,
        200
    );
    assert_eq!(n.health_status(SUPERUSER).await, 200);

    // Created disabled: cannot log in until enabled.
    let (s, _) = n
        .admin(
            "PUT",
            "/_security/user/ann",
            Some(json!({"password": "s3krit-password", "roles": [], "enabled": false})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(n.health_status(("ann", "s3krit-password")).await, 401);
    assert_eq!(
        n.admin("PUT", "/_security/user/ghost/_enable", None)
            .await
            .0,
        404
    );
}
