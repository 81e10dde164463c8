//! Field-level security (section 8 of the facts): which fields of a document a subject may see.
//!
//! A role's `field_security` compiles to a language of permitted field names (dot paths):
//! L(grant) ∪ {metadata `_*`} − L(except). Granting groups union their languages, an API key's
//! two sides intersect them; "no FLS" is the language of every name.

mod glob;
mod lang;
mod source;

use serde_json::Value;
use thiserror::Error;

use crate::error::EsError;
use glob::Glob;
use lang::{Lang, everything, exists_with_prefix};

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
    /// The patterns are too complex to decide whether `except` is a subset of `grant`.
    #[error("field security patterns are too complex to validate")]
    TooComplex,
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
        let Some(grant) = &self.grant else {
            return if self.except.is_empty() {
                Ok(FieldPermissions::unrestricted())
            } else {
                Err(FlsError::ExceptWithoutGrant)
            };
        };
        let mut granted = parse_all(grant)?;
        granted.push(Glob::metadata());
        let excepted = parse_all(&self.except)?;
        let granted_lang = Lang::Def {
            grant: granted.clone(),
            except: Vec::new(),
        };
        let excepted_lang = Lang::Def {
            grant: excepted.clone(),
            except: Vec::new(),
        };
        match exists_with_prefix(&excepted_lang, Some(&granted_lang), "") {
            Some(false) => {}
            Some(true) => {
                return Err(FlsError::ExceptNotSubset {
                    except: self.except.join(","),
                    grant: grant.join(","),
                });
            }
            None => return Err(FlsError::TooComplex),
        }
        Ok(FieldPermissions::restricted(Lang::Def {
            grant: granted,
            except: excepted,
        }))
    }
}

fn parse_all(patterns: &[String]) -> Result<Vec<Glob>, FlsError> {
    patterns.iter().map(|p| Glob::parse(p)).collect()
}

/// The fields one subject may see in one index: all of them, or a language of field paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPermissions {
    /// `None` = every field.
    permitted: Option<Lang>,
}

impl FieldPermissions {
    /// No field level security.
    pub fn unrestricted() -> Self {
        Self { permitted: None }
    }

    /// Built from a language, normalised to `unrestricted` when it holds every name.
    fn restricted(permitted: Lang) -> Self {
        // Undecidable within the bound ⇒ keep the restriction (the safe reading).
        let misses_some = exists_with_prefix(&everything(), Some(&permitted), "").unwrap_or(true);
        if misses_some {
            Self {
                permitted: Some(permitted),
            }
        } else {
            Self::unrestricted()
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
                Some(so_far) => so_far.union(&permissions),
                None => permissions,
            });
        }
        Ok(result.unwrap_or_default())
    }

    /// Whether every field is visible.
    pub fn is_unrestricted(&self) -> bool {
        self.permitted.is_none()
    }

    /// Whether the field at this dot path is visible.
    pub fn permits(&self, field: &str) -> bool {
        self.permitted
            .as_ref()
            .is_none_or(|lang| lang.contains(field))
    }

    /// Whether some field under the object at `prefix` (i.e. `prefix.…`) may be visible.
    /// When the question is too complex to answer, says no.
    pub fn permits_object_path_prefix(&self, prefix: &str) -> bool {
        match &self.permitted {
            None => true,
            Some(lang) => exists_with_prefix(lang, None, &format!("{prefix}.")).unwrap_or(false),
        }
    }

    /// Fields visible through either (another granting group or role).
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        match (&self.permitted, &other.permitted) {
            (None, _) | (_, None) => Self::unrestricted(),
            (Some(a), Some(b)) if a == b => self.clone(),
            (Some(a), Some(b)) => Self::restricted(Lang::Or(vec![a.clone(), b.clone()])),
        }
    }

    /// Fields visible through both (an API key's assigned role and its owner's role).
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        match (&self.permitted, &other.permitted) {
            (None, _) => other.clone(),
            (_, None) => self.clone(),
            (Some(a), Some(b)) if a == b => self.clone(),
            (Some(a), Some(b)) => Self {
                permitted: Some(Lang::And(vec![a.clone(), b.clone()])),
            },
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
