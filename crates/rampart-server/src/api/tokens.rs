//! OAuth2 tokens: `POST /_security/oauth2/token` (password, client_credentials and
//! refresh_token grants) and `DELETE /_security/oauth2/token`.

use std::sync::Arc;

use rampart_store::{StoreError, TokenRecord, TokenSelector};
use serde_json::{Value, json};

use crate::authn::{Authentication, Credential, token};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

const REFRESH_ACTION: &str = "cluster:admin/xpack/security/token/refresh";

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Facts of token creation: validates the grant and names the refresh action.
pub fn create_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let body = req.json_required()?;
    let mut problems = Vec::new();
    let mut facts = Facts::default();
    match text(&body, "grant_type") {
        None => problems.push("grant_type is missing".to_string()),
        Some("password") => {
            for f in ["username", "password"] {
                if text(&body, f).is_none() {
                    problems.push(format!("{f} is missing"));
                }
            }
        }
        Some("refresh_token") => {
            if text(&body, "refresh_token").is_none() {
                problems.push("refresh_token is missing".into());
            }
            facts.action = Some(REFRESH_ACTION);
        }
        Some("client_credentials") => {}
        Some(other) => problems.push(format!("grant_type [{other}] is not supported")),
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    Ok(facts)
}

/// The `authentication` object of a token response (as `_authenticate` shows it).
fn authentication_json(auth: &Authentication) -> Value {
    let mut body = auth.effective_user().to_json();
    crate::api::api_keys::put(
        &mut body,
        "authentication_realm",
        auth.authentication_realm.to_json(),
    );
    crate::api::api_keys::put(&mut body, "lookup_realm", auth.lookup_realm.to_json());
    crate::api::api_keys::put(
        &mut body,
        "authentication_type",
        json!(auth.authentication_type()),
    );
    body
}

fn invalid_grant(description: &str) -> ApiError {
    ApiError::bare(
        400,
        json!({"error": "invalid_grant", "error_description": description}),
    )
}

/// Issue a token for `auth`.
async fn issue(ctx: &Ctx, auth: &Authentication, with_refresh: bool) -> Result<Reply, ApiError> {
    let access = token::generate();
    let refresh = with_refresh.then(token::generate);
    let now = crate::api::api_keys::now_ms();
    let mut as_token = auth.clone();
    if !matches!(as_token.credential, Credential::ServiceAccount { .. }) {
        as_token.credential = Credential::Token;
    }
    let rec = TokenRecord {
        access_hash: token::hash(&access),
        refresh_hash: refresh.as_deref().map(token::hash),
        username: auth.effective_user().username.clone(),
        realm_name: auth.lookup_realm.name.clone(),
        realm_type: auth.lookup_realm.realm_type.clone(),
        authentication: token::authentication_to_json(auth),
        creation_ms: now,
        expiration_ms: now.saturating_add(token::ACCESS_TOKEN_LIFETIME_SECS * 1000),
        invalidated: false,
        refresh_used: false,
    };
    let st = Arc::clone(&ctx.state);
    blocking(move || st.store.create_token(&rec).map_err(ApiError::internal)).await?;
    let mut body = json!({
        "access_token": access,
        "type": "Bearer",
        "expires_in": token::ACCESS_TOKEN_LIFETIME_SECS,
    });
    if let Some(r) = refresh {
        crate::api::api_keys::put(&mut body, "refresh_token", json!(r));
    }
    crate::api::api_keys::put(&mut body, "authentication", authentication_json(&as_token));
    Ok(Reply::ok(body))
}

/// `POST /_security/oauth2/token`.
pub fn create(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json_required()?;
        match text(&body, "grant_type") {
            Some("password") => {
                let user = text(&body, "username").unwrap_or_default();
                let pass = text(&body, "password").unwrap_or_default();
                let auth = ctx
                    .state
                    .authn
                    .authenticate_password(&ctx.state, user, pass, &req.uri)
                    .await?;
                issue(&ctx, &auth, true).await
            }
            Some("client_credentials") => {
                // Realm users, token holders and service accounts (kibana mints tokens for
                // itself this way) may; API keys may not.
                if !matches!(
                    ctx.auth.credential,
                    Credential::Password | Credential::Token | Credential::ServiceAccount { .. }
                ) {
                    return Err(ApiError::bad_request(
                        "client_credentials tokens can only be created for users authenticated by a realm or a service account",
                    ));
                }
                let auth = ctx.auth.clone();
                issue(&ctx, &auth, false).await
            }
            _ => refresh(&ctx, text(&body, "refresh_token").unwrap_or_default()).await,
        }
    })
}

/// A refresh token is single use and only for the user it was issued to.
async fn refresh(ctx: &Ctx, refresh_token: &str) -> Result<Reply, ApiError> {
    let st = Arc::clone(&ctx.state);
    let h = token::hash(refresh_token);
    let existing = blocking(move || {
        st.store
            .get_token_by_refresh(&h)
            .map_err(ApiError::internal)
    })
    .await?
    .ok_or_else(|| invalid_grant("could not refresh the requested token"))?;
    if existing.username != ctx.auth.effective_user().username {
        return Err(invalid_grant(
            "tokens must be refreshed by the creating client",
        ));
    }
    let now = crate::api::api_keys::now_ms();
    if existing
        .creation_ms
        .saturating_add(token::REFRESH_TOKEN_LIFETIME_MS)
        <= now
    {
        return Err(invalid_grant("refresh token is expired"));
    }
    let st = Arc::clone(&ctx.state);
    let h = token::hash(refresh_token);
    let used = blocking(move || match st.store.use_refresh_token(&h) {
        Ok(rec) => Ok(Ok(rec)),
        Err(StoreError::Conflict(_)) => Ok(Err(invalid_grant("token has already been refreshed"))),
        Err(StoreError::NotFound(_)) => {
            Ok(Err(invalid_grant("could not refresh the requested token")))
        }
        Err(e) => Err(ApiError::internal(e)),
    })
    .await??;
    let auth = token::authentication_from_json(&used.authentication)
        .ok_or_else(|| ApiError::internal("stored token authentication is unreadable"))?;
    issue(ctx, &auth, true).await
}

fn selector(body: &Value) -> Result<TokenSelector, ApiError> {
    let (tok, refresh, realm, user) = (
        text(body, "token"),
        text(body, "refresh_token"),
        text(body, "realm_name"),
        text(body, "username"),
    );
    let given = [tok, refresh].iter().flatten().count();
    if given > 1 || (given == 1 && (realm.is_some() || user.is_some())) {
        return Err(ApiError::validation(&[
            "only one of [token, refresh_token] or [realm_name, username] may be specified".into(),
        ]));
    }
    Ok(match (tok, refresh, realm, user) {
        (Some(t), _, _, _) => TokenSelector::AccessHash(token::hash(t)),
        (_, Some(r), _, _) => TokenSelector::RefreshHash(token::hash(r)),
        (_, _, Some(realm), user) => TokenSelector::Realm {
            realm_name: realm.to_string(),
            username: user.map(String::from),
        },
        (_, _, None, Some(u)) => TokenSelector::Username(u.to_string()),
        _ => {
            return Err(ApiError::validation(&[
                "One of [token, refresh_token, realm_name, username] must be specified".into(),
            ]));
        }
    })
}

/// Facts of invalidation (validates the body).
pub fn invalidate_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    selector(&req.json_required()?)?;
    Ok(Facts::default())
}

/// `DELETE /_security/oauth2/token`.
pub fn invalidate(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let sel = selector(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        let r =
            blocking(move || st.store.invalidate_tokens(&sel).map_err(ApiError::internal)).await?;
        Ok(Reply::ok(json!({
            "invalidated_tokens": r.invalidated,
            "previously_invalidated_tokens": r.previously_invalidated,
            "error_count": 0,
        })))
    })
}
