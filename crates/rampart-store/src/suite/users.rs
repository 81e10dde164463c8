//! Native users and reserved-user state.

use std::sync::Arc;

use super::{Case, sample_user};
use crate::records::ReservedUserState;
use crate::store::SecurityStore;

pub(super) const CASES: &[Case] = &[
    (
        "user put creates then updates",
        user_put_creates_then_updates,
    ),
    ("user get, list and delete", user_get_list_delete),
    ("user enable and password", user_enable_and_password),
    ("reserved user state", reserved_user_state),
];

fn user_put_creates_then_updates(store: Arc<dyn SecurityStore>) {
    let mut user = sample_user("alice");
    assert!(store.put_user(&user).unwrap(), "first put creates");
    assert_eq!(store.get_user("alice").unwrap(), Some(user.clone()));

    user.roles = vec!["superuser".to_owned()];
    user.full_name = None;
    user.email = None;
    user.metadata.clear();
    user.enabled = false;
    assert!(!store.put_user(&user).unwrap(), "second put updates");
    assert_eq!(store.get_user("alice").unwrap(), Some(user));
    assert_eq!(store.list_users().unwrap().len(), 1);
}

fn user_get_list_delete(store: Arc<dyn SecurityStore>) {
    assert_eq!(store.get_user("nobody").unwrap(), None);
    assert!(store.list_users().unwrap().is_empty());
    for name in ["carol", "alice", "bob"] {
        store.put_user(&sample_user(name)).unwrap();
    }
    let names: Vec<String> = store
        .list_users()
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob", "carol"], "listed by username");

    assert!(store.delete_user("bob").unwrap());
    assert!(
        !store.delete_user("bob").unwrap(),
        "second delete finds nothing"
    );
    assert_eq!(store.get_user("bob").unwrap(), None);
    assert_eq!(store.list_users().unwrap().len(), 2);
}

fn user_enable_and_password(store: Arc<dyn SecurityStore>) {
    assert!(!store.set_user_enabled("ghost", false).unwrap());
    assert!(!store.set_user_password("ghost", "h").unwrap());
    assert_eq!(store.get_user("ghost").unwrap(), None, "no implicit create");

    store.put_user(&sample_user("dave")).unwrap();
    assert!(store.set_user_enabled("dave", false).unwrap());
    assert!(!store.get_user("dave").unwrap().unwrap().enabled);
    assert!(store.set_user_enabled("dave", true).unwrap());
    assert!(store.get_user("dave").unwrap().unwrap().enabled);

    assert!(store.set_user_password("dave", "new-hash").unwrap());
    let dave = store.get_user("dave").unwrap().unwrap();
    assert_eq!(dave.password_hash, "new-hash");
    assert_eq!(dave.roles, sample_user("dave").roles, "other fields kept");
}

fn reserved_user_state(store: Arc<dyn SecurityStore>) {
    assert_eq!(store.get_reserved_user("elastic").unwrap(), None);
    let disabled = ReservedUserState {
        username: "kibana_system".to_owned(),
        password_hash: None,
        enabled: false,
    };
    store.put_reserved_user(&disabled).unwrap();
    assert_eq!(
        store.get_reserved_user("kibana_system").unwrap(),
        Some(disabled.clone())
    );
    let with_password = ReservedUserState {
        username: "elastic".to_owned(),
        password_hash: Some("hash".to_owned()),
        enabled: true,
    };
    store.put_reserved_user(&with_password).unwrap();
    let changed = ReservedUserState {
        enabled: false,
        ..with_password
    };
    store.put_reserved_user(&changed).unwrap();
    assert_eq!(
        store.list_reserved_users().unwrap(),
        vec![changed, disabled],
        "replaced, listed by username"
    );
    assert!(store.list_users().unwrap().is_empty(), "not native users");
}
