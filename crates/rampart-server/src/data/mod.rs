//! The enforcement layer of the data plane: the only path from a request to document data.
//!
//! Every index, document and search handler resolves its index expression and authorizes it
//! through the decision engine (`target`), turns the decision's DLS/FLS access into per-index
//! restrictions (`restrict`), refuses what ES refuses under DLS/FLS (`guards`), and only then
//! calls the document engine (`rampart_search::Engine`, adapted in `engine`) with them.

pub mod aliases;
pub mod cat;
pub mod cat_table;
pub mod docs;
pub mod engine;
pub mod explain;
pub mod gateway_only;
pub mod guards;
pub mod indices;
pub mod ingest;
pub mod pit;
pub mod restrict;
pub mod scroll;
pub mod search;
pub mod security_index;
pub mod streams;
pub mod target;
pub mod total_hits;
pub mod upstream;
pub mod write;
