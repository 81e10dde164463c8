//! Point-in-time follow-ups: `pit` inside `_msearch` items, `POST /_pit` without an index,
//! PIT with security disabled and the `per_role` widening reading the PIT's snapshot.

mod msearch;
mod no_index_and_unsecured;
mod per_role;
