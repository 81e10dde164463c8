//! Access analysis on the engine's automata: "who can reach this target?" ([`who`]) and
//! "what does this role change add or remove, for whom?" ([`impact`]).
//!
//! Both answers are exact, not sampled: name and action languages are compared as automata,
//! and unions across a subject's roles are decided by splitting the target's name language
//! into regions (see [`regions`]). Pure: the caller passes roles, users, mappings and keys.

mod cover;
pub mod impact;
mod index;
mod keyed;
mod regions;
mod target;
pub mod templates;
pub mod who;

pub use impact::{ImpactInput, ImpactReport, RoleChange, analyze_impact};
pub use target::{CompiledTarget, Target};
pub use templates::TemplateGrant;
pub use who::{
    AccessIndex, AccessInput, ApiKeyEntry, MappingEntry, RoleSource, RoleTemplate, UserEntry,
    WhoAnswer,
};

use rampart_automaton::AutomatonError;
use thiserror::Error;

use crate::error::EsError;
use crate::permission::CompileError;

/// Regions beyond this many make a name language too complex to analyse exactly.
pub const MAX_REGIONS: usize = 4096;

/// Why an analysis could not be answered.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalysisError {
    /// The target or request is malformed (a 400 for the caller).
    #[error("{0}")]
    BadTarget(String),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Automaton(#[from] AutomatonError),
    #[error(
        "the name language is too complex to analyse exactly (more than {MAX_REGIONS} regions)"
    )]
    TooComplex,
}

impl EsError for AnalysisError {
    fn es_type(&self) -> &'static str {
        "illegal_argument_exception"
    }
    fn status(&self) -> u16 {
        400
    }
}
