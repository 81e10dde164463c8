//! What a who-can-reach question asks about, compiled to automata.

use rampart_automaton::Automaton;

use super::AnalysisError;
use crate::catalog::{self, ActionKind, Selector};
use crate::permission::{cluster_privilege, index_privilege, is_privilege_name};

/// A who-can-reach target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An index name or pattern with an index privilege name or an index action.
    Index { name: String, privilege: String },
    /// A cluster privilege name or a cluster action.
    Cluster { privilege: String },
    /// An application privilege (name or action) on a resource (name or pattern).
    Application {
        application: String,
        privilege: String,
        resource: String,
    },
    /// Every one of `actions` of `application` on `resource`, each action checked on its own:
    /// how Kibana asks `_has_privileges` about a feature or base privilege in a space.
    ApplicationActions {
        application: String,
        actions: Vec<String>,
        resource: String,
    },
}

/// A target with its languages compiled.
#[derive(Debug, Clone)]
pub struct CompiledTarget {
    pub target: Target,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Index {
        /// The name itself when it has no pattern syntax (answered by direct lookups).
        literal: Option<String>,
        names: Automaton,
        actions: Automaton,
    },
    Cluster {
        actions: Automaton,
        /// The only wanted action, when there is one (a DFA run instead of a product).
        single: Option<String>,
    },
    Application,
    ApplicationActions,
}

/// Whether a name has no pattern syntax at all (then it is its own, single-name language).
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['*', '?', '\\', '"']) && !name.starts_with('/')
}

fn is_action(privilege: &str) -> bool {
    privilege.contains(':')
}

impl CompiledTarget {
    pub fn compile(target: Target) -> Result<Self, AnalysisError> {
        let kind = match &target {
            Target::Index { name, privilege } => compile_index(name, privilege)?,
            Target::Cluster { privilege } => compile_cluster(privilege)?,
            Target::Application {
                application,
                privilege,
                resource,
            } => {
                for (field, value) in [
                    ("application", application),
                    ("privilege", privilege),
                    ("resource", resource),
                ] {
                    if value.is_empty() {
                        return Err(AnalysisError::BadTarget(format!(
                            "[application.{field}] must not be empty"
                        )));
                    }
                }
                Kind::Application
            }
            Target::ApplicationActions {
                application,
                actions,
                resource,
            } => compile_application_actions(application, actions, resource)?,
        };
        Ok(CompiledTarget { target, kind })
    }
}

fn compile_application_actions(
    application: &str,
    actions: &[String],
    resource: &str,
) -> Result<Kind, AnalysisError> {
    if application.is_empty() || resource.is_empty() {
        return Err(AnalysisError::BadTarget(
            "[application] and [resource] must not be empty".into(),
        ));
    }
    if actions.is_empty() {
        return Err(AnalysisError::BadTarget(
            "[actions] must not be empty".into(),
        ));
    }
    // A privilege name here would be resolved as a privilege, not checked as an action.
    if let Some(name) = actions.iter().find(|a| is_privilege_name(a)) {
        return Err(AnalysisError::BadTarget(format!(
            "[{name}] is a privilege name, not an application action"
        )));
    }
    Ok(Kind::ApplicationActions)
}

fn compile_index(name: &str, privilege: &str) -> Result<Kind, AnalysisError> {
    if name.is_empty() {
        return Err(AnalysisError::BadTarget(
            "[index.name] must not be empty".into(),
        ));
    }
    let actions = if is_action(privilege) {
        if catalog::classify_action(privilege) != ActionKind::Index {
            return Err(AnalysisError::BadTarget(format!(
                "[{privilege}] is not an index action"
            )));
        }
        Automaton::literal(privilege)
    } else {
        let p = index_privilege(privilege).map_err(|e| AnalysisError::BadTarget(e.to_string()))?;
        if p.selector == Selector::Failures {
            return Err(AnalysisError::BadTarget(format!(
                "failure-store privilege [{privilege}] is not supported by access analysis"
            )));
        }
        p.actions.clone()
    };
    let literal = is_plain_name(name).then(|| name.to_string());
    let names = match &literal {
        Some(l) => Automaton::literal(l),
        None => Automaton::from_pattern(name).map_err(|e| {
            AnalysisError::BadTarget(format!("invalid index pattern [{name}]: {e}"))
        })?,
    };
    if names.is_empty() {
        return Err(AnalysisError::BadTarget(format!(
            "index pattern [{name}] matches no name"
        )));
    }
    Ok(Kind::Index {
        literal,
        names,
        actions,
    })
}

fn compile_cluster(privilege: &str) -> Result<Kind, AnalysisError> {
    if privilege.is_empty() {
        return Err(AnalysisError::BadTarget(
            "[cluster] must not be empty".into(),
        ));
    }
    let actions = if is_action(privilege) {
        if catalog::classify_action(privilege) != ActionKind::Cluster {
            return Err(AnalysisError::BadTarget(format!(
                "[{privilege}] is not a cluster action"
            )));
        }
        Automaton::literal(privilege)
    } else {
        if !is_privilege_name(privilege) {
            return Err(AnalysisError::BadTarget(format!(
                "[{privilege}] is neither a cluster privilege nor a cluster action"
            )));
        }
        let p =
            cluster_privilege(privilege).map_err(|e| AnalysisError::BadTarget(e.to_string()))?;
        if p.conditional {
            return Err(AnalysisError::BadTarget(format!(
                "[{privilege}] is conditional on the request; ask about an action instead"
            )));
        }
        p.actions.clone()
    };
    let single = {
        let mut ex = actions.examples(2);
        if ex.len() == 1 { ex.pop() } else { None }
    };
    Ok(Kind::Cluster { actions, single })
}
