//! Strict enforcement by request rewriting: pure functions, no IO.
//!
//! A restricted search is parsed, checked against the refusal list, and rendered again with
//! the DLS filter scoped to each target index (`_index` filters) and hidden fields rewritten
//! so they match nothing (queries) or are missing (sorts, aggregations); the upstream's
//! answer is then filtered per hit (`_source`, `fields`, highlight, inner and top hits).
//! Callers that no restriction applies to are forwarded unchanged.

mod by_query;
mod get;
mod pit;
mod refuse;
mod remote;
mod response;
mod response_bytes;
mod scroll;
mod search;

pub use by_query::{QUERY_PARAMS, check_by_query_fls, empty_by_query_answer, plan_by_query};
pub use get::{admits_everything, get_answers, plan_get};
pub use pit::{PitBinding, pit_id, split_pit, with_upstream_pit};
pub use refuse::{
    Operation, PROFILE, Refusal, SUGGEST, UPDATE, check_operation, check_search_body,
};
pub use response::{ResponseFilter, filter_document, filter_search_response};
pub use response_bytes::filter_search_response_bytes;
pub use scroll::{ScrollBinder, ScrollError};
pub use search::{SearchPlan, plan_search, plan_search_direct, render_request};

use rampart_core::fls::FieldPermissions;
use rampart_query::Query;

/// What one caller may see of one concrete index: `None` = no restriction of that kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexRestrictions {
    /// The DLS filter: documents outside it do not exist for the caller.
    pub documents: Option<Query>,
    /// The FLS field set.
    pub fields: Option<FieldPermissions>,
}

impl IndexRestrictions {
    pub fn unrestricted() -> Self {
        Self::default()
    }

    pub fn has_dls(&self) -> bool {
        self.documents.is_some()
    }

    pub fn has_fls(&self) -> bool {
        self.fields.as_ref().is_some_and(|f| !f.is_unrestricted())
    }

    pub fn is_restricted(&self) -> bool {
        self.has_dls() || self.has_fls()
    }

    pub(crate) fn permits(&self, field: &str) -> bool {
        self.fields.as_ref().is_none_or(|f| f.permits(field))
    }
}

/// One concrete index a request reaches, with the caller's restrictions on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub index: String,
    pub restrictions: IndexRestrictions,
}
