#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Crash safety: a child process writes users and prints each acknowledged username; the test
//! kills it with SIGKILL at a random point, reopens the store, and checks that every
//! acknowledged user is there and the database file is intact. The child is this same test
//! binary, re-executed with `RAMPART_STORE_CRASH_CHILD` naming the data directory.

use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use rampart_store::{SecurityStore, SqliteStore, suite};
use rusqlite::Connection;

const CHILD_DIR_ENV: &str = "RAMPART_STORE_CRASH_CHILD";
const CHILD_PREFIX_ENV: &str = "RAMPART_STORE_CRASH_PREFIX";
const CHILD_TEST: &str = "crash_child_writer_when_spawned";
const ACK: &str = "ack ";
const ROUNDS: u64 = 24;
const MAX_ACKS_PER_ROUND: u64 = 30;
/// Bounds the child if the parent somehow never kills it.
const CHILD_MAX_WRITES: usize = 100_000;

/// The child side. In a normal test run the variable is unset and this passes at once.
#[test]
fn crash_child_writer_when_spawned() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let prefix = std::env::var(CHILD_PREFIX_ENV).unwrap();
    let store = SqliteStore::open(Path::new(&dir)).unwrap();
    // Writing to the stdout handle directly bypasses the test harness's output capture.
    let mut out = std::io::stdout().lock();
    for i in 0..CHILD_MAX_WRITES {
        let username = format!("{prefix}-{i}");
        store.put_user(&suite::sample_user(&username)).unwrap();
        // put_user has returned: the write is acknowledged and must survive from here on.
        writeln!(out, "{ACK}{username}").unwrap();
        out.flush().unwrap();
    }
}

/// A small xorshift generator, seeded randomly per run so kill points vary between runs.
struct KillPoints(u64);

impl KillPoints {
    fn new() -> Self {
        Self(RandomState::new().hash_one("rampart-store crash test") | 1)
    }

    fn next_count(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        1 + self.0 % MAX_ACKS_PER_ROUND
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut kill_points = KillPoints::new();
    let mut acknowledged: Vec<String> = Vec::new();

    for round in 0..ROUNDS {
        let kill_after = kill_points.next_count();
        let mut child = Command::new(&exe)
            .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR_ENV, dir.path())
            .env(CHILD_PREFIX_ENV, format!("round{round}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut acks_this_round = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(username) = line.strip_prefix(ACK) {
                acknowledged.push(username.to_owned());
                acks_this_round += 1;
                if acks_this_round == kill_after {
                    break;
                }
            }
        }
        // On Unix `kill` is SIGKILL: no destructors, no final checkpoint, no flush.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child was not killed ({status})"
        );
        assert_eq!(
            acks_this_round, kill_after,
            "round {round}: child stopped early ({status})"
        );

        let store = SqliteStore::open(dir.path()).unwrap();
        for username in &acknowledged {
            assert!(
                store.get_user(username).unwrap().is_some(),
                "round {round}: acknowledged user {username} lost"
            );
        }
        drop(store);
        let conn = Connection::open(dir.path().join("security.db")).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
    }
    assert!(acknowledged.len() >= ROUNDS as usize);
    eprintln!(
        "{} acknowledged writes survived {ROUNDS} SIGKILLs",
        acknowledged.len()
    );
}
