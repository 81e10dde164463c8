//! Rampart's engine: the Elasticsearch privilege model as a pure library.
//!
//! No IO, no async: every function takes its inputs (roles, metadata snapshots, requests) as
//! values and returns decisions as values. See ARCHITECTURE.md for the map.

pub mod analysis;
pub mod authz;
pub mod builtin;
pub mod catalog;
pub mod dls;
pub mod error;
mod es_token;
pub mod fls;
pub mod has_privileges;
pub mod permission;
pub mod resolve;
pub mod role;
pub mod user_privileges;
pub mod write;

pub use es_token::json_token;

#[cfg(test)]
mod test_support;
