//! `rampart serve`.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use rampart_server::settings::Settings;
use rampart_server::startup::{Bootstrap, NodeConfig, build_state, serve_with_kibana};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port of the Elasticsearch-compatible API.
    #[arg(long, default_value_t = 9200)]
    port: u16,
    /// Address of the Kibana API listener.
    #[arg(long, default_value = "127.0.0.1")]
    kibana_host: IpAddr,
    /// Port of the Kibana API listener (0: any free port).
    #[arg(long, default_value_t = 5601)]
    kibana_port: u16,
    /// Do not open the Kibana API listener (nor register Kibana's privileges).
    #[arg(long)]
    no_kibana: bool,
    /// Data directory (security store, logs).
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// YAML settings file (Elasticsearch setting names); its directory also holds the file
    /// realm (`users`, `users_roles`, `roles.yml`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A setting override, `-E name=value` (repeatable).
    #[arg(short = 'E', value_name = "NAME=VALUE")]
    settings: Vec<String>,
    /// Gateway mode: the Elasticsearch/OpenSearch cluster that holds the documents and the
    /// security store (repeatable for several nodes of it).
    #[arg(long, value_name = "URL")]
    upstream: Vec<String>,
    /// User for the upstream cluster (with `--upstream-password`).
    #[arg(
        long,
        requires = "upstream_password",
        conflicts_with = "upstream_api_key"
    )]
    upstream_user: Option<String>,
    /// Password for the upstream cluster.
    #[arg(long, requires = "upstream_user")]
    upstream_password: Option<String>,
    /// API key (base64 `id:key`) for the upstream cluster.
    #[arg(long)]
    upstream_api_key: Option<String>,
    /// PEM file of CA certificates trusted for the upstream's TLS.
    #[arg(long)]
    upstream_ca: Option<PathBuf>,
}

/// The `--upstream*` flags as `rampart.gateway.upstream.*` settings (flags win over the file).
fn apply_upstream_flags(args: &ServeArgs, settings: &mut Settings) {
    use rampart_server::gateway as gw;
    if !args.upstream.is_empty() {
        settings.set(gw::UPSTREAM_URL, args.upstream.join(","));
    }
    if let Some(user) = &args.upstream_user {
        settings.set(gw::UPSTREAM_USER, user.clone());
    }
    if let Some(password) = &args.upstream_password {
        settings.set(gw::UPSTREAM_PASSWORD, password.clone());
    }
    if let Some(key) = &args.upstream_api_key {
        settings.set(gw::UPSTREAM_API_KEY, key.clone());
    }
    if let Some(ca) = &args.upstream_ca {
        settings.set(gw::UPSTREAM_CA, ca.display().to_string());
    }
}

pub fn run(args: ServeArgs) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut config = node_config(
        &args.data,
        args.config.as_deref(),
        &args.settings,
        std::env::var("ELASTIC_PASSWORD").ok(),
    )?;
    apply_upstream_flags(&args, &mut config.settings);
    let tls = rampart_server::tls::server_config(&config.settings, config.config_dir.as_deref())?;
    let (state, bootstrap) = build_state(&config)?;
    if let Bootstrap::Generated(password) = &bootstrap {
        println!("The password of the [elastic] user was generated (shown only once): {password}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let kibana = (!args.no_kibana).then(|| SocketAddr::new(args.kibana_host, args.kibana_port));
    runtime.block_on(serve_with_kibana(
        state,
        SocketAddr::new(args.host, args.port),
        tls,
        kibana,
    ))?;
    Ok(())
}

/// The node configuration every command that builds the server state starts from: the YAML
/// settings file (if any) with `-E` overrides applied; the file's directory holds the file realm.
pub fn node_config(
    data: &Path,
    config: Option<&Path>,
    overrides: &[String],
    elastic_password: Option<String>,
) -> Result<NodeConfig> {
    let mut settings = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Settings::from_yaml(&text)?
        }
        None => Settings::default(),
    };
    settings.apply_overrides(overrides)?;
    Ok(NodeConfig {
        data_dir: data.to_path_buf(),
        config_dir: config.and_then(|p| p.parent().map(PathBuf::from)),
        settings,
        elastic_password,
    })
}
