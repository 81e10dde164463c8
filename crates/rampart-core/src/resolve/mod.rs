//! Index expression resolution against a snapshot of index metadata.
//!
//! Pure: the caller passes the metadata snapshot, the request's expressions and options, `now`
//! and an "is this name authorized for the action" predicate; the result lists the names the
//! request targets (explicit vs wildcard-expanded), its remote parts, or the ES error.
//! Expressions are expected URL-decoded (date math like `<logs-{now/d}>` arrives encoded in paths).

mod builder;
mod datemath;
mod error;
mod expression;
mod java_time;
mod metadata;
mod options;
mod resolution;
mod resolver;

pub use builder::{AliasSpec, DataStreamSpec, IndexMetadataBuilder, IndexSpec};
pub use datemath::resolve_date_math;
pub use error::ResolveError;
pub use expression::{Selector, is_wildcard, parse_selector, simple_match};
pub use metadata::{
    Abstraction, AliasInfo, DataStreamInfo, IndexInfo, IndexMetadata, IndexState, MetadataError,
    NameKind,
};
pub use options::{ExpandWildcards, IndicesOptions};
pub use resolution::{NO_INDEX_PLACEHOLDER, Origin, RemoteExpression, Resolution, ResolvedName};
pub use resolver::{ALL_INDICES, resolve};
