//! `rampart check ml-setup --user U --space S`: the machine learning setup check, run on a
//! node's data directory and settings (the same code as `GET /internal/rampart/ml_setup_check`).
//! Like a start of the Kibana port, it first registers Kibana's privileges if they changed.

use std::path::PathBuf;

use anyhow::{Result, bail};
use rampart_server::kibana::ml::{MlCheckRequest, check};
use rampart_server::startup::build_state;

use crate::serve::node_config;

#[derive(Debug, clap::Subcommand)]
pub enum CheckCommand {
    /// Is machine learning usable by this user in this space? Exit code 1 when not.
    MlSetup(MlSetupArgs),
}

#[derive(Debug, clap::Args)]
pub struct MlSetupArgs {
    /// The user to check (built-in, file or native).
    #[arg(long)]
    user: String,
    /// The Kibana space.
    #[arg(long, default_value = "default")]
    space: String,
    /// Source indices of the jobs (repeatable).
    #[arg(long = "source")]
    sources: Vec<String>,
    /// Data frame analytics / upload destination indices (repeatable).
    #[arg(long = "destination")]
    destinations: Vec<String>,
    /// Data directory of the node.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// The node's YAML settings file (its directory holds the file realm).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A setting override, `-E name=value` (repeatable).
    #[arg(short = 'E', value_name = "NAME=VALUE")]
    settings: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: CheckCommand) -> Result<i32> {
    let CheckCommand::MlSetup(args) = cmd;
    if !args.data.exists() {
        bail!("data directory [{}] does not exist", args.data.display());
    }
    let config = node_config(&args.data, args.config.as_deref(), &args.settings, None)?;
    let (state, _) = build_state(&config)?;
    rampart_server::kibana::bootstrap(&state).map_err(|e| anyhow::anyhow!("{e}"))?;
    let request = MlCheckRequest {
        username: args.user,
        space: args.space,
        source_indices: args.sources,
        destination_indices: args.destinations,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime
        .block_on(check(&state, &request))
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(
        if field(&report, "ready") == &serde_json::Value::Bool(true) {
            0
        } else {
            1
        },
    )
}

const NULL: serde_json::Value = serde_json::Value::Null;

fn field<'a>(v: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    v.get(key).unwrap_or(&NULL)
}

fn print_table(report: &serde_json::Value) {
    println!(
        "ML setup for user [{}] in space [{}]:",
        field(report, "username").as_str().unwrap_or(""),
        field(report, "space").as_str().unwrap_or("")
    );
    for r in field(report, "requirements")
        .as_array()
        .into_iter()
        .flatten()
    {
        let mark = if field(r, "passed") == &serde_json::Value::Bool(true) {
            "PASS"
        } else {
            "FAIL"
        };
        println!(
            "  [{mark}] {}",
            field(r, "description").as_str().unwrap_or("")
        );
        if let Some(fix) = field(r, "fix").as_str() {
            println!("         fix: {fix}");
        }
    }
}
