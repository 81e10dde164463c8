//! Ingest pipelines: stored definitions (`store`), their compiled form (`pipeline`,
//! `processors`, `config`, `field`), the `set_security_user` processor (`security_user`), the
//! `/_ingest/pipeline` APIs (`api`) and the write-path hook (`run`), which runs a document's
//! pipelines after its write was authorized and before it is written.

pub mod api;
mod config;
mod field;
mod pipeline;
mod processors;
mod run;
mod security_user;
mod store;

pub use run::IngestSession;
