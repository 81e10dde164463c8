//! `GET|POST /_security/user[/{username}]/_has_privileges` and `GET /_security/user/_privileges`.

mod memo;
mod wire;

pub use memo::AnswerMemo;

use std::sync::Arc;

use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges as evaluate};
use rampart_core::permission::ApplicationPrivilegeStore;
use rampart_core::user_privileges::user_privileges as render_privileges;

use crate::authn::Credential;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::{blocking, read_inline};

/// The user whose privileges are checked: always the caller (the run-as target when running as).
fn checked_user(req: &Req, ctx: &Ctx) -> Result<String, ApiError> {
    let caller = ctx.subject.effective_user().to_string();
    match req.param("username") {
        Some(named) if named != caller => Err(ApiError::bad_request(
            "users may only check the privileges of their own account",
        )),
        _ => Ok(caller),
    }
}

/// The request body: canonical bodies read directly, anything else (and every error message)
/// through the general parser.
fn request(req: &Req, username: &str) -> Result<HasPrivilegesRequest, ApiError> {
    if let Some(read) = wire::read_request(&req.body) {
        return Ok(read?);
    }
    Ok(HasPrivilegesRequest::parse(
        username,
        req.json_ref_required()?,
    )?)
}

fn application_privileges(ctx: &Ctx) -> Result<Arc<ApplicationPrivilegeStore>, ApiError> {
    let st = &ctx.state;
    read_inline(|| st.security.application_privileges(st.store.as_ref()))
}

/// Everything a `_has_privileges` answer depends on.
fn inputs<'a>(
    req: &'a Req,
    ctx: &'a Ctx,
    apps: &'a Arc<ApplicationPrivilegeStore>,
    username: &'a str,
) -> memo::Inputs<'a> {
    memo::Inputs {
        role: &ctx.role,
        apps,
        username,
        body: &req.body,
    }
}

/// The username check and body parsing are request validation: they come before any 403.
pub fn has_privileges_facts(req: &Req, ctx: &Ctx) -> Result<Facts, ApiError> {
    let username = checked_user(req, ctx)?;
    // A body answered before was valid then and is valid now.
    let memo = &ctx.state.has_privileges_answers;
    if !memo.was_asked(&ctx.role, &username, &req.body) {
        request(req, &username)?;
    }
    Ok(Facts {
        username: Some(username),
        ..Facts::default()
    })
}

/// `_has_privileges`: ES's response shape, keys echoing the request.
pub fn has_privileges(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let username = checked_user(&req, &ctx)?;
        let apps = application_privileges(&ctx)?;
        let inputs = inputs(&req, &ctx, &apps, &username);
        let memo = &ctx.state.has_privileges_answers;
        if let Some(json) = memo.get(&inputs) {
            return Ok(Reply::serialized(200, json));
        }
        let request = request(&req, &username)?;
        let response = evaluate(&ctx.role, &username, &request, &apps)?;
        let json = wire::write_response(&response).map_err(ApiError::internal)?;
        memo.remember(&inputs, &json);
        Ok(Reply::serialized(200, json))
    })
}

/// Listing one's own privileges is granted by the default role for the effective user.
pub fn user_privileges_facts(_req: &Req, ctx: &Ctx) -> Result<Facts, ApiError> {
    Ok(Facts {
        username: Some(ctx.subject.effective_user().to_string()),
        ..Facts::default()
    })
}

/// `GET /_security/user/_privileges`: the caller's merged permission in ES's shape.
pub fn user_privileges(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let st = Arc::clone(&ctx.state);
        let auth = ctx.auth.clone();
        let body = blocking(move || {
            let store = st.store.as_ref();
            if let Credential::ApiKey(key) = &auth.credential {
                if !key.role_descriptors.is_empty() {
                    return Err(ApiError::bad_request(
                        "Cannot retrieve privileges for API keys with assigned role descriptors. \
                         Please use the Get API key information API https://ela.st/es-api-get-api-key",
                    ));
                }
                let permission = st.security.permission_of(store, &key.limited_by)?;
                return Ok(render_privileges(&permission, &key.limited_by));
            }
            let resolved = st
                .security
                .resolve_roles(store, &auth.effective_user().roles)?;
            let permission = st.security.permission(store, &resolved)?;
            Ok(render_privileges(&permission, &resolved.roles))
        })
        .await?;
        Ok(Reply::ok(body))
    })
}
