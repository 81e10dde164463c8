//! Search execution: compile the request per target index (its own mapping and
//! [`Restrictions`]), AND the DLS filter (cached per segment), collect and sort hits across
//! indices, run aggregations, and render Elasticsearch's response shape.

mod agg_filters;
pub mod aggs;
pub(crate) mod compile;
mod dls;
pub(crate) mod exec;
pub mod explain;
mod fls_source;
mod index_name;
pub mod pit;
pub mod scroll;
pub(crate) mod sort;
pub mod source;
mod stats;

pub use sort::SHARD_DOC;

use rampart_core::fls::FieldPermissions;
use rampart_query::Query;

/// What one caller may see of one index.
#[derive(Debug, Clone, Default)]
pub struct Restrictions {
    /// The OR of the caller's role queries (`None`: every document).
    pub documents: Option<Query>,
    /// The caller's field permissions (`None`: every field).
    pub fields: Option<FieldPermissions>,
}

impl Restrictions {
    /// No restriction.
    pub fn none() -> Self {
        Self::default()
    }

    pub(crate) fn fls(&self) -> Option<&FieldPermissions> {
        self.fields.as_ref().filter(|f| !f.is_unrestricted())
    }
}
