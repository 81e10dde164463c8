//! `rampart users`: manage the file realm (`users`, `users_roles` in the config directory)
//! the way `elasticsearch-users` does, hashing with the configured algorithm.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::Subcommand;
use rampart_server::authn::file_realm::{parse_users, parse_users_roles};
use rampart_server::authn::password::Algorithm;
use rampart_server::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct UsersArgs {
    /// The config directory holding `users` and `users_roles`.
    #[arg(long, default_value = "./config", global = true)]
    config_dir: PathBuf,
    /// A setting override, `-E name=value` (e.g. the password hashing algorithm).
    #[arg(short = 'E', value_name = "NAME=VALUE", global = true)]
    settings: Vec<String>,
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user.
    Useradd {
        username: String,
        #[arg(short = 'p', long)]
        password: String,
        /// Comma-separated roles.
        #[arg(short = 'r', long, default_value = "")]
        roles: String,
    },
    /// List users and their roles (or one user).
    List { username: Option<String> },
    /// Change a user's password.
    Passwd {
        username: String,
        #[arg(short = 'p', long)]
        password: String,
    },
    /// Add (-a) or remove (-r) roles of a user.
    Roles {
        username: String,
        #[arg(short = 'a', long, default_value = "")]
        add: String,
        #[arg(short = 'r', long, default_value = "")]
        remove: String,
    },
    /// Remove a user.
    Userdel { username: String },
}

/// The file realm on disk: username → hash, role → users.
struct FileRealmFiles {
    dir: PathBuf,
    users: BTreeMap<String, String>,
    /// username → roles, kept in the order they were given.
    roles: BTreeMap<String, Vec<String>>,
}

impl FileRealmFiles {
    fn load(dir: &Path) -> Result<Self> {
        let read = |name: &str| -> Result<String> {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(t) => Ok(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                Err(e) => Err(e).with_context(|| format!("reading {}", dir.join(name).display())),
            }
        };
        Ok(FileRealmFiles {
            dir: dir.to_path_buf(),
            users: parse_users(&read("users")?).into_iter().collect(),
            roles: parse_users_roles(&read("users_roles")?)
                .into_iter()
                .collect(),
        })
    }

    /// Write both files atomically (temp file + rename), in ES's formats.
    fn save(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let users: String = self
            .users
            .iter()
            .map(|(u, h)| format!("{u}:{h}\n"))
            .collect();
        let mut by_role: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (user, roles) in &self.roles {
            if !self.users.contains_key(user) {
                continue;
            }
            for r in roles {
                by_role.entry(r).or_default().push(user);
            }
        }
        let users_roles: String = by_role
            .iter()
            .map(|(r, us)| format!("{r}:{}\n", us.join(",")))
            .collect();
        write_atomic(&self.dir.join("users"), &users)?;
        write_atomic(&self.dir.join("users_roles"), &users_roles)?;
        Ok(())
    }
}

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// ES's username rule: 1–507 printable characters, no leading or trailing whitespace.
fn validate_username(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 507
        && name.trim() == name
        && name.chars().all(|c| !c.is_control())
        && !name.contains(':');
    if !ok {
        bail!(
            "Invalid username [{name}]... Valid usernames must be at least 1 and no more than 507 \
             characters. They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, \
             punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or \
             trailing whitespace is not allowed."
        );
    }
    Ok(())
}

fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < 6 {
        bail!("Invalid password - passwords must be at least [6] characters long");
    }
    Ok(())
}

fn split_roles(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect()
}

/// The hashing algorithm from `<config>/elasticsearch.yml` and `-E` overrides.
pub fn algorithm(config_dir: &Path, overrides: &[String]) -> Result<Algorithm> {
    let mut settings = match std::fs::read_to_string(config_dir.join("elasticsearch.yml")) {
        Ok(text) => Settings::from_yaml(&text)?,
        Err(_) => Settings::default(),
    };
    settings.apply_overrides(overrides)?;
    Ok(Algorithm::parse(
        settings
            .get("xpack.security.authc.password_hashing.algorithm")
            .unwrap_or("bcrypt"),
    )?)
}

pub fn run(args: UsersArgs) -> Result<()> {
    let mut files = FileRealmFiles::load(&args.config_dir)?;
    let hash = |password: &str| -> Result<String> {
        validate_password(password)?;
        Ok(algorithm(&args.config_dir, &args.settings)?.hash(password)?)
    };
    match args.command {
        UsersCommand::Useradd {
            username,
            password,
            roles,
        } => {
            validate_username(&username)?;
            if files.users.contains_key(&username) {
                bail!("User [{username}] already exists");
            }
            let hashed = hash(&password)?;
            files.users.insert(username.clone(), hashed);
            files.roles.insert(username, split_roles(&roles));
            files.save()
        }
        UsersCommand::List { username } => {
            let names: Vec<&String> = match &username {
                Some(u) if !files.users.contains_key(u) => bail!("User [{u}] doesn't exist"),
                Some(u) => vec![u],
                None => files.users.keys().collect(),
            };
            for name in names {
                let roles = files.roles.get(name).cloned().unwrap_or_default();
                let roles = if roles.is_empty() {
                    "-".to_string()
                } else {
                    roles.join(",")
                };
                println!("{name:<15}: {roles}");
            }
            Ok(())
        }
        UsersCommand::Passwd { username, password } => {
            if !files.users.contains_key(&username) {
                bail!("User [{username}] doesn't exist");
            }
            let hashed = hash(&password)?;
            files.users.insert(username, hashed);
            files.save()
        }
        UsersCommand::Roles {
            username,
            add,
            remove,
        } => {
            if !files.users.contains_key(&username) {
                bail!("User [{username}] doesn't exist");
            }
            let remove = split_roles(&remove);
            let roles = files.roles.entry(username).or_default();
            roles.retain(|r| !remove.contains(r));
            for r in split_roles(&add) {
                if !roles.contains(&r) {
                    roles.push(r);
                }
            }
            files.save()
        }
        UsersCommand::Userdel { username } => {
            if files.users.remove(&username).is_none() {
                bail!("User [{username}] doesn't exist");
            }
            files.roles.remove(&username);
            files.save()
        }
    }
}
