//! Handlers, one module per API group. Routes live in `routes::table`.

pub mod authenticate;
pub mod root;
