//! The access-analysis index, kept between requests. Building it compiles every role and
//! reads every user, mapping and API key; it is valid while nothing it was built from
//! changed: the store revision (every write bumps it), the stored application privileges,
//! the file realm's users and roles, and the clock passing the next API-key expiry.

use std::sync::{Arc, RwLock};

use rampart_core::analysis::AccessIndex;

/// What an index was built from; equal keys mean the same input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub store_revision: u64,
    /// Identity of the compiled application privileges (changes with their content).
    pub applications: u64,
    /// Fingerprint of the file realm's users and roles.
    pub file_realm: u64,
}

#[derive(Debug)]
struct Entry {
    key: AccessKey,
    /// The earliest expiry (ms) of an API key in the index: after it the index is stale.
    valid_until_ms: Option<i64>,
    index: Arc<AccessIndex>,
}

/// One cached index (the latest); a miss rebuilds it.
#[derive(Debug, Default)]
pub struct AccessCache {
    slot: RwLock<Option<Entry>>,
}

impl AccessCache {
    /// The index for `key` at `now_ms`, or `build()`'s (then cached). `build` returns the
    /// index and the earliest expiry among the API keys it holds.
    pub fn get_or_build<E>(
        &self,
        key: AccessKey,
        now_ms: i64,
        build: impl FnOnce() -> Result<(AccessIndex, Option<i64>), E>,
    ) -> Result<Arc<AccessIndex>, E> {
        if let Ok(slot) = self.slot.read() {
            if let Some(e) = slot.as_ref() {
                if e.key == key && e.valid_until_ms.is_none_or(|t| now_ms < t) {
                    return Ok(Arc::clone(&e.index));
                }
            }
        }
        let (index, valid_until_ms) = build()?;
        let index = Arc::new(index);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some(Entry {
                key,
                valid_until_ms,
                index: Arc::clone(&index),
            });
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rampart_core::analysis::AccessInput;
    use rampart_core::permission::{ApplicationPrivilegeStore, RestrictedIndices};

    fn empty_index() -> AccessIndex {
        AccessIndex::build(AccessInput {
            roles: Vec::new(),
            users: Vec::new(),
            mappings: Vec::new(),
            api_keys: Vec::new(),
            applications: ApplicationPrivilegeStore::default(),
            restricted: RestrictedIndices::builtin().unwrap(),
        })
        .unwrap()
    }

    fn key(rev: u64) -> AccessKey {
        AccessKey {
            store_revision: rev,
            applications: 1,
            file_realm: 2,
        }
    }

    #[test]
    fn same_key_reuses_a_new_key_or_an_expiry_rebuilds() {
        let cache = AccessCache::default();
        let mut builds = 0;
        for (k, now, expiry) in [
            (key(1), 0, Some(100)),
            (key(1), 50, Some(100)),
            (key(2), 50, None),
            (key(2), 60, None),
            (key(2), i64::MAX, None),
        ] {
            cache
                .get_or_build::<()>(k, now, || {
                    builds += 1;
                    Ok((empty_index(), expiry))
                })
                .unwrap();
        }
        assert_eq!(builds, 2);
        let cache2 = AccessCache::default();
        let mut n = 0;
        for now in [0, 99, 100] {
            cache2
                .get_or_build::<()>(key(1), now, || {
                    n += 1;
                    Ok((empty_index(), Some(100)))
                })
                .unwrap();
        }
        assert_eq!(n, 2, "the key expiring at 100 forces a rebuild at 100");
    }
}
