#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `index.translog.durability: async`: writes are acknowledged before their fsync, the
//! background sync makes them durable once the interval has passed (checked through the
//! translog positions with an explicit clock, never by sleeping), a clean shutdown loses
//! nothing, and the settings are validated as Elasticsearch validates them.

mod common;

use std::time::{Duration, Instant};

use common::{engine, put};
use rampart_search::Engine;
use serde_json::json;

fn pending(engine: &Engine, index: &str) -> bool {
    let p = engine.translog_positions(index).unwrap();
    p.appended != p.synced
}

#[test]
fn request_durability_syncs_before_acknowledging() {
    let (_dir, engine) = engine();
    engine.create_index("req", &json!({})).unwrap();
    put(&engine, "req", "1", json!({"n": 1}));
    let p = engine.translog_positions("req").unwrap();
    assert!(p.appended > 0);
    assert!(!pending(&engine, "req"));
}

#[test]
fn async_durability_syncs_in_the_background_after_the_interval() {
    let (_dir, engine) = engine();
    engine
        .create_index(
            "logs",
            &json!({"settings": {"index.translog.durability": "async",
                                 "index.translog.sync_interval": "200ms"}}),
        )
        .unwrap();
    let before = Instant::now();
    put(&engine, "logs", "1", json!({"n": 1}));
    // Acknowledged but not yet fsynced.
    assert!(pending(&engine, "logs"));
    // The last fsync was at open (before `before`): once the interval passed it is due.
    assert_eq!(
        engine.sync_async_translogs(before + Duration::from_millis(200)),
        1
    );
    assert!(!pending(&engine, "logs"));
    // Nothing pending: nothing to do, however late.
    assert_eq!(
        engine.sync_async_translogs(before + Duration::from_secs(60)),
        0
    );
}

#[test]
fn async_sync_waits_for_the_interval_since_the_last_sync() {
    let (_dir, engine) = engine();
    engine
        .create_index(
            "logs",
            &json!({"settings": {"index": {"translog": {"durability": "async", "sync_interval": "10s"}}}}),
        )
        .unwrap();
    put(&engine, "logs", "1", json!({"n": 1}));
    let start = Instant::now();
    assert_eq!(
        engine.sync_async_translogs(start + Duration::from_secs(10)),
        1
    );
    let synced_at = Instant::now();
    put(&engine, "logs", "2", json!({"n": 2}));
    // Less than the interval after the last fsync: still pending.
    assert_eq!(engine.sync_async_translogs(synced_at), 0);
    assert!(pending(&engine, "logs"));
    assert_eq!(
        engine.sync_async_translogs(synced_at + Duration::from_secs(10)),
        1
    );
    assert!(!pending(&engine, "logs"));
}

#[test]
fn request_indices_are_not_touched_by_the_async_sync() {
    let (_dir, engine) = engine();
    engine.create_index("req", &json!({})).unwrap();
    put(&engine, "req", "1", json!({"n": 1}));
    assert_eq!(
        engine.sync_async_translogs(Instant::now() + Duration::from_secs(3600)),
        0
    );
}

#[test]
fn durability_is_dynamic() {
    let (_dir, engine) = engine();
    engine.create_index("idx", &json!({})).unwrap();
    engine
        .put_settings(
            &["idx".to_string()],
            &json!({"index": {"translog": {"durability": "async"}}}),
        )
        .unwrap();
    put(&engine, "idx", "1", json!({"n": 1}));
    assert!(pending(&engine, "idx"));
    engine
        .put_settings(
            &["idx".to_string()],
            &json!({"index.translog.durability": "request"}),
        )
        .unwrap();
    put(&engine, "idx", "2", json!({"n": 2}));
    // The request-durable write fsynced everything before it, too.
    assert!(!pending(&engine, "idx"));
}

#[test]
fn a_clean_shutdown_keeps_async_writes() {
    let (dir, engine) = engine();
    engine
        .create_index(
            "logs",
            &json!({"settings": {"index.translog.durability": "async"}}),
        )
        .unwrap();
    for i in 0..10 {
        put(&engine, "logs", &format!("d{i}"), json!({"n": i}));
    }
    assert!(pending(&engine, "logs"));
    drop(engine);
    let reopened = Engine::open(dir.path()).unwrap();
    for i in 0..10 {
        assert!(
            reopened
                .get_doc("logs", &format!("d{i}"), true)
                .unwrap()
                .is_some(),
            "d{i} lost in a clean shutdown"
        );
    }
}

#[test]
fn invalid_translog_settings_are_refused() {
    let (_dir, engine) = engine();
    let reason = |settings: serde_json::Value| {
        let e = engine
            .create_index("bad", &json!({"settings": settings}))
            .unwrap_err();
        e.to_string()
    };
    assert!(
        reason(json!({"index.translog.durability": "never"})).contains(
            "No enum constant org.elasticsearch.index.translog.Translog.Durability.NEVER"
        )
    );
    assert!(
        reason(json!({"index.translog.sync_interval": "10ms"})).contains(
            "failed to parse value [10ms] for setting [index.translog.sync_interval], must be >= [100ms]"
        )
    );
    assert!(!engine.index_exists("bad"));
}
