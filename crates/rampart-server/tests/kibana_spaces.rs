#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The Spaces API over HTTP: validation, the default space, authorization messages, purposes
//! and the `/s/{space}` prefix.

mod common;
mod kibana_support;

use kibana_support::{KibanaNode, is_kibana_error};
use serde_json::{Value, json};

fn ids(b: &Value) -> Vec<String> {
    b.as_array()
        .unwrap_or_else(|| panic!("not a list: {b}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn crud_round_trip_and_default_space() {
    let k = KibanaNode::new();
    let (s, b) = k.admin("GET", "/api/spaces/space/default", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b,
        json!({"id": "default", "name": "Default", "description": "This is your default space!",
               "color": "#00bfb3", "disabledFeatures": [], "_reserved": true})
    );
    let space = json!({"id": "marketing", "name": "  Marketing ", "initials": "MK", "color": "#aabbcc",
                       "disabledFeatures": ["dashboard"], "_reserved": true});
    let (s, b) = k
        .admin("POST", "/api/spaces/space", Some(space.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["name"], "Marketing");
    assert!(
        b.get("_reserved").is_none(),
        "_reserved is never taken from input"
    );
    let (s, b) = k.admin("POST", "/api/spaces/space", Some(space)).await;
    assert_eq!(s, 409);
    assert_eq!(
        b["message"],
        "A space with the identifier marketing already exists."
    );
    // Update: the path id wins.
    let (s, b) = k
        .admin(
            "PUT",
            "/api/spaces/space/marketing",
            Some(json!({"id": "other", "name": "Mkt", "solution": "oblt"})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["id"], "marketing");
    assert_eq!(b["solution"], "oblt");
    // The oblt solution view replaces disabledFeatures with the security-solution features.
    assert!(
        b["disabledFeatures"]
            .as_array()
            .unwrap()
            .contains(&json!("siem")),
        "{b}"
    );
    let (_, list) = k.admin("GET", "/api/spaces/space", None).await;
    assert_eq!(ids(&list), ["default", "marketing"]);
    let (s, _) = k
        .admin(
            "PUT",
            "/api/spaces/space/ghost",
            Some(json!({"id": "ghost", "name": "G"})),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        k.admin("DELETE", "/api/spaces/space/marketing", None)
            .await
            .0,
        204
    );
    let (s, b) = k.admin("GET", "/api/spaces/space/marketing", None).await;
    assert_eq!(s, 404);
    assert_eq!(b["message"], "Saved object [space/marketing] not found");
    let (s, b) = k.admin("DELETE", "/api/spaces/space/default", None).await;
    assert_eq!(s, 400);
    assert_eq!(
        b["message"],
        "The default space cannot be deleted because it is reserved."
    );
}

#[tokio::test]
async fn every_space_validation_message() {
    let k = KibanaNode::new();
    let cases = [
        (
            json!({"name": "x"}),
            "[request body.id]: expected value of type [string] but got [undefined]",
        ),
        (
            json!({"id": "Bad Id", "name": "x"}),
            "[request body.id]: must be lower case, a-z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!({"id": "a"}),
            "[request body.name]: expected value of type [string] but got [undefined]",
        ),
        (
            json!({"id": "a", "name": ""}),
            "[request body.name]: value has length [0] but it must have a minimum length of [1].",
        ),
        (
            json!({"id": "a", "name": "x", "initials": "abc"}),
            "[request body.initials]: value has length [3] but it must have a maximum length of [2].",
        ),
        (
            json!({"id": "a", "name": "x", "color": "red"}),
            "[request body.color]: must be a 6 digit hex color, starting with a #",
        ),
        (
            json!({"id": "a", "name": "x", "imageUrl": "http://x"}),
            "[request body.imageUrl]: must start with 'data:image'",
        ),
        (
            json!({"id": "a", "name": "x", "solution": "nope"}),
            "[request body.solution]: types that failed validation: expected one of [es, oblt, security, classic]",
        ),
        (
            json!({"id": "a", "name": "x", "solution": ""}),
            "Unable to create Space, solution property cannot be empty",
        ),
        (
            json!({"id": "a", "name": "x", "disabledFeatures": vec!["f"; 101]}),
            "[request body.disabledFeatures]: array size is [101], but cannot be greater than [100]",
        ),
    ];
    for (body, message) in cases {
        let (s, b) = k
            .admin("POST", "/api/spaces/space", Some(body.clone()))
            .await;
        assert_eq!(s, 400, "{body}: {b}");
        assert!(is_kibana_error(&b, 400));
        assert_eq!(b["message"], message, "{body}");
    }
}

#[tokio::test]
async fn space_management_needs_global_all() {
    let k = KibanaNode::new();
    k.put_space("sales", &[]).await;
    k.put_role(
        "sales_all",
        json!({"elasticsearch": {}, "kibana": [{"base": ["all"], "spaces": ["sales"]}]}),
    )
    .await;
    let u = k.user("seller", &["sales_all"]);
    let body = json!({"id": "new", "name": "New"});
    let (s, b) = k
        .call(u, "POST", "/api/spaces/space", Some(body.clone()))
        .await;
    assert_eq!(s, 403);
    assert_eq!(b["message"], "Unauthorized to create spaces");
    let (s, b) = k
        .call(
            u,
            "PUT",
            "/api/spaces/space/sales",
            Some(json!({"id": "sales", "name": "S"})),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(b["message"], "Unauthorized to update spaces");
    let (s, b) = k.call(u, "DELETE", "/api/spaces/space/sales", None).await;
    assert_eq!(s, 403);
    assert_eq!(b["message"], "Unauthorized to delete spaces");
    let (s, b) = k.call(u, "GET", "/api/spaces/space/default", None).await;
    assert_eq!(s, 403);
    assert_eq!(b["message"], "Unauthorized to get default space");
    assert_eq!(
        k.call(u, "GET", "/api/spaces/space/sales", None).await.0,
        200
    );
    let admin = k.user("kadmin", &["kibana_admin"]);
    assert_eq!(
        k.call(admin, "POST", "/api/spaces/space", Some(body))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn listing_returns_only_usable_spaces_per_purpose() {
    let k = KibanaNode::new();
    for s in ["a", "b", "c"] {
        k.put_space(s, &[]).await;
    }
    k.put_role(
        "mixed",
        json!({"elasticsearch": {}, "kibana": [
            {"base": ["read"], "spaces": ["a"]},
            {"feature": {"savedObjectsManagement": ["all"]}, "spaces": ["b"]}
        ]}),
    )
    .await;
    let u = k.user("mixer", &["mixed"]);
    let (s, b) = k.call(u, "GET", "/api/spaces/space", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(ids(&b), ["a", "b"]);
    for (purpose, expected) in [
        ("any", &["a", "b"][..]),
        ("copySavedObjectsIntoSpace", &["b"]),
        ("shareSavedObjectsIntoSpace", &["b"]),
    ] {
        let uri = format!("/api/spaces/space?purpose={purpose}");
        let (_, b) = k.call(u, "GET", &uri, None).await;
        assert_eq!(ids(&b), expected, "{purpose}");
    }
    let (_, b) = k
        .call(
            u,
            "GET",
            "/api/spaces/space?include_authorized_purposes=true",
            None,
        )
        .await;
    assert_eq!(ids(&b), ["a", "b"]);
    assert_eq!(
        b[1]["authorizedPurposes"],
        // Every feature privilege reads `config` (Kibana's automatic grants).
        json!({"any": true, "copySavedObjectsIntoSpace": true, "findSavedObjects": true, "shareSavedObjectsIntoSpace": true})
    );
    assert_eq!(b[0]["authorizedPurposes"]["any"], true);
    // A read-only space (base `read`) may be used to find saved objects.
    assert_eq!(b[0]["authorizedPurposes"]["findSavedObjects"], true);
    assert_eq!(
        b[0]["authorizedPurposes"]["copySavedObjectsIntoSpace"],
        false
    );
    assert_eq!(
        b[0]["authorizedPurposes"]["shareSavedObjectsIntoSpace"],
        false
    );
    let (s, b) = k
        .call(
            u,
            "GET",
            "/api/spaces/space?purpose=any&include_authorized_purposes=true",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["message"],
        "include_authorized_purposes can only be false when purpose is specified"
    );
    let (s, _) = k
        .call(u, "GET", "/api/spaces/space?purpose=bogus", None)
        .await;
    assert_eq!(s, 400);
    let nobody = k.user("nobody", &[]);
    let (s, b) = k.call(nobody, "GET", "/api/spaces/space", None).await;
    assert_eq!(s, 403, "{b}");
    // Spaces are global: the /s/ prefix does not change the listing.
    let (_, b) = k.call(u, "GET", "/s/a/api/spaces/space", None).await;
    assert_eq!(ids(&b), ["a", "b"]);
}

#[tokio::test]
async fn max_spaces_setting_is_enforced() {
    let node = common::TestNode::with_settings(&[("xpack.spaces.maxSpaces", "2")]);
    rampart_server::kibana::bootstrap(&node.state).unwrap();
    let k = KibanaNode {
        kibana: rampart_server::kibana::kibana_app(std::sync::Arc::clone(&node.state)),
        node,
    };
    k.put_space("one", &[]).await;
    let (s, b) = k
        .admin(
            "POST",
            "/api/spaces/space",
            Some(json!({"id": "two", "name": "two"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        b["message"],
        "Unable to create Space, this exceeds the maximum number of spaces set by the xpack.spaces.maxSpaces setting"
    );
}
