//! The JSON API, mounted at `/api/v1`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The API's routes (relative to `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/stats", get(stats))
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

/// Counts over the store.
#[utoipa::path(get, path = "/api/v1/stats", tag = "meta",
    responses((status = 200, description = "Counts over the store", body = Object)))]
pub async fn stats(State(state): State<AppState>) -> ApiResult<Json<vigil_store::Stats>> {
    let stats = state.db.read(|s| s.stats()).await?;
    Ok(Json(stats))
}
