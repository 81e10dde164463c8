//! What granted an allowed decision, as compact references into the compiled permission:
//! permission handles plus group or privilege positions. Reasons and per-index DLS/FLS
//! access are rendered from them only when asked (explain, audit detail, the data plane).

use std::sync::Arc;

use smallvec::SmallVec;

use super::EffectiveRole;
use super::decision::{IndexAccess, Reason};
use crate::permission::{GroupIds, Permission};

/// The grant behind an allowed decision.
#[derive(Debug, Clone)]
pub(crate) enum Grants {
    /// The reasons were built when deciding (rare paths); they are already in the decision.
    Rendered,
    /// Each side's unconditional cluster privilege at this position
    /// (`ClusterPermission::granting_id`).
    Cluster { role: EffectiveRole, ids: [u32; 2] },
    /// A rule of the implicit default role.
    DefaultRole(&'static str),
    /// Index groups per requested name and side.
    Index(IndexGrants),
}

/// The groups that granted each requested name, per side of the effective role.
#[derive(Debug, Clone)]
pub(crate) struct IndexGrants {
    pub(crate) role: EffectiveRole,
    pub(crate) names: SmallVec<[NameGrant; 1]>,
}

/// One granted name: the full requested name (with its selector, if any) and per side the
/// granting groups and the data stream they matched through.
#[derive(Debug, Clone)]
pub(crate) struct NameGrant {
    pub(crate) name: String,
    /// Length of the name without its `::data`/`::failures` selector.
    pub(crate) base_len: usize,
    pub(crate) sides: [SideGrant; 2],
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SideGrant {
    pub(crate) groups: GroupIds,
    pub(crate) via: Option<Box<str>>,
}

impl Grants {
    pub(crate) fn reasons(&self) -> Vec<Reason> {
        match self {
            Grants::Rendered => Vec::new(),
            Grants::DefaultRole(rule) => vec![Reason::DefaultRole {
                rule: (*rule).to_string(),
            }],
            Grants::Cluster { role, ids } => role
                .side_iter()
                .zip(ids)
                .enumerate()
                .filter_map(|(side, (p, id))| {
                    let g = p.cluster.grant_at(*id)?;
                    Some(limited_by(
                        side,
                        Reason::ClusterPrivilege {
                            privilege: g.value.name.clone(),
                            roles: g.roles.clone(),
                        },
                    ))
                })
                .collect(),
            Grants::Index(grants) => grants.reasons(),
        }
    }

    pub(crate) fn access(&self) -> Vec<IndexAccess> {
        match self {
            Grants::Index(grants) => grants.access(),
            _ => Vec::new(),
        }
    }
}

impl IndexGrants {
    fn sides<'a>(
        &'a self,
        name: &'a NameGrant,
    ) -> impl Iterator<Item = (&'a Permission, &'a SideGrant)> {
        self.role.side_iter().zip(name.sides.iter())
    }

    fn reasons(&self) -> Vec<Reason> {
        let mut out = Vec::new();
        for name in &self.names {
            let base = name.name.get(..name.base_len).unwrap_or(&name.name);
            let shared: Arc<str> = Arc::from(base);
            for (side, (p, grant)) in self.sides(name).enumerate() {
                for g in grant.groups.iter().filter_map(|id| p.indices.group(*id)) {
                    let reason = Reason::IndexGroup {
                        name: Arc::clone(&shared),
                        via: grant.via.as_deref().map(String::from),
                        group: Arc::clone(&g.summary),
                    };
                    out.push(limited_by(side, reason));
                }
            }
        }
        out
    }

    fn access(&self) -> Vec<IndexAccess> {
        self.names
            .iter()
            .map(|name| {
                let mut entry = IndexAccess {
                    name: name.name.clone(),
                    ..Default::default()
                };
                for (p, grant) in self.sides(name) {
                    let groups = || grant.groups.iter().filter_map(|id| p.indices.group(*id));
                    // A side is unrestricted when any of its granting groups is (union).
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
                }
                entry
            })
            .collect()
    }
}

/// Mark a reason from the second (owner) side of a limited role.
pub(crate) fn limited_by(side: usize, reason: Reason) -> Reason {
    if side == 0 {
        reason
    } else {
        Reason::LimitedBy {
            reason: Box::new(reason),
        }
    }
}
