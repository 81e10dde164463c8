//! Gateway mode (`rampart serve --upstream URL`, settings `rampart.gateway.upstream.*`): the
//! security store lives in the upstream cluster (`rampart_gateway::UpstreamStore`) and the
//! data routes are answered by `crate::data::upstream`, which rewrites each request with the
//! caller's restrictions and forwards it. This module holds the node's gateway parts, built
//! once at startup, and the `/_rampart/health` and `/_rampart/metrics` handlers.

use std::sync::Arc;
use std::time::Duration;

use rampart_gateway::metadata::MetadataCache;
use rampart_gateway::rewrite::ScrollBinder;
use rampart_gateway::{Metrics, Upstream, UpstreamAuth, UpstreamConfig, UpstreamStore};
use rampart_store::{SecurityStore, StoreError, WriteCondition};
use serde_json::json;

use crate::data::upstream::{PlanCache, RestrictionCache};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::settings::Settings;

/// Comma-separated base URLs of the upstream cluster; gateway mode is on when set.
pub const UPSTREAM_URL: &str = "rampart.gateway.upstream.url";
pub const UPSTREAM_USER: &str = "rampart.gateway.upstream.username";
pub const UPSTREAM_PASSWORD: &str = "rampart.gateway.upstream.password";
pub const UPSTREAM_API_KEY: &str = "rampart.gateway.upstream.api_key";
/// A PEM file of CA certificates trusted for the upstream, added to the system roots.
/// Remote cluster aliases of the upstream beyond those `GET _remote/info` reports.
pub const REMOTE_CLUSTERS: &str = "rampart.gateway.remote_clusters";
pub const UPSTREAM_CA: &str = "rampart.gateway.upstream.ssl.certificate_authorities";
/// How long the upstream's index metadata is reused (`500ms`, `1s`, `1h`; default `1s`).
/// Changes made through this gateway invalidate it at once; the age bounds how late a
/// change made elsewhere (another client of the upstream) is seen.
pub const METADATA_MAX_AGE: &str = "rampart.gateway.metadata.max_age";

/// Rampart's own actions for its monitoring routes; `monitor` (`cluster:monitor/*`) grants
/// both.
pub const HEALTH_ACTION: &str = "cluster:monitor/rampart/health";
pub const METRICS_ACTION: &str = "cluster:monitor/rampart/metrics";

/// The gateway parts of a node in gateway mode.
#[derive(Debug)]
pub struct Gateway {
    pub upstream: Upstream,
    pub metadata: MetadataCache,
    pub metrics: Arc<Metrics>,
    pub store: Arc<UpstreamStore>,
    pub scroll: Option<ScrollBinder>,
    /// Compiled field sets and parsed role queries, reused across requests.
    pub restrictions: RestrictionCache,
    /// Rewritten restricted searches, reused for identical requests and restrictions.
    pub plans: PlanCache,
}

/// The upstream configuration from the settings; `None` when gateway mode is off.
pub fn config(settings: &Settings) -> Result<Option<UpstreamConfig>, String> {
    let urls = settings.get_list(UPSTREAM_URL);
    let Some(first) = urls.first() else {
        return Ok(None);
    };
    let mut config = UpstreamConfig::new(first.clone());
    config.urls = urls;
    config.auth = match (
        settings.get(UPSTREAM_USER),
        settings.get(UPSTREAM_PASSWORD),
        settings.get(UPSTREAM_API_KEY),
    ) {
        (None, None, None) => UpstreamAuth::None,
        (Some(user), Some(password), None) => UpstreamAuth::Basic {
            username: user.to_string(),
            password: password.to_string(),
        },
        (None, None, Some(key)) => UpstreamAuth::ApiKey(key.to_string()),
        _ => {
            return Err(format!(
                "give either [{UPSTREAM_USER}] and [{UPSTREAM_PASSWORD}], or [{UPSTREAM_API_KEY}]"
            ));
        }
    };
    config.tls.ca_file = settings.get(UPSTREAM_CA).map(std::path::PathBuf::from);
    config.remote_clusters = settings.get_list(REMOTE_CLUSTERS);
    if let Some(age) = settings.get(METADATA_MAX_AGE) {
        config.metadata_max_age = parse_time(age).ok_or_else(|| {
            format!(
                "[{METADATA_MAX_AGE}]: [{age}] is not a time value such as [500ms], [1s] or [1h]"
            )
        })?;
    }
    Ok(Some(config))
}

/// A time value (`500ms`, `1s`, `1h`, …) read as ES reads one.
fn parse_time(text: &str) -> Option<Duration> {
    let millis = crate::api::api_keys::parse_time_value(METADATA_MAX_AGE, text).ok()?;
    u64::try_from(millis).ok().map(Duration::from_millis)
}

/// Connects to the upstream and opens the shared store (blocking: call before the runtime
/// starts or from a blocking thread).
pub fn open(config: &UpstreamConfig) -> Result<Gateway, String> {
    let metrics = Arc::new(Metrics::default());
    let upstream = Upstream::new(config, Arc::clone(&metrics)).map_err(|e| e.to_string())?;
    let store = UpstreamStore::open(upstream.clone(), rampart_gateway::DEFAULT_INDEX)
        .map_err(|e| format!("cannot open the security store in the upstream: {e}"))?;
    let key = shared_scroll_key(&store)
        .map_err(|e| format!("cannot read the scroll binding key from the upstream: {e}"))?;
    Ok(Gateway {
        metadata: MetadataCache::new(upstream.clone(), config.metadata_max_age)
            .with_remote_clusters(config.remote_clusters.clone()),
        upstream,
        metrics,
        store: Arc::new(store),
        scroll: ScrollBinder::new(&key),
        restrictions: RestrictionCache::default(),
        plans: PlanCache::default(),
    })
}

/// Where the gateway nodes keep the key that binds scroll ids to their owners: one store
/// object, so an id issued by one node is honoured by every other (clients behind a load
/// balancer continue a scroll on any node).
const SCROLL_KEY_KIND: &str = "rampart-gateway";
const SCROLL_KEY_ID: &str = "scroll-binding-key";

/// The shared scroll key: read it, or create it if this is the first node (a node that
/// loses the creation race reads the winner's).
fn shared_scroll_key(store: &dyn SecurityStore) -> Result<Vec<u8>, StoreError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for _ in 0..3 {
        if let Some(doc) = store.get_object(SCROLL_KEY_KIND, SCROLL_KEY_ID)? {
            let key = doc
                .doc
                .get("key")
                .and_then(serde_json::Value::as_str)
                .and_then(|k| b64.decode(k).ok())
                .filter(|k| k.len() >= 32)
                .ok_or_else(|| StoreError::Corrupt("malformed scroll binding key".into()))?;
            return Ok(key);
        }
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        let doc = json!({ "key": b64.encode(key) });
        match store.put_object(SCROLL_KEY_KIND, SCROLL_KEY_ID, &doc, WriteCondition::Absent) {
            Ok(_) => return Ok(key.to_vec()),
            Err(StoreError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Conflict(
        "the scroll binding key kept changing".into(),
    ))
}

fn gateway_of(ctx: &Ctx, path: &str) -> Result<Arc<Gateway>, ApiError> {
    ctx.state.gateway.clone().ok_or_else(|| {
        ApiError::bad_request(format!(
            "[{path}] is only served in gateway mode (setting [{UPSTREAM_URL}])"
        ))
    })
}

/// `GET /_rampart/health`: upstream reachability and store sync lag; 503 when red.
pub fn health(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let gateway = gateway_of(&ctx, "/_rampart/health")?;
        let sync = gateway.store.sync_status();
        let status = rampart_gateway::health::status(sync).http_status();
        let mut body = rampart_gateway::health::report(sync);
        if let Some(o) = body.as_object_mut() {
            o.insert("node".into(), json!(ctx.state.node.node_name));
        }
        Ok(Reply::status(status, body))
    })
}

/// `GET /_rampart/metrics`: Prometheus text format.
pub fn metrics(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let gateway = gateway_of(&ctx, "/_rampart/metrics")?;
        Ok(Reply::text(200, gateway.metrics.render()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_gets_the_same_scroll_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = rampart_store::SqliteStore::open(dir.path()).unwrap();
        let first = shared_scroll_key(&store).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(shared_scroll_key(&store).unwrap(), first);
        store
            .put_object(
                SCROLL_KEY_KIND,
                SCROLL_KEY_ID,
                &json!({"key": "c2hvcnQ="}),
                WriteCondition::Any,
            )
            .unwrap();
        assert!(shared_scroll_key(&store).is_err(), "a short key is refused");
    }

    #[test]
    fn metadata_age_is_a_time_value() {
        let mut s = Settings::default();
        s.set(UPSTREAM_URL, "http://a:9200");
        assert_eq!(
            config(&s).unwrap().unwrap().metadata_max_age,
            Duration::from_secs(1)
        );
        s.set(METADATA_MAX_AGE, "250ms");
        assert_eq!(
            config(&s).unwrap().unwrap().metadata_max_age,
            Duration::from_millis(250)
        );
        s.set(METADATA_MAX_AGE, "1h");
        assert_eq!(
            config(&s).unwrap().unwrap().metadata_max_age,
            Duration::from_secs(3600)
        );
        s.set(METADATA_MAX_AGE, "1d");
        assert_eq!(
            config(&s).unwrap().unwrap().metadata_max_age,
            Duration::from_secs(86_400)
        );
        for bad in ["1", "fast", "-1s", "1w"] {
            s.set(METADATA_MAX_AGE, bad);
            assert!(config(&s).is_err(), "{bad}");
        }
    }

    #[test]
    fn off_without_a_url() {
        assert_eq!(config(&Settings::default()), Ok(None));
    }

    #[test]
    fn basic_or_api_key_but_not_both() {
        let mut s = Settings::default();
        s.set(UPSTREAM_URL, "http://a:9200, http://b:9200");
        s.set(UPSTREAM_USER, "u");
        s.set(UPSTREAM_PASSWORD, "p");
        let c = config(&s).unwrap().unwrap();
        assert_eq!(c.urls, vec!["http://a:9200", "http://b:9200"]);
        assert!(matches!(c.auth, UpstreamAuth::Basic { .. }));
        s.set(UPSTREAM_API_KEY, "k");
        assert!(config(&s).is_err());
    }
}
