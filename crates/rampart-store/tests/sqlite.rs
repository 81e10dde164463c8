#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shared behavioural suite against `SqliteStore`.

use rampart_store::{SecurityStore, SqliteStore, suite};

#[test]
fn sqlite_store_passes_the_shared_suite() {
    suite::run_all(|| Box::new(SqliteStore::in_memory().unwrap()) as Box<dyn SecurityStore>);
}
