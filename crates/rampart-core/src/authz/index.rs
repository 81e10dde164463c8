//! Index action authorization (sections 5.1, 5.4, 5.8, 6.1, 7.4, 8.3 of the facts).

use super::decision::{Decision, Denial, IndexAccess, IndexDecision, Reason};
use super::message;
use super::subject::Subject;
use super::{EffectiveRole, side_reasons};
use crate::catalog::{self, ActionKind};
use crate::permission::{ActionView, CompileError, Permission, index_privileges_granting};

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

fn split_selector(name: &str) -> (&str, bool) {
    if let Some(base) = name.strip_suffix(FAILURES) {
        (base, true)
    } else {
        (name.strip_suffix(DATA).unwrap_or(name), false)
    }
}

/// One side's answer for one name.
struct SideMatch {
    groups: Vec<u32>,
    via: Option<String>,
}

fn side_match(
    p: &Permission,
    data_view: &ActionView,
    action: &str,
    name: &str,
    failures: bool,
    req: &IndexRequest<'_>,
) -> Option<SideMatch> {
    // Metadata lookups only when a rule needs them: the common case is one automaton pass.
    let allow_bwc = !data_view.has_bwc_only()
        || (!req.lookup.is_data_stream(name) && req.lookup.parent_data_stream(name).is_none());
    let direct = |n: &str| -> Vec<u32> {
        let mut ids = p.indices.matching_groups(data_view, n, allow_bwc);
        if failures {
            ids.retain(|id| {
                p.indices
                    .group(*id)
                    .is_some_and(|g| g.grants_action(action, true))
            });
            if ids.is_empty() {
                // Failure-only groups (read_failure_store) are not in the data view.
                ids = failure_groups(p, action, n);
            }
        }
        ids
    };
    let ids = direct(name);
    if !ids.is_empty() {
        return Some(SideMatch {
            groups: ids,
            via: None,
        });
    }
    if req.data_streams && req.lookup.has_data_streams() {
        if let Some(ds) = req.lookup.parent_data_stream(name) {
            let ids = direct(ds);
            if !ids.is_empty() {
                return Some(SideMatch {
                    groups: ids,
                    via: Some(ds.to_string()),
                });
            }
        }
    }
    None
}

fn failure_groups(p: &Permission, action: &str, name: &str) -> Vec<u32> {
    let restricted = p.indices.restricted().matches(name);
    p.indices
        .groups()
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            g.grants_action(action, true)
                && g.matches_name(name)
                && (!restricted || g.allow_restricted)
        })
        .map(|(i, _)| i as u32)
        .collect()
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
                let (plain, restricted): (Vec<String>, Vec<String>) = original_names
                    .iter()
                    .cloned()
                    .partition(|n| !side.indices.restricted().matches(split_selector(n).0));
                return Ok(Decision::Denied(index_denial(
                    subject, self, action, plain, restricted, failures,
                )?));
            }
            let roles = view
                .granting
                .iter()
                .filter_map(|id| side.indices.group(*id))
                .flat_map(|g| g.roles.iter().cloned())
                .collect();
            reasons.extend(side_reasons(i, vec![Reason::NameOnly { roles }]));
        }
        Ok(Decision::Allowed { reasons })
    }

    /// Authorize an index action on resolved names: every name must be granted (section 6.1).
    pub fn authorize_index(
        &self,
        subject: &Subject,
        req: &IndexRequest<'_>,
    ) -> Result<IndexDecision, CompileError> {
        let action = req.action;
        if catalog::classify_action(action) != ActionKind::Index {
            return Ok(IndexDecision::denied(index_denial(
                subject,
                self,
                action,
                Vec::new(),
                Vec::new(),
                false,
            )?));
        }
        // At most two sides (an API key and its owner): no allocation for them.
        let mut sides: [Option<(&Permission, std::sync::Arc<ActionView>)>; 2] = [None, None];
        for (slot, side) in sides.iter_mut().zip(self.side_iter()) {
            *slot = Some((side, side.indices.view(action)?));
        }
        let mut denied_plain = Vec::new();
        let mut denied_restricted = Vec::new();
        let mut any_failures = false;
        let mut access = Vec::with_capacity(req.names.len());
        let mut reasons = Vec::new();
        for full in req.names {
            let (name, failures) = split_selector(full);
            any_failures |= failures;
            let mut entry = IndexAccess {
                name: full.clone(),
                ..Default::default()
            };
            let mut ok = true;
            for (i, (side, view)) in sides.iter().flatten().enumerate() {
                match side_match(side, view, action, name, failures, req) {
                    Some(m) => add_side(side, &m, name, i, &mut entry, &mut reasons),
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                access.push(entry);
            } else if sides
                .iter()
                .flatten()
                .any(|(s, _)| s.indices.restricted().matches(name))
            {
                denied_restricted.push(full.clone());
            } else {
                denied_plain.push(full.clone());
            }
        }
        if !denied_plain.is_empty() || !denied_restricted.is_empty() {
            let d = index_denial(
                subject,
                self,
                action,
                denied_plain,
                denied_restricted,
                any_failures,
            )?;
            return Ok(IndexDecision::denied(d));
        }
        if req.names.is_empty() {
            // Only the "no indices" placeholder: granted by the pre-check alone.
            return Ok(IndexDecision {
                decision: self.authorize_index_action_anywhere(subject, action, &[])?,
                access,
            });
        }
        Ok(IndexDecision {
            decision: Decision::Allowed { reasons },
            access,
        })
    }
}

fn add_side(
    p: &Permission,
    m: &SideMatch,
    name: &str,
    side: usize,
    entry: &mut IndexAccess,
    reasons: &mut Vec<Reason>,
) {
    let groups = || m.groups.iter().filter_map(|id| p.indices.group(*id));
    let documents = if groups().any(|g| g.queries.is_none()) {
        None
    } else {
        Some(
            groups()
                .flat_map(|g| g.queries.iter().flatten().cloned())
                .collect(),
        )
    };
    let fields = if groups().any(|g| g.field_security.is_none()) {
        None
    } else {
        Some(
            groups()
                .flat_map(|g| g.field_security.iter().flatten().cloned())
                .collect(),
        )
    };
    entry.documents.sides.push(documents);
    entry.fields.sides.push(fields);
    let shared_name: std::sync::Arc<str> = std::sync::Arc::from(name);
    for g in groups() {
        let reason = Reason::IndexGroup {
            name: std::sync::Arc::clone(&shared_name),
            via: m.via.clone(),
            group: std::sync::Arc::clone(&g.summary),
        };
        reasons.push(if side == 0 {
            reason
        } else {
            Reason::LimitedBy {
                reason: Box::new(reason),
            }
        });
    }
}

fn index_denial(
    subject: &Subject,
    role: &EffectiveRole,
    action: &str,
    indices: Vec<String>,
    restricted: Vec<String>,
    failures: bool,
) -> Result<Denial, CompileError> {
    let who = message::subject_part(subject, role);
    let context = message::indices_context(&indices, &restricted);
    let data = index_privileges_granting(action, false)?;
    let suffix = if failures {
        let failure_privs = index_privileges_granting(action, true)?;
        let failure_only: Vec<&str> = failure_privs
            .iter()
            .copied()
            .filter(|p| !data.contains(p))
            .collect();
        if failure_only.is_empty() {
            message::granted_by_part("index", &data)
        } else {
            format!(
                "{} for data access, or by [{}] for access with the [::failures] selector",
                message::granted_by_part("index", &data),
                failure_only.join(",")
            )
        }
    } else {
        message::granted_by_part("index", &data)
    };
    Ok(Denial {
        action: action.to_string(),
        message: message::action_denied(action, &who, &context, &suffix),
        granted_by: data.iter().map(|s| s.to_string()).collect(),
        indices,
        restricted_indices: restricted,
    })
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
