//! The versioned schema. `PRAGMA user_version` records how many steps of [`MIGRATIONS`] a
//! database has had; opening applies the missing ones, each in its own transaction together
//! with the version bump, so a crash mid-migration leaves the previous version intact.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// Ordered migration steps; step `i` takes the schema from version `i` to `i + 1`. Append
/// only: a released step is never edited, or databases already past it would diverge.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema. Every document table carries `format`, the version of the stored
    // document's shape, so a later binary can upgrade old rows as it reads them.
    r"
    CREATE TABLE store_meta (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        revision INTEGER NOT NULL
    );
    INSERT INTO store_meta (id, revision) VALUES (0, 0);

    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL,
        full_name TEXT,
        email TEXT,
        metadata TEXT NOT NULL,
        enabled INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE reserved_users (
        username TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        password_hash TEXT,
        enabled INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE roles (
        name TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        doc TEXT NOT NULL,
        revision INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE role_mappings (
        name TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE app_privileges (
        application TEXT NOT NULL,
        name TEXT NOT NULL,
        format INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (application, name)
    ) WITHOUT ROWID;

    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        name TEXT,
        hash TEXT NOT NULL,
        creation_ms INTEGER NOT NULL,
        expiration_ms INTEGER,
        invalidated INTEGER NOT NULL,
        invalidation_ms INTEGER,
        username TEXT NOT NULL,
        realm_name TEXT NOT NULL,
        realm_type TEXT NOT NULL,
        role_descriptors TEXT NOT NULL,
        limited_by_role_descriptors TEXT NOT NULL,
        metadata TEXT NOT NULL,
        key_type TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX api_keys_by_owner ON api_keys (username, realm_name);
    CREATE INDEX api_keys_by_name ON api_keys (name);

    CREATE TABLE tokens (
        access_hash TEXT PRIMARY KEY,
        refresh_hash TEXT UNIQUE,
        format INTEGER NOT NULL,
        username TEXT NOT NULL,
        realm_name TEXT NOT NULL,
        realm_type TEXT NOT NULL,
        authentication TEXT NOT NULL,
        creation_ms INTEGER NOT NULL,
        expiration_ms INTEGER NOT NULL,
        invalidated INTEGER NOT NULL,
        refresh_used INTEGER NOT NULL
    );
    CREATE INDEX tokens_by_username ON tokens (username);
    CREATE INDEX tokens_by_realm ON tokens (realm_name, username);

    CREATE TABLE service_tokens (
        namespace TEXT NOT NULL,
        service TEXT NOT NULL,
        name TEXT NOT NULL,
        format INTEGER NOT NULL,
        hash TEXT NOT NULL,
        creation_ms INTEGER NOT NULL,
        PRIMARY KEY (namespace, service, name)
    ) WITHOUT ROWID;
    ",
    // 2: other security documents (Kibana spaces, user profiles, settings, ...), keyed by
    // kind and id. `seq_no` is the row's own write counter for optimistic concurrency.
    r"
    CREATE TABLE objects (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        format INTEGER NOT NULL,
        seq_no INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    ",
];

/// The schema version this binary creates and understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the database up to [`SCHEMA_VERSION`]; refuses one written by a newer binary rather
/// than guess at tables it does not know.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Corrupt(format!(
            "database schema version {current} is newer than this binary supports \
             ({SCHEMA_VERSION}); upgrade rampart or use another data directory"
        )));
    }
    let pending = MIGRATIONS.iter().skip(current as usize);
    for (step, target) in pending.zip(current + 1..) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(step)?;
        // user_version lives in the database header, which is part of the transaction.
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
    }
    Ok(())
}
