//! Handlers, one module per API group. Routes live in `routes::table`.

pub mod authenticate;
pub mod explain;
pub mod has_privileges;
pub mod privileges;
pub mod role_mapping_rules;
pub mod role_mappings;
pub mod roles;
pub mod roles_query;
pub mod root;
pub mod user_query;
pub mod users;
