//! The authorization view of the cluster state: `rampart_core::resolve::IndexMetadata`.

use rampart_core::resolve::{
    AliasSpec, DataStreamSpec, IndexMetadata, IndexMetadataBuilder, IndexSpec,
};

use super::ClusterState;
use crate::error::{Result, SearchError};

/// Build the resolution snapshot (rebuilt by the engine only when the state changes).
pub fn build_index_metadata(state: &ClusterState) -> Result<IndexMetadata> {
    let mut b = IndexMetadataBuilder::default();
    for (name, meta) in &state.indices {
        let mut spec = IndexSpec::new(name.clone());
        if meta.hidden() || meta.data_stream.is_some() {
            spec = spec.hidden();
        }
        if meta.closed {
            spec = spec.closed();
        }
        b = b.index(spec);
    }
    for (name, ds) in &state.data_streams {
        let mut spec = DataStreamSpec::new(name.clone());
        for idx in &ds.indices {
            spec = spec.backing_index(idx.clone());
        }
        if ds.hidden {
            spec = spec.hidden();
        }
        b = b.data_stream(spec);
    }
    for (alias, members) in state.aliases() {
        let mut spec = AliasSpec::new(alias);
        let write = state.alias_write_index(alias);
        let mut hidden = false;
        for (index, am) in members {
            hidden |= am.is_hidden == Some(true);
            if write.as_deref() == Some(index) {
                spec = spec.write_target(index);
            } else {
                spec = spec.target(index);
            }
        }
        if hidden {
            spec = spec.hidden();
        }
        b = b.alias(spec);
    }
    b.build()
        .map_err(|e| SearchError::internal("index metadata snapshot", e))
}
