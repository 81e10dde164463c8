//! Machine learning: the setup check (API and `rampart check ml-setup`), and the ES port's ML
//! routes, which are authorized like any route and then answer that ML is not supported.

use rampart_core::authz::{ClusterRequest, EffectiveRole};
use rampart_kibana::ml::{MlCheckInput, MlSettings, Requirement, ml_setup_check};
use rampart_kibana::spaces::DEFAULT_SPACE_ID;
use serde_json::{Value, json};

use super::error::KbnError;
use super::model;
use super::pipeline::{KCtx, KFut, KReply};
use super::spaces::load_space;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::settings::Settings;
use crate::state::SharedState;

const USER_GET: &str = "cluster:admin/xpack/security/user/get";

/// The message of every ML API on the ES port, after authorization.
pub const ML_UNSUPPORTED: &str = "machine learning jobs are not supported by this server";

/// ES-port handler of the ML routes: reached only when authorized (so 403 vs allowed stays
/// observable), then a clear 400.
pub fn unsupported(_ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move { Err::<Reply, _>(ApiError::bad_request(ML_UNSUPPORTED)) })
}

fn ml_settings(settings: &Settings) -> Result<MlSettings, KbnError> {
    let ml_enabled = match settings.get("xpack.ml.enabled") {
        None => None,
        Some(_) => Some(
            settings
                .get_bool("xpack.ml.enabled", true)
                .map_err(|e| KbnError::bad_request(e.to_string()))?,
        ),
    };
    let node_roles = settings
        .get("node.roles")
        .map(|_| settings.get_list("node.roles"));
    Ok(MlSettings {
        ml_enabled,
        node_roles,
    })
}

fn requirement_json(r: &Requirement) -> Value {
    json!({"id": r.id, "description": r.description, "passed": r.passed, "fix": r.fix})
}

/// The role of `username` (looked up through the realms, without credentials).
async fn role_of(state: &SharedState, username: &str) -> Result<EffectiveRole, KbnError> {
    let (user, _) = state
        .authn
        .lookup_user(state, username)
        .await?
        .ok_or_else(|| KbnError::not_found(format!("user [{username}] not found")))?;
    let store = state.store.as_ref();
    let resolved = state.security.resolve_roles(store, &user.roles)?;
    Ok(EffectiveRole::plain(
        state.security.permission(store, &resolved)?,
    ))
}

/// What to check and for whom.
#[derive(Debug, Clone, Default)]
pub struct MlCheckRequest {
    pub username: String,
    pub space: String,
    pub source_indices: Vec<String>,
    pub destination_indices: Vec<String>,
}

/// Run the setup check for `request.username` with `role` (the user's effective role).
fn run(
    state: &SharedState,
    role: &EffectiveRole,
    request: &MlCheckRequest,
) -> Result<Value, KbnError> {
    let model = model()?;
    let (space, _) = load_space(state, &request.space)?.ok_or_else(|| {
        KbnError::not_found(format!("Saved object [space/{}] not found", request.space))
    })?;
    let settings = ml_settings(&state.settings)?;
    let store = state
        .security
        .application_privileges(state.store.as_ref())?;
    let requirements = ml_setup_check(&MlCheckInput {
        settings: &settings,
        space: &space,
        registry: &model.registry,
        role,
        store: &store,
        username: &request.username,
        source_indices: &request.source_indices,
        destination_indices: &request.destination_indices,
    })?;
    Ok(json!({
        "username": request.username,
        "space": space.id,
        "ready": requirements.iter().all(|r| r.passed),
        "requirements": requirements.iter().map(requirement_json).collect::<Vec<_>>(),
    }))
}

/// The setup check of any user (used by `rampart check ml-setup` on a data directory).
pub async fn check(state: &SharedState, request: &MlCheckRequest) -> Result<Value, KbnError> {
    let role = role_of(state, &request.username).await?;
    run(state, &role, request)
}

/// `GET /internal/rampart/ml_setup_check?username=U&space=S&source=a,b&destination=c`.
/// Checking another user needs the right to read users (`read_security`).
pub fn setup_check(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let me = ctx.auth.effective_user().username.clone();
        let username = req.query("username").unwrap_or(&me).to_string();
        let request = MlCheckRequest {
            space: req.query("space").map(str::to_string).unwrap_or_else(|| {
                if ctx.space.is_empty() {
                    DEFAULT_SPACE_ID.to_string()
                } else {
                    ctx.space.clone()
                }
            }),
            source_indices: req.query_list("source"),
            destination_indices: req.query_list("destination"),
            username: username.clone(),
        };
        let body = if username == me {
            run(&ctx.state, &ctx.role, &request)?
        } else {
            ctx.authorize_cluster(USER_GET, &ClusterRequest::default(), &req)?;
            check(&ctx.state, &request).await?
        };
        Ok(KReply::ok(body))
    })
}
