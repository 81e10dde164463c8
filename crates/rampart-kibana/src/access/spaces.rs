//! Which spaces a caller may use for a purpose (`GET /api/spaces/space?purpose=…`), computed
//! once per caller rather than with one privilege check per space (kibana#33352).

use rampart_automaton::PatternSet;
use rampart_core::authz::EffectiveRole;

use super::oracle::space_resource;
use crate::error::KibanaError;
use crate::privileges::APPLICATION;
use crate::spaces::Space;

/// A `purpose` of the spaces listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Any,
    CopySavedObjectsIntoSpace,
    ShareSavedObjectsIntoSpace,
    /// Internal: finding saved objects.
    FindSavedObjects,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [
        Purpose::Any,
        Purpose::CopySavedObjectsIntoSpace,
        Purpose::FindSavedObjects,
        Purpose::ShareSavedObjectsIntoSpace,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "any" => Some(Purpose::Any),
            "copySavedObjectsIntoSpace" => Some(Purpose::CopySavedObjectsIntoSpace),
            "shareSavedObjectsIntoSpace" => Some(Purpose::ShareSavedObjectsIntoSpace),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Any => "any",
            Purpose::CopySavedObjectsIntoSpace => "copySavedObjectsIntoSpace",
            Purpose::ShareSavedObjectsIntoSpace => "shareSavedObjectsIntoSpace",
            Purpose::FindSavedObjects => "findSavedObjects",
        }
    }

    /// The actions that must all be granted at `space:<id>`.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Purpose::Any => &["login:"],
            Purpose::CopySavedObjectsIntoSpace => &["ui:savedObjectsManagement/copyIntoSpace"],
            Purpose::ShareSavedObjectsIntoSpace => &["ui:savedObjectsManagement/shareIntoSpace"],
            Purpose::FindSavedObjects => &["login:", "saved_object:config/find"],
        }
    }
}

/// For one action: per side of the role, the resource patterns of the entries granting it.
#[derive(Debug, Clone)]
struct ActionResources {
    sides: Vec<Vec<PatternSet>>,
}

impl ActionResources {
    fn new(role: &EffectiveRole, action: &str) -> Result<Self, KibanaError> {
        let mut sides = Vec::new();
        for side in role.sides() {
            let mut patterns = Vec::new();
            for entry in side.applications.entries() {
                if !entry.matches_application(APPLICATION) {
                    continue;
                }
                let literal = entry.privileges.iter().any(|p| p == action);
                let granted = literal
                    || entry
                        .actions_for(APPLICATION)
                        .map_err(|e| KibanaError::new(500, e.to_string()))?
                        .matches(action);
                if granted {
                    patterns.push(entry.resource_patterns().clone());
                }
            }
            sides.push(patterns);
        }
        Ok(ActionResources { sides })
    }

    fn covers(&self, resource: &str) -> bool {
        self.sides
            .iter()
            .all(|patterns| patterns.iter().any(|p| p.matches(resource)))
    }
}

/// The caller's space access, derived once from the compiled role.
#[derive(Debug, Clone)]
pub struct SpaceAccess {
    purposes: Vec<(Purpose, Vec<ActionResources>)>,
}

impl SpaceAccess {
    pub fn new(role: &EffectiveRole) -> Result<Self, KibanaError> {
        let mut purposes = Vec::new();
        for p in Purpose::ALL {
            let actions = p
                .actions()
                .iter()
                .map(|a| ActionResources::new(role, a))
                .collect::<Result<Vec<_>, _>>()?;
            purposes.push((p, actions));
        }
        Ok(SpaceAccess { purposes })
    }

    /// Whether the caller may use `space_id` for `purpose`.
    pub fn allows(&self, space_id: &str, purpose: Purpose) -> bool {
        let resource = space_resource(space_id);
        self.purposes
            .iter()
            .find(|(p, _)| *p == purpose)
            .is_some_and(|(_, actions)| actions.iter().all(|a| a.covers(&resource)))
    }

    /// The spaces usable for `purpose`, in the given order.
    pub fn filter<'a>(&self, spaces: &'a [Space], purpose: Purpose) -> Vec<&'a Space> {
        spaces
            .iter()
            .filter(|s| self.allows(&s.id, purpose))
            .collect()
    }

    /// `include_authorized_purposes=true`: every space with its purposes; spaces with none are
    /// dropped.
    pub fn authorized_purposes<'a>(
        &self,
        spaces: &'a [Space],
    ) -> Vec<(&'a Space, Vec<(Purpose, bool)>)> {
        spaces
            .iter()
            .filter_map(|s| {
                let purposes: Vec<(Purpose, bool)> = Purpose::ALL
                    .iter()
                    .map(|p| (*p, self.allows(&s.id, *p)))
                    .collect();
                purposes.iter().any(|(_, ok)| *ok).then_some((s, purposes))
            })
            .collect()
    }
}

/// `GET /api/spaces/space` argument check and 403 when nothing is authorized.
pub fn list_spaces<'a>(
    access: &SpaceAccess,
    spaces: &'a [Space],
    purpose: Option<Purpose>,
    include_authorized_purposes: bool,
) -> Result<Vec<&'a Space>, KibanaError> {
    if purpose.is_some() && include_authorized_purposes {
        return Err(KibanaError::bad_request(
            "include_authorized_purposes can only be false when purpose is specified",
        ));
    }
    let out: Vec<&Space> = if include_authorized_purposes {
        access
            .authorized_purposes(spaces)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    } else {
        access.filter(spaces, purpose.unwrap_or(Purpose::Any))
    };
    if out.is_empty() {
        return Err(KibanaError::new(403, "Forbidden"));
    }
    Ok(out)
}
