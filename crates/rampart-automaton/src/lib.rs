//! Elasticsearch-style name patterns compiled to deterministic automata.
//!
//! Patterns are the ones Elasticsearch's security model uses for action
//! names, index names, `run_as` users, application resources and field
//! names:
//!
//! * wildcard patterns: `*` any string, `?` one character, `\x` literal `x`;
//! * `/regex/` patterns: Lucene regular expressions over the whole name,
//!   with every optional operator enabled (`~`, `&`, `<n-m>`, `@`, `#`).
//!
//! Everything works on UTF-8 bytes with minimal DFAs whose languages only
//! contain well-formed UTF-8, so set operations (union, intersection,
//! difference, complement, inclusion) are exact. [`PatternSet`] avoids
//! automata entirely for literal and `prefix*` patterns, and
//! [`TaggedMatcher`] answers "which of these sets match" in one pass.

mod automaton;
mod compile;
mod dfa;
mod error;
mod examples;
mod fast_hash;
mod interval;
mod matcher;
mod minimize;
mod nfa;
mod ops;
pub mod pattern;
mod pattern_set;
mod prefix_map;
mod tagged;
mod trie;
mod utf8;

pub use automaton::Automaton;
pub use error::{AutomatonError, Limits};
pub use pattern_set::PatternSet;
pub use tagged::TaggedMatcher;
