//! Rampart as a security gateway in front of an Elasticsearch or OpenSearch cluster.
//!
//! - [`upstream`]: the pooled HTTP client for the cluster (timeouts, idempotent retries,
//!   TLS, sanitised errors);
//! - [`store`]: [`UpstreamStore`], the `SecurityStore` kept in a hidden index of the cluster
//!   and shared by every gateway node;
//! - [`metadata`]: the upstream's index/alias/data-stream metadata as the engine's snapshot;
//! - [`rewrite`]: pure request/response rewriting that enforces DLS/FLS on the upstream
//!   (filters, field hiding, refusals, scroll binding);
//! - [`metrics`]: counters and the upstream latency histogram in Prometheus text format;
//! - [`health`]: the `/_rampart/health` body from upstream reachability and store sync lag.

mod error;
pub mod health;
pub mod metadata;
pub mod metrics;
pub mod rewrite;
pub mod store;
pub mod upstream;

pub use error::GatewayError;
pub use metrics::Metrics;
pub use store::{DEFAULT_INDEX, POLL_INTERVAL, SyncStatus, UpstreamStore};
pub use upstream::{
    RawResponse, Upstream, UpstreamAuth, UpstreamConfig, UpstreamError, UpstreamRequest,
};
