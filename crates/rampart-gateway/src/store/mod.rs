//! `UpstreamStore`: the security store kept in one hidden index of the upstream cluster.
//!
//! Consistency protocol (see ARCHITECTURE.md):
//! - **Writes** take a lease on the whole store by a compare-and-swap of the counter
//!   document (`if_seq_no`/`if_primary_term`), write their documents in one `_bulk` (each
//!   conditional on the version read), then release the lease and bump the counter in a
//!   second compare-and-swap. Security writes are rare, so one writer at a time is cheap and
//!   gives multi-record writes (bulk role puts, reset) all-or-nothing visibility.
//! - **Reads** come from an in-memory snapshot of every record. A snapshot is taken like a
//!   seqlock: read the counter (wait while a live lease is held), load the records, read the
//!   counter again, and keep the load only if the counter did not move.
//! - **Other nodes' writes** are noticed by polling the counter every 100 ms (a real-time
//!   GET); a change drops the snapshot, so a change is visible everywhere within a second.

mod credentials;
mod filters;
mod impl_store;
pub(crate) mod snapshot;
pub(crate) mod wire;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rampart_store::StoreError;
use rand::Rng;

use crate::upstream::Upstream;
use snapshot::Snapshot;
use wire::{Counter, CounterState, DocOp, DocVersion, Lease, Wire};

/// The default name of the hidden index.
pub const DEFAULT_INDEX: &str = ".rampart-security";
/// How often every node reads the change counter.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long a writer's lease lasts; a crashed writer blocks others at most this long.
const LEASE: Duration = Duration::from_secs(30);
/// How long a read or write waits for a live lease before failing.
const WAIT_LIMIT: Duration = Duration::from_secs(60);
const WAIT_STEP: Duration = Duration::from_millis(5);

/// The security store in the upstream cluster. Cheap to clone; the poller stops when the
/// last clone is dropped.
#[derive(Debug, Clone)]
pub struct UpstreamStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    wire: Wire,
    cache: RwLock<Option<(Arc<Snapshot>, DocVersion)>>,
    /// Bumped whenever the cache is dropped, so a load that started before cannot install
    /// an older snapshot afterwards.
    generation: AtomicU64,
    /// Serialises this process's writers before they compete for the lease.
    local_writer: Mutex<()>,
    last_sync: Mutex<Option<Instant>>,
    upstream_ok: AtomicBool,
}

/// What `GET /_rampart/health` reports about the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncStatus {
    /// Whether the last poll of the counter succeeded.
    pub upstream_reachable: bool,
    /// Time since the counter was last read successfully (`None`: never).
    pub lag: Option<Duration>,
}

/// What a write changed, which decides what the counter release bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Published {
    Nothing,
    ObjectsOnly,
    Permissions,
}

/// The documents a write will change; built by the write's closure from a snapshot.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    ops: std::collections::BTreeMap<String, DocOp>,
    /// Object writes do not move `revision` (no permission depends on them).
    pub objects_only: bool,
}

impl Batch {
    pub fn put(&mut self, snapshot: &Snapshot, id: String, source: serde_json::Value) {
        let expected = snapshot.version(&id);
        self.ops.insert(
            id.clone(),
            DocOp::Put {
                id,
                source,
                expected,
            },
        );
    }

    pub fn delete(&mut self, snapshot: &Snapshot, id: String) {
        match snapshot.version(&id) {
            Some(expected) => {
                self.ops.insert(id.clone(), DocOp::Delete { id, expected });
            }
            None => {
                self.ops.remove(&id);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn timeout(what: &str) -> StoreError {
    StoreError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("{what}: the security index stayed locked by another writer"),
    ))
}

impl UpstreamStore {
    /// Connects to the store in `index` (created if missing) and starts the counter poller.
    pub fn open(upstream: Upstream, index: &str) -> Result<Self, StoreError> {
        if index.is_empty() {
            return Err(StoreError::Invalid("empty store index name".into()));
        }
        let wire = Wire::new(upstream, index.to_owned())?;
        wire.ensure_index()?;
        let inner = Arc::new(Inner {
            wire,
            cache: RwLock::new(None),
            generation: AtomicU64::new(0),
            local_writer: Mutex::new(()),
            last_sync: Mutex::new(None),
            upstream_ok: AtomicBool::new(true),
        });
        let weak = Arc::downgrade(&inner);
        thread::Builder::new()
            .name("rampart-store-poll".into())
            .spawn(move || poll(&weak))?;
        Ok(Self { inner })
    }

    pub fn sync_status(&self) -> SyncStatus {
        let lag = self
            .inner
            .last_sync
            .lock()
            .ok()
            .and_then(|t| t.map(|t| t.elapsed()));
        SyncStatus {
            upstream_reachable: self.inner.upstream_ok.load(Ordering::Relaxed),
            lag,
        }
    }

    /// The current snapshot, loading one if the cache was dropped.
    pub(crate) fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        if let Ok(cache) = self.inner.cache.read() {
            if let Some((snapshot, _)) = cache.as_ref() {
                return Ok(snapshot.clone());
            }
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let (snapshot, version) = self.load_consistent()?;
        let snapshot = Arc::new(snapshot);
        if let Ok(mut cache) = self.inner.cache.write() {
            if self.inner.generation.load(Ordering::SeqCst) == generation {
                *cache = Some((snapshot.clone(), version));
            }
        }
        Ok(snapshot)
    }

    fn load_consistent(&self) -> Result<(Snapshot, DocVersion), StoreError> {
        let started = Instant::now();
        loop {
            let before = self.inner.wire.counter()?;
            if before.state.leased_at(now_ms()) {
                if started.elapsed() > WAIT_LIMIT {
                    return Err(timeout("read"));
                }
                thread::sleep(WAIT_STEP);
                continue;
            }
            let docs = self.inner.wire.load_all()?;
            let after = self.inner.wire.counter()?;
            if after.version == before.version {
                let state = before.state;
                return Ok((
                    Snapshot::new(state.revision, state.changes, docs),
                    before.version,
                ));
            }
        }
    }

    fn invalidate(&self) {
        self.inner.invalidate();
    }

    /// Runs one write: lease, snapshot, `build` the batch, bulk, release with the counter
    /// bumped. `build` sees the revision the write will publish (for role revisions). A
    /// batch left empty releases without a bump.
    pub(crate) fn write<T>(
        &self,
        build: impl FnOnce(&Snapshot, u64, &mut Batch) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _local = self
            .inner
            .local_writer
            .lock()
            .map_err(|_| StoreError::Io(std::io::Error::other("store writer lock poisoned")))?;
        let (counter, held) = self.acquire()?;
        let result = self.write_leased(&counter, build);
        let mut state = CounterState {
            lease: None,
            ..counter.state.clone()
        };
        match &result {
            Ok((_, Published::Permissions)) => {
                state.revision += 1;
                state.changes += 1;
            }
            Ok((_, Published::ObjectsOnly)) => state.changes += 1,
            // Nothing written (or the write failed before its bulk): readers keep their
            // snapshots.
            Ok((_, Published::Nothing)) | Err(_) => {}
        }
        // Even an empty or failed write must release the lease. If the release itself fails
        // after a successful bulk, the caller sees an error although the documents changed;
        // they become visible when the lease expires or the next write publishes.
        let released = self.inner.wire.swap_counter(held, &state);
        self.invalidate();
        let (value, _) = result?;
        released?;
        Ok(value)
    }

    fn write_leased<T>(
        &self,
        counter: &Counter,
        build: impl FnOnce(&Snapshot, u64, &mut Batch) -> Result<T, StoreError>,
    ) -> Result<(T, Published), StoreError> {
        // Under the lease nobody else writes, so one load is consistent.
        let docs = self.inner.wire.load_all()?;
        let snapshot = Snapshot::new(counter.state.revision, counter.state.changes, docs);
        let mut batch = Batch::default();
        let value = build(&snapshot, counter.state.revision + 1, &mut batch)?;
        if batch.is_empty() {
            return Ok((value, Published::Nothing));
        }
        let published = if batch.objects_only {
            Published::ObjectsOnly
        } else {
            Published::Permissions
        };
        let ops: Vec<DocOp> = batch.ops.into_values().collect();
        self.inner.wire.bulk(&ops)?;
        Ok((value, published))
    }

    /// Takes the lease: returns the counter as it was and the version now holding the lease.
    fn acquire(&self) -> Result<(Counter, DocVersion), StoreError> {
        let started = Instant::now();
        let token = format!("{:016x}", rand::rng().random::<u64>());
        loop {
            let counter = self.inner.wire.counter()?;
            let now = now_ms();
            if !counter.state.leased_at(now) {
                let leased = CounterState {
                    lease: Some(Lease {
                        token: token.clone(),
                        until_ms: now + i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX),
                    }),
                    ..counter.state.clone()
                };
                match self.inner.wire.swap_counter(counter.version, &leased) {
                    Ok(held) => return Ok((counter, held)),
                    Err(StoreError::Conflict(_)) => {}
                    Err(other) => return Err(other),
                }
            }
            if started.elapsed() > WAIT_LIMIT {
                return Err(timeout("write"));
            }
            thread::sleep(WAIT_STEP);
        }
    }
}

impl Inner {
    fn invalidate(&self) {
        if let Ok(mut cache) = self.cache.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            *cache = None;
        }
    }

    /// The `changes` count the cached snapshot was taken at.
    fn cached_changes(&self) -> Option<u64> {
        self.cache
            .read()
            .ok()
            .and_then(|c| c.as_ref().map(|(s, _)| s.changes))
    }
}

/// The poller: drops the snapshot when another write was published. Ends with the store.
fn poll(inner: &Weak<Inner>) {
    loop {
        thread::sleep(POLL_INTERVAL);
        let Some(inner) = inner.upgrade() else {
            return;
        };
        match inner.wire.counter() {
            Ok(counter) => {
                inner.upstream_ok.store(true, Ordering::Relaxed);
                if let Ok(mut last) = inner.last_sync.lock() {
                    *last = Some(Instant::now());
                }
                // A lease taken or released without a write leaves `changes` alone: the
                // snapshot stays valid while another node writes.
                if inner
                    .cached_changes()
                    .is_some_and(|c| c != counter.state.changes)
                {
                    inner.invalidate();
                }
            }
            Err(err) => {
                inner.upstream_ok.store(false, Ordering::Relaxed);
                tracing::warn!(error = %err, "security store poll failed");
            }
        }
    }
}
