//! HTTPS: `xpack.security.http.ssl.{enabled,certificate,key}` (PEM files, relative paths
//! resolved against the config directory as ES does) served through rustls.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::settings::Settings;

pub const SSL_ENABLED: &str = "xpack.security.http.ssl.enabled";
pub const SSL_CERTIFICATE: &str = "xpack.security.http.ssl.certificate";
pub const SSL_KEY: &str = "xpack.security.http.ssl.key";

/// Why TLS could not be configured.
#[derive(Debug, Error)]
pub enum TlsError {
    #[error("invalid setting: {0}")]
    Setting(String),
    #[error("setting [{0}] is required when [{SSL_ENABLED}] is true")]
    Missing(&'static str),
    #[error("cannot read [{path}]: {reason}")]
    Read { path: String, reason: String },
    #[error("invalid TLS configuration: {0}")]
    Config(String),
}

fn resolve(config_dir: Option<&Path>, value: &str) -> PathBuf {
    let p = PathBuf::from(value);
    match config_dir {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> TlsError {
    TlsError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// The rustls server configuration, or `None` when HTTP TLS is off.
pub fn server_config(
    settings: &Settings,
    config_dir: Option<&Path>,
) -> Result<Option<Arc<ServerConfig>>, TlsError> {
    let enabled = settings
        .get_bool(SSL_ENABLED, false)
        .map_err(|e| TlsError::Setting(e.to_string()))?;
    if !enabled {
        return Ok(None);
    }
    let cert_path = resolve(
        config_dir,
        settings
            .get(SSL_CERTIFICATE)
            .ok_or(TlsError::Missing(SSL_CERTIFICATE))?,
    );
    let key_path = resolve(
        config_dir,
        settings.get(SSL_KEY).ok_or(TlsError::Missing(SSL_KEY))?,
    );
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| read_err(&cert_path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_err(&cert_path, e))?;
    if certs.is_empty() {
        return Err(read_err(&cert_path, "no certificate in the PEM file"));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| read_err(&key_path, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(Arc::new(config)))
}

/// Serve `app` over TLS until `shutdown` resolves, then let open connections finish.
/// Each connection's handshake runs on its own task, so a slow or failing client never
/// holds up the accept loop.
pub async fn serve_tls(
    listener: TcpListener,
    app: Router,
    config: Arc<ServerConfig>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Transient accept errors (e.g. too many open files) must not stop the node.
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(app.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match acceptor.accept(stream).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
            };
            let builder = Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
