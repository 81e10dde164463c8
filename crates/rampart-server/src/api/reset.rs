//! `POST /_rampart/_reset`: wipe the security store between test suites (test clusters only).
//!
//! The route exists only when `rampart.testing.reset_api` is `true`; its action is granted
//! by the `all` cluster privilege alone, so only superusers reach it.

use rampart_store::ReservedUserState;
use serde_json::json;

use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

/// The setting that registers the route.
pub const RESET_SETTING: &str = "rampart.testing.reset_api";
/// A Rampart-only action outside every named privilege except `all`.
pub const RESET_ACTION: &str = "cluster:admin/rampart/testing/reset";

/// Delete every user, role, mapping, privilege, key and token; restore `elastic`'s startup
/// password; drop every cache that could remember what was deleted.
pub fn reset(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let state = std::sync::Arc::clone(&ctx.state);
        let elastic_hash = state.elastic_reset_hash.clone();
        let st = std::sync::Arc::clone(&state);
        blocking(move || {
            st.store.reset(&[]).map_err(ApiError::internal)?;
            if let Some(hash) = elastic_hash {
                st.store
                    .put_reserved_user(&ReservedUserState {
                        username: "elastic".into(),
                        password_hash: Some(hash),
                        enabled: true,
                    })
                    .map_err(ApiError::internal)?;
            }
            Ok(())
        })
        .await?;
        state.authn.clear_cache();
        state.security.clear_cache();
        Ok(Reply::ok(json!({"acknowledged": true})))
    })
}
