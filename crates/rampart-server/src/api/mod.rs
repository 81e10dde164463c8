//! Handlers, one module per API group. Routes live in `routes::table`.

pub mod access;
pub mod api_key_aggs;
pub mod api_key_dsl;
pub mod api_key_grant;
pub mod api_key_query;
pub mod api_keys;
pub mod authenticate;
pub mod caches;
pub mod explain;
pub mod has_privileges;
pub mod privileges;
pub mod reset;
pub mod role_mapping_rules;
pub mod role_mappings;
pub mod roles;
pub mod roles_query;
pub mod root;
pub mod service_accounts;
pub mod tokens;
pub mod user_query;
pub mod users;
