//! API keys: creation, filters, optimistic updates and invalidation.

use std::sync::Arc;

use serde_json::json;

use super::{Case, sample_api_key, strings};
use crate::error::StoreError;
use crate::records::{ApiKeyFilter, ApiKeyRecord};
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    ("api key create and get", api_key_create_and_get),
    ("api key filters", api_key_filters),
    ("api key name patterns", api_key_name_patterns),
    ("api key optimistic update", api_key_optimistic_update),
    ("api key invalidation", api_key_invalidation),
];

fn ids(keys: Vec<ApiKeyRecord>) -> Vec<String> {
    keys.into_iter().map(|k| k.id).collect()
}

fn api_key_create_and_get(store: Arc<dyn SecurityStore>) {
    let mut key = sample_api_key("k1", Some("my-key"), "alice");
    key.version = 42;
    key.expiration_ms = Some(99_000);
    key.key_type = "cross_cluster".to_owned();
    store.create_api_key(&key).unwrap();
    let stored = store.get_api_key("k1").unwrap().unwrap();
    assert_eq!(stored.version, 1, "new keys start at version 1");
    assert_eq!(
        stored,
        ApiKeyRecord {
            version: 1,
            ..key.clone()
        }
    );

    let again = store.create_api_key(&key);
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.get_api_key("missing").unwrap(), None);

    let unnamed = sample_api_key("k2", None, "alice");
    store.create_api_key(&unnamed).unwrap();
    assert_eq!(store.get_api_key("k2").unwrap().unwrap().name, None);
}

fn api_key_filters(store: Arc<dyn SecurityStore>) {
    let mut keys = [
        sample_api_key("a", Some("one"), "alice"),
        sample_api_key("b", Some("two"), "alice"),
        sample_api_key("c", Some("one"), "bob"),
        sample_api_key("d", None, "bob"),
    ];
    keys[2].realm_name = "ldap1".to_owned();
    keys[1].expiration_ms = Some(5_000);
    for (creation, key) in keys.iter_mut().enumerate() {
        key.creation_ms = 1_000 + creation as i64;
        store.create_api_key(key).unwrap();
    }
    store.invalidate_api_keys(&strings(&["d"]), 2_000).unwrap();

    let find = |filter: ApiKeyFilter| ids(store.find_api_keys(&filter).unwrap());
    assert_eq!(
        find(ApiKeyFilter::default()),
        ["a", "b", "c", "d"],
        "all, oldest first"
    );
    assert_eq!(
        find(ApiKeyFilter {
            ids: Some(strings(&["d", "a", "zz"])),
            ..Default::default()
        }),
        ["a", "d"]
    );
    assert!(
        find(ApiKeyFilter {
            ids: Some(vec![]),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(
        find(ApiKeyFilter {
            username: Some("bob".to_owned()),
            ..Default::default()
        }),
        ["c", "d"]
    );
    assert_eq!(
        find(ApiKeyFilter {
            realm_name: Some("native1".to_owned()),
            ..Default::default()
        }),
        ["a", "b", "d"]
    );
    assert_eq!(
        find(ApiKeyFilter {
            username: Some("bob".to_owned()),
            realm_name: Some("ldap1".to_owned()),
            ..Default::default()
        }),
        ["c"]
    );
    // Active: not invalidated (d) and not expired; an expiration equal to now has expired.
    let active_at = |now_ms| {
        find(ApiKeyFilter {
            active_only: true,
            now_ms,
            ..Default::default()
        })
    };
    assert_eq!(active_at(4_999), ["a", "b", "c"]);
    assert_eq!(active_at(5_000), ["a", "c"]);
    assert_eq!(
        find(ApiKeyFilter {
            name: Some("one".to_owned()),
            active_only: true,
            now_ms: 0,
            ..Default::default()
        }),
        ["a", "c"]
    );
}

fn api_key_name_patterns(store: Arc<dyn SecurityStore>) {
    for (id, name) in [
        ("1", Some("prod-east")),
        ("2", Some("prod-west")),
        ("3", Some("Prod-upper")),
        ("4", Some("pro%d_x")),
        ("5", Some("production")),
        ("6", None),
    ] {
        store
            .create_api_key(&sample_api_key(id, name, "u"))
            .unwrap();
    }
    let by_name = |name: &str| {
        ids(store
            .find_api_keys(&ApiKeyFilter {
                name: Some(name.to_owned()),
                ..Default::default()
            })
            .unwrap())
    };
    assert_eq!(by_name("prod-east"), ["1"]);
    assert_eq!(
        by_name("prod-*"),
        ["1", "2"],
        "prefix match is case-sensitive"
    );
    assert_eq!(by_name("prod*"), ["1", "2", "5"]);
    assert_eq!(
        by_name("pro%*"),
        ["4"],
        "SQL wildcards are plain characters"
    );
    assert_eq!(by_name("pro_*"), Vec::<String>::new());
    assert_eq!(
        by_name("*"),
        ["1", "2", "3", "4", "5", "6"],
        "`*` alone matches all"
    );
    assert!(by_name("prod").is_empty(), "without `*` the name is exact");
}

fn api_key_optimistic_update(store: Arc<dyn SecurityStore>) {
    store
        .create_api_key(&sample_api_key("k", Some("n"), "alice"))
        .unwrap();
    let read = store.get_api_key("k").unwrap().unwrap();

    let mut changed = read.clone();
    changed.role_descriptors = json!({"narrower": {"cluster": []}});
    changed.metadata = json!({"v": 2});
    changed.expiration_ms = Some(77);
    assert_eq!(store.update_api_key(&changed, read.version).unwrap(), 2);
    let stored = store.get_api_key("k").unwrap().unwrap();
    assert_eq!(
        stored,
        ApiKeyRecord {
            version: 2,
            ..changed.clone()
        }
    );

    // A second writer that also read version 1 loses.
    let mut stale = read.clone();
    stale.metadata = json!({"lost": true});
    let lost = store.update_api_key(&stale, read.version);
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    assert_eq!(
        store.get_api_key("k").unwrap().unwrap().metadata,
        json!({"v": 2})
    );

    let missing = store.update_api_key(&sample_api_key("nope", None, "alice"), 1);
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

fn api_key_invalidation(store: Arc<dyn SecurityStore>) {
    for id in ["a", "b", "c"] {
        store
            .create_api_key(&sample_api_key(id, None, "alice"))
            .unwrap();
    }
    let first = store
        .invalidate_api_keys(&strings(&["a", "zz", "a"]), 7_000)
        .unwrap();
    assert_eq!(first.invalidated, ["a"]);
    assert!(first.previously_invalidated.is_empty(), "{first:?}");
    let a = store.get_api_key("a").unwrap().unwrap();
    assert!(a.invalidated);
    assert_eq!(a.invalidation_ms, Some(7_000));
    assert_eq!(a.version, 2, "invalidation is a change readers must notice");

    let second = store
        .invalidate_api_keys(&strings(&["b", "a"]), 8_000)
        .unwrap();
    assert_eq!(second.invalidated, ["b"]);
    assert_eq!(second.previously_invalidated, ["a"]);
    assert_eq!(
        store.get_api_key("a").unwrap().unwrap().invalidation_ms,
        Some(7_000),
        "first invalidation time kept"
    );
    // An update based on the pre-invalidation read must not resurrect the key.
    let stale = sample_api_key("b", None, "alice");
    assert!(matches!(
        store.update_api_key(&stale, 1),
        Err(StoreError::Conflict(_))
    ));
    assert!(!store.get_api_key("c").unwrap().unwrap().invalidated);
    assert_eq!(
        store.invalidate_api_keys(&[], 0).unwrap(),
        Default::default()
    );
}
