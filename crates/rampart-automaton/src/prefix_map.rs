//! Lookup of values keyed by string prefixes, for `prefix*` patterns.
//!
//! Real pattern sets have few distinct prefix lengths, so checking each
//! length with one hash lookup is both simple and fast, and building it is
//! linear in the total size of the prefixes.

use crate::fast_hash::FastHashMap;

#[derive(Debug, Clone)]
pub(crate) struct PrefixMap<V> {
    /// Distinct prefix lengths in bytes, ascending.
    lengths: Vec<usize>,
    /// Per entry of `lengths`: the last bytes of the prefixes of that length. A name whose
    /// byte at that position is not among them cannot have such a prefix, so most lengths
    /// are skipped with one bit test instead of a hash lookup.
    last_bytes: Vec<ByteSet>,
    map: FastHashMap<String, V>,
    /// First bytes of the non-empty prefixes: most names share no first byte with most
    /// prefixes (e.g. restricted `.`-names), so one bit test skips every hash lookup.
    first_bytes: ByteSet,
    has_empty: bool,
}

/// A set of bytes as a 256-bit mask.
#[derive(Debug, Clone, Copy, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        if let Some(word) = self.0.get_mut(usize::from(b >> 6)) {
            *word |= 1u64 << (b & 63);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|word| word & (1u64 << (b & 63)) != 0)
    }
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        Self {
            lengths: Vec::new(),
            last_bytes: Vec::new(),
            map: FastHashMap::default(),
            first_bytes: ByteSet::default(),
            has_empty: false,
        }
    }
}

impl<V> PrefixMap<V> {
    pub(crate) fn entry_or_insert_with(
        &mut self,
        prefix: &str,
        make: impl FnOnce() -> V,
    ) -> &mut V {
        let pos = match self.lengths.binary_search(&prefix.len()) {
            Ok(pos) => pos,
            Err(pos) => {
                self.lengths.insert(pos, prefix.len());
                self.last_bytes.insert(pos, ByteSet::default());
                pos
            }
        };
        if let (Some(&last), Some(set)) = (prefix.as_bytes().last(), self.last_bytes.get_mut(pos)) {
            set.insert(last);
        }
        match prefix.as_bytes().first() {
            Some(&b) => {
                self.first_bytes.insert(b);
            }
            None => self.has_empty = true,
        }
        self.map.entry(prefix.to_owned()).or_insert_with(make)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub(crate) fn contains_key(&self, prefix: &str) -> bool {
        self.map.contains_key(prefix)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    /// Whether some non-empty prefix could start `s` (first-byte test).
    fn may_match(&self, s: &str) -> bool {
        match s.as_bytes().first() {
            Some(&b) => self.first_bytes.contains(b),
            None => false,
        }
    }

    /// Values of every stored prefix of `s`.
    pub(crate) fn matches<'a>(&'a self, s: &'a str) -> impl Iterator<Item = &'a V> + 'a {
        // Lengths are ascending: without a first-byte hit only the empty prefix can match.
        let longest = if self.may_match(s) { s.len() } else { 0 };
        let bytes = s.as_bytes();
        self.lengths
            .iter()
            .zip(&self.last_bytes)
            .take_while(move |(len, _)| **len <= longest)
            .filter(move |(len, last)| {
                **len == 0
                    || len
                        .checked_sub(1)
                        .and_then(|i| bytes.get(i))
                        .is_some_and(|b| last.contains(*b))
            })
            .filter_map(move |(len, _)| s.get(..*len).and_then(|head| self.map.get(head)))
    }

    pub(crate) fn any_match(&self, s: &str) -> bool {
        if self.has_empty && self.map.contains_key("") {
            return true;
        }
        self.may_match(s) && self.matches(s).next().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_all_prefixes() {
        let mut m: PrefixMap<u32> = PrefixMap::default();
        *m.entry_or_insert_with("ab", || 0) += 1;
        *m.entry_or_insert_with("", || 0) += 10;
        *m.entry_or_insert_with("abc", || 0) += 100;
        let found: Vec<u32> = m.matches("abcd").copied().collect();
        assert_eq!(found, vec![10, 1, 100]);
        assert_eq!(m.matches("a").copied().collect::<Vec<_>>(), vec![10]);
        // Multi-byte: a length that splits a character is skipped.
        let mut m: PrefixMap<()> = PrefixMap::default();
        m.entry_or_insert_with("é", || ());
        assert!(m.any_match("éa"));
        assert!(!m.any_match("e"));
        // Prefixes of one length with different last bytes are all found; others skipped.
        let mut m: PrefixMap<u32> = PrefixMap::default();
        *m.entry_or_insert_with("logs-", || 0) += 1;
        *m.entry_or_insert_with("logs.", || 0) += 2;
        *m.entry_or_insert_with("l", || 0) += 4;
        assert_eq!(m.matches("logs-x").copied().collect::<Vec<_>>(), vec![4, 1]);
        assert_eq!(m.matches("logs.x").copied().collect::<Vec<_>>(), vec![4, 2]);
        assert_eq!(m.matches("logs_x").copied().collect::<Vec<_>>(), vec![4]);
        assert_eq!(m.matches("logz").copied().collect::<Vec<_>>(), vec![4]);
    }
}
