//! The global revision, reset, and what concurrent readers may observe.

use std::sync::Arc;
use std::thread;

use serde_json::json;

use super::{Case, sample_api_key, sample_token, sample_user, strings};
use crate::records::{AppPrivilegeDoc, ReservedUserState, ServiceTokenRecord, TokenSelector};
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    (
        "revision rises on every write",
        revision_rises_on_every_write,
    ),
    (
        "reset keeps only the listed users",
        reset_keeps_listed_users,
    ),
    (
        "readers never see half a bulk write",
        readers_never_see_half_a_bulk_write,
    ),
];

type Write = (&'static str, Box<dyn Fn(&dyn SecurityStore)>);

fn revision_rises_on_every_write(store: Arc<dyn SecurityStore>) {
    let privilege = AppPrivilegeDoc {
        application: "app".to_owned(),
        name: "read".to_owned(),
        doc: json!({"actions": ["r"]}),
    };
    let service_token = ServiceTokenRecord {
        namespace: "elastic".to_owned(),
        service: "kibana".to_owned(),
        name: "t".to_owned(),
        hash: "h".to_owned(),
        creation_ms: 0,
    };
    let writes: Vec<Write> = vec![
        (
            "put_user",
            Box::new(|s| assert!(s.put_user(&sample_user("u")).unwrap())),
        ),
        (
            "put_user again",
            Box::new(|s| assert!(!s.put_user(&sample_user("u")).unwrap())),
        ),
        (
            "set_user_enabled",
            Box::new(|s| assert!(s.set_user_enabled("u", false).unwrap())),
        ),
        (
            "set_user_password",
            Box::new(|s| assert!(s.set_user_password("u", "x").unwrap())),
        ),
        (
            "delete_user",
            Box::new(|s| assert!(s.delete_user("u").unwrap())),
        ),
        (
            "put_reserved_user",
            Box::new(|s| {
                let state = ReservedUserState {
                    username: "elastic".to_owned(),
                    password_hash: None,
                    enabled: false,
                };
                s.put_reserved_user(&state).unwrap();
            }),
        ),
        (
            "put_role",
            Box::new(|s| assert!(s.put_role("r", &json!({})).unwrap())),
        ),
        (
            "put_roles",
            Box::new(|s| {
                s.put_roles(&[("r2".to_owned(), json!({}))])
                    .map(drop)
                    .unwrap()
            }),
        ),
        (
            "delete_roles",
            Box::new(|s| assert_eq!(s.delete_roles(&strings(&["r2"])).unwrap().len(), 1)),
        ),
        (
            "delete_role",
            Box::new(|s| assert!(s.delete_role("r").unwrap())),
        ),
        (
            "put_role_mapping",
            Box::new(|s| assert!(s.put_role_mapping("m", &json!({})).unwrap())),
        ),
        (
            "delete_role_mapping",
            Box::new(|s| assert!(s.delete_role_mapping("m").unwrap())),
        ),
        (
            "put_privileges",
            Box::new(move |s| {
                s.put_privileges(std::slice::from_ref(&privilege))
                    .map(drop)
                    .unwrap()
            }),
        ),
        (
            "delete_privileges",
            Box::new(|s| {
                assert_eq!(
                    s.delete_privileges("app", &strings(&["read"]))
                        .unwrap()
                        .len(),
                    1
                )
            }),
        ),
        (
            "create_api_key",
            Box::new(|s| s.create_api_key(&sample_api_key("k", None, "u")).unwrap()),
        ),
        (
            "update_api_key",
            Box::new(|s| {
                s.update_api_key(&sample_api_key("k", None, "u"), 1)
                    .map(drop)
                    .unwrap()
            }),
        ),
        (
            "invalidate_api_keys",
            Box::new(|s| {
                assert_eq!(
                    s.invalidate_api_keys(&strings(&["k"]), 5)
                        .unwrap()
                        .invalidated
                        .len(),
                    1
                )
            }),
        ),
        (
            "create_token",
            Box::new(|s| s.create_token(&sample_token("t", "u")).unwrap()),
        ),
        (
            "use_refresh_token",
            Box::new(|s| s.use_refresh_token("refresh-t").map(drop).unwrap()),
        ),
        (
            "invalidate_tokens",
            Box::new(|s| {
                assert_eq!(
                    s.invalidate_tokens(&TokenSelector::Username("u".to_owned()))
                        .unwrap()
                        .invalidated,
                    1
                )
            }),
        ),
        (
            "create_service_token",
            Box::new(move |s| s.create_service_token(&service_token).unwrap()),
        ),
        (
            "delete_service_token",
            Box::new(|s| assert!(s.delete_service_token("elastic", "kibana", "t").unwrap())),
        ),
        ("reset", Box::new(|s| s.reset(&[]).unwrap())),
    ];
    let mut last = store.revision().unwrap();
    for (name, write) in &writes {
        write(store.as_ref());
        let now = store.revision().unwrap();
        assert!(now > last, "{name}: revision {last} -> {now}");
        last = now;
        // Reads never move the revision.
        store.list_users().unwrap();
        store.list_roles().unwrap();
        assert_eq!(store.revision().unwrap(), last, "read after {name}");
    }
    // Writes that fail leave it alone.
    assert!(store.create_token(&sample_token("t2", "u")).is_ok());
    let before = store.revision().unwrap();
    assert!(store.create_token(&sample_token("t2", "u")).is_err());
    assert!(store.use_refresh_token("nope").is_err());
    assert_eq!(store.revision().unwrap(), before);
}

fn reset_keeps_listed_users(store: Arc<dyn SecurityStore>) {
    for name in ["alice", "bob", "carol"] {
        store.put_user(&sample_user(name)).unwrap();
    }
    let reserved = ReservedUserState {
        username: "elastic".to_owned(),
        password_hash: Some("h".to_owned()),
        enabled: true,
    };
    store.put_reserved_user(&reserved).unwrap();
    store.put_role("r", &json!({})).unwrap();
    store.put_role_mapping("m", &json!({})).unwrap();
    let privilege = AppPrivilegeDoc {
        application: "a".to_owned(),
        name: "p".to_owned(),
        doc: json!({}),
    };
    store.put_privileges(&[privilege]).unwrap();
    store
        .create_api_key(&sample_api_key("live", None, "alice"))
        .unwrap();
    store
        .create_api_key(&sample_api_key("dead", None, "alice"))
        .unwrap();
    store.invalidate_api_keys(&strings(&["dead"]), 1).unwrap();
    store.create_token(&sample_token("t", "alice")).unwrap();
    let service_token = ServiceTokenRecord {
        namespace: "elastic".to_owned(),
        service: "kibana".to_owned(),
        name: "t".to_owned(),
        hash: "h".to_owned(),
        creation_ms: 0,
    };
    store.create_service_token(&service_token).unwrap();

    store
        .reset(&strings(&["alice", "carol", "not-a-user"]))
        .unwrap();

    let users: Vec<String> = store
        .list_users()
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(users, ["alice", "carol"]);
    assert_eq!(
        store.get_user("alice").unwrap(),
        Some(sample_user("alice")),
        "kept intact"
    );
    assert!(store.list_reserved_users().unwrap().is_empty());
    assert!(store.list_roles().unwrap().is_empty());
    assert!(store.list_role_mappings().unwrap().is_empty());
    assert!(store.list_privileges().unwrap().is_empty());
    assert!(
        store.find_api_keys(&Default::default()).unwrap().is_empty(),
        "invalidated too"
    );
    assert_eq!(store.get_token_by_access("t").unwrap(), None);
    assert!(
        store
            .list_service_tokens("elastic", "kibana")
            .unwrap()
            .is_empty()
    );

    store.reset(&[]).unwrap();
    assert!(store.list_users().unwrap().is_empty());
}

/// A writer replaces a 40-role set by bulk puts, each round stamping every role with its
/// round number; a reader checks that every listing it takes is one complete round.
fn readers_never_see_half_a_bulk_write(store: Arc<dyn SecurityStore>) {
    const ROLES: usize = 40;
    const ROUNDS: usize = 30;
    let writer_store = store.clone();
    let writer = thread::spawn(move || {
        for round in 0..ROUNDS {
            let roles: Vec<_> = (0..ROLES)
                .map(|i| (format!("role{i:02}"), json!({"round": round})))
                .collect();
            writer_store.put_roles(&roles).unwrap();
        }
    });
    let mut listings = 0;
    loop {
        let writer_done = writer.is_finished();
        let roles = store.list_roles().unwrap();
        if !roles.is_empty() {
            assert_eq!(roles.len(), ROLES, "half a bulk put was visible");
            let round = &roles[0].doc["round"];
            assert!(
                roles.iter().all(|r| &r.doc["round"] == round),
                "mixed rounds visible"
            );
        }
        listings += 1;
        if writer_done {
            break;
        }
    }
    writer.join().unwrap();
    assert!(listings > 0);
    let last = store.list_roles().unwrap();
    assert!(last.iter().all(|r| r.doc["round"] == json!(ROUNDS - 1)));
}
