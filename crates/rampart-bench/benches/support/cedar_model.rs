//! The decision benches' role set encoded as Cedar policies and entities, for a side-by-side
//! comparison. Shared by `benches/decisions.rs` and `tests/cedar_equivalence.rs`.
//!
//! Encoding: a user is a member of one `Role` entity per role; each role index entry is one
//! `permit` whose action scope is the entry's privileges (`Action::"index-privilege:<p>"`
//! groups whose members are the concrete actions that privilege grants) and whose condition
//! is an OR of `resource.name like "<pattern>"`; restricted indices are one `forbid`. Cedar has
//! no regexes or `?`: the few such patterns are written with equivalent or slightly wider
//! `like`/`!like` conditions (see [`regex_condition`]); they cost Cedar the same kind of work.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression,
};
use rampart_bench::SetupError;
use rampart_core::catalog::restricted_index_patterns;
use rampart_core::permission::{cluster_privilege, index_privilege};
use rampart_core::role::RoleDescriptor;

/// The one cluster resource.
pub const CLUSTER: &str = r#"Cluster::"cluster""#;

/// Policies, entities and an authorizer, all built once.
pub struct CedarModel {
    pub policies: PolicySet,
    pub entities: Entities,
    pub authorizer: Authorizer,
    pub principal: EntityUid,
}

impl std::fmt::Debug for CedarModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CedarModel").finish_non_exhaustive()
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn uid(ty: &str, id: &str) -> Result<EntityUid, SetupError> {
    Ok(EntityUid::from_str(&format!("{ty}::\"{}\"", quote(id)))?)
}

/// Cedar conditions for the regex patterns of the bench role set and the restricted list.
fn regex_condition(pattern: &str) -> Result<String, SetupError> {
    let c = match pattern {
        // viewer: every name not starting with `.` or `ilm-history-` (exact).
        "/~(([.]|ilm-history-).*)/" => {
            r#"(!(resource.name like ".*") && !(resource.name like "ilm-history-*"))"#
        }
        // custom: `app-<letters>-<4 digits>.<2 digits>` (wider: any middle parts).
        "/app-[a-z]+-[0-9]{4}\\.[0-9]{2}/" => r#"resource.name like "app-*-*.*""#,
        // restricted: `.security-<digits>…` and friends (wider: any suffix).
        "/\\.security-[0-9]+.*/" => r#"resource.name like ".security-*""#,
        "/\\.security-tokens-[0-9]+.*/" => r#"resource.name like ".security-tokens-*""#,
        "/\\.security-profile-[0-9]+.*/" => r#"resource.name like ".security-profile-*""#,
        "/\\.fleet-policies-[0-9]+.*/" => r#"resource.name like ".fleet-policies-*""#,
        "/\\.fleet-actions~(-results.*)/" => {
            r#"(resource.name like ".fleet-actions*" && !(resource.name like ".fleet-actions-results*"))"#
        }
        other => return Err(format!("no Cedar encoding for regex pattern {other}").into()),
    };
    Ok(c.to_string())
}

fn name_condition(pattern: &str) -> Result<String, SetupError> {
    if pattern.starts_with('/') {
        return regex_condition(pattern);
    }
    // Cedar's `like` knows only `*`; `?` becomes `*` (wider, same cost class).
    let like = quote(pattern).replace('?', "*");
    Ok(format!("resource.name like \"{like}\""))
}

fn any_of(patterns: &[String]) -> Result<String, SetupError> {
    let parts = patterns
        .iter()
        .map(|p| name_condition(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(parts.join(" || "))
}

/// The policy text for `roles`.
pub fn policy_text(roles: &[RoleDescriptor]) -> Result<String, SetupError> {
    let mut text = String::new();
    for role in roles {
        let principal = format!("principal in Role::\"{}\"", quote(&role.name));
        if !role.cluster.is_empty() {
            let actions: Vec<String> = role
                .cluster
                .iter()
                .map(|p| format!("Action::\"cluster-privilege:{}\"", quote(p)))
                .collect();
            text.push_str(&format!(
                "permit({principal}, action in [{}], resource == {CLUSTER});\n",
                actions.join(", ")
            ));
        }
        for entry in &role.indices {
            let actions: Vec<String> = entry
                .privileges
                .iter()
                .map(|p| format!("Action::\"index-privilege:{}\"", quote(p)))
                .collect();
            text.push_str(&format!(
                "permit({principal}, action in [{}], resource is Index) when {{ {} }};\n",
                actions.join(", "),
                any_of(&entry.names)?
            ));
        }
    }
    let restricted: Vec<String> = restricted_index_patterns()
        .iter()
        .map(|p| p.to_string())
        .collect();
    text.push_str(&format!(
        "forbid(principal, action, resource is Index) when {{ {} }};\n",
        any_of(&restricted)?
    ));
    Ok(text)
}

/// Action entities: each concrete action is a member of every privilege group (used by the
/// roles) that grants it, decided with the engine's own privilege automata.
fn action_entities(
    roles: &[RoleDescriptor],
    index_actions: &[&str],
    cluster_actions: &[&str],
) -> Result<Vec<Entity>, SetupError> {
    let mut groups: HashSet<EntityUid> = HashSet::new();
    let mut out = Vec::new();
    for action in index_actions {
        let mut parents = HashSet::new();
        for p in roles
            .iter()
            .flat_map(|r| &r.indices)
            .flat_map(|e| &e.privileges)
        {
            let group = uid("Action", &format!("index-privilege:{p}"))?;
            groups.insert(group.clone());
            if index_privilege(p)?.actions.matches(action) {
                parents.insert(group);
            }
        }
        out.push(Entity::new_no_attrs(uid("Action", action)?, parents));
    }
    for action in cluster_actions {
        let mut parents = HashSet::new();
        for p in roles.iter().flat_map(|r| &r.cluster) {
            let group = uid("Action", &format!("cluster-privilege:{p}"))?;
            groups.insert(group.clone());
            if cluster_privilege(p)?.actions.matches(action) {
                parents.insert(group);
            }
        }
        out.push(Entity::new_no_attrs(uid("Action", action)?, parents));
    }
    out.extend(
        groups
            .into_iter()
            .map(|g| Entity::new_no_attrs(g, HashSet::new())),
    );
    Ok(out)
}

/// Build the model: `user` in every role, the given actions, and one `Index` entity (with its
/// `name` attribute) per known index name.
pub fn build<'a>(
    roles: &[RoleDescriptor],
    user: &str,
    index_actions: &[&str],
    cluster_actions: &[&str],
    index_names: impl IntoIterator<Item = &'a str>,
) -> Result<CedarModel, SetupError> {
    let policies = PolicySet::from_str(&policy_text(roles)?)?;
    let mut entities = action_entities(roles, index_actions, cluster_actions)?;
    let mut role_uids = HashSet::new();
    for role in roles {
        let r = uid("Role", &role.name)?;
        entities.push(Entity::new_no_attrs(r.clone(), HashSet::new()));
        role_uids.insert(r);
    }
    let principal = uid("User", user)?;
    entities.push(Entity::new_no_attrs(principal.clone(), role_uids));
    entities.push(Entity::new_no_attrs(
        EntityUid::from_str(CLUSTER)?,
        HashSet::new(),
    ));
    for name in index_names {
        let attrs = HashMap::from([(
            "name".to_string(),
            RestrictedExpression::new_string(name.to_string()),
        )]);
        entities.push(Entity::new(uid("Index", name)?, attrs, HashSet::new())?);
    }
    Ok(CedarModel {
        policies,
        entities: Entities::from_entities(entities, None)?,
        authorizer: Authorizer::new(),
        principal,
    })
}

impl CedarModel {
    /// A request for `action` on the index `name` (built outside the measured loop).
    pub fn index_request(&self, action: &str, name: &str) -> Result<Request, SetupError> {
        self.request(action, uid("Index", name)?)
    }

    /// A request for the cluster action `action`.
    pub fn cluster_request(&self, action: &str) -> Result<Request, SetupError> {
        self.request(action, EntityUid::from_str(CLUSTER)?)
    }

    fn request(&self, action: &str, resource: EntityUid) -> Result<Request, SetupError> {
        Ok(Request::new(
            self.principal.clone(),
            uid("Action", action)?,
            resource,
            Context::empty(),
            None,
        )?)
    }

    /// The measured call.
    pub fn is_allowed(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }
}
