//! Handlers, one module per API group. Routes live in `routes::table`.

pub mod authenticate;
pub mod explain;
pub mod has_privileges;
pub mod root;
pub mod user_query;
pub mod users;
