//! Granting API keys on behalf of another user: `POST /_security/api_key/grant` (one key)
//! and `POST /_security/api_key/_bulk_grant` (several keys, one set of grant credentials).
//! The grantee authenticates through the request body (password or access token), optionally
//! running as another user, who then owns the keys.

use serde_json::{Value, json};

use super::api_keys::{KeySpec, create_for, key_facts, owner_of_auth, parse_spec};
use crate::authn::{Authentication, RealmRef, UserInfo};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};

/// The action a run-as grant is checked against: the grantee "runs as" the target only to
/// establish who the target is, exactly as an authenticate call would.
const RUN_AS_CHECK_ACTION: &str = "cluster:admin/xpack/security/user/authenticate";

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// ES's validation of the grant credentials (shared by grant and bulk grant).
fn credential_problems(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match text(body, "grant_type") {
        None => problems.push("[grant_type] is required".to_string()),
        Some("password") => {
            for f in ["username", "password"] {
                if text(body, f).is_none() {
                    problems.push(format!("[{f}] is required for grant_type [password]"));
                }
            }
            if body.get("client_authentication").is_some() {
                problems.push(
                    "[client_authentication] is not supported for grant_type [password]".into(),
                );
            }
        }
        Some("access_token") => {
            if text(body, "access_token").is_none() {
                problems.push("[access_token] is required for grant_type [access_token]".into());
            }
        }
        Some(other) => problems.push(format!("grant_type [{other}] is not supported")),
    }
    if body.get("run_as").is_some_and(|v| !v.is_string()) {
        problems.push("[run_as] must be a username".into());
    }
    problems
}

fn single_spec(body: &Value) -> Result<KeySpec, ApiError> {
    parse_spec(body.get("api_key").unwrap_or(&json!({})), true)
}

fn bulk_specs(body: &Value) -> Result<Vec<KeySpec>, ApiError> {
    body.get("api_keys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().map(|k| parse_spec(k, true)).collect())
        .unwrap_or_else(|| Ok(Vec::new()))
}

/// Facts of grant: `manage_own_api_key` never suffices, whatever the request says.
pub fn grant_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let body = req.json_required()?;
    let problems = credential_problems(&body);
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    single_spec(&body)?;
    Ok(key_facts())
}

/// Facts of bulk grant: the credentials and every key are validated before authorization.
pub fn bulk_grant_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let body = req.json_required()?;
    let mut problems = credential_problems(&body);
    let empty = body
        .get("api_keys")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if empty {
        problems.push("[api_keys] must not be empty".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    bulk_specs(&body)?;
    Ok(key_facts())
}

/// Authenticate the grantee named by the body and apply its `run_as`, if any.
async fn grantee(ctx: &Ctx, req: &Req, body: &Value) -> Result<Authentication, ApiError> {
    let state = &ctx.state;
    let mut auth = match text(body, "grant_type") {
        Some("password") => {
            let user = text(body, "username").unwrap_or_default();
            let pass = text(body, "password").unwrap_or_default();
            state
                .authn
                .authenticate_password(state, user, pass, &req.uri)
                .await?
        }
        _ => {
            // Rampart's access tokens are opaque (never JWTs), and only JWTs carry the
            // client authentication ES checks here.
            if body.get("client_authentication").is_some() {
                return Err(ApiError::new(
                    400,
                    "security_exception",
                    "[client_authentication] not supported with the supplied access_token type",
                ));
            }
            let token = text(body, "access_token").unwrap_or_default();
            crate::authn::token::authenticate(state, token).await?
        }
    };
    if let Some(target) = text(body, "run_as") {
        apply_run_as(ctx, &mut auth, target).await?;
    }
    Ok(auth)
}

/// Make `target` the effective user of `auth` when the grantee may run as them.
async fn apply_run_as(ctx: &Ctx, auth: &mut Authentication, target: &str) -> Result<(), ApiError> {
    let state = &ctx.state;
    let (user, realm) = state
        .authn
        .lookup_user(state, target)
        .await?
        .unwrap_or_else(|| {
            // An unknown target is denied below, with ES's run-as message.
            (
                UserInfo {
                    username: target.to_string(),
                    ..Default::default()
                },
                RealmRef::new("__anonymous", "__anonymous"),
            )
        });
    let enabled = user.enabled;
    auth.lookup_realm = realm;
    auth.run_as = Some(user);
    let role = crate::state::read_inline(|| {
        state
            .security
            .authenticating_role(state.store.as_ref(), auth)
    })?;
    let decision = role.authorize_run_as(&auth.subject(), RUN_AS_CHECK_ACTION, target, enabled);
    if let Some(d) = decision.denial() {
        return Err(ApiError::forbidden(d.message().to_string()));
    }
    Ok(())
}

/// `POST /_security/api_key/grant`: create a key on behalf of another user.
pub fn grant(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let spec = single_spec(&body)?;
        let grantee = grantee(&ctx, &req, &body).await?;
        let created = create_for(&ctx, owner_of_auth(&grantee), &grantee, spec).await?;
        Ok(Reply::ok(created))
    })
}

/// `POST /_security/api_key/_bulk_grant`: create several keys for one grantee, in order.
pub fn bulk_grant(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        let specs = bulk_specs(&body)?;
        let grantee = grantee(&ctx, &req, &body).await?;
        let mut created = Vec::with_capacity(specs.len());
        for spec in specs {
            created.push(create_for(&ctx, owner_of_auth(&grantee), &grantee, spec).await?);
        }
        Ok(Reply::ok(json!({ "created": created })))
    })
}
