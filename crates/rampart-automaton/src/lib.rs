//! Elasticsearch-style name patterns compiled to deterministic automata.
//!
//! (Being written; see ARCHITECTURE.md.)
