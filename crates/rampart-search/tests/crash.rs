#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Crash safety with a real process kill: a child process indexes documents (single writes
//! and write batches) and prints each acknowledged id; the test SIGKILLs it at a random
//! point, reopens the engine and checks that every acknowledged document is there. The child
//! is this test binary, re-executed with `RAMPART_SEARCH_CRASH_CHILD` naming the data dir.

use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use rampart_search::{Engine, OpType, Refresh, WriteConditions};
use serde_json::json;

const CHILD_DIR_ENV: &str = "RAMPART_SEARCH_CRASH_CHILD";
const CHILD_PREFIX_ENV: &str = "RAMPART_SEARCH_CRASH_PREFIX";
const CHILD_TEST: &str = "crash_child_writer_when_spawned";
const ACK: &str = "ack ";
const INDEX: &str = "crash";
const ROUNDS: u64 = 6;
const MAX_ACKS_PER_ROUND: u64 = 60;
const BATCH: usize = 5;
/// Bounds the child if the parent somehow never kills it.
const CHILD_MAX_WRITES: usize = 100_000;

/// The child side. In a normal test run the variable is unset and this passes at once.
#[test]
fn crash_child_writer_when_spawned() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let prefix = std::env::var(CHILD_PREFIX_ENV).unwrap();
    let engine = Engine::open(Path::new(&dir)).unwrap();
    if !engine.index_exists(INDEX) {
        engine.create_index(INDEX, &json!({})).unwrap();
    }
    // Writing to the stdout handle directly bypasses the test harness's output capture.
    let mut out = std::io::stdout().lock();
    let mut i = 0usize;
    while i < CHILD_MAX_WRITES {
        if (i / BATCH).is_multiple_of(2) {
            let id = format!("{prefix}-{i}");
            engine
                .index_doc(
                    INDEX,
                    Some(&id),
                    &json!({"n": i}),
                    OpType::Index,
                    WriteConditions::default(),
                    Refresh::False,
                )
                .unwrap();
            // index_doc has returned: the write is acknowledged and must survive from here on.
            writeln!(out, "{ACK}{id} {i}").unwrap();
            i += 1;
        } else {
            let mut batch = engine.write_batch();
            let ids: Vec<(String, usize)> = (i..i + BATCH)
                .map(|n| (format!("{prefix}-{n}"), n))
                .collect();
            for (id, n) in &ids {
                batch
                    .index_doc(
                        INDEX,
                        Some(id),
                        &json!({"n": n}),
                        OpType::Index,
                        WriteConditions::default(),
                        Refresh::False,
                    )
                    .unwrap();
            }
            batch.finish().unwrap();
            for (id, n) in &ids {
                writeln!(out, "{ACK}{id} {n}").unwrap();
            }
            i += BATCH;
        }
        out.flush().unwrap();
    }
}

/// A small xorshift generator, seeded randomly per run so kill points vary between runs.
struct KillPoints(u64);

impl KillPoints {
    fn new() -> Self {
        Self(RandomState::new().hash_one("rampart-search crash test") | 1)
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
    let mut acknowledged: Vec<(String, u64)> = Vec::new();

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
        let mut acks_this_round = 0u64;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let Some(rest) = line.strip_prefix(ACK) else {
                continue;
            };
            let (id, n) = rest.split_once(' ').unwrap();
            acknowledged.push((id.to_string(), n.parse().unwrap()));
            acks_this_round += 1;
            if acks_this_round >= kill_after {
                // Child::kill sends SIGKILL on Unix: no destructor, no final refresh.
                child.kill().unwrap();
                break;
            }
        }
        child.wait().unwrap();
        assert!(
            acks_this_round >= kill_after,
            "child exited early in round {round}"
        );

        let engine = Engine::open(dir.path()).unwrap();
        for (id, n) in &acknowledged {
            let doc = engine
                .get_doc(INDEX, id, true)
                .unwrap()
                .unwrap_or_else(|| panic!("acknowledged {id} lost after round {round}"));
            assert_eq!(doc.source, json!({"n": n}));
        }
        drop(engine);
    }
}
