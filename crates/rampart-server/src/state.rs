//! Shared server state.

use std::sync::Arc;

use rampart_store::SecurityStore;

use crate::audit::AuditLog;
use crate::authn::Authenticator;
use crate::security::SecurityService;
use crate::settings::Settings;

/// Everything a request may need, shared by all requests.
pub struct AppState {
    pub settings: Settings,
    pub store: Arc<dyn SecurityStore>,
    pub security: SecurityService,
    pub authn: Authenticator,
    pub file_realm: crate::authn::FileRealm,
    pub audit: AuditLog,
    pub node: NodeInfo,
    /// `elastic`'s password hash as of startup, restored by the test-harness reset API
    /// (set only when that API is enabled).
    pub elastic_reset_hash: Option<String>,
    /// The document engine; only `crate::data` handlers call it, after authorization.
    pub data: Arc<rampart_search::Engine>,
    /// Sessions of the web UI (`crate::web`).
    pub web_sessions: crate::web::SessionStore,
    /// The access-analysis index, reused while its inputs are unchanged.
    pub access_cache: crate::access_cache::AccessCache,
    /// Finished `_has_privileges` answers for identical inputs.
    pub has_privileges_answers: crate::api::has_privileges::AnswerMemo,
    /// Gateway mode: the upstream cluster that holds the store and the documents.
    pub gateway: Option<Arc<crate::gateway::Gateway>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

/// Identity of this node and cluster (`GET /`).
#[derive(Debug, Clone)]
pub struct NodeInfo {
    pub node_name: String,
    pub cluster_name: String,
    pub cluster_uuid: String,
}

/// Run blocking store work off the async threads.
pub async fn blocking<T, F>(f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, crate::error::ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(crate::error::ApiError::internal)?
}

/// Run store READS inline. Reads are answered from revision-keyed caches almost always and
/// otherwise are short WAL snapshot reads that never wait for writers, so a thread hop per
/// request (the cost `blocking` pays) is not worth it on the hot path. Writes use `blocking`.
pub fn read_inline<T>(
    f: impl FnOnce() -> Result<T, crate::error::ApiError>,
) -> Result<T, crate::error::ApiError> {
    f()
}

/// The shared state handle.
pub type SharedState = Arc<AppState>;
