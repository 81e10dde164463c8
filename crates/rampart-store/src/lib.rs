//! Where Rampart's security data lives: native and reserved users, roles, role mappings,
//! application privileges, API keys, OAuth2 tokens, service-account tokens and other
//! security documents (Kibana spaces, user profiles, settings) as typed objects.
//!
//! [`SecurityStore`] is the contract; [`SqliteStore`] keeps everything in one SQLite file. With
//! the `test-suite` feature, [`suite`] holds the behavioural tests any implementation must pass.

mod error;
mod records;
mod sqlite;
mod store;
#[cfg(feature = "test-suite")]
pub mod suite;

pub use error::StoreError;
pub use records::{
    ApiKeyFilter, ApiKeyRecord, AppPrivilegeDoc, Invalidation, ObjectDoc, ReservedUserState,
    RoleDoc, RoleMappingDoc, ServiceTokenRecord, TokenInvalidation, TokenRecord, TokenSelector,
    UserRecord, WriteCondition,
};
pub use sqlite::{SCHEMA_VERSION, SqliteStore};
pub use store::{SecurityStore, StoreResult};
