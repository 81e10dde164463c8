//! Building an [`IndexMetadata`] snapshot from declarative specs.
//!
//! The builder derives the back-references (an index's aliases, a backing index's data stream) so
//! callers only declare each fact once.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::metadata::{
    Abstraction, AliasInfo, DataStreamInfo, IndexInfo, IndexMetadata, IndexState, MetadataError,
};

/// A concrete index to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    name: String,
    hidden: bool,
    closed: bool,
    system: bool,
}

impl IndexSpec {
    /// An open, visible, non-system index.
    pub fn new(name: impl Into<String>) -> Self {
        IndexSpec {
            name: name.into(),
            hidden: false,
            closed: false,
            system: false,
        }
    }
    /// Mark hidden.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    /// Mark closed.
    pub fn closed(mut self) -> Self {
        self.closed = true;
        self
    }
    /// Mark as a net-new system index.
    pub fn system(mut self) -> Self {
        self.system = true;
        self
    }
}

impl From<&str> for IndexSpec {
    fn from(name: &str) -> Self {
        IndexSpec::new(name)
    }
}

/// An alias to add; it points to indices or to data streams (not both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasSpec {
    name: String,
    targets: Vec<String>,
    write_target: Option<String>,
    hidden: bool,
}

impl AliasSpec {
    /// An alias with no targets yet.
    pub fn new(name: impl Into<String>) -> Self {
        AliasSpec {
            name: name.into(),
            targets: Vec::new(),
            write_target: None,
            hidden: false,
        }
    }
    /// Add a target index or data stream.
    pub fn target(mut self, name: impl Into<String>) -> Self {
        self.targets.push(name.into());
        self
    }
    /// Add a target and make it the write target.
    pub fn write_target(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.write_target = Some(name.clone());
        self.targets.push(name);
        self
    }
    /// Mark hidden.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
}

/// A data stream to add. Backing/failure indices not declared separately are created as hidden
/// open indices, as Elasticsearch does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStreamSpec {
    name: String,
    backing: Vec<String>,
    failures: Vec<String>,
    hidden: bool,
    system: bool,
}

impl DataStreamSpec {
    /// A data stream with no backing indices yet.
    pub fn new(name: impl Into<String>) -> Self {
        DataStreamSpec {
            name: name.into(),
            backing: Vec::new(),
            failures: Vec::new(),
            hidden: false,
            system: false,
        }
    }
    /// Append a backing index (the last one is the write index).
    pub fn backing_index(mut self, name: impl Into<String>) -> Self {
        self.backing.push(name.into());
        self
    }
    /// Append a failure-store index.
    pub fn failure_index(mut self, name: impl Into<String>) -> Self {
        self.failures.push(name.into());
        self
    }
    /// Mark hidden.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    /// Mark as a net-new system data stream.
    pub fn system(mut self) -> Self {
        self.system = true;
        self
    }
}

/// Collects specs; [`IndexMetadataBuilder::build`] validates and links them.
#[derive(Debug, Clone, Default)]
pub struct IndexMetadataBuilder {
    indices: Vec<IndexSpec>,
    aliases: Vec<AliasSpec>,
    data_streams: Vec<DataStreamSpec>,
    remotes: Vec<String>,
}

impl IndexMetadataBuilder {
    /// Add a concrete index (a plain `&str` gives an open visible index).
    pub fn index(mut self, spec: impl Into<IndexSpec>) -> Self {
        self.indices.push(spec.into());
        self
    }
    /// Add an alias.
    pub fn alias(mut self, spec: AliasSpec) -> Self {
        self.aliases.push(spec);
        self
    }
    /// Add a data stream.
    pub fn data_stream(mut self, spec: DataStreamSpec) -> Self {
        self.data_streams.push(spec);
        self
    }
    /// Add a configured remote cluster alias.
    pub fn remote_cluster(mut self, alias: impl Into<String>) -> Self {
        self.remotes.push(alias.into());
        self
    }

    /// Validate and produce the snapshot.
    pub fn build(self) -> Result<IndexMetadata, MetadataError> {
        let mut entries: BTreeMap<String, Abstraction> = BTreeMap::new();
        for spec in self.indices {
            let info = IndexInfo {
                hidden: spec.hidden,
                state: if spec.closed {
                    IndexState::Closed
                } else {
                    IndexState::Open
                },
                system: spec.system,
                ..IndexInfo::default()
            };
            insert_new(&mut entries, spec.name, Abstraction::Index(info))?;
        }
        for ds in self.data_streams {
            link_data_stream_members(&mut entries, &ds)?;
            let info = DataStreamInfo {
                backing_indices: ds.backing,
                failure_indices: ds.failures,
                hidden: ds.hidden,
                system: ds.system,
            };
            insert_new(&mut entries, ds.name, Abstraction::DataStream(info))?;
        }
        for alias in self.aliases {
            let info = link_alias(&mut entries, &alias)?;
            insert_new(&mut entries, alias.name, Abstraction::Alias(info))?;
        }
        let mut remotes = self.remotes;
        remotes.sort();
        remotes.dedup();
        Ok(IndexMetadata::from_parts(entries, remotes))
    }
}

fn insert_new(
    entries: &mut BTreeMap<String, Abstraction>,
    name: String,
    value: Abstraction,
) -> Result<(), MetadataError> {
    match entries.entry(name) {
        Entry::Occupied(e) => Err(MetadataError::DuplicateName(e.key().clone())),
        Entry::Vacant(e) => {
            e.insert(value);
            Ok(())
        }
    }
}

/// Point each backing/failure index at its data stream, creating undeclared ones as hidden.
fn link_data_stream_members(
    entries: &mut BTreeMap<String, Abstraction>,
    ds: &DataStreamSpec,
) -> Result<(), MetadataError> {
    let members = ds
        .backing
        .iter()
        .map(|n| (n, false))
        .chain(ds.failures.iter().map(|n| (n, true)));
    for (name, failure) in members {
        let entry = entries.entry(name.clone()).or_insert_with(|| {
            Abstraction::Index(IndexInfo {
                hidden: true,
                ..IndexInfo::default()
            })
        });
        let Abstraction::Index(info) = entry else {
            return Err(MetadataError::DuplicateName(name.clone()));
        };
        if info.data_stream.is_some() {
            return Err(MetadataError::SharedBackingIndex(name.clone()));
        }
        info.data_stream = Some(ds.name.clone());
        info.failure_index = failure;
    }
    Ok(())
}

/// Check an alias's targets and register the alias on each target index.
fn link_alias(
    entries: &mut BTreeMap<String, Abstraction>,
    alias: &AliasSpec,
) -> Result<AliasInfo, MetadataError> {
    let mut targets = alias.targets.clone();
    targets.sort();
    targets.dedup();
    let mut saw_index = false;
    let mut saw_stream = false;
    for target in &targets {
        match entries.get_mut(target) {
            Some(Abstraction::Index(info)) => {
                saw_index = true;
                info.aliases.push(alias.name.clone());
                info.aliases.sort();
            }
            Some(Abstraction::DataStream(_)) => saw_stream = true,
            _ => {
                return Err(MetadataError::UnknownAliasTarget {
                    alias: alias.name.clone(),
                    target: target.clone(),
                });
            }
        }
    }
    if saw_index && saw_stream {
        return Err(MetadataError::MixedAlias(alias.name.clone()));
    }
    let bad_write = alias.write_target.as_ref().filter(|w| !targets.contains(w));
    if let Some(write) = bad_write {
        return Err(MetadataError::BadWriteTarget {
            alias: alias.name.clone(),
            target: write.clone(),
        });
    }
    Ok(AliasInfo {
        targets,
        write_target: alias.write_target.clone(),
        hidden: alias.hidden,
        data_stream_alias: saw_stream,
    })
}
