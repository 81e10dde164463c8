//! Service accounts: listing the built-in accounts, and creating, listing, deleting and
//! cache-clearing their tokens.

use std::sync::Arc;

use rampart_store::{ServiceTokenRecord, StoreError};
use serde_json::{Map, Value, json};

use crate::authn::{api_key, service_account};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

fn account_of(req: &Req) -> Result<(String, String, String), ApiError> {
    let ns = req.param_required("namespace")?.to_string();
    let svc = req.param_required("service")?.to_string();
    let account = format!("{ns}/{svc}");
    Ok((ns, svc, account))
}

/// `GET /_security/service[/{namespace}[/{service}]]`.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let ns = req.param("namespace");
        let svc = req.param("service");
        let mut out = Map::new();
        for account in service_account::ACCOUNTS {
            let (a_ns, a_svc) = account.split_once('/').unwrap_or((account, ""));
            if ns.is_some_and(|n| n != a_ns) || svc.is_some_and(|s| s != a_svc) {
                continue;
            }
            if let Some(r) = service_account::role_descriptor(&ctx.state.security.builtin, account)
            {
                out.insert(account.to_string(), json!({"role_descriptor": r.to_json()}));
            }
        }
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// ES's rule for token names.
fn validate_token_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=256).contains(&name.chars().count())
        && !name.starts_with('_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    Err(ApiError::validation(&[
        "service account token name must have at least 1 character and at most 256 characters that are alphanumeric (A-Z, a-z, 0-9) or hyphen (-) or underscore (_). It must not begin with an underscore (_).".into(),
    ]))
}

fn unknown_account(account: &str) -> ApiError {
    ApiError::bad_request(format!("service account [{account}] does not exist"))
}

/// `POST|PUT /_security/service/{namespace}/{service}/credential/token[/{name}]`.
pub fn create_token(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (ns, svc, account) = account_of(&req)?;
        let name = match req.param("name") {
            Some(n) => n.to_string(),
            None => format!("token_{}", api_key::generate_id()),
        };
        validate_token_name(&name)?;
        if !service_account::exists(&account) {
            return Err(unknown_account(&account));
        }
        let secret = api_key::generate_secret();
        let rec = ServiceTokenRecord {
            namespace: ns,
            service: svc,
            name: name.clone(),
            hash: api_key::hash_secret(&secret),
            creation_ms: crate::api::api_keys::now_ms(),
        };
        let st = Arc::clone(&ctx.state);
        let qualified = format!("{account}/{name}");
        blocking(move || match st.store.create_service_token(&rec) {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(ApiError::conflict(format!(
                "service account token [{qualified}] already exists"
            ))),
            Err(e) => Err(ApiError::internal(e)),
        })
        .await?;
        Ok(Reply::ok(json!({
            "created": true,
            "token": {"name": name, "value": service_account::encode_token(&account, &name, &secret)},
        })))
    })
}

/// `DELETE /_security/service/{namespace}/{service}/credential/token/{name}`.
pub fn delete_token(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (ns, svc, _) = account_of(&req)?;
        let name = req.param_required("name")?.to_string();
        let st = Arc::clone(&ctx.state);
        let found = blocking(move || {
            st.store
                .delete_service_token(&ns, &svc, &name)
                .map_err(ApiError::internal)
        })
        .await?;
        Ok(Reply::status(
            if found { 200 } else { 404 },
            json!({"found": found}),
        ))
    })
}

/// `GET /_security/service/{namespace}/{service}/credential`.
pub fn get_credentials(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (ns, svc, account) = account_of(&req)?;
        if !service_account::exists(&account) {
            return Err(unknown_account(&account));
        }
        let st = Arc::clone(&ctx.state);
        let tokens = blocking(move || {
            st.store
                .list_service_tokens(&ns, &svc)
                .map_err(ApiError::internal)
        })
        .await?;
        let listed: Map<String, Value> =
            tokens.iter().map(|t| (t.name.clone(), json!({}))).collect();
        Ok(Reply::ok(json!({
            "service_account": account,
            "count": listed.len(),
            "tokens": listed,
            "nodes_credentials": {
                "_nodes": {"total": 1, "successful": 1, "failed": 0},
                "file_tokens": {},
            },
        })))
    })
}

/// `POST .../credential/token/{names}/_clear_cache`: tokens are verified on every request
/// (nothing is cached), so this only acknowledges.
pub fn clear_cache(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move { Ok(crate::api::api_keys::nodes_reply(&ctx)) })
}
