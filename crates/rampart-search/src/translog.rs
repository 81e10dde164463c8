//! The per-index write-ahead log (Elasticsearch's translog): every write is appended before it
//! reaches the tantivy writer; with `durability: request` the log is fsynced before the write
//! is acknowledged, with `async` in the background (`translog_settings`). Opening an index
//! replays what the last commit does not hold, and a commit truncates the log.
//!
//! Record: `len: u32 LE | crc32(payload): u32 LE | payload`, payload =
//! `kind: u8 | seq_no: u64 | version: u64 | id_len: u32 | id | _source JSON` (LE integers).
//! A torn or corrupt tail (a crash mid-append) ends the log: it was never acknowledged.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::error::{Result, SearchError};

const FILE_NAME: &str = "translog.wal";
const KIND_INDEX: u8 = 1;
const KIND_DELETE: u8 = 2;
const HEADER: usize = 8;
const FIXED_PAYLOAD: usize = 1 + 8 + 8 + 4;
/// A record larger than this is corruption, not data (ES caps requests far below).
const MAX_RECORD: usize = 1 << 30;

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A document version; `source` is the `_source` JSON bytes.
    Index {
        id: String,
        seq_no: u64,
        version: u64,
        source: Vec<u8>,
    },
    Delete {
        id: String,
        seq_no: u64,
        version: u64,
    },
}

impl Op {
    pub fn seq_no(&self) -> u64 {
        match self {
            Op::Index { seq_no, .. } | Op::Delete { seq_no, .. } => *seq_no,
        }
    }
}

/// An open log.
pub struct Translog {
    path: PathBuf,
    file: Mutex<BufWriter<File>>,
    /// Bytes appended since the last truncation (updated under the file lock).
    appended: AtomicU64,
    /// How much of `appended` is known durable.
    synced: AtomicU64,
    /// When the log was last fsynced (paces `durability: async`).
    last_sync: Mutex<Instant>,
}

/// How far a log was written and made durable, in bytes since its last truncation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Positions {
    pub appended: u64,
    pub synced: u64,
}

impl std::fmt::Debug for Translog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Frame one record: header (length, CRC of the payload) then the payload pieces.
fn write_record(
    out: &mut impl Write,
    kind: u8,
    id: &str,
    seq_no: u64,
    version: u64,
    source: &[u8],
) -> Result<u64> {
    let id_len = u32::try_from(id.len()).map_err(|_| too_large())?;
    let len = FIXED_PAYLOAD + id.len() + source.len();
    if len > MAX_RECORD {
        return Err(too_large());
    }
    let len32 = u32::try_from(len).map_err(|_| too_large())?;
    let seq_no = seq_no.to_le_bytes();
    let version = version.to_le_bytes();
    let id_len = id_len.to_le_bytes();
    let pieces: [&[u8]; 6] = [&[kind], &seq_no, &version, &id_len, id.as_bytes(), source];
    let mut crc = crc32fast::Hasher::new();
    for piece in pieces {
        crc.update(piece);
    }
    out.write_all(&len32.to_le_bytes())?;
    out.write_all(&crc.finalize().to_le_bytes())?;
    for piece in pieces {
        out.write_all(piece)?;
    }
    Ok((HEADER + len) as u64)
}

fn too_large() -> SearchError {
    SearchError::IllegalArgument("document is too large for the translog".into())
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn decode_payload(p: &[u8]) -> Option<Op> {
    let kind = *p.first()?;
    let seq_no = u64_at(p, 1)?;
    let version = u64_at(p, 9)?;
    let id_len = usize::try_from(u32_at(p, 17)?).ok()?;
    let id_end = FIXED_PAYLOAD.checked_add(id_len)?;
    let id = std::str::from_utf8(p.get(FIXED_PAYLOAD..id_end)?)
        .ok()?
        .to_string();
    let rest = p.get(id_end..)?;
    match kind {
        KIND_INDEX => Some(Op::Index {
            id,
            seq_no,
            version,
            source: rest.to_vec(),
        }),
        KIND_DELETE if rest.is_empty() => Some(Op::Delete {
            id,
            seq_no,
            version,
        }),
        _ => None,
    }
}

/// The valid records of `bytes` and the length of the valid prefix.
fn decode_all(bytes: &[u8]) -> (Vec<Op>, usize) {
    let mut ops = Vec::new();
    let mut at = 0usize;
    while let Some(len) = u32_at(bytes, at).and_then(|l| usize::try_from(l).ok()) {
        let Some(crc) = u32_at(bytes, at + 4) else {
            break;
        };
        let start = at + HEADER;
        let Some(payload) = start.checked_add(len).and_then(|end| bytes.get(start..end)) else {
            break;
        };
        if len > MAX_RECORD || crc32fast::hash(payload) != crc {
            break;
        }
        let Some(op) = decode_payload(payload) else {
            break;
        };
        ops.push(op);
        at = start + len;
    }
    (ops, at)
}

fn sync_dir(dir: &Path) -> Result<()> {
    // Makes a newly created log file's directory entry durable (POSIX needs the dir fsync).
    File::open(dir)?.sync_all()?;
    Ok(())
}

impl Translog {
    /// Open (or create) the log in `dir`; returns it with the records it holds. A torn tail
    /// is cut off so new records follow the last valid one.
    pub fn open(dir: &Path) -> Result<(Self, Vec<Op>)> {
        let path = dir.join(FILE_NAME);
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        if !existed {
            sync_dir(dir)?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (ops, valid) = decode_all(&bytes);
        if valid < bytes.len() {
            tracing::warn!(
                path = %path.display(),
                dropped = bytes.len() - valid,
                "translog has a torn tail (crash during an unacknowledged write); cutting it off"
            );
            file.set_len(valid as u64)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::Start(valid as u64))?;
        let log = Translog {
            path,
            file: Mutex::new(BufWriter::with_capacity(64 * 1024, file)),
            appended: AtomicU64::new(valid as u64),
            synced: AtomicU64::new(valid as u64),
            last_sync: Mutex::new(Instant::now()),
        };
        Ok((log, ops))
    }

    fn lock(&self) -> MutexGuard<'_, BufWriter<File>> {
        self.file.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Append an index record (buffered; durable after [`Translog::sync`]).
    pub fn append_index(&self, id: &str, seq_no: u64, version: u64, source: &[u8]) -> Result<()> {
        let mut file = self.lock();
        let n = write_record(&mut *file, KIND_INDEX, id, seq_no, version, source)?;
        self.appended.fetch_add(n, Ordering::AcqRel);
        Ok(())
    }

    /// Append a delete record (buffered; durable after [`Translog::sync`]).
    pub fn append_delete(&self, id: &str, seq_no: u64, version: u64) -> Result<()> {
        let mut file = self.lock();
        let n = write_record(&mut *file, KIND_DELETE, id, seq_no, version, &[])?;
        self.appended.fetch_add(n, Ordering::AcqRel);
        Ok(())
    }

    #[cfg(test)]
    fn append(&self, op: &Op) -> Result<()> {
        match op {
            Op::Index {
                id,
                seq_no,
                version,
                source,
            } => self.append_index(id, *seq_no, *version, source),
            Op::Delete {
                id,
                seq_no,
                version,
            } => self.append_delete(id, *seq_no, *version),
        }
    }

    /// Make every appended record durable (a no-op when nothing is pending).
    pub fn sync(&self) -> Result<()> {
        let mut file = self.lock();
        let appended = self.appended.load(Ordering::Acquire);
        if appended != self.synced.load(Ordering::Acquire) {
            file.flush()?;
            file.get_ref().sync_data()?;
            self.synced.store(appended, Ordering::Release);
        }
        *self.last_sync.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(())
    }

    /// How far the log was written and made durable.
    pub fn positions(&self) -> Positions {
        let _file = self.lock();
        Positions {
            appended: self.appended.load(Ordering::Acquire),
            synced: self.synced.load(Ordering::Acquire),
        }
    }

    /// Sync when records are pending and the last sync is at least `interval` before `now`
    /// (`durability: async`); returns whether it synced.
    pub fn sync_if_due(&self, now: Instant, interval: std::time::Duration) -> Result<bool> {
        let last = *self.last_sync.lock().unwrap_or_else(|p| p.into_inner());
        let positions = self.positions();
        if positions.appended == positions.synced || now.saturating_duration_since(last) < interval
        {
            return Ok(false);
        }
        self.sync()?;
        Ok(true)
    }

    /// Drop every record: the index commit now holds them.
    pub fn truncate(&self) -> Result<()> {
        let mut file = self.lock();
        file.flush()?;
        let f = file.get_mut();
        f.set_len(0)?;
        f.seek(SeekFrom::Start(0))?;
        f.sync_data()?;
        self.appended.store(0, Ordering::Release);
        self.synced.store(0, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops() -> Vec<Op> {
        vec![
            Op::Index {
                id: "a".into(),
                seq_no: 0,
                version: 1,
                source: br#"{"x":1}"#.to_vec(),
            },
            Op::Delete {
                id: "a".into(),
                seq_no: 1,
                version: 2,
            },
            Op::Index {
                id: "ü-b".into(),
                seq_no: 2,
                version: 3,
                source: Vec::new(),
            },
        ]
    }

    /// A fresh log at `dir` holding every op of [`ops`], synced and closed.
    fn write_synced(dir: &std::path::Path) {
        let (log, replay) = Translog::open(dir).unwrap();
        assert!(replay.is_empty());
        for op in ops() {
            log.append(&op).unwrap();
        }
        log.sync().unwrap();
    }

    #[test]
    fn records_round_trip_through_reopen() {
        let dir = tempfile::tempdir().unwrap();
        write_synced(dir.path());
        let (_, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, ops());
    }

    #[test]
    fn torn_tail_is_cut_and_appends_continue_after_it() {
        let dir = tempfile::tempdir().unwrap();
        write_synced(dir.path());
        let path = dir.path().join(FILE_NAME);
        let full = std::fs::read(&path).unwrap();
        // Cut the last record in half, as a crash mid-write would.
        std::fs::write(&path, &full[..full.len() - 3]).unwrap();
        let (log, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, ops()[..2].to_vec());
        log.append(&ops()[2]).unwrap();
        log.sync().unwrap();
        drop(log);
        let (_, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, ops());
    }

    #[test]
    fn corrupt_record_ends_the_log() {
        let dir = tempfile::tempdir().unwrap();
        write_synced(dir.path());
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let (_, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, ops()[..2].to_vec());
    }

    #[test]
    fn positions_track_appends_and_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let (log, _) = Translog::open(dir.path()).unwrap();
        assert_eq!(
            log.positions(),
            Positions {
                appended: 0,
                synced: 0
            }
        );
        log.append(&ops()[0]).unwrap();
        let p = log.positions();
        assert!(p.appended > 0);
        assert_eq!(p.synced, 0);
        log.sync().unwrap();
        assert_eq!(log.positions().synced, p.appended);
        log.truncate().unwrap();
        assert_eq!(
            log.positions(),
            Positions {
                appended: 0,
                synced: 0
            }
        );
    }

    #[test]
    fn sync_if_due_waits_for_the_interval_and_pending_records() {
        let dir = tempfile::tempdir().unwrap();
        let (log, _) = Translog::open(dir.path()).unwrap();
        let interval = std::time::Duration::from_secs(5);
        let now = Instant::now();
        // Nothing pending: never syncs.
        assert!(!log.sync_if_due(now + interval * 2, interval).unwrap());
        log.append(&ops()[0]).unwrap();
        let last = *log.last_sync.lock().unwrap();
        // Before the interval elapsed since the last sync: not yet.
        assert!(!log.sync_if_due(last, interval).unwrap());
        assert_ne!(log.positions().synced, log.positions().appended);
        assert!(log.sync_if_due(last + interval, interval).unwrap());
        let p = log.positions();
        assert_eq!(p.synced, p.appended);
        drop(log);
        let (_, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, vec![ops()[0].clone()]);
    }

    #[test]
    fn truncate_empties_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let (log, _) = Translog::open(dir.path()).unwrap();
        log.append(&ops()[0]).unwrap();
        log.truncate().unwrap();
        log.append(&ops()[1]).unwrap();
        log.sync().unwrap();
        drop(log);
        let (_, replay) = Translog::open(dir.path()).unwrap();
        assert_eq!(replay, vec![ops()[1].clone()]);
    }
}
