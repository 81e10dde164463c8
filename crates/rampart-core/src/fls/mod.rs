//! Field-level security (section 8 of the facts): which fields of a document a subject may see.
//!
//! A role's `field_security` compiles to a language of permitted field names (dot paths):
//! L(grant) ∪ L(`_*`) − L(except), with the patterns of section 1 (wildcards and Lucene
//! `/regex/`), as a minimal DFA from `rampart-automaton`. Granting groups union their
//! languages, an API key's two sides intersect them; "no FLS" is the language of every name.
//!
//! Automata too large to build fail closed: compiling reports [`FlsError::TooComplex`], and
//! the infallible combinators fall back to a language that permits nothing.

mod permitted;
mod source;

use std::hash::{Hash, Hasher};

use rampart_automaton::{Automaton, AutomatonError};
use serde_json::Value;
use thiserror::Error;

use crate::authz::FieldAccess;
use crate::error::EsError;
use crate::role::FieldSecurity;
use permitted::Permitted;

/// The metadata fields, always visible when a `grant` list is given.
const METADATA: &str = "_*";

/// A field security definition that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlsError {
    /// A pattern that does not parse.
    #[error("{0}")]
    Pattern(String),
    /// `except` names fields that `grant` does not give (the role parser prefixes the role).
    #[error(
        "Exceptions for field permissions must be a subset of the granted fields but {except} is \
         not a subset of {grant}"
    )]
    ExceptNotSubset { except: String, grant: String },
    /// `except` without `grant`.
    #[error("field_security requires grant if except is given")]
    ExceptWithoutGrant,
    /// The patterns are too complex to build or combine within the automaton limits.
    #[error("field security patterns are too complex to validate")]
    TooComplex,
}

impl From<AutomatonError> for FlsError {
    fn from(e: AutomatonError) -> Self {
        match e {
            AutomatonError::TooComplex { .. } => FlsError::TooComplex,
            other => FlsError::Pattern(other.to_string()),
        }
    }
}

impl EsError for FlsError {
    fn es_type(&self) -> &'static str {
        "parse_exception"
    }
    fn status(&self) -> u16 {
        400
    }
}

/// One `field_security` object of an index privilege group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSecurityDef {
    /// `None` = no `grant` given (then `except` must be empty and there is no FLS).
    pub grant: Option<Vec<String>>,
    pub except: Vec<String>,
}

impl From<&FieldSecurity> for FieldSecurityDef {
    fn from(fs: &FieldSecurity) -> Self {
        Self {
            grant: fs.grant.clone(),
            except: fs.except.clone(),
        }
    }
}

impl FieldSecurityDef {
    pub fn new<G: Into<String>, E: Into<String>>(
        grant: impl IntoIterator<Item = G>,
        except: impl IntoIterator<Item = E>,
    ) -> Self {
        Self {
            grant: Some(grant.into_iter().map(Into::into).collect()),
            except: except.into_iter().map(Into::into).collect(),
        }
    }

    /// Compile and check the definition (patterns parse; `except` ⊆ grant ∪ metadata).
    pub fn compile(&self) -> Result<FieldPermissions, FlsError> {
        compile_parts(self.grant.as_deref(), &self.except)
    }
}

/// L(grant) ∪ L(`_*`) − L(except), after checking `except` ⊆ L(grant) ∪ L(`_*`).
fn compile_parts(
    grant: Option<&[String]>,
    except: &[String],
) -> Result<FieldPermissions, FlsError> {
    let Some(grant) = grant else {
        return if except.is_empty() {
            Ok(FieldPermissions::unrestricted())
        } else {
            Err(FlsError::ExceptWithoutGrant)
        };
    };
    let granted = Automaton::from_patterns(
        grant
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(METADATA)),
    )?;
    if except.is_empty() {
        return Ok(FieldPermissions::restricted(granted));
    }
    let excepted = Automaton::from_patterns(except)?;
    if !excepted.is_subset_of(&granted) {
        return Err(FlsError::ExceptNotSubset {
            except: except.join(","),
            grant: grant.join(","),
        });
    }
    Ok(FieldPermissions::restricted(granted.minus(&excepted)?))
}

/// The fields one subject may see in one index: all of them, or a language of field paths.
///
/// Equality is equality of the permitted languages.
#[derive(Debug, Clone, Default)]
pub struct FieldPermissions {
    /// `None` = every field; `Some` never holds the total language.
    permitted: Option<Permitted>,
}

impl PartialEq for FieldPermissions {
    fn eq(&self, other: &Self) -> bool {
        match (&self.permitted, &other.permitted) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_language(b),
            _ => false,
        }
    }
}

impl Eq for FieldPermissions {}

/// Consistent with language equality: equal languages may have different tables, so only
/// "restricted or not" is hashed. The per-language caches take no part in `Hash` or `Eq`, so
/// clippy's `mutable_key_type` warning about them is a false positive.
impl Hash for FieldPermissions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.permitted.is_some().hash(state);
    }
}

impl FieldPermissions {
    /// No field level security.
    pub fn unrestricted() -> Self {
        Self { permitted: None }
    }

    /// Nothing at all is visible, not even metadata (the fail-closed answer).
    fn nothing() -> Self {
        Self {
            permitted: Some(Permitted::new(Automaton::empty())),
        }
    }

    /// Built from a language, normalised to `unrestricted` when it holds every name.
    fn restricted(permitted: Automaton) -> Self {
        if permitted.is_total() {
            Self::unrestricted()
        } else {
            Self {
                permitted: Some(Permitted::new(permitted)),
            }
        }
    }

    /// The union over the groups granting an action: `None` entries (no FLS) lift everything.
    pub fn from_groups<'a>(
        defs: impl IntoIterator<Item = Option<&'a FieldSecurityDef>>,
    ) -> Result<Self, FlsError> {
        let mut result: Option<Self> = None;
        for def in defs {
            let permissions = match def {
                Some(def) => def.compile()?,
                None => Self::unrestricted(),
            };
            result = Some(match result {
                Some(so_far) => so_far.try_union(&permissions)?,
                None => permissions,
            });
        }
        Ok(result.unwrap_or_default())
    }

    /// The field restriction an index decision carries (section 8.3 and 10): the intersection
    /// over sides of the union of each side's alternatives. A side of `None` imposes nothing;
    /// a side listing no alternative at all permits nothing.
    pub fn from_access(access: &FieldAccess) -> Result<Self, FlsError> {
        let mut result = Self::unrestricted();
        for side in access.sides.iter().flatten() {
            let mut permitted = Self::nothing();
            for (i, alternative) in side.iter().enumerate() {
                let one = compile_parts(alternative.grant.as_deref(), &alternative.except)?;
                permitted = if i == 0 {
                    one
                } else {
                    permitted.try_union(&one)?
                };
            }
            result = result.try_intersect(&permitted)?;
        }
        Ok(result)
    }

    /// Whether every field is visible.
    pub fn is_unrestricted(&self) -> bool {
        self.permitted.is_none()
    }

    /// Whether the field at this dot path is visible (one DFA run, no allocation).
    pub fn permits(&self, field: &str) -> bool {
        self.permitted.as_ref().is_none_or(|p| p.contains(field))
    }

    /// Whether some field under the object at `prefix` (i.e. `prefix.…`) may be visible.
    /// When the question is too complex to answer, says no.
    pub fn permits_object_path_prefix(&self, prefix: &str) -> bool {
        self.permitted
            .as_ref()
            .is_none_or(|p| p.has_object_prefix(prefix))
    }

    /// Fields visible through either (another granting group or role). Too complex to
    /// combine ⇒ nothing visible.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        self.try_union(other).unwrap_or_else(|_| Self::nothing())
    }

    /// [`FieldPermissions::union`], reporting [`FlsError::TooComplex`] instead of failing closed.
    pub fn try_union(&self, other: &Self) -> Result<Self, FlsError> {
        match (&self.permitted, &other.permitted) {
            (None, _) | (_, None) => Ok(Self::unrestricted()),
            (Some(a), Some(b)) if a.same_language(b) => Ok(self.clone()),
            (Some(a), Some(b)) => Ok(Self::restricted(a.automaton().union(b.automaton())?)),
        }
    }

    /// Fields visible through both (an API key's assigned role and its owner's role). Too
    /// complex to combine ⇒ nothing visible.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        self.try_intersect(other)
            .unwrap_or_else(|_| Self::nothing())
    }

    /// [`FieldPermissions::intersect`], reporting [`FlsError::TooComplex`] instead of failing
    /// closed.
    pub fn try_intersect(&self, other: &Self) -> Result<Self, FlsError> {
        match (&self.permitted, &other.permitted) {
            (None, _) => Ok(other.clone()),
            (_, None) => Ok(self.clone()),
            (Some(a), Some(b)) if a.same_language(b) => Ok(self.clone()),
            (Some(a), Some(b)) => Ok(Self::restricted(a.automaton().intersection(b.automaton())?)),
        }
    }

    /// `source` with only the permitted leaf paths kept (section 8.2). Objects are walked with
    /// dotted paths (keys containing dots are paths too), arrays element by element; objects
    /// left empty are dropped.
    pub fn filter_source(&self, source: &Value) -> Value {
        match &self.permitted {
            None => source.clone(),
            Some(_) => source::filter(source, &|path| self.permits(path)),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
