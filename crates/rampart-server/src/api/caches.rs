//! Cache-clearing APIs of the realms.

use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// `POST /_security/realm/{realms}/_clear_cache`: forget cached password checks (the one
/// cache is shared by all realms, so any realm name clears it).
pub fn clear_realm_cache(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        ctx.state.authn.clear_cache();
        let reply: Reply = super::api_keys::nodes_reply(&ctx);
        Ok(reply)
    })
}
