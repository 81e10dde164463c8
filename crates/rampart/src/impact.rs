//! `rampart impact`: what a role change adds or removes, from the command line.
//!
//! `impact role NAME FILE.json --data DIR` compares a proposed role with the stored one and
//! reports the users who gain or lose access; `impact roles OLD.yml NEW.yml` compares two
//! roles.yml files (a CI gate with `--fail-on-widen`: exit code 1 when access widens).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rampart_core::analysis::{ImpactInput, analyze_impact};
use rampart_core::permission::{ApplicationPrivilegeStore, RestrictedIndices};
use rampart_core::role::{RoleContext, parse_role_bytes, parse_roles_file, validate_role};
use rampart_server::settings::Settings;
use rampart_server::startup::{NodeConfig, build_state};

#[derive(Debug, clap::Subcommand)]
pub enum ImpactCommand {
    /// Compare a proposed role (JSON, as for PUT /_security/role) with the stored one.
    Role {
        name: String,
        file: PathBuf,
        /// The server's data directory.
        #[arg(long)]
        data: PathBuf,
        /// The file-realm directory (users, users_roles, roles.yml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Exit with code 1 when the change widens access.
        #[arg(long)]
        fail_on_widen: bool,
    },
    /// Compare two roles.yml files.
    Roles {
        old: PathBuf,
        new: PathBuf,
        /// Exit with code 1 when the change widens access.
        #[arg(long)]
        fail_on_widen: bool,
    },
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn roles_file(path: &Path) -> Result<Vec<rampart_core::role::RoleDescriptor>> {
    let parsed =
        parse_roles_file(&read(path)?).with_context(|| format!("parsing {}", path.display()))?;
    if let Some((name, e)) = parsed.invalid.first() {
        bail!("{}: role [{name}] is invalid: {e}", path.display());
    }
    Ok(parsed.roles)
}

/// Print the report; the exit code is 1 when `fail_on_widen` and access widens.
pub fn run(cmd: ImpactCommand) -> Result<i32> {
    let (report, fail_on_widen) = match cmd {
        ImpactCommand::Role {
            name,
            file,
            data,
            config,
            fail_on_widen,
        } => {
            let role = parse_role_bytes(&name, read(&file)?.as_bytes(), RoleContext::RoleApi)?;
            validate_role(&role, RoleContext::RoleApi)?;
            let (state, _) = build_state(&NodeConfig {
                data_dir: data,
                config_dir: config,
                settings: Settings::default(),
                elastic_password: None,
            })?;
            let report = rampart_server::api::access::role_impact_report(&state, role)
                .map_err(|e| anyhow::anyhow!("{}", e.body()))?;
            (report, fail_on_widen)
        }
        ImpactCommand::Roles {
            old,
            new,
            fail_on_widen,
        } => {
            let report = analyze_impact(&ImpactInput {
                old: roles_file(&old)?,
                new: roles_file(&new)?,
                users: Vec::new(),
                api_keys: Vec::new(),
                applications: ApplicationPrivilegeStore::default(),
                restricted: RestrictedIndices::builtin()?,
            })?;
            (report, fail_on_widen)
        }
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(if fail_on_widen && report.widens { 1 } else { 0 })
}
