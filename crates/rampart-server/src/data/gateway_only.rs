//! Data APIs the embedded engine does not execute (point in time): their routes exist so a
//! gateway node serves them (`data::upstream`, where every `Authz::Index` route goes in
//! gateway mode), and an embedded node answers them, after the pipeline's authorization, with
//! a clear 400 rather than a partial imitation: `rampart_search` keeps no searcher snapshot
//! for a PIT to hold.

use crate::error::ApiError;
use crate::http::Req;
use crate::routes::{BoxFut, Ctx};

/// The embedded answer of a gateway-only route.
pub fn not_embedded(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        Err(ApiError::bad_request(format!(
            "[{}] is only supported in gateway mode (setting [{}])",
            ctx.action,
            crate::gateway::UPSTREAM_URL
        )))
    })
}
