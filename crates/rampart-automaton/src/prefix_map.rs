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
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        Self {
            lengths: Vec::new(),
            map: FastHashMap::default(),
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

    /// Values of every stored prefix of `s`.
    pub(crate) fn matches<'a>(&'a self, s: &'a str) -> impl Iterator<Item = &'a V> + 'a {
        self.lengths
            .iter()
            .take_while(move |&&len| len <= s.len())
            .filter_map(move |&len| s.get(..len).and_then(|head| self.map.get(head)))
    }

    pub(crate) fn any_match(&self, s: &str) -> bool {
        self.matches(s).next().is_some()
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
