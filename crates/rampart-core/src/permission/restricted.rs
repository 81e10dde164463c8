//! Restricted (system) index names: matched by role patterns only with
//! `allow_restricted_indices: true`.

use rampart_automaton::{AutomatonError, PatternSet};

use crate::catalog;

/// The set of restricted index names.
#[derive(Debug, Clone)]
pub struct RestrictedIndices {
    patterns: PatternSet,
}

impl RestrictedIndices {
    /// The default list from the privilege catalog.
    pub fn builtin() -> Result<Self, AutomatonError> {
        Self::new(catalog::restricted_index_patterns().iter().copied())
    }

    /// A custom list (the list is configurable: modules register further system indices).
    pub fn new<I, S>(patterns: I) -> Result<Self, AutomatonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(RestrictedIndices {
            patterns: PatternSet::new(patterns)?,
        })
    }

    pub fn matches(&self, name: &str) -> bool {
        self.patterns.matches(name)
    }

    pub fn patterns(&self) -> &PatternSet {
        &self.patterns
    }
}
