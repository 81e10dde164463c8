//! Cache of successful password authentications: username → digest of (salt, username,
//! password) and the authentication it established.
//!
//! An entry is only used for the exact inputs it was computed from: the same password (by
//! salted digest, compared in constant time), the same store revision (any write may have
//! changed a password, a user, or a reserved user's state) and the same file-realm generation
//! (the `users` files shadow native users). With equal inputs the realm chain would reach the
//! same answer, so a hit skips it: no user lookup, no record clone, no bcrypt.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::identity::Authentication;

const TTL: Duration = Duration::from_secs(20 * 60);
const MAX_ENTRIES: usize = 100_000;

type PasswordDigest = [u8; 32];

/// What a cache entry was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Inputs {
    /// The store revision.
    pub revision: u64,
    /// The file realm's generation.
    pub file_generation: u64,
}

#[derive(Debug)]
struct Entry {
    digest: PasswordDigest,
    at: Instant,
    inputs: Inputs,
    auth: Authentication,
}

#[derive(Debug)]
pub(crate) struct AuthCache {
    salt: [u8; 16],
    entries: RwLock<HashMap<String, Entry>>,
}

impl AuthCache {
    pub(crate) fn new() -> Self {
        let mut salt = [0u8; 16];
        rand::fill(&mut salt);
        AuthCache {
            salt,
            entries: RwLock::new(HashMap::new()),
        }
    }

    fn digest(&self, username: &str, password: &str) -> PasswordDigest {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(username.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// The authentication this exact (username, password) recently established, if nothing it
    /// depends on has changed since.
    pub(crate) fn get(
        &self,
        username: &str,
        password: &str,
        inputs: Inputs,
    ) -> Option<Authentication> {
        let d = self.digest(username, password);
        let entries = self.entries.read().ok()?;
        let e = entries.get(username)?;
        let fresh = e.inputs == inputs && e.at.elapsed() < TTL;
        (fresh && super::password::constant_time_eq(&e.digest, &d)).then(|| e.auth.clone())
    }

    /// Remember a successful authentication and what it was computed from.
    pub(crate) fn remember(
        &self,
        username: &str,
        password: &str,
        inputs: Inputs,
        auth: &Authentication,
    ) {
        let digest = self.digest(username, password);
        if let Ok(mut e) = self.entries.write() {
            if e.len() >= MAX_ENTRIES {
                e.clear();
            }
            e.insert(
                username.to_string(),
                Entry {
                    digest,
                    at: Instant::now(),
                    inputs,
                    auth: auth.clone(),
                },
            );
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authn::identity::{Credential, RealmRef, UserInfo};

    fn auth(name: &str) -> Authentication {
        let realm = RealmRef::new("default_native", "native");
        Authentication {
            user: UserInfo {
                username: name.to_string(),
                enabled: true,
                ..Default::default()
            },
            authentication_realm: realm.clone(),
            lookup_realm: realm,
            run_as: None,
            credential: Credential::Password,
        }
    }

    const AT: Inputs = Inputs {
        revision: 3,
        file_generation: 1,
    };

    #[test]
    fn a_hit_needs_the_same_password_revision_and_file_generation() {
        let cache = AuthCache::new();
        cache.remember("alice", "pw", AT, &auth("alice"));
        assert_eq!(cache.get("alice", "pw", AT), Some(auth("alice")));
        assert_eq!(cache.get("alice", "other", AT), None);
        assert_eq!(cache.get("bob", "pw", AT), None);
        let later = Inputs { revision: 4, ..AT };
        assert_eq!(cache.get("alice", "pw", later), None);
        let reloaded = Inputs {
            file_generation: 2,
            ..AT
        };
        assert_eq!(cache.get("alice", "pw", reloaded), None);
        cache.clear();
        assert_eq!(cache.get("alice", "pw", AT), None);
    }
}
