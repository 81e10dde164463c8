//! Decisions as values: allowed with the reasons that granted, or denied with Elasticsearch's
//! 403 message and the least privileges that would grant.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::error::EsError;
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

/// Why something was denied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denial {
    pub action: String,
    /// The exact Elasticsearch 403 `reason`.
    pub message: String,
    /// Privileges that would grant the action, least first (the message's suffix).
    pub granted_by: Vec<String>,
    /// Requested names that lacked permission (index actions).
    pub indices: Vec<String>,
    pub restricted_indices: Vec<String>,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Denial {}

impl EsError for Denial {
    fn es_type(&self) -> &'static str {
        "security_exception"
    }
    fn status(&self) -> u16 {
        403
    }
}

/// The outcome of one authorization question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    Allowed { reasons: Vec<Reason> },
    Denied(Denial),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Decision::Denied(d) => Some(d),
            Decision::Allowed { .. } => None,
        }
    }

    pub fn reasons(&self) -> &[Reason] {
        match self {
            Decision::Allowed { reasons } => reasons,
            Decision::Denied(_) => &[],
        }
    }

    /// Turn a denial into an error for `?` use.
    pub fn into_result(self) -> Result<Vec<Reason>, Denial> {
        match self {
            Decision::Allowed { reasons } => Ok(reasons),
            Decision::Denied(d) => Err(d),
        }
    }

    pub(crate) fn allow(reason: Reason) -> Self {
        Decision::Allowed {
            reasons: vec![reason],
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
/// restrictions per requested name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexDecision {
    pub decision: Decision,
    pub access: Vec<IndexAccess>,
}

impl IndexDecision {
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    pub(crate) fn denied(d: Denial) -> Self {
        IndexDecision {
            decision: Decision::Denied(d),
            access: Vec::new(),
        }
    }
}
