//! Shared state of the server: the store handles, the page cache and the
//! live-event channel.
//!
//! The store is synchronous (SQLite through `rusqlite`, whose `Connection`
//! is `Send` but not `Sync`; PostgreSQL through the blocking client), so
//! every call runs on tokio's blocking pool ([`Db::read`], [`Db::write`]):
//! handlers never block the async workers.
//!
//! Writes go through one handle behind a mutex. Reads go through a pool of
//! read handles ([`Db::with_readers`]): each is a store opened on its own
//! (a SQLite connection in WAL mode, whose readers never wait for the
//! writer nor for each other; a PostgreSQL connection), so that concurrent
//! requests run in parallel and a long read (an export streaming for
//! minutes) holds one handle, not the whole store. Without read handles
//! ([`Db::new`]) reads share the write handle, one at a time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify, OnceCell, OwnedSemaphorePermit, Semaphore};
use vigil_store::desk::{AlertState, DeskStore};
use vigil_store::StoreError;

use crate::error::{ApiError, ApiResult};

/// A store (with its desk: tokens, watchlists, alerts) usable from any
/// thread.
pub type DynStore = Box<dyn DeskStore>;

/// Handle on the store, cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Handles>,
}

struct Handles {
    /// Writes go through this handle (and reads, when there is no read
    /// handle).
    writer: Mutex<DynStore>,
    /// Idle read handles.
    idle: Mutex<Vec<DynStore>>,
    /// One permit per read handle: a read waits (asynchronously, in
    /// arrival order) for a free handle.
    permits: Arc<Semaphore>,
    /// Long reads (exports) running at once, at most: half the read
    /// handles (at least one), so that short reads always find handles.
    long: Arc<Semaphore>,
    /// Read handles in all.
    readers: usize,
}

/// A read handle taken from the pool; goes back on drop (also when the
/// read panicked: a read leaves no half-done state in the handle).
struct Lease<'a> {
    handles: &'a Handles,
    store: Option<DynStore>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            match self.handles.idle.lock() {
                Ok(mut idle) => idle.push(store),
                Err(poisoned) => poisoned.into_inner().push(store),
            }
        }
    }
}

impl Handles {
    /// Runs `f` on a read handle (the caller holds a permit), or on the
    /// write handle when there is no read handle.
    fn run_read<T>(&self, f: impl FnOnce(&dyn DeskStore) -> Result<T, StoreError>) -> ApiResult<T> {
        let taken = match self.idle.lock() {
            Ok(mut idle) => idle.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        };
        match taken {
            Some(store) => {
                let lease = Lease {
                    handles: self,
                    store: Some(store),
                };
                match lease.store.as_deref() {
                    Some(store) => f(store).map_err(ApiError::from),
                    None => Err(ApiError::internal("a read handle went missing")),
                }
            }
            None => {
                let guard = self.writer.lock().map_err(|_| poisoned())?;
                f(guard.as_ref()).map_err(ApiError::from)
            }
        }
    }
}

impl Db {
    /// Wraps an open store: writes and reads share it, one at a time.
    pub fn new(store: DynStore) -> Db {
        Db::with_readers(store, Vec::new())
    }

    /// Wraps a write handle and read handles on the same store (each opened
    /// on its own, e.g. with `vigil_store::desk::open(spec)` called once per
    /// handle). Reads run on the read handles, in parallel; writes on
    /// `writer`, one at a time, beside the reads.
    pub fn with_readers(writer: DynStore, readers: Vec<DynStore>) -> Db {
        let n = readers.len();
        Db {
            inner: Arc::new(Handles {
                writer: Mutex::new(writer),
                idle: Mutex::new(readers),
                permits: Arc::new(Semaphore::new(n.max(1))),
                long: Arc::new(Semaphore::new((n / 2).max(1))),
                readers: n,
            }),
        }
    }

    /// Number of read handles (0: reads use the write handle).
    pub fn readers(&self) -> usize {
        self.inner.readers
    }

    /// Runs a read on the blocking pool, on a free read handle (waiting
    /// for one when all are busy). Store errors become
    /// [`ApiError::Internal`] (logged, never shown to the caller).
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.permit().await?;
        self.run_blocking(permit, f).await
    }

    /// Runs a long read (an export: minutes, paced by the client) like
    /// [`Db::read`], but at most half the read handles run long reads at
    /// once; the others wait for their turn, so that short reads keep
    /// finding free handles.
    pub async fn read_long<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let long = Arc::clone(&self.inner.long)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let permit = self.permit().await?;
        let result = self.run_blocking(permit, f).await;
        drop(long);
        result
    }

    async fn permit(&self) -> ApiResult<OwnedSemaphorePermit> {
        Arc::clone(&self.inner.permits)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)
    }

    async fn run_blocking<T, F>(&self, permit: OwnedSemaphorePermit, f: F) -> ApiResult<T>
    where
        F: FnOnce(&dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // Dropped last: the handle is back in the pool before the next
            // read may take it.
            let _permit = permit;
            inner.run_read(f)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs a write on the blocking pool, on the write handle.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut guard = inner.writer.lock().map_err(|_| poisoned())?;
            f(guard.as_mut()).map_err(ApiError::from)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

fn poisoned() -> ApiError {
    ApiError::internal("the store lock is poisoned (a previous request panicked)")
}

/// Results of expensive reads (the threat board, actor profiles, maps,
/// statistics: each a pass over many incidents), kept while the store does
/// not change.
///
/// An entry is valid for one value of the store's change marker
/// ([`vigil_store::desk::Desk::change_marker`]: it moves with every
/// transaction that changes documents or incidents, whichever process runs
/// it), so a page never shows data older than the store. Concurrent
/// requests for the same missing entry compute it once; the others wait
/// for it. At most `capacity` entries are kept (the oldest computed go
/// first).
pub struct Memo<V> {
    entries: Mutex<MemoEntries<V>>,
    capacity: usize,
}

struct MemoEntries<V> {
    map: HashMap<String, Arc<MemoEntry<V>>>,
    /// Insertion counter, for eviction.
    clock: u64,
}

struct MemoEntry<V> {
    marker: String,
    born: u64,
    cell: OnceCell<Arc<V>>,
}

impl<V> Memo<V> {
    /// An empty cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            entries: Mutex::new(MemoEntries {
                map: HashMap::new(),
                clock: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.map.len())
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value for `key` computed at store state `marker`: the cached one
    /// when there is one, else `compute`'s (cached when it succeeds; an
    /// error is not cached).
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: &str,
        marker: &str,
        compute: F,
    ) -> ApiResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<V>>,
    {
        let entry = {
            let mut entries = self.entries.lock().map_err(|_| poisoned())?;
            match entries.map.get(key) {
                Some(e) if e.marker == marker => Arc::clone(e),
                _ => {
                    entries.clock += 1;
                    let entry = Arc::new(MemoEntry {
                        marker: marker.to_string(),
                        born: entries.clock,
                        cell: OnceCell::new(),
                    });
                    entries.map.insert(key.to_string(), Arc::clone(&entry));
                    // Stale entries (another marker) go first, then the
                    // oldest.
                    entries.map.retain(|_, e| e.marker == marker);
                    while entries.map.len() > self.capacity {
                        let oldest = entries
                            .map
                            .iter()
                            .min_by_key(|(_, e)| e.born)
                            .map(|(k, _)| k.clone());
                        match oldest {
                            Some(k) => entries.map.remove(&k),
                            None => break,
                        };
                    }
                    entry
                }
            }
        };
        entry
            .cell
            .get_or_try_init(|| async { compute().await.map(Arc::new) })
            .await
            .cloned()
    }
}

/// A new alert, as streamed (`/api/v1/stream`, event `alert`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertEvent {
    /// The alert's id (also the SSE event id).
    pub id: i64,
    pub watchlist_id: i64,
    /// The watchlist's name.
    pub watchlist: String,
    /// The incident's id.
    pub incident: String,
    /// `recorded` (no webhook) or `pending` (webhook delivery under way).
    #[schema(value_type = String)]
    pub state: AlertState,
    pub created: DateTime<Utc>,
    /// What the webhook receives: the watchlist and an incident summary.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// Something that happened, pushed to `/api/v1/stream` subscribers
/// (Server-Sent Events): the SSE event name is [`LiveEvent::name`], the
/// data is the JSON of the payload.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A watchlist matched an incident.
    Alert(AlertEvent),
}

impl LiveEvent {
    /// The SSE event name (`alert`).
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Alert(_) => "alert",
        }
    }
}

/// The state every handler receives (`State<AppState>`).
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// Live events for the SSE stream; subscribe with `live.subscribe()`.
    pub live: broadcast::Sender<LiveEvent>,
    /// Read endpoints need no token (the default).
    pub open_reads: bool,
    /// Wakes the webhook deliverer (new pending alerts).
    pub wake: Arc<Notify>,
    /// Asks the matcher for a pass now (e.g. after a split).
    pub rematch: Arc<Notify>,
    /// Becomes `true` when the server shuts down; long-lived responses
    /// (event streams) watch it (`stop.subscribe()`) and end.
    pub stop: Arc<watch::Sender<bool>>,
    /// Rendered results of expensive reads (threat board, actor and place
    /// profiles, maps, statistics), valid while the store does not change.
    pub cache: Arc<Memo<Rendered>>,
}

/// A rendered result in [`AppState::cache`]: a page's title and body, or
/// a JSON document (no title).
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

impl Rendered {
    /// A JSON document.
    pub fn json<T: Serialize>(value: &T) -> ApiResult<Rendered> {
        Ok(Rendered {
            title: String::new(),
            body: serde_json::to_string(value).map_err(ApiError::internal)?,
        })
    }

    /// The JSON document as a response.
    pub fn json_response(&self) -> axum::response::Response {
        use axum::response::IntoResponse;
        (
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            self.body.clone(),
        )
            .into_response()
    }
}

/// Entries of [`AppState::cache`].
pub const CACHE_ENTRIES: usize = 256;

impl AppState {
    /// State over an open store, reads open to everyone; reads and writes
    /// share the one handle (see [`AppState::with_readers`]).
    pub fn new(store: DynStore) -> AppState {
        AppState::over(Db::new(store))
    }

    /// State over a write handle and read handles on the same store (see
    /// [`Db::with_readers`]): reads run in parallel.
    pub fn with_readers(writer: DynStore, readers: Vec<DynStore>) -> AppState {
        AppState::over(Db::with_readers(writer, readers))
    }

    fn over(db: Db) -> AppState {
        let (live, _) = broadcast::channel(1024);
        AppState {
            db,
            live,
            open_reads: true,
            wake: Arc::new(Notify::new()),
            rematch: Arc::new(Notify::new()),
            stop: Arc::new(watch::Sender::new(false)),
            cache: Arc::new(Memo::new(CACHE_ENTRIES)),
        }
    }

    /// What is cached under `key` for the store as it is now (its change
    /// marker is read first), else `compute`'s result, cached.
    pub async fn cached<F, Fut>(&self, key: &str, compute: F) -> ApiResult<Arc<Rendered>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Rendered>>,
    {
        let marker = self.db.read(|s| s.change_marker()).await?;
        self.cache.get_or_compute(key, &marker, compute).await
    }

    /// The JSON answer of a read of the store, computed once per store
    /// state under `key` ([`AppState::cached`]).
    pub async fn cached_json<T, F>(&self, key: &str, read: F) -> ApiResult<axum::response::Response>
    where
        F: FnOnce(&dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
        T: Serialize + Send + 'static,
    {
        let db = self.db.clone();
        let rendered = self
            .cached(key, || async move { Rendered::json(&db.read(read).await?) })
            .await?;
        Ok(rendered.json_response())
    }
}
