//! `GET /` and `GET /_cluster/health`: a single-node cluster.

use serde_json::json;

use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// `GET /`: cluster info, shaped like Elasticsearch's.
pub fn info(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let node = &ctx.state.node;
        Ok(Reply::ok(json!({
            "name": node.node_name,
            "cluster_name": node.cluster_name,
            "cluster_uuid": node.cluster_uuid,
            "version": {
                "number": crate::ES_COMPAT_VERSION,
                "build_flavor": "default",
                "build_type": "rampart",
                "build_hash": env!("CARGO_PKG_VERSION"),
                "build_date": "2026-01-01T00:00:00.000Z",
                "build_snapshot": false,
                "lucene_version": "10.0.0",
                "minimum_wire_compatibility_version": "8.19.0",
                "minimum_index_compatibility_version": "8.0.0"
            },
            "tagline": "You Know, for Search"
        })))
    })
}

/// `GET /_cluster/health`: always green with one node.
pub fn health(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        Ok(Reply::ok(json!({
            "cluster_name": ctx.state.node.cluster_name,
            "status": "green",
            "timed_out": false,
            "number_of_nodes": 1,
            "number_of_data_nodes": 1,
            "active_primary_shards": 0,
            "active_shards": 0,
            "relocating_shards": 0,
            "initializing_shards": 0,
            "unassigned_shards": 0,
            "unassigned_primary_shards": 0,
            "delayed_unassigned_shards": 0,
            "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0,
            "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0
        })))
    })
}
