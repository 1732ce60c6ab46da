//! Shared state of the server: the store and the live-event channel.
//!
//! The store is synchronous (SQLite through `rusqlite`, whose `Connection`
//! is `Send` but not `Sync`), so it lives behind a mutex and every call runs
//! on tokio's blocking pool ([`Db::read`], [`Db::write`]); handlers never
//! block the async workers.

use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use vigil_store::{Store, StoreError};

use crate::error::{ApiError, ApiResult};

/// A store usable from any thread.
pub type DynStore = Box<dyn Store + Send>;

/// Handle on the store, cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Mutex<DynStore>>,
}

impl Db {
    /// Wraps an open store.
    pub fn new(store: DynStore) -> Db {
        Db {
            inner: Arc::new(Mutex::new(store)),
        }
    }

    /// Runs a read on the blocking pool. Store errors become
    /// [`ApiError::Internal`] (logged, never shown to the caller).
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let guard = inner.lock().map_err(|_| poisoned())?;
            f(guard.as_ref()).map_err(ApiError::from)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs a write on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut dyn Store) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut guard = inner.lock().map_err(|_| poisoned())?;
            f(guard.as_mut()).map_err(ApiError::from)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

fn poisoned() -> ApiError {
    ApiError::internal("the store lock is poisoned (a previous request panicked)")
}

/// Something that happened, pushed to `/api/v1/stream` subscribers
/// (Server-Sent Events): the SSE event name is [`LiveEvent::name`], the
/// data is the JSON of the payload.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A watchlist matched an incident.
    Alert(serde_json::Value),
    /// New incidents are in the store (after an ingest).
    Incidents { count: usize },
}

impl LiveEvent {
    /// The SSE event name (`alert`, `incidents`).
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Alert(_) => "alert",
            LiveEvent::Incidents { .. } => "incidents",
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
    /// Read endpoints need no token (the default on loopback).
    pub open_reads: bool,
}

impl AppState {
    /// State over an open store, reads open to everyone.
    pub fn new(store: DynStore) -> AppState {
        let (live, _) = broadcast::channel(1024);
        AppState {
            db: Db::new(store),
            live,
            open_reads: true,
        }
    }
}
