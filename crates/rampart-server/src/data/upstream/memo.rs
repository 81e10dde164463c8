//! A small bounded memo shared by the gateway's caches: values of pure functions, found by a
//! hash of their inputs and then full equality (a collision never returns another input's
//! value). When full it starts over, which costs recomputation, never correctness.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::ApiError;

/// A bounded map from a key (found by hash, then full equality) to a computed value.
#[derive(Debug)]
pub(super) struct Memo<K, V> {
    entries: Mutex<Entries<K, V>>,
    /// How many keys are kept before starting over.
    limit: usize,
}

#[derive(Debug)]
struct Entries<K, V> {
    by_hash: HashMap<u64, Vec<(K, V)>>,
    len: usize,
}

impl<K, V: Clone> Memo<K, V> {
    pub(super) fn new(limit: usize) -> Self {
        Self {
            entries: Mutex::new(Entries {
                by_hash: HashMap::new(),
                len: 0,
            }),
            limit,
        }
    }

    /// The value for the key `is_key` recognises (`hash` is its hash), computed by `compute`
    /// on a miss. `owned` makes the stored key, only on a miss.
    pub(super) fn get_or_try(
        &self,
        hash: u64,
        is_key: impl Fn(&K) -> bool,
        owned: impl FnOnce() -> K,
        compute: impl FnOnce() -> Result<V, ApiError>,
    ) -> Result<V, ApiError> {
        if let Ok(entries) = self.entries.lock() {
            let hit = entries
                .by_hash
                .get(&hash)
                .and_then(|bucket| bucket.iter().find(|(k, _)| is_key(k)));
            if let Some((_, value)) = hit {
                return Ok(value.clone());
            }
        }
        // Computed outside the lock: other requests go on meanwhile.
        let value = compute()?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len >= self.limit {
                entries.by_hash.clear();
                entries.len = 0;
            }
            let bucket = entries.by_hash.entry(hash).or_default();
            if !bucket.iter().any(|(k, _)| is_key(k)) {
                bucket.push((owned(), value.clone()));
                entries.len += 1;
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_starts_over_when_full() {
        let memo: Memo<u32, u32> = Memo::new(100);
        for i in 0..110 {
            let v = memo
                .get_or_try(u64::from(i), |k| *k == i, || i, || Ok(i * 2))
                .unwrap();
            assert_eq!(v, i * 2);
        }
        let len = memo.entries.lock().unwrap().len;
        assert!(len <= 100, "{len}");
    }

    #[test]
    fn colliding_hashes_keep_their_keys_apart() {
        let memo: Memo<u32, u32> = Memo::new(100);
        let get = |key: u32, value: u32| memo.get_or_try(7, |k| *k == key, || key, || Ok(value));
        assert_eq!(get(1, 10).unwrap(), 10);
        assert_eq!(get(2, 20).unwrap(), 20);
        assert_eq!(get(1, 99).unwrap(), 10);
        assert_eq!(get(2, 99).unwrap(), 20);
    }

    #[test]
    fn failures_are_not_kept() {
        let memo: Memo<u32, u32> = Memo::new(100);
        let failed = memo.get_or_try(1, |k| *k == 1, || 1, || Err(ApiError::bad_request("no")));
        assert!(failed.is_err());
        assert_eq!(memo.get_or_try(1, |k| *k == 1, || 1, || Ok(5)).unwrap(), 5);
    }
}
