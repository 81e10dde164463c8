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
    map: FastHashMap<String, V>,
    /// First bytes of the non-empty prefixes: most names share no first byte with most
    /// prefixes (e.g. restricted `.`-names), so one bit test skips every hash lookup.
    first_bytes: [u64; 4],
    has_empty: bool,
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        Self {
            lengths: Vec::new(),
            map: FastHashMap::default(),
            first_bytes: [0; 4],
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
        if let Err(pos) = self.lengths.binary_search(&prefix.len()) {
            self.lengths.insert(pos, prefix.len());
        }
        match prefix.as_bytes().first() {
            Some(&b) => {
                if let Some(word) = self.first_bytes.get_mut(usize::from(b >> 6)) {
                    *word |= 1u64 << (b & 63);
                }
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
            Some(&b) => self
                .first_bytes
                .get(usize::from(b >> 6))
                .is_some_and(|word| word & (1u64 << (b & 63)) != 0),
            None => false,
        }
    }

    /// Values of every stored prefix of `s`.
    pub(crate) fn matches<'a>(&'a self, s: &'a str) -> impl Iterator<Item = &'a V> + 'a {
        let skip_non_empty = !self.may_match(s);
        self.lengths
            .iter()
            .filter(move |&&len| len == 0 || !skip_non_empty)
            .take_while(move |&&len| len <= s.len())
            .filter_map(move |&len| s.get(..len).and_then(|head| self.map.get(head)))
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
    }
}
