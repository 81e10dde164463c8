//! `SqliteStore`: every record in one SQLite file, `<data_dir>/security.db`.
//!
//! One writer connection behind a mutex serializes writes; each write method is one
//! `BEGIN IMMEDIATE` transaction committed (and, with `synchronous=FULL`, fsynced to the WAL)
//! before the method returns, so an acknowledged write survives `kill -9`. Readers come from a
//! small pool and read inside a transaction, so WAL snapshot isolation means they never see
//! half of a write.

mod api_keys;
mod codec;
mod documents;
mod objects;
mod schema;
mod store_impl;
mod tokens;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::StoreError;
pub use schema::SCHEMA_VERSION;

/// The file name inside the data directory.
pub const DB_FILE_NAME: &str = "security.db";

/// Idle reader connections kept for reuse; more are opened on demand under load.
const MAX_IDLE_READERS: usize = 4;

/// How long a connection waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a revision answered from memory is trusted before re-reading it.
const REVISION_RECHECK: Duration = Duration::from_millis(250);

/// A `SecurityStore` backed by one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// The last revision this process wrote or read, and when it was read from disk: every
    /// request asks for the revision (cache keys), so it is answered from memory and re-read
    /// at most every `REVISION_RECHECK` to notice writes by other processes (CLI tools).
    revision: Mutex<(u64, Option<std::time::Instant>)>,
    /// Keeps the directory of an `in_memory` store alive; declared last so the connections
    /// close before it is deleted.
    _temp_dir: Option<tempfile::TempDir>,
}

impl SqliteStore {
    /// Opens (creating if needed) `<dir>/security.db` and migrates it to [`SCHEMA_VERSION`].
    /// Fails with `Corrupt` if the database was written by a newer schema.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        Self::open_file(dir.join(DB_FILE_NAME), Durability::Full, None)
    }

    /// A throwaway store in a temporary directory removed on drop, for tests. It is a real file
    /// (not SQLite's shared-cache memory mode) so WAL and snapshot isolation behave as in
    /// production; fsync is skipped because nothing needs to survive a crash.
    pub fn in_memory() -> Result<Self, StoreError> {
        let dir = tempfile::Builder::new()
            .prefix("rampart-store-")
            .tempdir()?;
        let path = dir.path().join(DB_FILE_NAME);
        Self::open_file(path, Durability::Throwaway, Some(dir))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_file(
        path: PathBuf,
        durability: Durability,
        temp_dir: Option<tempfile::TempDir>,
    ) -> Result<Self, StoreError> {
        let mut writer = Connection::open(&path)?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "{} refused WAL journal mode (got {mode})",
                path.display()
            )));
        }
        writer.pragma_update(None, "synchronous", durability.pragma())?;
        writer.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut writer)?;
        Ok(Self {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            revision: Mutex::new((0, None)),
            _temp_dir: temp_dir,
        })
    }

    fn open_reader(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }

    /// Runs `body` in a read transaction: one consistent snapshot for all its statements.
    /// The cached revision if it was checked recently.
    pub(crate) fn recent_revision(&self) -> Option<u64> {
        let cached = lock(&self.revision);
        cached
            .1
            .filter(|at| at.elapsed() < REVISION_RECHECK)
            .map(|_| cached.0)
    }

    /// Remember a revision read from disk.
    pub(crate) fn note_revision(&self, r: u64) {
        *lock(&self.revision) = (r, Some(std::time::Instant::now()));
    }

    pub(crate) fn read<T>(
        &self,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let result = read_in_snapshot(&mut conn, body);
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Runs `body` as the one write transaction of a store method. The revision is bumped iff
    /// `body` called [`WriteTx::bump`]; the commit happens before this returns.
    pub(crate) fn write<T>(
        &self,
        body: impl FnOnce(&mut WriteTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut write = WriteTx { tx, revision: None };
        let value = body(&mut write)?;
        let bumped = write.revision;
        write.tx.commit()?;
        if let Some(r) = bumped {
            let mut cached = lock(&self.revision);
            if r > cached.0 {
                *cached = (r, Some(std::time::Instant::now()));
            }
        }
        Ok(value)
    }
}

fn read_in_snapshot<T>(
    conn: &mut Connection,
    body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let value = body(&tx)?;
    // Ending a read transaction only releases the snapshot; there is nothing to commit.
    tx.finish()?;
    Ok(value)
}

/// The writer's transaction plus the revision it has taken, if any.
pub(crate) struct WriteTx<'conn> {
    tx: Transaction<'conn>,
    revision: Option<u64>,
}

impl WriteTx<'_> {
    pub(crate) fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    /// Marks the transaction as a change: the global revision goes up by one (once per
    /// transaction, however often this is called) and the new value is returned, e.g. as the
    /// revision of a role written now.
    pub(crate) fn bump(&mut self) -> Result<u64, StoreError> {
        if let Some(revision) = self.revision {
            return Ok(revision);
        }
        let raw: i64 = self.tx.query_row(
            "UPDATE store_meta SET revision = revision + 1 WHERE id = 0 RETURNING revision",
            [],
            |row| row.get(0),
        )?;
        let revision = codec::to_u64("store revision", raw)?;
        self.revision = Some(revision);
        Ok(revision)
    }

    /// For statements that may match nothing: `true` (and a bump) iff `changed_rows > 0`.
    pub(crate) fn bump_if(&mut self, changed_rows: usize) -> Result<bool, StoreError> {
        if changed_rows > 0 {
            self.bump()?;
        }
        Ok(changed_rows > 0)
    }
}

#[derive(Debug, Clone, Copy)]
enum Durability {
    /// fsync on every commit: acknowledged writes survive power loss and `kill -9`.
    Full,
    /// No fsync, for throwaway test databases.
    Throwaway,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Throwaway => "OFF",
        }
    }
}

/// A panic while a lock was held cannot leave a connection mid-transaction (the transaction
/// rolls back on drop), so a poisoned lock is still safe to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
