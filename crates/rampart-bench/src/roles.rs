//! The role sets the benches decide against, compiled once.

use std::sync::Arc;

use rampart_core::authz::{EffectiveRole, Subject};
use rampart_core::builtin::BuiltinRoles;
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use serde_json::{Value, json};

use crate::SetupError;

/// The index action every decision bench asks about.
pub const SEARCH: &str = "indices:data/read/search";
/// The cluster action the decision benches ask about (granted by the custom role's `monitor`).
pub const CLUSTER_HEALTH: &str = "cluster:monitor/health";

/// The custom role's index entries: 20 patterns of the usual shapes (prefix wildcards,
/// `?`, exact names, one Lucene regex) over several entries with different privileges.
pub fn custom_role_body() -> Value {
    json!({
        "cluster": ["monitor"],
        "indices": [
            {"names": ["logs-*", "metrics-*", "traces-*"], "privileges": ["read", "view_index_metadata"]},
            {"names": ["audit-2024.*", "audit-2025.*"], "privileges": ["read"]},
            {"names": ["/app-[a-z]+-[0-9]{4}\\.[0-9]{2}/"], "privileges": ["read", "write"]},
            {"names": ["orders-eu-*", "orders-us-*", "orders-apac-*", "customers", "customers-archive-*"], "privileges": ["read"]},
            {"names": ["web-?-access-*", "web-?-error-*"], "privileges": ["read", "monitor"]},
            {"names": ["sales-*", "billing-*", "invoices-*"], "privileges": ["read", "write"]},
            {"names": ["tmp-*", "scratch-*"], "privileges": ["all"]},
            {"names": ["kpi-dashboard", "reports-*"], "privileges": ["read"]}
        ]
    })
}

/// Number of index name patterns in [`custom_role_body`].
pub fn custom_role_pattern_count() -> usize {
    pattern_count(&custom_role_body())
}

fn pattern_count(body: &Value) -> usize {
    body.get("indices")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e.get("names").and_then(Value::as_array))
                .map(Vec::len)
                .sum()
        })
        .unwrap_or(0)
}

/// The built-in `viewer` plus the custom role.
pub fn decision_roles() -> Result<Vec<RoleDescriptor>, SetupError> {
    let builtin = BuiltinRoles::load()?;
    let viewer = builtin
        .get("viewer")
        .cloned()
        .ok_or("built-in role [viewer] is missing")?;
    let custom = parse_role("bench_custom", &custom_role_body(), RoleContext::RoleApi)?;
    Ok(vec![viewer, custom])
}

/// A role with `count` index patterns over the team indices of the resolution snapshot: every
/// other team (`logs-team000-*`, `logs-team002-*`, …), every tenth one written with `?` and
/// every 25th as a regex, all granting `read`, in entries of ten patterns (ten index groups
/// for 100 patterns, as a role set accumulated over teams would have).
pub fn team_role(count: usize) -> Result<RoleDescriptor, SetupError> {
    let names: Vec<String> = (0..count)
        .map(|k| {
            let team = 2 * k;
            if k % 25 == 24 {
                format!("/logs-team{team:03}-[0-9]+/")
            } else if k % 10 == 9 {
                format!("logs-team{team:03}-??????*")
            } else {
                format!("logs-team{team:03}-*")
            }
        })
        .collect();
    let entries: Vec<Value> = names
        .chunks(10)
        .map(|chunk| json!({"names": chunk, "privileges": ["read"]}))
        .collect();
    let body = json!({ "indices": entries });
    Ok(parse_role("bench_teams", &body, RoleContext::RoleApi)?)
}

/// Compile roles with no stored application privileges and the built-in restricted indices.
pub fn compile(roles: &[RoleDescriptor]) -> Result<Arc<Permission>, SetupError> {
    let permission = Permission::compile(
        roles,
        &[],
        &ApplicationPrivilegeStore::default(),
        &RestrictedIndices::builtin()?,
    )?;
    Ok(Arc::new(permission))
}

/// The subject of every bench decision.
pub fn bench_user() -> Subject {
    Subject::user("bench_user", "native1", "native")
}

/// The decision role set as a plain effective role.
pub fn decision_role() -> Result<EffectiveRole, SetupError> {
    Ok(EffectiveRole::plain(compile(&decision_roles()?)?))
}

#[cfg(test)]
mod tests;
