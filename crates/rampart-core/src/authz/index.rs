//! Index action authorization (sections 5.1, 5.4, 5.8, 6.1, 7.4, 8.3 of the facts).

use std::sync::Arc;

use smallvec::SmallVec;

use super::EffectiveRole;
use super::decision::{Decision, IndexDecision, Reason};
use super::denial::Denial;
use super::grants::{Grants, IndexGrants, NameGrant, SideGrant, limited_by};
use super::subject::Subject;
use crate::catalog::{self, ActionKind};
use crate::permission::{ActionView, CompileError, GroupIds, Permission};

/// What the decision layer needs to know about existing names.
pub trait IndexLookup {
    /// The data stream a backing (or failure) index belongs to.
    fn parent_data_stream(&self, name: &str) -> Option<&str>;
    /// Whether `name` is a data stream.
    fn is_data_stream(&self, name: &str) -> bool;
    /// Whether any data stream exists (lets callers skip parent lookups entirely).
    fn has_data_streams(&self) -> bool {
        true
    }
}

/// A lookup for callers without metadata: nothing is a data stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoIndexMetadata;

impl IndexLookup for NoIndexMetadata {
    fn parent_data_stream(&self, _name: &str) -> Option<&str> {
        None
    }
    fn is_data_stream(&self, _name: &str) -> bool {
        false
    }
    fn has_data_streams(&self) -> bool {
        false
    }
}

/// An index action on resolved names.
#[derive(Clone, Copy)]
pub struct IndexRequest<'a> {
    pub action: &'a str,
    /// Resolved local names (indices, aliases, data streams; may not exist). A name may carry
    /// the `::failures` or `::data` selector.
    pub names: &'a [String],
    /// Whether the request type accepts data streams (then a data stream authorizes its
    /// backing indices).
    pub data_streams: bool,
    pub lookup: &'a dyn IndexLookup,
}

impl std::fmt::Debug for IndexRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexRequest")
            .field("action", &self.action)
            .field("names", &self.names)
            .field("data_streams", &self.data_streams)
            .finish()
    }
}

const FAILURES: &str = "::failures";
const DATA: &str = "::data";

pub(super) fn split_selector(name: &str) -> (&str, bool) {
    if let Some(base) = name.strip_suffix(FAILURES) {
        (base, true)
    } else {
        (name.strip_suffix(DATA).unwrap_or(name), false)
    }
}

/// Fill `grant` with the groups of one side granting `action` on `name` (directly, or through
/// its parent data stream); returns whether any did.
#[allow(clippy::too_many_arguments)]
fn side_match(
    p: &Permission,
    data_view: &ActionView,
    action: &str,
    name: &str,
    failures: bool,
    restricted: bool,
    req: &IndexRequest<'_>,
    grant: &mut SideGrant,
) -> bool {
    // Metadata lookups only when a rule needs them: the common case is one automaton pass.
    let allow_bwc = !data_view.has_bwc_only()
        || (!req.lookup.is_data_stream(name) && req.lookup.parent_data_stream(name).is_none());
    let direct = |n: &str, restricted: bool, ids: &mut GroupIds| {
        p.indices
            .matching_groups_into(data_view, n, allow_bwc, restricted, ids);
        if failures {
            ids.retain(|id| {
                p.indices
                    .group(*id)
                    .is_some_and(|g| g.grants_action(action, true))
            });
            if ids.is_empty() {
                // Failure-only groups (read_failure_store) are not in the data view.
                failure_groups(p, action, n, ids);
            }
        }
    };
    direct(name, restricted, &mut grant.groups);
    if !grant.groups.is_empty() {
        return true;
    }
    if req.data_streams && req.lookup.has_data_streams() {
        if let Some(ds) = req.lookup.parent_data_stream(name) {
            direct(ds, p.indices.restricted().matches(ds), &mut grant.groups);
            if !grant.groups.is_empty() {
                grant.via = Some(ds.into());
                return true;
            }
        }
    }
    false
}

fn failure_groups(p: &Permission, action: &str, name: &str, ids: &mut GroupIds) {
    let restricted = p.indices.restricted().matches(name);
    ids.extend(
        p.indices
            .groups()
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                g.grants_action(action, true)
                    && g.matches_name(name)
                    && (!restricted || g.allow_restricted)
            })
            .filter_map(|(i, _)| u32::try_from(i).ok()),
    );
}

impl EffectiveRole {
    /// The pre-check of section 5.4: does any group grant `action` on any index at all?
    /// Also the whole check for name-only composite actions (section 5.8).
    pub fn authorize_index_action_anywhere(
        &self,
        subject: &Subject,
        action: &str,
        original_names: &[String],
    ) -> Result<Decision, CompileError> {
        let mut reasons = Vec::new();
        for (i, side) in self.side_iter().enumerate() {
            let view = side.indices.view(action)?;
            let failure_grant = side
                .indices
                .groups()
                .iter()
                .any(|g| g.grants_action(action, true));
            if view.granting.is_empty() && !failure_grant {
                let failures = original_names.iter().any(|n| n.ends_with(FAILURES));
                let (plain, restricted): (Vec<&str>, Vec<&str>) = original_names
                    .iter()
                    .map(String::as_str)
                    .partition(|n| !side.indices.restricted().matches(split_selector(n).0));
                return Ok(Decision::denied(Denial::index(
                    subject,
                    self,
                    action,
                    &plain,
                    &restricted,
                    failures,
                )?));
            }
            let roles = view
                .granting
                .iter()
                .filter_map(|id| side.indices.group(*id))
                .flat_map(|g| g.roles.iter().cloned())
                .collect();
            reasons.push(limited_by(i, Reason::NameOnly { roles }));
        }
        Ok(Decision::allowed(reasons))
    }

    /// Authorize an index action on resolved names: every name must be granted (section 6.1).
    pub fn authorize_index(
        &self,
        subject: &Subject,
        req: &IndexRequest<'_>,
    ) -> Result<IndexDecision, CompileError> {
        let action = req.action;
        if catalog::classify_action(action) != ActionKind::Index {
            return Ok(IndexDecision::denied(Denial::index(
                subject,
                self,
                action,
                &[],
                &[],
                false,
            )?));
        }
        // At most two sides (an API key and its owner): no allocation for them.
        let mut sides: [Option<(&Permission, Arc<ActionView>)>; 2] = [None, None];
        for (slot, side) in sides.iter_mut().zip(self.side_iter()) {
            *slot = Some((side, side.indices.view(action)?));
        }
        let mut denied_plain: SmallVec<[&str; 1]> = SmallVec::new();
        let mut denied_restricted: SmallVec<[&str; 1]> = SmallVec::new();
        let mut any_failures = false;
        // Filled in place: the decision is built once, not moved piece by piece.
        let mut grants = IndexGrants {
            role: self.clone(),
            names: SmallVec::with_capacity(req.names.len()),
        };
        for full in req.names {
            let (name, failures) = split_selector(full);
            any_failures |= failures;
            let mut entry = NameGrant {
                name: String::new(),
                base_len: name.len(),
                sides: Default::default(),
            };
            // Each side's restricted-name answer, reused when classifying a denial.
            let mut restricted = [None::<bool>; 2];
            let mut ok = true;
            let slots = entry.sides.iter_mut().zip(restricted.iter_mut());
            for ((side, view), (grant, is_restricted)) in sides.iter().flatten().zip(slots) {
                let r = side.indices.restricted().matches(name);
                *is_restricted = Some(r);
                if !side_match(side, view, action, name, failures, r, req, grant) {
                    ok = false;
                    break;
                }
            }
            if ok {
                if !denied_plain.is_empty() || !denied_restricted.is_empty() {
                    // Already denied: only the denied names matter from here on.
                    continue;
                }
                entry.name.clone_from(full);
                grants.names.push(entry);
            } else if sides
                .iter()
                .flatten()
                .zip(restricted)
                .any(|((s, _), r)| r.unwrap_or_else(|| s.indices.restricted().matches(name)))
            {
                denied_restricted.push(full);
            } else {
                denied_plain.push(full);
            }
        }
        if !denied_plain.is_empty() || !denied_restricted.is_empty() {
            let d = Denial::index(
                subject,
                self,
                action,
                &denied_plain,
                &denied_restricted,
                any_failures,
            )?;
            return Ok(IndexDecision::denied(d));
        }
        if req.names.is_empty() {
            // Only the "no indices" placeholder: granted by the pre-check alone.
            return Ok(IndexDecision::new(self.authorize_index_action_anywhere(
                subject,
                action,
                &[],
            )?));
        }
        Ok(IndexDecision::new(Decision::granted(Grants::Index(grants))))
    }
}

impl IndexLookup for crate::resolve::IndexMetadata {
    fn parent_data_stream(&self, name: &str) -> Option<&str> {
        crate::resolve::IndexMetadata::parent_data_stream(self, name)
    }
    fn is_data_stream(&self, name: &str) -> bool {
        matches!(self.kind(name), crate::resolve::NameKind::DataStream)
    }
    fn has_data_streams(&self) -> bool {
        crate::resolve::IndexMetadata::has_data_streams(self)
    }
}
