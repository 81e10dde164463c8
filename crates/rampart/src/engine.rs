//! Engine questions from the command line.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use clap::Subcommand;
use rampart_core::authz::{ClusterRequest, EffectiveRole, IndexRequest, NoIndexMetadata, Subject};
use rampart_core::builtin::BuiltinRoles;
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::role::{RoleDescriptor, parse_roles_file};
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum Question {
    /// A cluster action, e.g. `cluster:monitor/health`.
    Cluster { action: String },
    /// An index action on concrete names, e.g. `indices:data/read/search logs-1`.
    Index { action: String, names: Vec<String> },
    /// Whether the user may run as another user.
    RunAs { target: String },
}

/// A user with compiled roles.
pub struct Context {
    subject: Subject,
    role: EffectiveRole,
    store: ApplicationPrivilegeStore,
}

impl Context {
    pub fn load(roles_file: Option<&Path>, names: &[String], user: &str) -> Result<Self> {
        Self::load_with(roles_file, Vec::new(), names, user)
    }

    /// Like `load`, with extra (e.g. stored native) role descriptors looked up after the
    /// built-in and file roles, as the server resolves them.
    pub fn load_with(
        roles_file: Option<&Path>,
        native: Vec<RoleDescriptor>,
        names: &[String],
        user: &str,
    ) -> Result<Self> {
        let builtin = BuiltinRoles::load()?;
        let mut custom: Vec<RoleDescriptor> = Vec::new();
        if let Some(path) = roles_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let file = parse_roles_file(&text)?;
            for (name, err) in &file.invalid {
                eprintln!("warning: role [{name}] skipped: {err}");
            }
            custom = file.roles;
        }
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for name in names {
            match builtin
                .get(name)
                .or_else(|| custom.iter().find(|r| &r.name == name))
                .or_else(|| native.iter().find(|r| &r.name == name))
            {
                Some(r) => found.push(r.clone()),
                None => missing.push(name.clone()),
            }
        }
        let store = ApplicationPrivilegeStore::default();
        let permission =
            Permission::compile(&found, &missing, &store, &RestrictedIndices::builtin()?)?;
        Ok(Context {
            subject: Subject::user(user, "file", "file"),
            role: EffectiveRole::plain(Arc::new(permission)),
            store,
        })
    }

    pub fn authorize(&self, q: &Question) -> Result<Value> {
        Ok(match q {
            Question::Cluster { action } => serde_json::to_value(self.role.authorize_cluster(
                &self.subject,
                action,
                &ClusterRequest::default(),
            )?)?,
            Question::Index { action, names } => {
                if names.is_empty() {
                    bail!("give at least one index name");
                }
                let req = IndexRequest {
                    action,
                    names,
                    data_streams: true,
                    lookup: &NoIndexMetadata,
                };
                serde_json::to_value(self.role.authorize_index(&self.subject, &req)?)?
            }
            Question::RunAs { target } => serde_json::to_value(self.role.authorize_run_as(
                &self.subject,
                "cluster:monitor/main",
                target,
                true,
            ))?,
        })
    }

    pub fn has_privileges(&self, body: &Value) -> Result<Value> {
        let req = HasPrivilegesRequest::parse(&self.subject.user, body)?;
        Ok(has_privileges(&self.role, &self.subject.user, &req, &self.store)?.to_json())
    }
}

/// Decisions for built-in roles, printed as a short tour.
pub fn demo() -> Result<()> {
    println!("Rampart engine demo: decisions for built-in roles (no server yet).\n");
    let cases: [(&str, Question); 5] = [
        (
            "viewer",
            Question::Index {
                action: "indices:data/read/search".into(),
                names: vec!["logs-2024".into()],
            },
        ),
        (
            "viewer",
            Question::Index {
                action: "indices:data/write/index:op_type/index".into(),
                names: vec!["logs-2024".into()],
            },
        ),
        (
            "viewer",
            Question::Index {
                action: "indices:data/read/search".into(),
                names: vec![".kibana".into()],
            },
        ),
        (
            "superuser",
            Question::Index {
                action: "indices:admin/delete".into(),
                names: vec![".security-7".into()],
            },
        ),
        (
            "monitoring_user",
            Question::Cluster {
                action: "cluster:monitor/health".into(),
            },
        ),
    ];
    for (role, q) in &cases {
        let ctx = Context::load(None, &[role.to_string()], "demo")?;
        let decision = ctx.authorize(q)?;
        println!("role {role:<16} {q:?}\n  -> {}", summarize(&decision));
    }
    Ok(())
}

fn summarize(decision: &Value) -> String {
    // Index decisions nest the decision under "decision"; cluster and run-as ones do not.
    let inner = decision
        .get("decision")
        .filter(|d| d.is_object())
        .unwrap_or(decision);
    match inner.get("message").and_then(Value::as_str) {
        Some(m) => format!("denied: {m}"),
        None => "allowed".to_string(),
    }
}
