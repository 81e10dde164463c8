//! `_data_stream/_stats`: per data stream, its backing indices, their size on disk and the
//! largest `@timestamp` they hold.

use tantivy::DateTime;

use super::Engine;
use crate::error::Result;
use crate::shard::KW;

/// One data stream's statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStreamStats {
    pub name: String,
    pub backing_indices: usize,
    pub store_size_bytes: u64,
    /// The largest `@timestamp` of its refreshed documents in epoch milliseconds (0: none).
    pub maximum_timestamp: i64,
}

impl Engine {
    /// Statistics of the named data streams (unknown names are skipped), oldest stream first.
    pub fn data_stream_stats(&self, names: &[String]) -> Result<Vec<DataStreamStats>> {
        let state = self.state();
        let mut streams: Vec<(i64, &String, Vec<String>)> = state
            .data_streams
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, ds)| {
                let created = ds
                    .indices
                    .first()
                    .and_then(|i| state.indices.get(i))
                    .map_or(0, |m| m.creation_date);
                (created, name, ds.indices.clone())
            })
            .collect();
        streams.sort();
        let mut out = Vec::with_capacity(streams.len());
        for (_, name, indices) in streams {
            let mut size = 0u64;
            let mut max = 0i64;
            for index in &indices {
                size += self.store_size(index)?.unwrap_or(0);
                max = max.max(self.max_timestamp(index)?.unwrap_or(0));
            }
            out.push(DataStreamStats {
                name: name.clone(),
                backing_indices: indices.len(),
                store_size_bytes: size,
                maximum_timestamp: max,
            });
        }
        Ok(out)
    }

    /// The largest `@timestamp` in `index`'s refreshed documents, in epoch milliseconds.
    fn max_timestamp(&self, index: &str) -> Result<Option<i64>> {
        let (shard, _) = self.shard(index)?;
        let column = format!("{KW}.@timestamp");
        let mut max: Option<i64> = None;
        for segment in shard.searcher().segment_readers() {
            // A `@timestamp` that is not a date column (it can only be mapped as one in a
            // data stream) counts as absent.
            let Ok(Some(col)) = segment.fast_fields().column_opt::<DateTime>(&column) else {
                continue;
            };
            if let Some(m) = col.values.iter().max() {
                let m = m.into_timestamp_millis();
                max = Some(max.map_or(m, |x| x.max(m)));
            }
        }
        Ok(max)
    }
}
