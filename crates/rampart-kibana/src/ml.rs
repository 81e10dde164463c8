//! The machine learning setup check (section g, seed 000): every requirement with pass/fail
//! and the fix, from settings facts, the space and the caller's role. Pure: the caller passes
//! the facts in.

use rampart_core::authz::EffectiveRole;
use rampart_core::has_privileges::{
    ApplicationCheckItem, HasPrivilegesRequest, HasPrivilegesResponse, IndexCheck, has_privileges,
};
use rampart_core::permission::ApplicationPrivilegeStore;

use crate::access::space_resource;
use crate::error::KibanaError;
use crate::features::FeatureRegistry;
use crate::privileges::APPLICATION;
use crate::spaces::Space;

/// Node settings relevant to ML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MlSettings {
    /// `xpack.ml.enabled` (absent: the default, true).
    pub ml_enabled: Option<bool>,
    /// `node.roles` (absent: the default roles, which include `ml`).
    pub node_roles: Option<Vec<String>>,
}

/// What to check.
#[derive(Debug, Clone, Copy)]
pub struct MlCheckInput<'a> {
    pub settings: &'a MlSettings,
    pub space: &'a Space,
    pub registry: &'a FeatureRegistry,
    pub role: &'a EffectiveRole,
    pub store: &'a ApplicationPrivilegeStore,
    pub username: &'a str,
    pub source_indices: &'a [String],
    /// Data frame analytics destination indices (may be empty).
    pub destination_indices: &'a [String],
}

/// One requirement and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub id: &'static str,
    pub description: String,
    pub passed: bool,
    /// How to fix it (only when failed).
    pub fix: Option<String>,
}

fn req(
    id: &'static str,
    description: impl Into<String>,
    passed: bool,
    fix: impl Into<String>,
) -> Requirement {
    Requirement {
        id,
        description: description.into(),
        passed,
        fix: (!passed).then(|| fix.into()),
    }
}

struct Answers(HasPrivilegesResponse);

impl Answers {
    fn cluster(&self, name: &str) -> bool {
        self.0.cluster.iter().any(|(n, ok)| n == name && *ok)
    }
    fn index(&self, names: &[String], privilege: &str) -> bool {
        names.iter().all(|n| {
            self.0
                .index
                .iter()
                .any(|(i, answers)| i == n && answers.iter().any(|(p, ok)| p == privilege && *ok))
        })
    }
    fn app(&self, privilege: &str) -> bool {
        self.0.application.iter().any(|(a, resources)| {
            a == APPLICATION
                && resources
                    .iter()
                    .any(|(_, answers)| answers.iter().any(|(p, ok)| p == privilege && *ok))
        })
    }
}

const INDEX_PRIVILEGES: [&str; 6] = [
    "read",
    "view_index_metadata",
    "manage",
    "index",
    "create",
    "create_index",
];

fn ask(input: &MlCheckInput<'_>) -> Result<Answers, KibanaError> {
    let mut index = Vec::new();
    for names in [input.source_indices, input.destination_indices] {
        if !names.is_empty() {
            index.push(IndexCheck {
                names: names.to_vec(),
                privileges: INDEX_PRIVILEGES.iter().map(|s| s.to_string()).collect(),
                allow_restricted_indices: false,
            });
        }
    }
    let request = HasPrivilegesRequest {
        cluster: ["manage_ml", "monitor_ml", "manage_ingest_pipelines"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        index,
        application: vec![ApplicationCheckItem {
            application: APPLICATION.to_string(),
            privileges: [
                "feature_ml.all",
                "feature_ml.read",
                "reserved_ml_admin",
                "reserved_ml_user",
                "feature_indexPatterns.all",
                "feature_discover.all",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            resources: vec![space_resource(&input.space.id)],
        }],
    };
    has_privileges(input.role, input.username, &request, input.store)
        .map(Answers)
        .map_err(|e| KibanaError::new(500, e.to_string()))
}

/// Run every check, in the order of the setup documentation.
pub fn ml_setup_check(input: &MlCheckInput<'_>) -> Result<Vec<Requirement>, KibanaError> {
    let a = ask(input)?;
    let space = &input.space.id;
    let src = input.source_indices;
    let dst = input.destination_indices;
    let ml_enabled = input.settings.ml_enabled.unwrap_or(true);
    let ml_node = input
        .settings
        .node_roles
        .as_ref()
        .is_none_or(|roles| roles.iter().any(|r| r == "ml"));
    let visible = !input.space.hides("ml", input.registry);
    let es_full = a.cluster("manage_ml");
    let es_read = es_full || a.cluster("monitor_ml");
    let kb_full = a.app("feature_ml.all") || a.app("reserved_ml_admin");
    let kb_read = kb_full || a.app("feature_ml.read") || a.app("reserved_ml_user");
    let data_views = a.app("feature_indexPatterns.all");
    let src_read = a.index(src, "read");
    let src_full = src_read && a.index(src, "view_index_metadata");
    let dst_full = ["read", "manage", "index"].iter().all(|p| a.index(dst, p));
    let upload_kibana = kb_read || a.app("feature_discover.all");
    let upload_indices = ["create", "create_index", "manage", "read"]
        .iter()
        .all(|p| a.index(dst, p));
    let ingest = a.cluster("manage_ingest_pipelines");
    let join = |v: &[String]| {
        if v.is_empty() {
            "none given".to_string()
        } else {
            v.join(", ")
        }
    };
    Ok(vec![
        req(
            "xpack.ml.enabled",
            "`xpack.ml.enabled` is true on every node",
            ml_enabled,
            "Set `xpack.ml.enabled: true` (the default) in elasticsearch.yml on every node and restart.",
        ),
        req(
            "ml_node",
            "at least one node has the `ml` role in `node.roles`",
            ml_node,
            "Add `ml` to `node.roles` on the nodes that should run machine learning jobs.",
        ),
        req(
            "space_visibility",
            format!("Machine Learning is visible in space [{space}]"),
            visible,
            format!(
                "Remove `ml` from the disabled features of space [{space}] (or use a solution view that shows it)."
            ),
        ),
        req(
            "es_ml_privileges",
            format!(
                "{} may use the machine learning APIs ({})",
                input.username,
                if es_full {
                    "full access"
                } else if es_read {
                    "read-only"
                } else {
                    "no access"
                }
            ),
            es_read,
            "Assign the `machine_learning_admin` role (full) or `machine_learning_user` (read-only), or the cluster privileges `manage_ml` / `monitor_ml`.",
        ),
        req(
            "source_indices",
            format!(
                "`read` and `view_index_metadata` on source indices [{}]",
                join(src)
            ),
            src_full,
            format!(
                "Grant `read` and `view_index_metadata` on [{}] (read-only users need `read`).",
                join(src)
            ),
        ),
        req(
            "destination_indices",
            format!(
                "`read`, `manage` and `index` on data frame analytics destination indices [{}]",
                join(dst)
            ),
            dst.is_empty() || dst_full,
            format!("Grant `read`, `manage` and `index` on [{}].", join(dst)),
        ),
        req(
            "kibana_ml_feature",
            format!(
                "Kibana `Machine Learning` feature privilege in space [{space}] ({})",
                if kb_full {
                    "All"
                } else if kb_read {
                    "Read"
                } else {
                    "None"
                }
            ),
            kb_read,
            format!(
                "Grant `Machine Learning: All` (or `Read`) in space [{space}], e.g. kibana entry {{\"feature\": {{\"ml\": [\"all\"]}}, \"spaces\": [\"{space}\"]}}."
            ),
        ),
        req(
            "data_views_management",
            format!("Kibana `Data Views Management: All` in space [{space}] (full access)"),
            data_views,
            format!(
                "Grant `Data Views Management: All` (feature `indexPatterns`: `all`) in space [{space}]."
            ),
        ),
        req(
            "file_upload",
            if dst.is_empty() {
                // The index part only applies to named destinations; without any, the
                // requirement is the Kibana and cluster part alone (a superuser passes).
                "Data Visualizer file upload: `Machine Learning: Read` or `Discover: All`, `Data Views Management: All` and `manage_ingest_pipelines` (no destination indices given)".to_string()
            } else {
                format!(
                    "Data Visualizer file upload: `Machine Learning: Read` or `Discover: All`, `Data Views Management: All`, `manage_ingest_pipelines`, and `create`, `create_index`, `manage`, `read` on destination indices [{}]",
                    join(dst)
                )
            },
            upload_kibana && data_views && ingest && upload_indices,
            "Grant `Machine Learning: Read` or `Discover: All`, `Data Views Management: All`, the `ingest_admin` role (or `manage_ingest_pipelines`), and `create`, `create_index`, `manage`, `read` on the destination indices.",
        ),
    ])
}
