#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `SqliteStore`: the shared behavioural suite, then what only a file-backed store has.

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;

use rampart_store::{SCHEMA_VERSION, SecurityStore, SqliteStore, StoreError, suite};
use rusqlite::Connection;
use serde_json::json;

#[test]
fn sqlite_store_passes_the_shared_suite() {
    suite::run_all(|| Box::new(SqliteStore::in_memory().unwrap()) as Box<dyn SecurityStore>);
}

// ---- SQLite specifics: files, schema versions, corruption, concurrency ----

fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join("security.db")).unwrap()
}

fn user_version(conn: &Connection) -> u32 {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn open_migrates_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("security.db"), b"").unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.revision().unwrap(), 0);
    assert!(store.list_users().unwrap().is_empty());

    let conn = raw(dir.path());
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn open_creates_missing_directories_and_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let revision = {
        let store = SqliteStore::open(&data).unwrap();
        store.put_user(&suite::sample_user("alice")).unwrap();
        store.put_role("r", &json!({"cluster": ["all"]})).unwrap();
        store
            .create_api_key(&suite::sample_api_key("k", Some("n"), "alice"))
            .unwrap();
        store
            .create_token(&suite::sample_token("t", "alice"))
            .unwrap();
        store.revision().unwrap()
    };
    let store = SqliteStore::open(&data).unwrap();
    assert_eq!(store.revision().unwrap(), revision);
    assert_eq!(
        store.get_user("alice").unwrap(),
        Some(suite::sample_user("alice"))
    );
    let role = store.get_role("r").unwrap().unwrap();
    assert_eq!(role.doc, json!({"cluster": ["all"]}));
    assert!(store.get_api_key("k").unwrap().is_some());
    assert!(store.get_token_by_refresh("refresh-t").unwrap().is_some());
    // Opening again must not re-run migrations against existing tables.
    assert_eq!(user_version(&raw(&data)), SCHEMA_VERSION);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    raw(dir.path())
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    match SqliteStore::open(dir.path()) {
        Err(StoreError::Corrupt(message)) => {
            assert!(message.contains("newer"), "{message}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn corrupt_rows_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    store.put_role("bad_json", &json!({})).unwrap();
    store.put_role("future", &json!({})).unwrap();
    store.put_user(&suite::sample_user("u")).unwrap();
    let conn = raw(dir.path());
    conn.execute(
        "UPDATE roles SET doc = '{not json' WHERE name = 'bad_json'",
        [],
    )
    .unwrap();
    conn.execute("UPDATE roles SET format = 99 WHERE name = 'future'", [])
        .unwrap();
    conn.execute("UPDATE users SET roles = '\"not a list\"'", [])
        .unwrap();

    for result in [
        store.get_role("bad_json").map(drop),
        store.get_role("future").map(drop),
        store.list_roles().map(drop),
        store.get_user("u").map(drop),
    ] {
        assert!(matches!(result, Err(StoreError::Corrupt(_))), "{result:?}");
    }
    // A wrongly typed column is an error too, never a crash.
    conn.execute("UPDATE users SET enabled = 'yes'", [])
        .unwrap();
    assert!(store.list_users().is_err());
}

#[test]
fn eight_concurrent_writers_produce_every_row_and_one_revision_each() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let start = store.revision().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let writers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, barrier) = (store.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                for i in 0..PER_THREAD {
                    assert!(
                        store
                            .put_user(&suite::sample_user(&format!("u{t}-{i}")))
                            .unwrap()
                    );
                    // Interleaved reads must not block or fail while others write.
                    assert!(store.get_user(&format!("u{t}-{i}")).unwrap().is_some());
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let users = store.list_users().unwrap();
    assert_eq!(users.len(), THREADS * PER_THREAD);
    assert_eq!(
        store.revision().unwrap(),
        start + (THREADS * PER_THREAD) as u64,
        "each write bumps the revision exactly once"
    );
}

#[test]
fn concurrent_api_key_updates_from_one_version_have_one_winner() {
    const THREADS: usize = 8;
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    store
        .create_api_key(&suite::sample_api_key("k", None, "alice"))
        .unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let updaters: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, barrier) = (store.clone(), barrier.clone());
            thread::spawn(move || {
                let mut key = store.get_api_key("k").unwrap().unwrap();
                key.metadata = json!({"writer": t});
                barrier.wait();
                store.update_api_key(&key, 1)
            })
        })
        .collect();
    let results: Vec<_> = updaters.into_iter().map(|u| u.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(StoreError::Conflict(_))))
    );
    assert_eq!(store.get_api_key("k").unwrap().unwrap().version, 2);
}
