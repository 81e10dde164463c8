//! Index expressions end to end (section 5): the pre-check, resolution against the names this
//! role may see, then the per-name decision. Wildcards shrink silently to authorized names,
//! explicit unauthorized names are denied, empty results follow `allow_no_indices`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::EffectiveRole;
use super::decision::{Decision, IndexDecision};
use super::index::{IndexLookup, IndexRequest};
use super::remote::{RemoteAccess, RemoteDecision};
use super::subject::Subject;
use crate::error::EsError;
use crate::permission::{ActionView, CompileError, Permission};
use crate::resolve::{IndexMetadata, IndicesOptions, ResolveError, resolve};

/// Why an index expression could not be decided.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExpressionError {
    /// 404 / 400 from resolution (e.g. `no such index [sec*]`).
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Compile(#[from] CompileError),
}

impl EsError for ExpressionError {
    fn es_type(&self) -> &'static str {
        match self {
            ExpressionError::Resolve(e) => e.es_type(),
            ExpressionError::Compile(e) => e.es_type(),
        }
    }
    fn status(&self) -> u16 {
        match self {
            ExpressionError::Resolve(e) => e.status(),
            ExpressionError::Compile(e) => e.status(),
        }
    }
}

/// The outcome: the decision and, when allowed, the concrete names the request now targets
/// (empty with `placeholder` when it was rewritten to match nothing) and the remote targets
/// (`alias:index`, authorized through `remote_indices`) with their DLS/FLS.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionDecision {
    pub decision: IndexDecision,
    pub names: Vec<String>,
    pub placeholder: bool,
    pub remote: Vec<RemoteAccess>,
}

impl EffectiveRole {
    /// A fast yes/no checker for one action: the predicate resolution uses for wildcards.
    pub fn name_checker(&self, action: &str) -> Result<NameChecker<'_>, CompileError> {
        let sides = self
            .sides()
            .into_iter()
            .map(|p| Ok((p, p.indices.view(action)?)))
            .collect::<Result<Vec<_>, CompileError>>()?;
        Ok(NameChecker { sides })
    }

    /// Resolve and authorize an index expression (a replaceable request).
    #[allow(clippy::too_many_arguments)]
    pub fn authorize_index_expression(
        &self,
        subject: &Subject,
        action: &str,
        expressions: &[String],
        options: &IndicesOptions,
        meta: &IndexMetadata,
        now: DateTime<Utc>,
    ) -> Result<ExpressionDecision, ExpressionError> {
        // Pre-check: a role that grants the action on no index is denied whatever the names
        // (listing the original expressions); with remote indices allowed, only once the
        // local part turned out empty.
        let pre = self.authorize_index_action_anywhere(subject, action, expressions)?;
        let denied_early = || ExpressionDecision {
            decision: IndexDecision::new(pre.clone()),
            names: Vec::new(),
            placeholder: false,
            remote: Vec::new(),
        };
        if !pre.is_allowed() && !options.allow_remote {
            return Ok(denied_early());
        }
        let checker = self.name_checker(action)?;
        let authorized = |name: &str| checker.allows(name, meta);
        let resolution = resolve(action, expressions, options, meta, &authorized, now)?;
        if !pre.is_allowed() && resolution.remote.is_empty() && resolution.local.is_empty() {
            return Ok(denied_early());
        }
        let remote = match self.authorize_remote(subject, action, &resolution.remote)? {
            RemoteDecision::Allowed(remote) => remote,
            RemoteDecision::Denied(denial) => {
                return Ok(ExpressionDecision {
                    decision: IndexDecision::denied(denial),
                    names: Vec::new(),
                    placeholder: false,
                    remote: Vec::new(),
                });
            }
        };
        let names: Vec<String> = resolution.local_names().map(String::from).collect();
        let placeholder = resolution.is_empty_placeholder();
        if names.is_empty() && !resolution.remote.is_empty() {
            // Only remote targets, all granted above: nothing local to decide.
            return Ok(ExpressionDecision {
                decision: IndexDecision::new(Decision::allowed(Vec::new())),
                names,
                placeholder: false,
                remote,
            });
        }
        let req = IndexRequest {
            action,
            names: &names,
            data_streams: options.include_data_streams,
            lookup: meta,
        };
        let decision = self.authorize_index(subject, &req)?;
        Ok(ExpressionDecision {
            decision,
            names,
            placeholder,
            remote,
        })
    }
}

/// Answers "may this name be accessed" for one action with one automaton pass per side.
pub struct NameChecker<'a> {
    sides: Vec<(&'a Permission, Arc<ActionView>)>,
}

impl std::fmt::Debug for NameChecker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameChecker")
            .field("sides", &self.sides.len())
            .finish()
    }
}

impl NameChecker<'_> {
    /// Whether every side grants the action on `name` (directly or through its data stream).
    pub fn allows(&self, name: &str, lookup: &dyn IndexLookup) -> bool {
        self.sides.iter().all(|(p, view)| {
            let direct = |n: &str| {
                let bwc = !view.has_bwc_only()
                    || (!lookup.is_data_stream(n) && lookup.parent_data_stream(n).is_none());
                p.indices.name_allowed(view, n, bwc)
            };
            direct(name)
                || (lookup.has_data_streams()
                    && lookup.parent_data_stream(name).is_some_and(direct))
        })
    }
}
