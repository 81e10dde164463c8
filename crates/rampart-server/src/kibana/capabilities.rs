//! Features, the privilege catalogue, capabilities (kibana.md d) and the privilege summary (e).

use rampart_kibana::access::{RoleOracle, resolve_capabilities};
use rampart_kibana::summary::{SummaryColumn, privilege_summary as summarize};
use serde_json::{Value, json};

use super::error::KbnError;
use super::pipeline::{KCtx, KFut, KReply};
use super::roles::{es_role, to_kibana};
use super::spaces::load_space;
use crate::http::Req;

/// `GET /api/features`.
pub fn features(ctx: KCtx, _req: Req) -> KFut {
    Box::pin(async move { Ok(KReply::ok(ctx.model.registry.features_api_body())) })
}

/// `GET /api/security/privileges[?includeActions=true]`.
pub fn privileges(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let include_actions = req.query_bool("includeActions", false)?;
        Ok(KReply::ok(
            ctx.model.privileges.catalogue_body(include_actions),
        ))
    })
}

/// The body's `applications` (Kibana requires the list; only its shape matters here).
fn check_capabilities_body(req: &Req) -> Result<(), KbnError> {
    let body = req.json()?.unwrap_or_else(|| json!({"applications": []}));
    match body.get("applications") {
        None | Some(Value::Array(_)) if body.is_object() => Ok(()),
        _ => Err(KbnError::bad_request(
            "[request body.applications]: expected value of type [array]",
        )),
    }
}

/// `POST [/s/{space}]/api/core/capabilities`: the space hides ∧ the caller's privileges grant.
pub fn capabilities(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        check_capabilities_body(&req)?;
        let (space, _) = load_space(&ctx.state, &ctx.space)?.ok_or_else(|| {
            KbnError::not_found(format!("Saved object [space/{}] not found", ctx.space))
        })?;
        let store = ctx.app_privileges()?;
        let oracle = RoleOracle {
            role: &ctx.role,
            store: &store,
        };
        let caps = resolve_capabilities(&ctx.model.registry, &space, &oracle)?;
        Ok(KReply::ok(caps.to_json()))
    })
}

fn column_json(c: &SummaryColumn) -> Value {
    let features: Vec<Value> = c
        .features
        .iter()
        .map(|f| {
            json!({
                "id": f.feature,
                "privilege": f.display,
                "primary": f.primary,
                "subFeaturePrivileges": f.sub_features,
                "hasCustomizedSubFeaturePrivileges": f.has_customized_sub_features,
            })
        })
        .collect();
    json!({"spaces": c.spaces, "base": c.base, "features": features})
}

/// `GET /internal/security/role/{name}/privilege_summary`: per space group (the `*` column
/// first) and feature: All / Read / None, with customised sub-feature privileges flagged.
pub fn privilege_summary(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let name = req.param("name").unwrap_or_default().to_string();
        let role = es_role(&ctx.state, &name)?.ok_or_else(|| KbnError::not_found("Not Found"))?;
        let kibana = to_kibana(&role, &ctx.model.registry)?;
        let columns = summarize(&kibana.kibana, &ctx.model.registry, &ctx.model.privileges);
        Ok(KReply::ok(json!({
            "name": name,
            "_transform_error": kibana.transform_errors,
            "columns": columns.iter().map(column_json).collect::<Vec<_>>(),
        })))
    })
}
