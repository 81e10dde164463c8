//! Cache of successful password authentications: username → digest of (salt, password).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const TTL: Duration = Duration::from_secs(20 * 60);
const MAX_ENTRIES: usize = 100_000;

/// (digest of salt+password, when, store revision)
type Entry = (Vec<u8>, Instant, u64);

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

    fn digest(&self, username: &str, password: &str) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(username.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().to_vec()
    }

    /// Whether this exact (username, password) recently authenticated successfully and the
    /// store has not changed since (any write may have changed a password or a user).
    pub(crate) fn hit(&self, username: &str, password: &str, revision: u64) -> bool {
        let d = self.digest(username, password);
        self.entries
            .read()
            .ok()
            .and_then(|e| e.get(username).cloned())
            .is_some_and(|(stored, at, rev)| {
                rev == revision
                    && at.elapsed() < TTL
                    && super::password::constant_time_eq(&stored, &d)
            })
    }

    pub(crate) fn remember(&self, username: &str, password: &str, revision: u64) {
        let d = self.digest(username, password);
        if let Ok(mut e) = self.entries.write() {
            if e.len() >= MAX_ENTRIES {
                e.clear();
            }
            e.insert(username.to_string(), (d, Instant::now(), revision));
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
        }
    }
}
