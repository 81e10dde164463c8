//! `GET /_security/stats`: ES 9's per-node security statistics (`nodes.<id>.roles`).
//!
//! What this node can state truthfully: how many roles each role store holds and how many of
//! them carry document- or field-level security. Rampart has no document bit-set cache (DLS
//! is applied by the data plane per request), so that cache reports empty.

use std::sync::Arc;

use rampart_core::role::{RoleContext, RoleDescriptor, parse_role};
use serde_json::{Value, json};

use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};
use crate::state::blocking;

/// The ES action of this API (not yet listed in the shared action table).
pub const STATS_ACTION: &str = "cluster:monitor/xpack/security/stats";

/// Size and DLS/FLS use of one role store.
fn store_stats(roles: &[RoleDescriptor]) -> Value {
    let dls = roles
        .iter()
        .filter(|r| r.indices.iter().any(|i| i.query.is_some()))
        .count();
    let fls = roles
        .iter()
        .filter(|r| r.indices.iter().any(|i| i.field_security.is_some()))
        .count();
    json!({"size": roles.len(), "dls": dls, "fls": fls})
}

/// `GET /_security/stats`.
pub fn stats(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let st = Arc::clone(&ctx.state);
        let native = blocking(move || {
            let docs = st
                .store
                .list_roles()
                .map_err(crate::error::ApiError::internal)?;
            Ok(docs
                .iter()
                .filter_map(|d| parse_role(&d.name, &d.doc, RoleContext::RoleApi).ok())
                .collect::<Vec<_>>())
        })
        .await?;
        let file = ctx.state.security.file_roles();
        let node = &ctx.state.node;
        Ok(Reply::ok(json!({
            "_nodes": {"total": 1, "successful": 1, "failed": 0},
            "cluster_name": node.cluster_name,
            "nodes": {
                node.node_name.clone(): {
                    "roles": {
                        "native": store_stats(&native),
                        "file": store_stats(&file),
                        "dls": {"bit_set_cache": {
                            "count": 0, "memory": "0b", "memory_in_bytes": 0,
                            "hits": 0, "misses": 0, "evictions": 0,
                            "hits_time_in_millis": 0, "misses_time_in_millis": 0,
                        }},
                    },
                },
            },
        })))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_roles_with_dls_and_fls() {
        let parse = |name: &str, v: Value| parse_role(name, &v, RoleContext::RoleApi).unwrap();
        let roles = vec![
            parse("plain", json!({"cluster": ["monitor"]})),
            parse(
                "dls",
                json!({"indices": [{"names": ["a"], "privileges": ["read"], "query": "{\"match_all\":{}}"}]}),
            ),
            parse(
                "fls",
                json!({"indices": [{"names": ["a"], "privileges": ["read"], "field_security": {"grant": ["x"]}}]}),
            ),
        ];
        assert_eq!(store_stats(&roles), json!({"size": 3, "dls": 1, "fls": 1}));
    }
}
