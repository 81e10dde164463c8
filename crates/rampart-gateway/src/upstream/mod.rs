//! The upstream cluster: configuration, the pooled HTTP client and its sanitised errors.
//! Targets the Elasticsearch 7.10+/8.x and OpenSearch 1.x/2.x REST APIs (only endpoints
//! common to all of them are used).

mod client;
mod config;
mod error;

pub use client::{Body, RawResponse, Upstream, UpstreamRequest, UpstreamResponse};
pub use config::{TlsOptions, UpstreamAuth, UpstreamConfig};
pub use error::UpstreamError;
