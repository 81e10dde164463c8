//! The feature registry as data (section (j) of the Kibana facts, in Rampart's own format).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Saved-object types a privilege may write (`all`) or only read (`read`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct SavedObjectGrants {
    pub all: Vec<String>,
    pub read: Vec<String>,
}

/// Rule types granted for one alerting kind (`rule` or `alert`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct AlertingKind {
    pub all: Vec<String>,
    pub read: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct AlertingGrants {
    pub rule: AlertingKind,
    pub alert: AlertingKind,
}

/// What a privilege (top-level, sub-feature or reserved) grants, before it becomes actions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Grants {
    pub app: Vec<String>,
    pub catalogue: Vec<String>,
    /// Management section → item ids.
    pub management: BTreeMap<String, Vec<String>>,
    pub ui: Vec<String>,
    pub api: Vec<String>,
    pub saved_object: SavedObjectGrants,
    pub alerting: AlertingGrants,
    /// Cases operation group (`create`, `read`, …) → owners.
    pub cases: BTreeMap<String, Vec<String>>,
}

/// A top-level (`all`/`read`) or reserved privilege definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct FeaturePrivilege {
    #[serde(flatten)]
    pub grants: Grants,
    pub require_all_spaces: bool,
    pub disabled: bool,
    pub exclude_from_base_privileges: bool,
}

/// The `all`/`read` pair; either may be absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct TopPrivileges {
    pub all: Option<FeaturePrivilege>,
    pub read: Option<FeaturePrivilege>,
}

impl TopPrivileges {
    pub fn get(&self, id: &str) -> Option<&FeaturePrivilege> {
        match id {
            "all" => self.all.as_ref(),
            "read" => self.read.as_ref(),
            _ => None,
        }
    }
}

/// Which top-level privilege a sub-feature privilege is merged into (section b.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncludeIn {
    All,
    Read,
    None,
}

impl IncludeIn {
    /// Whether this privilege is merged into the top-level privilege `top` (`all`/`read`).
    pub fn merges_into(self, top: &str) -> bool {
        match self {
            IncludeIn::All => top == "all",
            IncludeIn::Read => top == "all" || top == "read",
            IncludeIn::None => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupType {
    Independent,
    MutuallyExclusive,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubFeaturePrivilege {
    pub id: String,
    pub name: String,
    pub include_in: IncludeIn,
    #[serde(flatten)]
    pub grants: Grants,
    pub minimum_license: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PrivilegeGroup {
    pub group_type: GroupType,
    pub privileges: Vec<SubFeaturePrivilege>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubFeature {
    pub name: String,
    pub require_all_spaces: bool,
    pub privilege_groups: Vec<PrivilegeGroup>,
}

impl SubFeature {
    pub fn privileges(&self) -> impl Iterator<Item = &SubFeaturePrivilege> {
        self.privilege_groups
            .iter()
            .flat_map(|g| g.privileges.iter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReservedPrivilege {
    pub id: String,
    pub privilege: FeaturePrivilege,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Reserved {
    pub description: String,
    pub privileges: Vec<ReservedPrivilege>,
}

/// One Kibana feature.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Feature {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub order: Option<i64>,
    pub app: Vec<String>,
    pub catalogue: Vec<String>,
    pub management: BTreeMap<String, Vec<String>>,
    pub alerting: Vec<String>,
    pub cases: Vec<String>,
    pub minimum_license: Option<String>,
    pub privileges_tooltip: Option<String>,
    pub hidden: bool,
    /// `None`: the feature has no grantable privileges (only reserved ones, if any).
    pub privileges: Option<TopPrivileges>,
    pub sub_features: Vec<SubFeature>,
    pub reserved: Option<Reserved>,
    /// [9.x] deprecated features keep their privileges registered.
    pub deprecated_in: Option<String>,
    pub replaced_by: Vec<String>,
}

impl Feature {
    /// Every sub-feature privilege, in registration order.
    pub fn sub_feature_privileges(&self) -> impl Iterator<Item = &SubFeaturePrivilege> {
        self.sub_features.iter().flat_map(SubFeature::privileges)
    }

    pub fn sub_feature_privilege(&self, id: &str) -> Option<&SubFeaturePrivilege> {
        self.sub_feature_privileges().find(|p| p.id == id)
    }

    /// The top-level privilege `all`/`read`, if the feature has it.
    pub fn top_privilege(&self, id: &str) -> Option<&FeaturePrivilege> {
        self.privileges.as_ref().and_then(|p| p.get(id))
    }

    /// Top-level privilege ids present, most permissive first.
    pub fn top_privilege_ids(&self) -> Vec<&'static str> {
        ["all", "read"]
            .into_iter()
            .filter(|id| self.top_privilege(id).is_some())
            .collect()
    }

    /// Feature privilege ids as `GET /api/security/privileges` lists them: `all`, `read`,
    /// `minimal_all`, `minimal_read`, then sub-feature privileges in registration order.
    pub fn privilege_ids(&self) -> Vec<String> {
        if self.privileges.is_none() || self.hidden {
            return Vec::new();
        }
        let tops = self.top_privilege_ids();
        let mut ids: Vec<String> = tops.iter().map(|s| s.to_string()).collect();
        ids.extend(tops.iter().map(|s| format!("minimal_{s}")));
        ids.extend(self.sub_feature_privileges().map(|p| p.id.clone()));
        ids
    }

    pub fn reserved_privileges(&self) -> impl Iterator<Item = &ReservedPrivilege> {
        self.reserved.iter().flat_map(|r| r.privileges.iter())
    }

    pub fn is_deprecated(&self) -> bool {
        self.deprecated_in.is_some()
    }
}
