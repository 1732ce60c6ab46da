//! The dashboard: server-rendered HTML pages, maps and charts drawn on the
//! server as SVG, a little progressive JavaScript and hand-written CSS
//! (served from `crates/server/assets/`, embedded in the binary). No
//! front-end build step, no CDN, no third-party code.
//!
//! | Path | Page |
//! |------|------|
//! | `/` | feed: newest incidents (filters), warnings and plots, live alerts |
//! | `/search?q=` | search with the query language |
//! | `/incidents/{id}` | incident: facts, sources, evidence, quotes, chains, disagreements, merge reasons |
//! | `/actors/{key}` | actor: aliases, parent, timeline, places, incidents by kind |
//! | `/threats` | threat board: countries, cities, sites and events ranked by score |
//! | `/map?q=` | map: country shading and incident markers |
//! | `/timeline?q=` | incidents per week by type |
//! | `/documents/{id}` | a document's cleaned text with its extractions highlighted |
//!
//! Every string from an article is escaped ([`html::esc`]); pages carry no
//! inline script or style (the server's content security policy forbids
//! them).

use std::fmt::Write as _;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use vigil_core::EventType;

use crate::AppState;

pub mod actor;
pub mod board;
pub mod document;
pub mod feed;
pub mod html;
pub mod incident;
pub mod layout;
pub mod map;
pub mod svg;
pub mod threat;
pub mod world;

/// The dashboard's routes, merged at the root of the server's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(feed::feed))
        .route("/search", get(feed::search))
        .route("/incidents/{*id}", get(incident::incident))
        .route("/actors/{*key}", get(actor::actor))
        .route("/documents/{*id}", get(document::document))
        .route("/threats", get(board::threats))
        .route("/map", get(map::map))
        .route("/timeline", get(map::timeline))
        .route("/assets/app.css", get(css))
        .route("/assets/app.js", get(js))
}

/// The style sheet: `assets/app.css` plus one badge colour rule per event
/// type, from the table the charts use ([`svg::type_color`]).
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let mut css = String::from(include_str!("../../assets/app.css"));
        css.push_str("\n/* event type colours (generated) */\n");
        for kind in EventType::ALL {
            let _ = writeln!(
                css,
                ".badge.t-{} {{ background: {}; }}",
                kind.as_str(),
                svg::type_color(kind)
            );
        }
        css
    })
}

/// Caching for the assets: a short max-age (they change with the binary).
const CACHE: &str = "public, max-age=300";

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        stylesheet(),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        include_str!("../../assets/app.js"),
    )
}
