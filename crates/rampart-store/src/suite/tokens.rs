//! OAuth2 tokens and service-account tokens.

use std::sync::{Arc, Barrier};
use std::thread;

use super::{Case, sample_token};
use crate::error::StoreError;
use crate::records::{ServiceTokenRecord, TokenInvalidation, TokenSelector};
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    ("token create and lookups", token_create_and_lookups),
    ("refresh token is single use", refresh_token_single_use),
    (
        "refresh token single use across threads",
        refresh_token_race,
    ),
    ("token invalidation selectors", token_invalidation_selectors),
    ("service tokens", service_tokens),
];

fn token_create_and_lookups(store: Arc<dyn SecurityStore>) {
    let token = sample_token("acc1", "alice");
    store.create_token(&token).unwrap();
    assert_eq!(
        store.get_token_by_access("acc1").unwrap(),
        Some(token.clone())
    );
    assert_eq!(
        store.get_token_by_refresh("refresh-acc1").unwrap(),
        Some(token.clone())
    );
    assert_eq!(store.get_token_by_access("refresh-acc1").unwrap(), None);
    assert_eq!(store.get_token_by_refresh("acc1").unwrap(), None);

    let same_access = store.create_token(&token);
    assert!(
        matches!(same_access, Err(StoreError::Conflict(_))),
        "{same_access:?}"
    );
    let mut same_refresh = sample_token("acc2", "alice");
    same_refresh.refresh_hash = token.refresh_hash.clone();
    assert!(matches!(
        store.create_token(&same_refresh),
        Err(StoreError::Conflict(_))
    ));

    // Tokens without a refresh token (client credentials) do not clash with each other.
    for access in ["cc1", "cc2"] {
        let mut no_refresh = sample_token(access, "svc");
        no_refresh.refresh_hash = None;
        store.create_token(&no_refresh).unwrap();
        assert_eq!(store.get_token_by_access(access).unwrap(), Some(no_refresh));
    }
}

fn refresh_token_single_use(store: Arc<dyn SecurityStore>) {
    let token = sample_token("acc", "alice");
    store.create_token(&token).unwrap();
    let used = store.use_refresh_token("refresh-acc").unwrap();
    assert_eq!(used.access_hash, "acc");
    assert!(
        store
            .get_token_by_refresh("refresh-acc")
            .unwrap()
            .unwrap()
            .refresh_used
    );
    let again = store.use_refresh_token("refresh-acc");
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let unknown = store.use_refresh_token("nope");
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );

    store.create_token(&sample_token("acc2", "alice")).unwrap();
    store
        .invalidate_tokens(&TokenSelector::AccessHash("acc2".to_owned()))
        .unwrap();
    let invalidated = store.use_refresh_token("refresh-acc2");
    assert!(
        matches!(invalidated, Err(StoreError::Conflict(_))),
        "{invalidated:?}"
    );
}

fn refresh_token_race(store: Arc<dyn SecurityStore>) {
    for round in 0..20 {
        let access = format!("race{round}");
        store.create_token(&sample_token(&access, "alice")).unwrap();
        let refresh = format!("refresh-{access}");
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let (store, barrier, refresh) = (store.clone(), barrier.clone(), refresh.clone());
                thread::spawn(move || {
                    barrier.wait();
                    store.use_refresh_token(&refresh)
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {results:?}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(StoreError::Conflict(_)))),
            "round {round}: {results:?}"
        );
    }
}

fn token_invalidation_selectors(store: Arc<dyn SecurityStore>) {
    let mut tokens = vec![
        sample_token("a1", "alice"),
        sample_token("a2", "alice"),
        sample_token("b1", "bob"),
        sample_token("c1", "carol"),
    ];
    tokens[3].realm_name = "ldap1".to_owned();
    for token in &tokens {
        store.create_token(token).unwrap();
    }
    let count = |invalidated, previously_invalidated| TokenInvalidation {
        invalidated,
        previously_invalidated,
    };
    let invalidate = |selector| store.invalidate_tokens(&selector).unwrap();

    assert_eq!(
        invalidate(TokenSelector::AccessHash("a1".to_owned())),
        count(1, 0)
    );
    assert_eq!(
        invalidate(TokenSelector::AccessHash("a1".to_owned())),
        count(0, 1)
    );
    assert!(
        store
            .get_token_by_access("a1")
            .unwrap()
            .unwrap()
            .invalidated
    );
    assert_eq!(
        invalidate(TokenSelector::AccessHash("zz".to_owned())),
        count(0, 0)
    );
    assert_eq!(
        invalidate(TokenSelector::Username("alice".to_owned())),
        count(1, 1)
    );
    assert_eq!(
        invalidate(TokenSelector::Realm {
            realm_name: "native1".to_owned(),
            username: Some("nobody".to_owned())
        }),
        count(0, 0)
    );
    assert_eq!(
        invalidate(TokenSelector::Realm {
            realm_name: "native1".to_owned(),
            username: None
        }),
        count(1, 2)
    );
    assert!(
        !store
            .get_token_by_access("c1")
            .unwrap()
            .unwrap()
            .invalidated,
        "other realm"
    );
    assert_eq!(
        invalidate(TokenSelector::Realm {
            realm_name: "ldap1".to_owned(),
            username: Some("carol".to_owned())
        }),
        count(1, 0)
    );
    store.create_token(&sample_token("d1", "dave")).unwrap();
    assert_eq!(
        invalidate(TokenSelector::RefreshHash("refresh-d1".to_owned())),
        count(1, 0)
    );
    assert!(
        store
            .get_token_by_access("d1")
            .unwrap()
            .unwrap()
            .invalidated
    );
}

fn service_token(service: &str, name: &str) -> ServiceTokenRecord {
    ServiceTokenRecord {
        namespace: "elastic".to_owned(),
        service: service.to_owned(),
        name: name.to_owned(),
        hash: format!("hash-{service}-{name}"),
        creation_ms: 1_000,
    }
}

fn service_tokens(store: Arc<dyn SecurityStore>) {
    for (service, name) in [
        ("fleet-server", "t2"),
        ("fleet-server", "t1"),
        ("kibana", "t1"),
    ] {
        store
            .create_service_token(&service_token(service, name))
            .unwrap();
    }
    let again = store.create_service_token(&service_token("kibana", "t1"));
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    let fleet = store
        .list_service_tokens("elastic", "fleet-server")
        .unwrap();
    assert_eq!(
        fleet,
        vec![
            service_token("fleet-server", "t1"),
            service_token("fleet-server", "t2")
        ]
    );
    assert!(
        store
            .list_service_tokens("other", "fleet-server")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.get_service_token("elastic", "kibana", "t1").unwrap(),
        Some(service_token("kibana", "t1"))
    );
    assert_eq!(
        store.get_service_token("elastic", "kibana", "t2").unwrap(),
        None
    );

    assert!(
        store
            .delete_service_token("elastic", "fleet-server", "t1")
            .unwrap()
    );
    assert!(
        !store
            .delete_service_token("elastic", "fleet-server", "t1")
            .unwrap()
    );
    assert_eq!(
        store
            .list_service_tokens("elastic", "fleet-server")
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .get_service_token("elastic", "kibana", "t1")
            .unwrap()
            .is_some()
    );
}
