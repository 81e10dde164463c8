//! Read-through caches of store lookups, valid for one store revision: every write bumps the
//! revision, so a hit can never be stale for longer than the store's own revision check.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

const MAX_ENTRIES: usize = 100_000;

/// Values keyed by `K`, each remembered with the revision it was read at.
#[derive(Debug)]
pub struct RevisionCache<K, V> {
    entries: RwLock<HashMap<K, (u64, V)>>,
    /// Entries kept before the cache starts over.
    max_entries: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for RevisionCache<K, V> {
    fn default() -> Self {
        Self::bounded(MAX_ENTRIES)
    }
}

impl<K: Eq + Hash + Clone, V: Clone> RevisionCache<K, V> {
    /// A cache of at most `max_entries` (for large values, such as compiled permissions).
    pub fn bounded(max_entries: usize) -> Self {
        RevisionCache {
            entries: RwLock::new(HashMap::new()),
            max_entries,
        }
    }

    /// The cached value for `key` at `revision`, or `load()`'s answer (then cached).
    pub fn get_or_load<E>(
        &self,
        key: &K,
        revision: u64,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Ok(entries) = self.entries.read() {
            if let Some((rev, v)) = entries.get(key) {
                if *rev == revision {
                    return Ok(v.clone());
                }
            }
        }
        let value = load()?;
        self.insert(key, revision, value.clone());
        Ok(value)
    }

    /// Remember `value` for `key` at `revision`, replacing what was there.
    pub fn insert(&self, key: &K, revision: u64, value: V) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.max_entries {
                entries.clear();
            }
            entries.insert(key.clone(), (revision, value));
        }
    }

    /// Forget every entry (for inputs that are not covered by the store revision).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_revision_reloads() {
        let cache: RevisionCache<String, u32> = RevisionCache::default();
        let k = "a".to_string();
        assert_eq!(cache.get_or_load::<()>(&k, 1, || Ok(1)), Ok(1));
        assert_eq!(cache.get_or_load::<()>(&k, 1, || Ok(2)), Ok(1));
        assert_eq!(cache.get_or_load::<()>(&k, 2, || Ok(3)), Ok(3));
        cache.insert(&k, 2, 4);
        assert_eq!(cache.get_or_load::<()>(&k, 2, || Ok(5)), Ok(4));
    }

    #[test]
    fn a_bounded_cache_starts_over_when_full() {
        let cache: RevisionCache<u32, u32> = RevisionCache::bounded(2);
        for k in 0..3 {
            cache.insert(&k, 1, k);
        }
        assert_eq!(cache.entries.read().unwrap().len(), 1);
        assert_eq!(cache.get_or_load::<()>(&2, 1, || Ok(9)), Ok(2));
        assert_eq!(cache.get_or_load::<()>(&0, 1, || Ok(9)), Ok(9));
    }
}
