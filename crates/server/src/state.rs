//! Shared state of the server: the store and the live-event channel.
//!
//! The store is synchronous (SQLite through `rusqlite`, whose `Connection`
//! is `Send` but not `Sync`), so it lives behind a mutex and every call runs
//! on tokio's blocking pool ([`Db::read`], [`Db::write`]); handlers never
//! block the async workers.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};
use vigil_store::desk::{AlertState, DeskStore};
use vigil_store::StoreError;

use crate::error::{ApiError, ApiResult};

/// A store (with its desk: tokens, watchlists, alerts) usable from any
/// thread.
pub type DynStore = Box<dyn DeskStore>;

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
        F: FnOnce(&dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
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
        F: FnOnce(&mut dyn DeskStore) -> Result<T, StoreError> + Send + 'static,
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
}

impl AppState {
    /// State over an open store, reads open to everyone.
    pub fn new(store: DynStore) -> AppState {
        let (live, _) = broadcast::channel(1024);
        AppState {
            db: Db::new(store),
            live,
            open_reads: true,
            wake: Arc::new(Notify::new()),
            rematch: Arc::new(Notify::new()),
            stop: Arc::new(watch::Sender::new(false)),
        }
    }
}
