//! Compiled pattern sets shared by every compilation in the process. Role sets are recompiled
//! whenever a role changes, but their name lists (`logs-*`, `.kibana*`, …) rarely do, so
//! each distinct list is compiled once — as Elasticsearch caches its automata.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use rampart_automaton::{AutomatonError, PatternSet};

const MAX_CACHED: usize = 16_384;

static SETS: LazyLock<RwLock<HashMap<Vec<String>, Arc<PatternSet>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// The compiled pattern set of `patterns` (in the given order), from the cache when possible.
pub(crate) fn pattern_set(patterns: &[String]) -> Result<Arc<PatternSet>, AutomatonError> {
    if let Ok(cache) = SETS.read() {
        if let Some(hit) = cache.get(patterns) {
            return Ok(Arc::clone(hit));
        }
    }
    let compiled = Arc::new(PatternSet::new(patterns.iter())?);
    if let Ok(mut cache) = SETS.write() {
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(patterns.to_vec(), Arc::clone(&compiled));
    }
    Ok(compiled)
}
