//! Starting a node: data directory, store, settings, the `elastic` bootstrap password, the
//! file realm, and the listener (plain or TLS), with graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rampart_core::builtin::BuiltinRoles;
use rampart_core::permission::RestrictedIndices;
use rampart_store::{ReservedUserState, SecurityStore, SqliteStore};
use thiserror::Error;

use crate::audit::AuditLog;
use crate::authn::password::Algorithm;
use crate::authn::{Authenticator, FileRealm};
use crate::security::SecurityService;
use crate::settings::Settings;
use crate::state::{AppState, NodeInfo, SharedState};

/// Why a node could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error("invalid setting: {0}")]
    Settings(String),
    #[error("cannot open the security store in [{dir}]: {reason}")]
    Store { dir: String, reason: String },
    #[error("cannot load built-in roles: {0}")]
    Builtin(String),
    #[error("cannot open the document engine: {0}")]
    Engine(String),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

/// Where and how a node runs.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub data_dir: PathBuf,
    /// Directory of the file realm (`users`, `users_roles`, `roles.yml`).
    pub config_dir: Option<PathBuf>,
    pub settings: Settings,
    /// `ELASTIC_PASSWORD` (or a test's choice) for the first start.
    pub elastic_password: Option<String>,
}

/// What the first start did about the `elastic` password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// A password already existed.
    Existing,
    /// Set from the given password.
    FromEnvironment,
    /// Generated: print it once.
    Generated(String),
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789_-*+";
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| {
            char::from(
                *ALPHABET
                    .get(usize::from(*b) % ALPHABET.len())
                    .unwrap_or(&b'x'),
            )
        })
        .collect()
}

/// Build the shared state of a node (opening the store, bootstrapping `elastic`).
pub fn build_state(config: &NodeConfig) -> Result<(SharedState, Bootstrap), StartError> {
    std::fs::create_dir_all(&config.data_dir)?;
    // Gateway mode keeps the store in the upstream cluster; otherwise SQLite in the data dir.
    let gateway = match crate::gateway::config(&config.settings).map_err(StartError::Settings)? {
        Some(upstream) => Some(Arc::new(crate::gateway::open(&upstream).map_err(
            |reason| StartError::Store {
                dir: upstream.urls.join(","),
                reason,
            },
        )?)),
        None => None,
    };
    let store: Arc<dyn SecurityStore> = match &gateway {
        Some(g) => g.store.clone(),
        None => Arc::new(
            SqliteStore::open(&config.data_dir).map_err(|e| StartError::Store {
                dir: config.data_dir.display().to_string(),
                reason: e.to_string(),
            })?,
        ),
    };
    let settings = config.settings.clone();
    let algorithm_name = settings
        .get("xpack.security.authc.password_hashing.algorithm")
        .unwrap_or("bcrypt");
    let algorithm =
        Algorithm::parse(algorithm_name).map_err(|e| StartError::Settings(e.to_string()))?;
    let bootstrap = bootstrap_elastic(
        store.as_ref(),
        algorithm,
        config.elastic_password.as_deref(),
    )?;
    let builtin = BuiltinRoles::load().map_err(|e| StartError::Builtin(e.to_string()))?;
    let restricted =
        RestrictedIndices::builtin().map_err(|e| StartError::Builtin(e.to_string()))?;
    let security = SecurityService::new(builtin, restricted);
    if let Some(dir) = &config.config_dir {
        if let Ok(text) = std::fs::read_to_string(dir.join("roles.yml")) {
            match rampart_core::role::parse_roles_file(&text) {
                Ok(file) => {
                    for (name, err) in &file.invalid {
                        tracing::warn!(role = %name, error = %err, "invalid role in roles.yml; skipped");
                    }
                    security.set_file_roles(file.roles);
                }
                Err(e) => tracing::error!(error = %e, "cannot parse roles.yml"),
            }
        }
    }
    crate::security_disabled::security_enabled(&settings)
        .map_err(|e| StartError::Settings(e.to_string()))?;
    let run_as = settings
        .get_bool("xpack.security.authc.run_as.enabled", true)
        .map_err(|e| StartError::Settings(e.to_string()))?;
    let elastic_reset_hash = reset_hash(store.as_ref(), &settings)?;
    let audit = AuditLog::from_settings(&settings, &config.data_dir.join("logs"))?;
    let state = AppState {
        node: NodeInfo {
            node_name: settings.get("node.name").unwrap_or("rampart-1").to_string(),
            cluster_name: settings
                .get("cluster.name")
                .unwrap_or("rampart")
                .to_string(),
            cluster_uuid: cluster_uuid(&config.data_dir)?,
        },
        authn: Authenticator::new(algorithm, run_as),
        web_sessions: crate::web::SessionStore::from_settings(&settings),
        file_realm: FileRealm::new(config.config_dir.clone()),
        settings,
        store,
        security,
        audit,
        elastic_reset_hash,
        data: open_engine(&config.data_dir)?,
        access_cache: Default::default(),
        has_privileges_answers: Default::default(),
        gateway,
    };
    Ok((Arc::new(state), bootstrap))
}

/// The document engine under `<data>/indices`, refreshed every second as ES does by default.
fn open_engine(data_dir: &std::path::Path) -> Result<Arc<rampart_search::Engine>, StartError> {
    let engine = Arc::new(
        rampart_search::Engine::open(data_dir).map_err(|e| StartError::Engine(e.to_string()))?,
    );
    engine.start_refresh_thread(std::time::Duration::from_secs(1));
    Ok(engine)
}

/// The `elastic` hash the reset API restores: the bootstrapped one, when that API is enabled.
fn reset_hash(
    store: &dyn SecurityStore,
    settings: &Settings,
) -> Result<Option<String>, StartError> {
    let enabled = settings
        .get_bool(crate::api::reset::RESET_SETTING, false)
        .map_err(|e| StartError::Settings(e.to_string()))?;
    if !enabled {
        return Ok(None);
    }
    let state = store
        .get_reserved_user("elastic")
        .map_err(|e| StartError::Store {
            dir: String::new(),
            reason: e.to_string(),
        })?;
    Ok(state.and_then(|s| s.password_hash))
}

/// A stable cluster UUID kept in the data directory.
fn cluster_uuid(dir: &std::path::Path) -> Result<String, StartError> {
    let path = dir.join("cluster_uuid");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_string());
    }
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let uuid: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &uuid)?;
    Ok(uuid)
}

fn bootstrap_elastic(
    store: &dyn SecurityStore,
    algorithm: Algorithm,
    given: Option<&str>,
) -> Result<Bootstrap, StartError> {
    let existing = store
        .get_reserved_user("elastic")
        .map_err(|e| StartError::Store {
            dir: String::new(),
            reason: e.to_string(),
        })?;
    if existing
        .as_ref()
        .is_some_and(|s| s.password_hash.as_ref().is_some_and(|h| !h.is_empty()))
    {
        return Ok(Bootstrap::Existing);
    }
    let (password, outcome) = match given.filter(|p| !p.is_empty()) {
        Some(p) => (p.to_string(), Bootstrap::FromEnvironment),
        None => {
            let p = generate_password();
            (p.clone(), Bootstrap::Generated(p))
        }
    };
    let hash = algorithm
        .hash(&password)
        .map_err(|e| StartError::Settings(e.to_string()))?;
    let state = ReservedUserState {
        username: "elastic".into(),
        password_hash: Some(hash),
        enabled: existing.map(|s| s.enabled).unwrap_or(true),
    };
    store
        .put_reserved_user(&state)
        .map_err(|e| StartError::Store {
            dir: String::new(),
            reason: e.to_string(),
        })?;
    Ok(outcome)
}

/// Serve until SIGINT/SIGTERM, over TLS when `tls` is given.
pub async fn serve(
    state: SharedState,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<(), StartError> {
    serve_with_kibana(state, addr, tls, None).await
}

/// Serve the ES API on `addr` and, when `kibana` is given, the Kibana API on that second
/// listener (same process, same TLS, one graceful shutdown for both). Kibana's privileges and
/// default space are registered before the Kibana port opens.
pub async fn serve_with_kibana(
    state: SharedState,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    kibana: Option<SocketAddr>,
) -> Result<(), StartError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let es_listener = tokio::net::TcpListener::bind(addr).await?;
    let kibana_listener = match kibana {
        Some(kaddr) => {
            let st = Arc::clone(&state);
            tokio::task::spawn_blocking(move || crate::kibana::bootstrap(&st))
                .await
                .map_err(|e| StartError::Settings(e.to_string()))?
                .map_err(|e| StartError::Settings(format!("kibana bootstrap: {e}")))?;
            Some(tokio::net::TcpListener::bind(kaddr).await?)
        }
        None => None,
    };
    let es = listen(
        es_listener,
        crate::app(Arc::clone(&state)),
        tls.clone(),
        "elasticsearch",
        stopped.clone(),
    );
    let kb = async {
        match kibana_listener {
            Some(l) => {
                listen(
                    l,
                    crate::kibana::kibana_app(Arc::clone(&state)),
                    tls.clone(),
                    "kibana",
                    stopped.clone(),
                )
                .await
            }
            None => Ok(()),
        }
    };
    let signal = async {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    let (es, kb, ()) = tokio::join!(es, kb, signal);
    es?;
    kb?;
    Ok(())
}

async fn listen<F, Fut>(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    name: &'static str,
    stopped: F,
) -> Result<(), StartError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr()?;
    match tls {
        Some(config) => {
            tracing::info!(%addr, api = name, "rampart listening (https)");
            crate::tls::serve_tls(listener, app, config, stopped()).await?;
        }
        None => {
            tracing::info!(%addr, api = name, "rampart listening");
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped())
                .await?;
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
