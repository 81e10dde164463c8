//! Error type and resource limits shared by every construction in the crate.

use thiserror::Error;

/// Bounds on the work a single automaton construction may do.
///
/// Patterns come from role definitions written by users, so a hostile or
/// careless pattern must not be able to hang a node or exhaust its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of deterministic states any intermediate or final
    /// automaton may have.
    pub max_states: usize,
}

impl Limits {
    /// The default bound on determinized states.
    pub const DEFAULT_MAX_STATES: usize = 100_000;

    /// Bound on the intermediate NFA, which grows linearly with the pattern
    /// text (repetitions multiply it), so it gets a generous multiple.
    pub(crate) fn max_nfa_states(&self) -> usize {
        self.max_states.saturating_mul(16).max(4096)
    }

    pub(crate) fn too_complex(&self) -> AutomatonError {
        AutomatonError::TooComplex {
            limit: self.max_states,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_states: Self::DEFAULT_MAX_STATES,
        }
    }
}

/// Everything that can go wrong when turning patterns into automata.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutomatonError {
    /// A pattern starts with `/` (regular expression) but does not end with one.
    #[error(
        "invalid pattern [{pattern}]. patterns starting with '/' indicate regular expression pattern and therefore must also end with '/'. other patterns (those that do not start with '/') will be treated as simple wildcard patterns"
    )]
    UnterminatedRegex {
        /// The offending pattern as given.
        pattern: String,
    },
    /// The body of a `/regex/` pattern is not valid Lucene regular expression syntax.
    #[error("invalid regular expression pattern [{pattern}]: {reason}")]
    InvalidRegex {
        /// The offending pattern as given (including the slashes).
        pattern: String,
        /// What is wrong and where (positions are character offsets into the regex body).
        reason: String,
    },
    /// Building the automaton would exceed [`Limits::max_states`].
    #[error("pattern is too complex: its automaton would exceed {limit} states")]
    TooComplex {
        /// The limit that was exceeded.
        limit: usize,
    },
}
