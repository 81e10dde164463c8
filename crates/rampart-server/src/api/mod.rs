//! Handlers, one module per API group. Routes live in `routes::table`.

pub mod api_key_dsl;
pub mod api_key_query;
pub mod api_keys;
pub mod authenticate;
pub mod caches;
pub mod root;
pub mod service_accounts;
pub mod tokens;
