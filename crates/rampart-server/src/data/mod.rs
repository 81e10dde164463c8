//! The enforcement layer of the data plane: the only path from a request to document data.
//!
//! Every index, document and search handler resolves its index expression and authorizes it
//! through the decision engine (`target`), turns the decision's DLS/FLS access into per-index
//! restrictions (`restrict`), refuses what ES refuses under DLS/FLS (`guards`), and only then
//! calls the search engine with those restrictions.

pub mod body;
pub mod docs;
pub mod engine;
pub mod guards;
pub mod indices;
pub mod memory;
pub mod naive;
pub mod restrict;
pub mod role_query;
pub mod search;
pub mod search_exec;
pub mod target;
pub mod write;
