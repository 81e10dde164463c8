//! The `rampart` command.
//!
//! Today it exposes the engine: `rampart demo` walks through decisions for built-in roles,
//! `rampart authorize` and `rampart has-privileges` answer questions for roles you give it.
//! `rampart serve` runs the server (ES port and Kibana port); `rampart check ml-setup` runs
//! the machine learning setup check on a data directory.

mod admin;
mod check;
mod engine;
mod impact;
mod import;
mod serve;
mod users;

use std::path::PathBuf;

/// A server allocating many small short-lived values per request is faster on mimalloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "Elasticsearch-compatible security engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which roles a question is asked for.
#[derive(Debug, clap::Args)]
struct RoleArgs {
    /// A roles.yml file with role definitions (built-in roles are always available).
    #[arg(long)]
    roles_file: Option<PathBuf>,
    /// Role names assigned to the user (repeatable).
    #[arg(long = "role", required = true)]
    roles: Vec<String>,
    /// The username that appears in messages.
    #[arg(long, default_value = "user")]
    user: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (Elasticsearch `_security` API on an embedded store).
    Serve(serve::ServeArgs),
    /// Show a few decisions for built-in roles, with Elasticsearch's messages.
    Demo,
    /// Decide one request and print the decision as JSON.
    Authorize {
        #[command(flatten)]
        roles: RoleArgs,
        #[command(subcommand)]
        question: engine::Question,
    },
    /// Manage file-realm users (`users`, `users_roles` in the config directory).
    Users(users::UsersArgs),
    /// Reset a built-in or native user's password in a data directory (offline).
    ResetPassword(admin::ResetPasswordArgs),
    /// Explain the engine's decision for a stored user.
    Explain(admin::ExplainArgs),
    /// Evaluate a `_has_privileges` request body (a JSON file, or `-` for standard input).
    HasPrivileges {
        #[command(flatten)]
        roles: RoleArgs,
        request: PathBuf,
    },
    /// Bulk-load an ndjson file (one document per line) into an index of a stopped node's
    /// data directory, with a progress bar.
    Import(import::ImportArgs),
    /// What a role change adds or removes, and for whom.
    #[command(subcommand)]
    Impact(impact::ImpactCommand),
    /// Setup checks on a data directory (`check ml-setup`).
    #[command(subcommand)]
    Check(check::CheckCommand),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Demo => engine::demo(),
        Command::Users(args) => users::run(args),
        Command::ResetPassword(args) => admin::reset_password(args),
        Command::Explain(args) => admin::explain(args),
        Command::Import(args) => import::run(args),
        Command::Impact(cmd) => std::process::exit(impact::run(cmd)?),
        Command::Check(cmd) => std::process::exit(check::run(cmd)?),
        Command::Authorize { roles, question } => {
            let ctx =
                engine::Context::load(roles.roles_file.as_deref(), &roles.roles, &roles.user)?;
            let decision = ctx.authorize(&question)?;
            println!("{}", serde_json::to_string_pretty(&decision)?);
            Ok(())
        }
        Command::HasPrivileges { roles, request } => {
            let ctx =
                engine::Context::load(roles.roles_file.as_deref(), &roles.roles, &roles.user)?;
            let text = if request.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&request)?
            };
            let body: serde_json::Value = serde_json::from_str(&text)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&ctx.has_privileges(&body)?)?
            );
            Ok(())
        }
    }
}
