//! The dashboard: server-rendered HTML pages (owned by the UI work; see
//! /work/notes/server-skeleton.md).

use axum::Router;

use crate::AppState;

/// The dashboard's routes, merged at the root of the server's router.
pub fn routes() -> Router<AppState> {
    Router::new()
}
