//! What a caller may see inside one index: the decision's DLS/FLS access turned into a
//! document filter (role queries rendered for the user, then parsed into the query AST) and
//! field permissions. Any failure denies: a restriction that cannot be computed is an error,
//! never "unrestricted" (fail closed).

use rampart_core::authz::{EffectiveRole, IndexAccess, IndexRequest};
use rampart_core::dls::{DocumentRestriction, UserContext};
use rampart_core::fls::FieldPermissions;
use rampart_core::resolve::IndexMetadata;
use rampart_query::Query;

use crate::authn::Authentication;
use crate::error::ApiError;
use crate::routes::Ctx;

/// The setting that selects how DLS and FLS combine across roles.
pub const PAIRING_SETTING: &str = "rampart.security.dls_fls.pairing";

/// How DLS and FLS of several roles combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// Elasticsearch: documents = OR of the queries, fields = union of the field sets,
    /// independently of each other.
    Combined,
    /// Each role's query stays paired with its field set: a hit shows a role's fields only if
    /// that role's query admits it.
    PerRole,
}

impl Pairing {
    /// From the node settings; an unknown value is a startup-style error, never a silent default.
    pub fn from_settings(settings: &crate::settings::Settings) -> Result<Self, ApiError> {
        match settings.get(PAIRING_SETTING) {
            None | Some("combined") => Ok(Pairing::Combined),
            Some("per_role") => Ok(Pairing::PerRole),
            Some(other) => Err(ApiError::internal(format!(
                "invalid value [{other}] for [{PAIRING_SETTING}]: expected [combined] or [per_role]"
            ))),
        }
    }
}

/// One role's own pair, for `per_role` pairing.
#[derive(Debug, Clone)]
pub struct RolePair {
    pub role: String,
    /// `None`: the role sees every document of the index.
    pub documents: Option<Query>,
    pub fields: FieldPermissions,
}

/// The restriction of one concrete index for one request.
#[derive(Debug, Clone, Default)]
pub struct Restriction {
    /// `None` = every document.
    pub documents: Option<Query>,
    /// `None` = every field. Under `per_role` pairing: the fields every granting role may see
    /// (what queries, sorts and aggregations may use).
    pub fields: Option<FieldPermissions>,
    /// Under `per_role` pairing with more than one role: the pairs, used to widen each hit's
    /// `_source` to the union of the fields of the roles whose query admits it.
    pub pairs: Vec<RolePair>,
}

impl Restriction {
    /// No restriction at all.
    pub fn is_unrestricted(&self) -> bool {
        self.documents.is_none() && self.fields.is_none()
    }
}

/// The `_user` that role query templates see: the effective (run-as) user, or the key owner.
pub fn user_context(auth: &Authentication) -> UserContext {
    let user = auth.effective_user();
    UserContext {
        username: user.username.clone(),
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        roles: user.roles.clone(),
        metadata: user.metadata.clone(),
    }
}

/// Render and parse the document restriction of one access entry; `None` = unrestricted.
pub fn documents(
    access: &rampart_core::authz::DocumentAccess,
    user: &UserContext,
) -> Result<Option<Query>, ApiError> {
    let restriction = DocumentRestriction::from_access(access);
    let Some(filter) = restriction.to_filter(user, None)? else {
        return Ok(None);
    };
    let query = rampart_query::role::parse_role_query_value(&filter).map_err(|e| {
        tracing::warn!(error = %e, "role query cannot be applied; denying");
        ApiError::from_es(&e)
    })?;
    Ok(Some(query))
}

/// The field permissions of one access entry; `None` = unrestricted.
pub fn fields(
    access: &rampart_core::authz::FieldAccess,
) -> Result<Option<FieldPermissions>, ApiError> {
    if access.is_unrestricted() {
        return Ok(None);
    }
    let permissions = FieldPermissions::from_access(access).map_err(|e| {
        tracing::warn!(error = %e, "field security cannot be applied; denying");
        ApiError::from_es(&e)
    })?;
    Ok((!permissions.is_unrestricted()).then_some(permissions))
}

/// The restriction for one resolved index under the node's pairing mode.
pub fn restriction(
    ctx: &Ctx,
    action: &str,
    access: &IndexAccess,
    meta: &IndexMetadata,
) -> Result<Restriction, ApiError> {
    let user = user_context(&ctx.auth);
    let combined = Restriction {
        documents: documents(&access.documents, &user)?,
        fields: fields(&access.fields)?,
        pairs: Vec::new(),
    };
    if combined.is_unrestricted()
        || Pairing::from_settings(&ctx.state.settings)? == Pairing::Combined
    {
        return Ok(combined);
    }
    let pairs = role_pairs(ctx, action, &access.name, meta, &user)?;
    if pairs.len() < 2 {
        // One granting role: pairing changes nothing.
        return Ok(combined);
    }
    // Queries, sorts and aggregations may only use fields every granting role sees: a field
    // seen by one role only must not be probed through documents admitted by another.
    let mut shared: Option<FieldPermissions> = None;
    for pair in &pairs {
        shared = Some(match shared {
            None => pair.fields.clone(),
            Some(so_far) => so_far
                .try_intersect(&pair.fields)
                .map_err(|e| ApiError::from_es(&e))?,
        });
    }
    let shared = shared.filter(|f| !f.is_unrestricted());
    Ok(Restriction {
        documents: combined.documents,
        fields: shared,
        pairs,
    })
}

/// Each granting role's own (query, fields) pair for `name`. API keys keep ES's combination
/// (their two sides are intersected by the engine already).
fn role_pairs(
    ctx: &Ctx,
    action: &str,
    name: &str,
    meta: &IndexMetadata,
    user: &UserContext,
) -> Result<Vec<RolePair>, ApiError> {
    if matches!(ctx.role, EffectiveRole::Limited { .. }) {
        return Ok(Vec::new());
    }
    let store = ctx.state.store.as_ref();
    let names = [name.to_string()];
    let mut pairs = Vec::new();
    for role in ctx.role.role_names() {
        let resolved = ctx
            .state
            .security
            .resolve_roles(store, std::slice::from_ref(role))?;
        let single = EffectiveRole::plain(ctx.state.security.permission(store, &resolved)?);
        let request = IndexRequest {
            action,
            names: &names,
            data_streams: true,
            lookup: meta,
        };
        let decision = single.authorize_index(&ctx.subject, &request)?;
        if !decision.is_allowed() {
            continue;
        }
        for access in &decision.access {
            pairs.push(RolePair {
                role: role.clone(),
                documents: documents(&access.documents, user)?,
                fields: fields(&access.fields)?.unwrap_or_else(FieldPermissions::unrestricted),
            });
        }
    }
    Ok(pairs)
}
