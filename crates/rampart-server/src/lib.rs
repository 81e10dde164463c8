//! Rampart's HTTP server: the Elasticsearch `_security` REST API over the engine and the store.
//!
//! `app(state)` builds the router from the one route table (`routes::table`); every request
//! is authenticated and authorized through the engine before its handler runs.

// `ApiError` carries the whole ES error envelope; it only travels on the cold error path,
// so its size is not worth boxing every field access for.
#![allow(clippy::result_large_err)]

pub mod access_cache;
pub mod api;
pub mod audit;
pub mod authn;
pub mod data;
pub mod error;
pub mod gateway;
pub mod http;
pub mod kibana;
pub mod revision_cache;
pub mod routes;
pub mod security;
pub mod security_disabled;
pub mod settings;
pub mod startup;
pub mod state;
pub mod tls;
pub mod web;

pub use routes::app;

/// The Elasticsearch version whose REST API Rampart speaks.
pub const ES_COMPAT_VERSION: &str = "9.2.0";
