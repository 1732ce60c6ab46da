//! The dashboard: server-rendered HTML pages, SVG maps and charts drawn on
//! the server, a little progressive JavaScript (served from `assets/`).

use axum::Router;

use crate::AppState;

pub mod html;
pub mod svg;
pub mod world;

/// The dashboard's routes, merged at the root of the server's router.
pub fn routes() -> Router<AppState> {
    Router::new()
}
