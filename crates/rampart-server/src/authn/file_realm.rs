//! The file realm: `users` (`name:hash` lines) and `users_roles` (`role:user1,user2` lines) in
//! the config directory, in Elasticsearch's formats, reloaded when they change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use super::identity::UserInfo;

#[derive(Debug, Default, Clone)]
struct Snapshot {
    /// username → password hash
    users: HashMap<String, String>,
    /// username → roles
    roles: HashMap<String, Vec<String>>,
    stamp: Option<(Option<SystemTime>, Option<SystemTime>)>,
    /// Bumped on every reload, so caches of authentications can tell they are stale.
    generation: u64,
}

/// File-realm users, reloaded when the files change.
#[derive(Debug, Default)]
pub struct FileRealm {
    dir: Option<PathBuf>,
    snapshot: RwLock<Snapshot>,
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Parse a `users` file; malformed lines are skipped with a warning, as ES does.
pub fn parse_users(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((u, h)) if !u.is_empty() && !h.is_empty() => {
                out.insert(u.to_string(), h.to_string());
            }
            _ => tracing::warn!(
                line = n + 1,
                "invalid entry in file realm users file; skipped"
            ),
        }
    }
    out
}

/// Parse a `users_roles` file into username → roles.
pub fn parse_users_roles(text: &str) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((role, users)) if !role.trim().is_empty() => {
                for u in users.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    out.entry(u.to_string())
                        .or_default()
                        .push(role.trim().to_string());
                }
            }
            _ => tracing::warn!(
                line = n + 1,
                "invalid entry in file realm users_roles file; skipped"
            ),
        }
    }
    out
}

impl FileRealm {
    /// A realm reading `<dir>/users` and `<dir>/users_roles` (either may be absent).
    pub fn new(dir: Option<PathBuf>) -> Self {
        let realm = FileRealm {
            dir,
            snapshot: RwLock::new(Snapshot::default()),
        };
        realm.reload_if_changed();
        realm
    }

    fn paths(&self) -> Option<(PathBuf, PathBuf)> {
        let d = self.dir.as_ref()?;
        Some((d.join("users"), d.join("users_roles")))
    }

    /// Re-read the files when their modification times changed.
    pub fn reload_if_changed(&self) {
        let Some((users, roles)) = self.paths() else {
            return;
        };
        let stamp = (modified(&users), modified(&roles));
        if self
            .snapshot
            .read()
            .map(|s| s.stamp == Some(stamp))
            .unwrap_or(false)
        {
            return;
        }
        let generation = self
            .snapshot
            .read()
            .map(|s| s.generation.wrapping_add(1))
            .unwrap_or_default();
        let snap = Snapshot {
            generation,
            users: std::fs::read_to_string(&users)
                .map(|t| parse_users(&t))
                .unwrap_or_default(),
            roles: std::fs::read_to_string(&roles)
                .map(|t| parse_users_roles(&t))
                .unwrap_or_default(),
            stamp: Some(stamp),
        };
        if let Ok(mut s) = self.snapshot.write() {
            *s = snap;
        }
    }

    /// Which version of the files the realm answers from (after re-reading changed files):
    /// an authentication remembered at one generation is stale at any other.
    pub fn generation(&self) -> u64 {
        self.reload_if_changed();
        self.snapshot
            .read()
            .map(|s| s.generation)
            .unwrap_or(u64::MAX)
    }

    /// A user and its password hash.
    pub fn lookup(&self, username: &str) -> Option<(UserInfo, String)> {
        self.reload_if_changed();
        let s = self.snapshot.read().ok()?;
        let hash = s.users.get(username)?.clone();
        let roles = s.roles.get(username).cloned().unwrap_or_default();
        Some((
            UserInfo {
                username: username.to_string(),
                roles,
                enabled: true,
                ..Default::default()
            },
            hash,
        ))
    }

    /// All file users (for `GET /_security/user` they are not listed; used by the CLI).
    pub fn usernames(&self) -> Vec<String> {
        self.reload_if_changed();
        let mut names: Vec<String> = self
            .snapshot
            .read()
            .map(|s| s.users.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_es_formats() {
        let users = parse_users("# comment\nalice:$2a$10$abc\nbroken\n\nbob:{PBKDF2}1000$x$y\n");
        assert_eq!(users.len(), 2);
        assert_eq!(users.get("alice").map(String::as_str), Some("$2a$10$abc"));
        let roles = parse_users_roles("admin: alice,bob\nviewer:bob\n:x\n");
        assert_eq!(
            roles.get("bob").cloned().unwrap_or_default(),
            vec!["admin".to_string(), "viewer".to_string()]
        );
    }
}
