//! Roles, role mappings and application privileges.

use std::sync::Arc;

use serde_json::json;

use super::{Case, strings};
use crate::error::StoreError;
use crate::records::AppPrivilegeDoc;
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    (
        "role put creates then updates",
        role_put_creates_then_updates,
    ),
    ("role revision rises on every put", role_revision_rises),
    ("role get many and delete", role_get_many_and_delete),
    ("role bulk put and delete", role_bulk_put_and_delete),
    ("role bulk put is all or nothing", role_bulk_put_is_atomic),
    ("role mapping crud", role_mapping_crud),
    ("privileges put, get and delete", privileges_put_get_delete),
    ("privileges put is all or nothing", privileges_put_is_atomic),
];

fn role_put_creates_then_updates(store: Arc<dyn SecurityStore>) {
    let doc =
        json!({"cluster": ["monitor"], "indices": [{"names": ["logs-*"], "privileges": ["read"]}]});
    assert_eq!(store.get_role("r1").unwrap(), None);
    assert!(store.put_role("r1", &doc).unwrap());
    let stored = store.get_role("r1").unwrap().unwrap();
    assert_eq!((stored.name.as_str(), &stored.doc), ("r1", &doc));

    let doc2 = json!({"cluster": ["all"]});
    assert!(!store.put_role("r1", &doc2).unwrap());
    assert_eq!(store.get_role("r1").unwrap().unwrap().doc, doc2);
    assert_eq!(store.list_roles().unwrap().len(), 1);
}

fn role_revision_rises(store: Arc<dyn SecurityStore>) {
    let mut seen = Vec::new();
    for round in 0..3 {
        store.put_role("r", &json!({"round": round})).unwrap();
        seen.push(store.get_role("r").unwrap().unwrap().revision);
    }
    // A deleted-then-recreated role must not reuse a revision, or a cache keyed by
    // (name, revision) would serve the old permissions.
    assert!(store.delete_role("r").unwrap());
    store.put_role("r", &json!({"round": "again"})).unwrap();
    seen.push(store.get_role("r").unwrap().unwrap().revision);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");

    store.put_role("other", &json!({})).unwrap();
    assert_eq!(
        store.get_role("r").unwrap().unwrap().revision,
        seen[3],
        "writing another role leaves this one's revision alone"
    );
}

fn role_get_many_and_delete(store: Arc<dyn SecurityStore>) {
    for name in ["b", "a", "c"] {
        store.put_role(name, &json!({"name": name})).unwrap();
    }
    let got: Vec<String> = store
        .get_roles(&strings(&["c", "missing", "a"]))
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(got, ["a", "c"], "unknown skipped, sorted by name");
    assert!(store.get_roles(&[]).unwrap().is_empty());

    assert!(store.delete_role("b").unwrap());
    assert!(!store.delete_role("b").unwrap());
    let names: Vec<String> = store
        .list_roles()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["a", "c"]);
}

fn role_bulk_put_and_delete(store: Arc<dyn SecurityStore>) {
    store.put_role("existing", &json!({"v": 0})).unwrap();
    let created = store
        .put_roles(&[
            ("new1".to_owned(), json!({"v": 1})),
            ("existing".to_owned(), json!({"v": 2})),
            ("new2".to_owned(), json!({"v": 3})),
        ])
        .unwrap();
    assert_eq!(created, [true, false, true]);
    assert_eq!(
        store.get_role("existing").unwrap().unwrap().doc,
        json!({"v": 2})
    );
    assert!(store.put_roles(&[]).unwrap().is_empty());

    let found = store
        .delete_roles(&strings(&["new1", "nope", "existing"]))
        .unwrap();
    assert_eq!(found, ["new1", "existing"]);
    let left: Vec<String> = store
        .list_roles()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(left, ["new2"]);
}

fn role_bulk_put_is_atomic(store: Arc<dyn SecurityStore>) {
    store.put_role("keep", &json!({"v": "old"})).unwrap();
    let revision = store.revision().unwrap();
    // The empty name fails after two valid roles were already written in the transaction.
    let result = store.put_roles(&[
        ("keep".to_owned(), json!({"v": "new"})),
        ("fresh".to_owned(), json!({})),
        (String::new(), json!({})),
    ]);
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(
        store.get_role("keep").unwrap().unwrap().doc,
        json!({"v": "old"})
    );
    assert_eq!(store.get_role("fresh").unwrap(), None);
    assert_eq!(
        store.revision().unwrap(),
        revision,
        "a failed write changes nothing"
    );
}

fn role_mapping_crud(store: Arc<dyn SecurityStore>) {
    let doc = json!({"roles": ["admin"], "enabled": true, "rules": {"field": {"username": "*"}}});
    assert_eq!(store.get_role_mapping("m").unwrap(), None);
    assert!(store.put_role_mapping("m", &doc).unwrap());
    assert!(!store.put_role_mapping("m", &json!({"roles": []})).unwrap());
    assert!(store.put_role_mapping("a", &doc).unwrap());
    let stored = store.get_role_mapping("m").unwrap().unwrap();
    assert_eq!(stored.doc, json!({"roles": []}));
    let names: Vec<String> = store
        .list_role_mappings()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["a", "m"]);
    assert!(store.delete_role_mapping("m").unwrap());
    assert!(!store.delete_role_mapping("m").unwrap());
    assert_eq!(store.list_role_mappings().unwrap().len(), 1);
    assert!(
        store.list_roles().unwrap().is_empty(),
        "mappings are not roles"
    );
}

fn privilege(application: &str, name: &str) -> AppPrivilegeDoc {
    AppPrivilegeDoc {
        application: application.to_owned(),
        name: name.to_owned(),
        doc: json!({"actions": [format!("{name}:*")], "metadata": {}}),
    }
}

fn privileges_put_get_delete(store: Arc<dyn SecurityStore>) {
    let created = store
        .put_privileges(&[
            privilege("app2", "read"),
            privilege("app1", "write"),
            privilege("app1", "read"),
        ])
        .unwrap();
    assert_eq!(created, [true, true, true]);
    let mut changed = privilege("app1", "read");
    changed.doc = json!({"actions": ["data:read/*"]});
    let created = store
        .put_privileges(&[changed.clone(), privilege("app1", "admin")])
        .unwrap();
    assert_eq!(created, [false, true]);

    let keys = |docs: Vec<AppPrivilegeDoc>| -> Vec<String> {
        docs.into_iter()
            .map(|p| format!("{}/{}", p.application, p.name))
            .collect()
    };
    assert_eq!(
        keys(store.list_privileges().unwrap()),
        ["app1/admin", "app1/read", "app1/write", "app2/read"]
    );
    assert_eq!(
        keys(store.get_application_privileges("app1").unwrap()),
        ["app1/admin", "app1/read", "app1/write"]
    );
    assert!(store.get_application_privileges("app3").unwrap().is_empty());
    let some = store
        .get_privileges("app1", &strings(&["write", "read", "nope"]))
        .unwrap();
    assert_eq!(keys(some.clone()), ["app1/read", "app1/write"]);
    assert_eq!(some[0], changed);

    let found = store
        .delete_privileges("app1", &strings(&["read", "nope", "admin"]))
        .unwrap();
    assert_eq!(found, ["read", "admin"]);
    assert_eq!(
        keys(store.list_privileges().unwrap()),
        ["app1/write", "app2/read"]
    );
    assert!(
        store
            .delete_privileges("app2", &strings(&["write"]))
            .unwrap()
            .is_empty()
    );
}

fn privileges_put_is_atomic(store: Arc<dyn SecurityStore>) {
    let result = store.put_privileges(&[privilege("app", "read"), privilege("app", "")]);
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert!(store.list_privileges().unwrap().is_empty());
}
