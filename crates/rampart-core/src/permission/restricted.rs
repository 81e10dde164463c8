//! Restricted (system) index names: matched by role patterns only with
//! `allow_restricted_indices: true`.

use std::sync::{Arc, LazyLock};

use rampart_automaton::{AutomatonError, PatternSet};

use crate::catalog;

/// The set of restricted index names.
#[derive(Debug, Clone)]
pub struct RestrictedIndices {
    patterns: Arc<PatternSet>,
}

/// The built-in list compiles once per process (its regexes are not free).
static BUILTIN: LazyLock<Result<RestrictedIndices, AutomatonError>> =
    LazyLock::new(|| RestrictedIndices::new(catalog::restricted_index_patterns().iter().copied()));

impl RestrictedIndices {
    /// The default list from the privilege catalog.
    pub fn builtin() -> Result<Self, AutomatonError> {
        BUILTIN.clone()
    }

    /// A custom list (the list is configurable: modules register further system indices).
    pub fn new<I, S>(patterns: I) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(RestrictedIndices {
            patterns: Arc::new(PatternSet::new(patterns)?),
        })
    }

    pub fn matches(&self, name: &str) -> bool {
        self.patterns.matches(name)
    }

    pub fn patterns(&self) -> &PatternSet {
        &self.patterns
    }
}
