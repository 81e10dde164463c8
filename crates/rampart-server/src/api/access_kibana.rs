//! Kibana targets of `POST /_security/_access/who`: "who can use feature F with privilege P
//! (or base privilege B) in space S". Kibana answers such a question by asking
//! `_has_privileges` about every action of the privilege on the space's resource, so the
//! target becomes an application-actions target over `kibana-.kibana`; the action lists and
//! which stored privileges imply them come from the `rampart-kibana` privilege model.

use std::sync::OnceLock;

use rampart_core::analysis::Target;
use rampart_core::permission::ApplicationPrivilegeStore;
use rampart_kibana::features::is_valid_id;
use rampart_kibana::{APPLICATION, FeatureRegistry, KibanaPrivileges};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// Kibana's privileges as registered by Kibana at startup (every feature, every license).
pub fn kibana_privileges() -> Option<&'static KibanaPrivileges> {
    static MODEL: OnceLock<Option<KibanaPrivileges>> = OnceLock::new();
    MODEL
        .get_or_init(|| match FeatureRegistry::builtin() {
            Ok(registry) => Some(KibanaPrivileges::build(&registry)),
            Err(e) => {
                tracing::error!(error = %e, "the embedded Kibana feature registry does not load");
                None
            }
        })
        .as_ref()
}

/// The stored application privileges, with Kibana's registered under `kibana-.kibana` when
/// none are stored for it yet (Kibana registers them when it first connects). Stored ones win:
/// they are what the engine authorizes against.
pub fn with_kibana_privileges(
    stored: &ApplicationPrivilegeStore,
    model: Option<&KibanaPrivileges>,
) -> ApplicationPrivilegeStore {
    let has_kibana = stored.iter().any(|d| d.application == APPLICATION);
    let extra = match model {
        Some(kp) if !has_kibana => kp.descriptors(APPLICATION),
        _ => Vec::new(),
    };
    ApplicationPrivilegeStore::new(stored.iter().cloned().chain(extra))
}

fn field<'a>(o: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::parse(format!("[kibana.{name}] must be a string"))),
    }
}

/// A resolved Kibana target: the engine target and what it was resolved to (for the answer).
#[derive(Debug, Clone)]
pub struct KibanaTarget {
    pub target: Target,
    /// `{"application", "privilege", "resource", "actions"}`: the registered privilege asked about.
    pub resolved: Value,
}

/// `{"space": "s", "feature": "f", "privilege": "p"}` or `{"space": "s", "base": "all"}`;
/// space `*` asks about the global privileges (resource `*`).
pub fn parse_kibana_target(
    o: &Map<String, Value>,
    model: Option<&KibanaPrivileges>,
) -> Result<KibanaTarget, ApiError> {
    if let Some(k) = o
        .keys()
        .find(|k| !matches!(k.as_str(), "space" | "feature" | "privilege" | "base"))
    {
        return Err(ApiError::parse(format!(
            "failed to parse access request. unknown field [kibana.{k}]"
        )));
    }
    let Some(kp) = model else {
        return Err(ApiError::bad_request(
            "the Kibana privilege model is not available",
        ));
    };
    let space = field(o, "space")?
        .ok_or_else(|| ApiError::validation(&["[kibana.space] is required".to_string()]))?;
    let global = space == "*";
    if !global && !is_valid_id(space) {
        return Err(ApiError::bad_request(format!(
            "[kibana.space] must be a space id (a-z, 0-9, _ and -) or [*], got [{space}]"
        )));
    }
    let (feature, privilege, base) = (
        field(o, "feature")?,
        field(o, "privilege")?,
        field(o, "base")?,
    );
    let es_name = match (feature, privilege, base) {
        (Some(f), Some(p), None) => format!("feature_{f}.{p}"),
        (None, None, Some(b @ ("all" | "read"))) if global => b.to_string(),
        (None, None, Some(b @ ("all" | "read"))) => format!("space_{b}"),
        (None, None, Some(b)) => {
            return Err(ApiError::bad_request(format!(
                "[kibana.base] must be [all] or [read], got [{b}]"
            )));
        }
        _ => {
            return Err(ApiError::validation(&[
                "[kibana] names either [feature] and [privilege], or [base]".to_string(),
            ]));
        }
    };
    let Some(actions) = kp.actions_of(&es_name) else {
        return Err(ApiError::bad_request(format!(
            "unknown Kibana privilege [{es_name}]"
        )));
    };
    let resource = if global {
        "*".to_string()
    } else {
        format!("space:{space}")
    };
    let resolved = json!({
        "application": APPLICATION,
        "privilege": es_name,
        "resource": resource,
        "actions": actions.len(),
    });
    Ok(KibanaTarget {
        target: Target::ApplicationActions {
            application: APPLICATION.to_string(),
            actions: actions.to_vec(),
            resource,
        },
        resolved,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn parse(v: Value) -> Result<KibanaTarget, ApiError> {
        parse_kibana_target(v.as_object().unwrap(), kibana_privileges())
    }

    #[test]
    fn feature_and_base_targets_resolve_to_registered_privileges() {
        let t = parse(json!({"space": "marketing", "feature": "discover", "privilege": "read"}))
            .unwrap();
        assert_eq!(t.resolved["privilege"], "feature_discover.read");
        assert_eq!(t.resolved["resource"], "space:marketing");
        let t = parse(json!({"space": "marketing", "base": "all"})).unwrap();
        assert_eq!(t.resolved["privilege"], "space_all");
        let t = parse(json!({"space": "*", "base": "read"})).unwrap();
        assert_eq!(t.resolved["privilege"], "read");
        assert_eq!(t.resolved["resource"], "*");
    }

    #[test]
    fn unknown_or_malformed_targets_are_rejected() {
        assert!(parse(json!({"space": "s", "feature": "nope", "privilege": "read"})).is_err());
        assert!(parse(json!({"space": "s", "base": "write"})).is_err());
        assert!(parse(json!({"space": "a b", "base": "all"})).is_err());
        assert!(parse(json!({"space": "s"})).is_err());
        assert!(parse(json!({"space": "s", "base": "all", "x": 1})).is_err());
    }
}
