//! The behavioural test suite every [`SecurityStore`] implementation must pass. A new backend
//! calls [`run_all`] from its own integration test with a factory for empty stores.
//!
//! This is test code shipped behind the `test-suite` feature: failing loudly is its job, so the
//! workspace's no-panic lints are lifted here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod api_keys;
mod documents;
mod objects;
mod tokens;
mod users;

use std::sync::Arc;

use serde_json::{Map, json};

use crate::records::{ApiKeyRecord, TokenRecord, UserRecord};
use crate::store::SecurityStore;

/// One named check; it receives a fresh, empty store.
pub type Case = (&'static str, fn(Arc<dyn SecurityStore>));

/// Every check of the suite.
pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend_from_slice(users::CASES);
    all.extend_from_slice(documents::CASES);
    all.extend_from_slice(objects::CASES);
    all.extend_from_slice(api_keys::CASES);
    all.extend_from_slice(tokens::CASES);
    all.extend_from_slice(admin::CASES);
    all
}

/// Runs every case, each against a new store from `make`.
pub fn run_all(make: impl Fn() -> Box<dyn SecurityStore>) {
    for (name, case) in cases() {
        // Printed first so a failing assertion's output names its case.
        eprintln!("security store suite: {name}");
        case(Arc::from(make()));
    }
}

/// A native user with every optional field set.
pub fn sample_user(username: &str) -> UserRecord {
    let mut metadata = Map::new();
    metadata.insert("team".to_owned(), json!("blue"));
    UserRecord {
        username: username.to_owned(),
        password_hash: format!("$2a$10$hash-of-{username}"),
        roles: vec!["viewer".to_owned(), "editor".to_owned()],
        full_name: Some(format!("Full {username}")),
        email: Some(format!("{username}@example.com")),
        metadata,
        enabled: true,
    }
}

/// An active REST API key owned by `username` in realm `native1`.
pub fn sample_api_key(id: &str, name: Option<&str>, username: &str) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_owned(),
        name: name.map(str::to_owned),
        hash: format!("{{PBKDF2}}hash-{id}"),
        creation_ms: 1_000,
        expiration_ms: None,
        invalidated: false,
        invalidation_ms: None,
        username: username.to_owned(),
        realm_name: "native1".to_owned(),
        realm_type: "native".to_owned(),
        role_descriptors: json!({"r": {"cluster": ["monitor"]}}),
        limited_by_role_descriptors: json!({"owner": {"cluster": ["all"]}}),
        metadata: json!({"purpose": "test"}),
        key_type: "rest".to_owned(),
        version: 1,
    }
}

/// A valid token with a refresh hash, for `username` in realm `native1`.
pub fn sample_token(access_hash: &str, username: &str) -> TokenRecord {
    TokenRecord {
        access_hash: access_hash.to_owned(),
        refresh_hash: Some(format!("refresh-{access_hash}")),
        username: username.to_owned(),
        realm_name: "native1".to_owned(),
        realm_type: "native".to_owned(),
        authentication: json!({"user": {"username": username}, "type": "realm"}),
        creation_ms: 1_000,
        expiration_ms: 1_000 + 20 * 60 * 1_000,
        invalidated: false,
        refresh_used: false,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
