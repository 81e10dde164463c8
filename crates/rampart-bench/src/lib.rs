//! Fixtures shared by the Rampart benchmarks: metadata snapshots of a chosen size, the role
//! sets the benches decide against, and Kibana-sized application privileges.
//!
//! Everything here is setup: it runs once, outside criterion's measured loops.

pub mod kibana;
pub mod metadata;
pub mod roles;

/// Setup errors are reported, never measured; any error type will do.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;
