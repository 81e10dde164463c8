//! How to reach the upstream cluster: where, as whom, how patiently, and over which TLS.

use std::path::PathBuf;
use std::time::Duration;

/// The credentials the gateway presents to the upstream cluster.
#[derive(Clone, PartialEq, Eq)]
pub enum UpstreamAuth {
    None,
    Basic {
        username: String,
        password: String,
    },
    /// The already-encoded `base64(id:key)` value of an `Authorization: ApiKey …` header.
    ApiKey(String),
}

// Credentials never reach logs, not even through `{:?}`.
impl std::fmt::Debug for UpstreamAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Self::ApiKey(_) => f.write_str("ApiKey(***)"),
        }
    }
}

/// TLS options. Certificate verification is on unless explicitly turned off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM), besides the built-in web roots.
    pub ca_file: Option<PathBuf>,
    /// `false` accepts any certificate: for test clusters only.
    pub verify: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            ca_file: None,
            verify: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamConfig {
    /// One or more base URLs of the same cluster (`http(s)://host:port[/prefix]`); requests
    /// rotate over them and retries move to the next one.
    pub urls: Vec<String>,
    pub auth: UpstreamAuth,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// How many times an idempotent request is retried after a transport failure or a 502,
    /// 503 or 504 (so at most `1 + max_retries` attempts).
    pub max_retries: u32,
    /// Idle connections kept per host in the pool.
    pub pool_max_idle_per_host: usize,
    pub tls: TlsOptions,
    /// Remote cluster aliases the upstream follows besides those its `_remote/info` lists
    /// (setting `rampart.gateway.remote_clusters`): `alias:index` targets naming them are
    /// authorized through `remote_indices`.
    pub remote_clusters: Vec<String>,
    /// How long the upstream's index metadata (`_resolve/index`) is reused before a search
    /// fetches it again (setting `rampart.gateway.metadata.max_age`).
    pub metadata_max_age: Duration,
}

impl UpstreamConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            auth: UpstreamAuth::None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_retries: 2,
            pool_max_idle_per_host: 32,
            tls: TlsOptions::default(),
            remote_clusters: Vec::new(),
            metadata_max_age: Duration::from_secs(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let basic = UpstreamAuth::Basic {
            username: "rampart".into(),
            password: "s3cret".into(),
        };
        let key = UpstreamAuth::ApiKey("a2V5OnNlY3JldA==".into());
        assert_eq!(format!("{basic:?}"), "Basic(rampart, ***)");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
    }

    #[test]
    fn verification_is_on_by_default() {
        assert!(UpstreamConfig::new("https://es:9200").tls.verify);
    }
}
