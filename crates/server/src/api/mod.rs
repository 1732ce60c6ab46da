//! The JSON API, mounted at `/api/v1` (documented in `docs/api.md` and by
//! the OpenAPI document at `/api/v1/openapi.json`).
//!
//! Each endpoint has a data-building function (`pub fn …(store, …)`) kept
//! apart from its axum handler, so that the dashboard pages show exactly
//! what the API answers.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub mod documents;
pub mod entities;
pub mod export;
pub mod extract;
pub mod incidents;
pub mod ingest;
pub mod openapi;
pub mod stats;
pub mod stream;
pub mod watchlists;

/// The API's routes (relative to `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/stats", get(store_stats))
        .route("/stats/incidents", get(stats::handler))
        .route("/incidents", get(incidents::list_handler))
        .route("/incidents/{*id}", get(incidents::detail_handler))
        .route("/events", get(incidents::events_handler))
        .route("/export", get(export::handler))
        .route("/splits", post(incidents::split_handler))
        .route("/actors", get(entities::actors_handler))
        .route("/actors/{*key}", get(entities::actor_handler))
        .route("/places", get(entities::places_handler))
        .route("/places/{*name}", get(entities::place_handler))
        .route("/documents", post(ingest::handler))
        .route("/documents/{*id}", get(documents::handler))
        .route(
            "/watchlists",
            get(watchlists::list_handler).post(watchlists::create_handler),
        )
        .route(
            "/watchlists/{id}",
            get(watchlists::get_handler).delete(watchlists::delete_handler),
        )
        .route("/alerts", get(watchlists::alerts_handler))
        .route("/stream", get(stream::handler))
        .route("/openapi.json", get(openapi::handler))
        .fallback(not_found)
}

/// Answer for unknown paths: a JSON 404.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// Liveness.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
}

/// Is the server up?
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Counts over the store (documents, stories, events, incidents, entities,
/// size on disk, schema version).
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats",
    responses((status = 200, description = "Counts over the store", body = Object)))]
pub async fn store_stats(State(state): State<AppState>) -> ApiResult<Json<vigil_store::Stats>> {
    let stats = state.db.read(|s| s.stats()).await?;
    Ok(Json(stats))
}

/// An opaque page cursor: the offset of the next page, tied to the query
/// it came from (`<offset>.<fingerprint>`), so that a cursor replayed
/// against another query is refused instead of silently skipping results.
pub fn cursor(offset: usize, query: &str) -> String {
    format!("{offset}.{:08x}", fingerprint(query))
}

/// The offset a cursor stands for; `None` cursor is the first page.
pub fn offset(cursor: Option<&str>, query: &str) -> Result<usize, ApiError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    let bad = || {
        ApiError::BadRequest(
            "invalid cursor: pass the next_cursor of the previous page with the same query and sort"
                .into(),
        )
    };
    let (offset, fp) = cursor.split_once('.').ok_or_else(bad)?;
    let offset: usize = offset.parse().map_err(|_| bad())?;
    if fp != format!("{:08x}", fingerprint(query)) {
        return Err(bad());
    }
    Ok(offset)
}

fn fingerprint(text: &str) -> u32 {
    // FNV-1a 32.
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Checks a page size: 1 to `max`, `default` when absent.
pub fn limit(value: Option<usize>, default: usize, max: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit {n} is out of range: use 1 to {max}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_tied_to_their_query() -> Result<(), ApiError> {
        let c = cursor(40, "type:bombing|time");
        assert_eq!(offset(Some(&c), "type:bombing|time")?, 40);
        assert!(offset(Some(&c), "type:shooting|time").is_err());
        assert!(offset(Some("40"), "type:bombing|time").is_err());
        assert!(offset(Some("x.y"), "").is_err());
        assert_eq!(offset(None, "q")?, 0);
        Ok(())
    }

    #[test]
    fn limits() {
        assert!(matches!(limit(None, 20, 100), Ok(20)));
        assert!(matches!(limit(Some(100), 20, 100), Ok(100)));
        assert!(limit(Some(0), 20, 100).is_err());
        assert!(limit(Some(101), 20, 100).is_err());
    }
}
