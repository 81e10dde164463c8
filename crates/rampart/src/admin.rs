//! Offline tools on a node's data directory: `reset-password` and `explain`.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use rampart_core::builtin::reserved_users;
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use rampart_store::{ReservedUserState, SecurityStore, SqliteStore};

use crate::engine::{Context, Question};

#[derive(Debug, clap::Args)]
pub struct ResetPasswordArgs {
    /// The user whose password is reset (a built-in or a native user).
    #[arg(short = 'u', long = "username")]
    username: String,
    /// Prompt for the new password on standard input (twice) instead of generating one.
    #[arg(short = 'i', long, conflicts_with = "auto")]
    interactive: bool,
    /// Generate a random password (the default).
    #[arg(short = 'a', long)]
    auto: bool,
    /// Data directory of the node.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// A setting override, `-E name=value` (e.g. the password hashing algorithm).
    #[arg(short = 'E', value_name = "NAME=VALUE")]
    settings: Vec<String>,
    /// Config directory (for `elasticsearch.yml` settings).
    #[arg(long, default_value = "./config")]
    config_dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The user (built-in or native in the data directory's store).
    #[arg(long)]
    user: String,
    /// Data directory of the node.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// A roles.yml with file-realm roles.
    #[arg(long)]
    roles_file: Option<PathBuf>,
    #[command(subcommand)]
    question: Question,
}

fn open_store(data: &Path) -> Result<SqliteStore> {
    if !data.exists() {
        bail!("data directory [{}] does not exist", data.display());
    }
    SqliteStore::open(data).with_context(|| format!("opening the store in {}", data.display()))
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789_-*+";
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()))
        .map(|b| char::from(*b))
        .collect()
}

fn read_password_twice() -> Result<String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    eprint!("Enter password for the user: ");
    let first = lines.next().context("no password given")??;
    eprint!("Re-enter password for the user: ");
    let second = lines.next().context("no confirmation given")??;
    if first != second {
        bail!("Passwords do not match.");
    }
    if first.chars().count() < 6 {
        bail!("Invalid password - passwords must be at least [6] characters long");
    }
    Ok(first)
}

pub fn reset_password(args: ResetPasswordArgs) -> Result<()> {
    let store = open_store(&args.data)?;
    let algorithm = crate::users::algorithm(&args.config_dir, &args.settings)?;
    let password = if args.interactive {
        read_password_twice()?
    } else {
        generate_password()
    };
    let hash = algorithm.hash(&password)?;
    let reserved = reserved_users()?;
    if reserved.iter().any(|u| u.username == args.username) {
        let enabled = store
            .get_reserved_user(&args.username)?
            .map(|s| s.enabled)
            .unwrap_or(true);
        store.put_reserved_user(&ReservedUserState {
            username: args.username.clone(),
            password_hash: Some(hash),
            enabled,
        })?;
    } else if !store.set_user_password(&args.username, &hash)? {
        bail!("User [{}] does not exist", args.username);
    }
    println!(
        "Password for the [{}] user successfully reset.",
        args.username
    );
    if !args.interactive {
        println!("New value: {password}");
    }
    Ok(())
}

/// The user's role names and the native role descriptors among them.
fn user_roles(store: &dyn SecurityStore, user: &str) -> Result<Vec<String>> {
    if let Some(r) = reserved_users()?.into_iter().find(|u| u.username == user) {
        return Ok(r.roles);
    }
    match store.get_user(user)? {
        Some(u) if u.enabled => Ok(u.roles),
        Some(_) => bail!("user [{user}] is disabled"),
        None => bail!("user [{user}] does not exist in [{}]", "native"),
    }
}

pub fn explain(args: ExplainArgs) -> Result<()> {
    let store = open_store(&args.data)?;
    let names = user_roles(&store, &args.user)?;
    let native: Vec<RoleDescriptor> = store
        .get_roles(&names)?
        .into_iter()
        .filter_map(
            |doc| match parse_role(&doc.name, &doc.doc, RoleContext::RoleApi) {
                Ok(r) => Some(r),
                Err(e) => {
                    eprintln!(
                        "warning: stored role [{}] is invalid and grants nothing: {e}",
                        doc.name
                    );
                    None
                }
            },
        )
        .collect();
    let ctx = Context::load_with(args.roles_file.as_deref(), native, &names, &args.user)?;
    println!("user [{}] roles {:?}", args.user, names);
    let decision = ctx.authorize(&args.question)?;
    println!("{}", serde_json::to_string_pretty(&decision)?);
    Ok(())
}
