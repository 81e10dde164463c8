//! Which concrete indices a data request may touch: the index expression is resolved against
//! the engine's metadata snapshot with the request's `IndicesOptions` and authorized through
//! the decision engine (sections 5 and 6 of the facts). Every data handler starts here.

use rampart_core::authz::{IndexAccess, IndexRequest};
use rampart_core::resolve::{IndexMetadata, IndicesOptions};

use crate::error::ApiError;
use crate::http::Req;
use crate::routes::Ctx;

/// The outcome of authorizing an index expression.
#[derive(Debug, Clone)]
pub struct Authorized {
    /// Resolved local names (indices, aliases, data streams), in resolution order.
    pub names: Vec<String>,
    /// The expression was rewritten to match nothing (`allow_no_indices`): answer empty.
    pub placeholder: bool,
    /// What the caller may see of each name (DLS/FLS), in `names` order.
    pub access: Vec<IndexAccess>,
    /// Remote targets (`alias:index`) granted through `remote_indices`, with their DLS/FLS.
    pub remote: Vec<rampart_core::authz::RemoteAccess>,
}

impl Authorized {
    /// The access entry of one resolved name.
    pub fn access_of(&self, name: &str) -> Option<&IndexAccess> {
        self.access.iter().find(|a| a.name == name)
    }

    /// Whether document or field level security applies to any target.
    pub fn restricted(&self) -> bool {
        self.access
            .iter()
            .any(|a| !a.documents.is_unrestricted() || !a.fields.is_unrestricted())
    }
}

/// The request's options: the request type's defaults overlaid with the REST parameters.
pub fn options(req: &Req, defaults: IndicesOptions) -> Result<IndicesOptions, ApiError> {
    let params = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    Ok(defaults.with_query_params(params)?)
}

/// The index expressions of the path (`{index}`); empty means "all".
pub fn expressions(req: &Req) -> Vec<String> {
    req.param_list("index")
}

/// Resolve and authorize `expressions` for `action`. Denials are audited and become ES's 403.
pub fn authorize(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    expressions: &[String],
    options: &IndicesOptions,
    meta: &IndexMetadata,
) -> Result<Authorized, ApiError> {
    let outcome = ctx
        .role
        .authorize_index_expression(
            &ctx.subject,
            action,
            expressions,
            options,
            meta,
            chrono::Utc::now(),
        )
        .map_err(|e| ApiError::from_es(&e))?;
    if let Some(denial) = outcome.decision.decision.denial() {
        ctx.state.audit.access_denied(&ctx.auth, action, req);
        return Err(ApiError::forbidden(denial.message().to_owned()));
    }
    ctx.state.audit.access_granted(&ctx.auth, action, req);
    Ok(Authorized {
        names: outcome.names,
        placeholder: outcome.placeholder,
        access: outcome.decision.access().to_vec(),
        remote: outcome.remote,
    })
}

/// Authorize `action` on names that need no resolution (a create-index target, a bulk item
/// that was already resolved, an alias being added).
pub fn authorize_names(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    names: &[String],
    meta: &IndexMetadata,
) -> Result<Vec<IndexAccess>, ApiError> {
    let request = IndexRequest {
        action,
        names,
        data_streams: true,
        lookup: meta,
    };
    let decision = ctx.role.authorize_index(&ctx.subject, &request)?;
    if let Some(denial) = decision.decision.denial() {
        ctx.state.audit.access_denied(&ctx.auth, action, req);
        return Err(ApiError::forbidden(denial.message().to_owned()));
    }
    ctx.state.audit.access_granted(&ctx.auth, action, req);
    Ok(decision.access().to_vec())
}

/// Whether `action` is allowed on `name` (no audit, no error: used for silent filtering such
/// as the no-escalation comparison of section 5.9).
pub fn allows(ctx: &Ctx, action: &str, name: &str, meta: &IndexMetadata) -> bool {
    let names = [name.to_string()];
    let request = IndexRequest {
        action,
        names: &names,
        data_streams: true,
        lookup: meta,
    };
    ctx.role
        .authorize_index(&ctx.subject, &request)
        .is_ok_and(|d| d.is_allowed())
}
