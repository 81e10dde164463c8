//! Decisions as values: allowed with the reasons that granted, or denied with Elasticsearch's
//! 403 message and the least privileges that would grant; both rendered lazily.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::denial::Denial;
use super::grants::Grants;
use crate::role::FieldSecurity;

/// Why something was allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// A cluster privilege (named or raw action pattern) of these roles grants the action.
    ClusterPrivilege {
        privilege: String,
        roles: Vec<String>,
    },
    /// A request-aware privilege whose condition held for this request.
    ConditionalPrivilege {
        privilege: String,
        roles: Vec<String>,
        condition: String,
    },
    /// The implicit default role every authenticated subject has.
    DefaultRole { rule: String },
    /// An index group granted access to `name` (possibly through its data stream `via`).
    IndexGroup {
        name: std::sync::Arc<str>,
        via: Option<String>,
        #[serde(flatten)]
        group: std::sync::Arc<crate::permission::GroupSummary>,
    },
    /// The action needs only "some index group grants it" (name-only composite action).
    NameOnly { roles: Vec<String> },
    /// A run_as pattern allows running as the target.
    RunAs {
        target: String,
        patterns: Vec<String>,
        roles: Vec<String>,
    },
    /// An application entry grants the privilege on the resource.
    Application {
        application: String,
        resources: Vec<String>,
        privileges: Vec<String>,
        roles: Vec<String>,
    },
    /// For API keys: this reason comes from the owner's (limiting) roles.
    LimitedBy { reason: Box<Reason> },
}

/// The outcome of one authorization question.
///
/// Deciding is on every request's path, explaining is not: a decision keeps compact
/// references to what granted (permission handles and group or privilege positions) and
/// renders [`Reason`]s, and a denial its Elasticsearch message, only when first asked.
#[derive(Debug, Clone)]
pub struct Decision {
    outcome: Outcome,
}

#[derive(Debug, Clone)]
enum Outcome {
    Allowed {
        grants: Grants,
        reasons: OnceLock<Vec<Reason>>,
    },
    /// Boxed: denials are the larger and rarer outcome, and every decision is moved a few
    /// times on its way out.
    Denied(Box<Denial>),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed { .. })
    }

    pub fn denial(&self) -> Option<&Denial> {
        match &self.outcome {
            Outcome::Denied(d) => Some(d),
            Outcome::Allowed { .. } => None,
        }
    }

    /// Why it was allowed (rendered on first call); empty for a denial.
    pub fn reasons(&self) -> &[Reason] {
        match &self.outcome {
            Outcome::Allowed { grants, reasons } => reasons.get_or_init(|| grants.reasons()),
            Outcome::Denied(_) => &[],
        }
    }

    /// Turn a denial into an error for `?` use (boxed: a denial is large and rare).
    pub fn into_result(self) -> Result<Vec<Reason>, Box<Denial>> {
        match self.outcome {
            Outcome::Allowed { grants, reasons } => {
                Ok(reasons.into_inner().unwrap_or_else(|| grants.reasons()))
            }
            Outcome::Denied(d) => Err(d),
        }
    }

    /// Allowed with reasons built by the caller (rare paths that have them at hand).
    pub(crate) fn allowed(reasons: Vec<Reason>) -> Self {
        Decision {
            outcome: Outcome::Allowed {
                grants: Grants::Rendered,
                reasons: OnceLock::from(reasons),
            },
        }
    }

    /// Allowed, with reasons rendered from `grants` when asked.
    pub(crate) fn granted(grants: Grants) -> Self {
        Decision {
            outcome: Outcome::Allowed {
                grants,
                reasons: OnceLock::new(),
            },
        }
    }

    pub(crate) fn denied(denial: Box<Denial>) -> Self {
        Decision {
            outcome: Outcome::Denied(denial),
        }
    }

    /// Per-name access of an allowed index decision (empty otherwise).
    fn render_access(&self) -> Vec<IndexAccess> {
        match &self.outcome {
            Outcome::Allowed { grants, .. } => grants.access(),
            Outcome::Denied(_) => Vec::new(),
        }
    }
}

impl PartialEq for Decision {
    fn eq(&self, other: &Self) -> bool {
        self.is_allowed() == other.is_allowed()
            && self.denial() == other.denial()
            && self.reasons() == other.reasons()
    }
}

/// `{"decision": "allowed", "reasons": [...]}` or `{"decision": "denied", <denial fields>}`.
impl Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.outcome {
            Outcome::Allowed { .. } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("decision", "allowed")?;
                map.serialize_entry("reasons", self.reasons())?;
                map.end()
            }
            Outcome::Denied(d) => {
                let mut map = s.serialize_map(Some(6))?;
                map.serialize_entry("decision", "denied")?;
                d.serialize_fields(&mut map)?;
                map.end()
            }
        }
    }
}

/// Document restriction for one index: AND over sides (an API key has two: the key and its
/// owner), OR of the queries within a side; a side of `None` is unrestricted.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DocumentAccess {
    pub sides: Vec<Option<BTreeSet<String>>>,
}

impl DocumentAccess {
    /// No document restriction at all.
    pub fn is_unrestricted(&self) -> bool {
        self.sides.iter().all(Option::is_none)
    }
}

/// Field restriction for one index: intersection over sides, union of the alternatives within
/// a side; a side of `None` is unrestricted.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FieldAccess {
    #[serde(serialize_with = "serialize_field_sides")]
    pub sides: Vec<Option<Vec<FieldSecurity>>>,
}

fn serialize_field_sides<S: serde::Serializer>(
    sides: &[Option<Vec<FieldSecurity>>],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(sides.len()))?;
    for side in sides {
        let value = side.as_ref().map(|alts| {
            alts.iter()
                .map(|fs| serde_json::json!({"grant": fs.grant, "except": fs.except}))
                .collect::<Vec<_>>()
        });
        seq.serialize_element(&value)?;
    }
    seq.end()
}

impl FieldAccess {
    pub fn is_unrestricted(&self) -> bool {
        self.sides.iter().all(Option::is_none)
    }
}

/// What a granted index action may see of one requested name.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct IndexAccess {
    pub name: String,
    pub documents: DocumentAccess,
    pub fields: FieldAccess,
}

/// The outcome of an index authorization: the decision, and for an allowed one the access
/// restrictions per requested name (rendered on first use of [`IndexDecision::access`]).
#[derive(Debug, Clone)]
pub struct IndexDecision {
    pub decision: Decision,
    access: OnceLock<Vec<IndexAccess>>,
}

impl IndexDecision {
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// What each requested name may expose (DLS/FLS per side); empty when denied.
    pub fn access(&self) -> &[IndexAccess] {
        self.access.get_or_init(|| self.decision.render_access())
    }

    pub(crate) fn new(decision: Decision) -> Self {
        IndexDecision {
            decision,
            access: OnceLock::new(),
        }
    }

    pub(crate) fn denied(d: Box<Denial>) -> Self {
        Self::new(Decision::denied(d))
    }
}

impl PartialEq for IndexDecision {
    fn eq(&self, other: &Self) -> bool {
        self.decision == other.decision && self.access() == other.access()
    }
}

impl Serialize for IndexDecision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("decision", &self.decision)?;
        map.serialize_entry("access", self.access())?;
        map.end()
    }
}
