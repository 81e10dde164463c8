//! `PUT|POST /_security/user[/{username}]/_password`: users change their own password through
//! the default role; changing someone else's needs `manage_security`. Reserved users keep their
//! new hash in the reserved-user state.

use rampart_store::ReservedUserState;
use serde_json::{Value, json};

use super::{
    Secret, expect_string, is_reserved, password_problem, type_name, validate_hash,
    validate_refresh,
};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

fn parse_change_password(body: &Value) -> Result<Secret, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::parse(format!(
            "failed to parse change password request. expected an object but found [{}] instead",
            type_name(body)
        )));
    };
    let mut secret = None;
    for (key, value) in obj {
        match key.as_str() {
            "password" => {
                let p = expect_string(key, value)?;
                if let Some(problem) = password_problem(&p) {
                    return Err(ApiError::validation(&[problem]));
                }
                secret = Some(Secret::Password(p));
            }
            "password_hash" => {
                let h = expect_string(key, value)?;
                validate_hash(&h)?;
                secret = Some(Secret::Hash(h));
            }
            other => {
                return Err(ApiError::parse(format!(
                    "failed to parse change password request. unexpected field [{other}]"
                )));
            }
        }
    }
    if obj.contains_key("password") && obj.contains_key("password_hash") {
        return Err(ApiError::bad_request(
            "only one of [password, passwordHash] can be provided",
        ));
    }
    secret.ok_or_else(|| ApiError::validation(&["password is missing".into()]))
}

fn password_target(req: &Req, ctx: &Ctx) -> String {
    req.param("username")
        .map_or_else(|| ctx.subject.effective_user().to_string(), String::from)
}

/// The target user is a request fact: the default role lets users change their own password.
pub fn change_password_facts(req: &Req, ctx: &Ctx) -> Result<Facts, ApiError> {
    validate_refresh(req)?;
    parse_change_password(&req.json_required()?)?;
    Ok(Facts {
        username: Some(password_target(req, ctx)),
        ..Facts::default()
    })
}

/// `PUT|POST /_security/user[/{username}]/_password` → `{}`.
pub fn change_password(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let secret = parse_change_password(&req.json_required()?)?;
        let username = password_target(&req, &ctx);
        let st = ctx.state.clone();
        blocking(move || {
            let hash = match secret {
                Secret::Hash(h) => h,
                Secret::Password(p) => st.authn.algorithm.hash(&p).map_err(ApiError::internal)?,
            };
            if is_reserved(&username) {
                let enabled = st
                    .store
                    .get_reserved_user(&username)
                    .map_err(ApiError::internal)?
                    .is_none_or(|s| s.enabled);
                let state = ReservedUserState {
                    username,
                    password_hash: Some(hash),
                    enabled,
                };
                return st
                    .store
                    .put_reserved_user(&state)
                    .map_err(ApiError::internal);
            }
            if st
                .store
                .set_user_password(&username, &hash)
                .map_err(ApiError::internal)?
            {
                Ok(())
            } else {
                Err(ApiError::validation(&[
                    "user must exist in order to change password".into(),
                ]))
            }
        })
        .await?;
        ctx.state.authn.clear_cache();
        Ok(Reply::ok(json!({})))
    })
}
