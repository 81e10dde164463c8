//! A read-only snapshot of the cluster's index namespace: indices, aliases, data streams and the
//! configured remote cluster aliases.
//!
//! Indices, aliases and data streams share one namespace in Elasticsearch, so they live in one
//! sorted table: a wildcard with a literal prefix (`logs-*`) becomes a binary search plus a scan
//! of contiguous memory (all names packed in one string), which keeps 100k-name scans cheap.

use std::collections::BTreeMap;

use super::expression::{Selector, simple_match};

/// Whether a concrete index is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexState {
    /// Searchable and writable.
    #[default]
    Open,
    /// Closed: only matched by wildcards when `expand_wildcards` includes `closed`.
    Closed,
}

/// A concrete index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexInfo {
    /// `index.hidden: true`: wildcards skip it unless `hidden` is expanded (or the dot rule applies).
    pub hidden: bool,
    /// Open or closed.
    pub state: IndexState,
    /// A net-new system index: never matched by wildcards unless the request may see system indices.
    pub system: bool,
    /// The data stream this index backs (backing or failure index), if any.
    pub data_stream: Option<String>,
    /// True for a failure-store index of `data_stream`.
    pub failure_index: bool,
    /// The aliases pointing at this index, sorted.
    pub aliases: Vec<String>,
}

/// An alias (of indices, or of data streams).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AliasInfo {
    /// The indices (or data streams, for a data-stream alias) it points to, sorted.
    pub targets: Vec<String>,
    /// The write index (or write data stream), if one is designated.
    pub write_target: Option<String>,
    /// Hidden alias.
    pub hidden: bool,
    /// True when the alias points to data streams rather than indices.
    pub data_stream_alias: bool,
}

/// A data stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataStreamInfo {
    /// Backing indices, oldest first (the last one is the write index).
    pub backing_indices: Vec<String>,
    /// Failure-store indices, oldest first.
    pub failure_indices: Vec<String>,
    /// Hidden data stream.
    pub hidden: bool,
    /// A net-new system data stream.
    pub system: bool,
}

/// One entry of the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Abstraction {
    /// A concrete index.
    Index(IndexInfo),
    /// An alias.
    Alias(AliasInfo),
    /// A data stream.
    DataStream(DataStreamInfo),
}

impl Abstraction {
    /// Hidden flag, whatever the kind.
    pub fn is_hidden(&self) -> bool {
        match self {
            Abstraction::Index(i) => i.hidden,
            Abstraction::Alias(a) => a.hidden,
            Abstraction::DataStream(d) => d.hidden,
        }
    }
}

/// What a name denotes, for the decision layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind<'m> {
    /// A standalone concrete index.
    Index,
    /// A backing index of the named data stream.
    BackingIndex {
        /// The parent data stream.
        data_stream: &'m str,
    },
    /// A failure-store index of the named data stream.
    FailureIndex {
        /// The parent data stream.
        data_stream: &'m str,
    },
    /// An alias of indices.
    Alias,
    /// An alias of data streams.
    DataStreamAlias,
    /// A data stream.
    DataStream,
    /// Nothing by that name exists.
    Missing,
}

/// Why a metadata snapshot could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// Two entries (index, alias or data stream) share a name.
    #[error("name [{0}] is used by more than one index, alias or data stream")]
    DuplicateName(String),
    /// An alias points to a name that is neither an index nor a data stream.
    #[error("alias [{alias}] points to [{target}], which is not an index or data stream")]
    UnknownAliasTarget {
        /// The alias.
        alias: String,
        /// The missing target.
        target: String,
    },
    /// An alias mixes indices and data streams.
    #[error("alias [{0}] mixes indices and data streams")]
    MixedAlias(String),
    /// The write target of an alias is not one of its targets.
    #[error("alias [{alias}] has write target [{target}] which it does not point to")]
    BadWriteTarget {
        /// The alias.
        alias: String,
        /// The write target.
        target: String,
    },
    /// An index is declared as part of two data streams.
    #[error("index [{0}] belongs to more than one data stream")]
    SharedBackingIndex(String),
}

/// The snapshot. Build it with [`IndexMetadata::builder`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexMetadata {
    entries: Namespace,
    remote_clusters: Vec<String>,
    /// Whether any data stream exists (decisions skip parent lookups when none does).
    has_data_streams: bool,
}

/// Sorted names packed into one string, with their entries in a parallel vector, plus a hash
/// index so that looking up one name costs the same with 10 or 1,000,000 names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Namespace {
    text: String,
    /// `starts[i]..starts[i + 1]` is name `i`; one more element than `values`.
    starts: Vec<usize>,
    values: Vec<Abstraction>,
    /// Open-addressing table of positions (`EMPTY_SLOT` = free); length a power of two.
    slots: Vec<u32>,
}

const EMPTY_SLOT: u32 = u32::MAX;

/// FNV-1a: names are short, and the table only needs a fast, well-spread hash.
fn name_hash(name: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> 29)) as usize
}

impl Namespace {
    fn from_sorted(map: BTreeMap<String, Abstraction>) -> Self {
        let mut ns = Namespace {
            text: String::with_capacity(map.keys().map(String::len).sum()),
            starts: Vec::with_capacity(map.len() + 1),
            values: Vec::with_capacity(map.len()),
            slots: Vec::new(),
        };
        ns.starts.push(0);
        for (name, value) in map {
            ns.text.push_str(&name);
            ns.starts.push(ns.text.len());
            ns.values.push(value);
        }
        ns.build_slots();
        ns
    }

    fn build_slots(&mut self) {
        let n = self.values.len();
        if n >= EMPTY_SLOT as usize {
            // Too many names for the table: lookups fall back to binary search.
            return;
        }
        let capacity = (n * 2).next_power_of_two().max(8);
        let mut slots = vec![EMPTY_SLOT; capacity];
        let mask = capacity - 1;
        for i in 0..n {
            let mut pos = name_hash(self.name(i)) & mask;
            while let Some(slot) = slots.get_mut(pos) {
                if *slot == EMPTY_SLOT {
                    *slot = i as u32;
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        self.slots = slots;
    }

    /// Position of `key`, by hash when the table exists.
    fn position(&self, key: &str) -> Option<usize> {
        if self.slots.is_empty() {
            let i = self.lower_bound(key);
            return (self.name(i) == key && i < self.len()).then_some(i);
        }
        let mask = self.slots.len() - 1;
        let mut pos = name_hash(key) & mask;
        loop {
            let slot = *self.slots.get(pos)?;
            if slot == EMPTY_SLOT {
                return None;
            }
            if self.name(slot as usize) == key {
                return Some(slot as usize);
            }
            pos = (pos + 1) & mask;
        }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn name(&self, i: usize) -> &str {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text.get(a..b).unwrap_or_default(),
            _ => "",
        }
    }

    /// First position whose name is not `< key` (binary search).
    fn lower_bound(&self, key: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.name(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn get_key_value(&self, key: &str) -> Option<(&str, &Abstraction)> {
        let i = self.position(key)?;
        Some((self.name(i), self.values.get(i)?))
    }

    fn iter_from(&self, from: usize) -> impl Iterator<Item = (&str, &Abstraction)> {
        let starts = self.starts.get(from..).unwrap_or_default();
        let values = self.values.get(from..).unwrap_or_default();
        starts.windows(2).zip(values).map(|(w, v)| match w {
            [a, b] => (self.text.get(*a..*b).unwrap_or_default(), v),
            _ => ("", v),
        })
    }
}

impl IndexMetadata {
    /// Start building a snapshot.
    pub fn builder() -> super::builder::IndexMetadataBuilder {
        super::builder::IndexMetadataBuilder::default()
    }

    pub(super) fn from_parts(
        entries: BTreeMap<String, Abstraction>,
        remote_clusters: Vec<String>,
    ) -> Self {
        let has_data_streams = entries
            .values()
            .any(|a| matches!(a, Abstraction::DataStream(_)));
        IndexMetadata {
            entries: Namespace::from_sorted(entries),
            remote_clusters,
            has_data_streams,
        }
    }

    /// The entry named `name`, O(log n).
    pub fn get(&self, name: &str) -> Option<&Abstraction> {
        self.entries.get_key_value(name).map(|(_, v)| v)
    }

    /// The snapshot's own copy of `name`, if it exists (lets results borrow instead of copying).
    pub fn existing_name(&self, name: &str) -> Option<&str> {
        self.entries.get_key_value(name).map(|(k, _)| k)
    }

    /// Whether anything (index, alias, data stream) is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.get_key_value(name).is_some()
    }

    /// Number of names (indices + aliases + data streams).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the snapshot has no names at all.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Every entry in name order.
    /// Whether the snapshot holds any data stream.
    pub fn has_data_streams(&self) -> bool {
        self.has_data_streams
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Abstraction)> {
        self.entries.iter_from(0)
    }

    /// Entries whose name starts with `prefix`, in name order, found by a range scan.
    pub fn with_prefix<'s, 'p>(
        &'s self,
        prefix: &'p str,
    ) -> impl Iterator<Item = (&'s str, &'s Abstraction)> + use<'s, 'p> {
        self.entries
            .iter_from(self.entries.lower_bound(prefix))
            .take_while(move |(k, _)| k.starts_with(prefix))
    }

    /// The configured remote cluster aliases, sorted.
    pub fn remote_clusters(&self) -> &[String] {
        &self.remote_clusters
    }

    /// Remote cluster aliases matched by `pattern` (`*` wildcards allowed).
    pub fn matching_remote_clusters(&self, pattern: &str) -> Vec<&str> {
        self.remote_clusters
            .iter()
            .filter(|r| simple_match(pattern, r))
            .map(String::as_str)
            .collect()
    }

    /// What `name` denotes.
    pub fn kind(&self, name: &str) -> NameKind<'_> {
        match self.entries.get_key_value(name).map(|(_, v)| v) {
            None => NameKind::Missing,
            Some(Abstraction::Alias(a)) if a.data_stream_alias => NameKind::DataStreamAlias,
            Some(Abstraction::Alias(_)) => NameKind::Alias,
            Some(Abstraction::DataStream(_)) => NameKind::DataStream,
            Some(Abstraction::Index(i)) => match (&i.data_stream, i.failure_index) {
                (Some(ds), false) => NameKind::BackingIndex { data_stream: ds },
                (Some(ds), true) => NameKind::FailureIndex { data_stream: ds },
                (None, _) => NameKind::Index,
            },
        }
    }

    /// The parent data stream of a backing or failure index.
    pub fn parent_data_stream(&self, name: &str) -> Option<&str> {
        match self.entries.get_key_value(name).map(|(_, v)| v) {
            Some(Abstraction::Index(i)) => i.data_stream.as_deref(),
            _ => None,
        }
    }

    /// The concrete indices behind `name`: the index itself, an alias's indices (through data
    /// streams for a data-stream alias), or a data stream's backing indices (failure indices with
    /// the `::failures` selector). Empty for a missing name.
    pub fn concrete_indices(&self, name: &str, selector: Option<Selector>) -> Vec<&str> {
        let mut out = Vec::new();
        self.push_concrete(name, selector, &mut out);
        out
    }

    fn push_concrete<'s>(&'s self, name: &str, selector: Option<Selector>, out: &mut Vec<&'s str>) {
        match self.entries.get_key_value(name) {
            Some((key, Abstraction::Index(_))) => out.push(key),
            Some((_, Abstraction::DataStream(ds))) => {
                let list = match selector {
                    Some(Selector::Failures) => &ds.failure_indices,
                    _ => &ds.backing_indices,
                };
                out.extend(list.iter().map(String::as_str));
            }
            Some((_, Abstraction::Alias(alias))) => {
                for target in &alias.targets {
                    self.push_concrete(target, selector, out);
                }
            }
            None => {}
        }
    }

    /// The concrete write index behind `name`: the index itself, the alias's write index (or its
    /// only index), or the data stream's newest backing index.
    pub fn write_index(&self, name: &str) -> Option<&str> {
        match self.entries.get_key_value(name)? {
            (key, Abstraction::Index(_)) => Some(key),
            (_, Abstraction::DataStream(ds)) => ds.backing_indices.last().map(String::as_str),
            (_, Abstraction::Alias(alias)) => {
                let target = match (&alias.write_target, alias.targets.as_slice()) {
                    (Some(w), _) => w,
                    (None, [only]) => only,
                    _ => return None,
                };
                self.write_index(target)
            }
        }
    }
}
