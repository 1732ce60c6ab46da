//! The OpenAPI 3.1 document of the API, generated from the handlers'
//! annotations (`utoipa`).

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{documents, entities, export, incidents, ingest, stats, stream, watchlists};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "vigil API",
        description = "Incidents of political violence extracted from the news: search, detail, actors, places, statistics, documents, watchlists and alerts. Reads are open; writes need `Authorization: Bearer <token>` (`vigil token create`). Errors are JSON: `{\"error\": {\"status\", \"code\", \"message\"}}`."
    ),
    paths(
        super::health,
        super::store_stats,
        stats::handler,
        incidents::list_handler,
        incidents::detail_handler,
        incidents::events_handler,
        incidents::split_handler,
        export::handler,
        entities::actors_handler,
        entities::actor_handler,
        entities::places_handler,
        entities::place_handler,
        documents::handler,
        ingest::handler,
        watchlists::list_handler,
        watchlists::create_handler,
        watchlists::get_handler,
        watchlists::delete_handler,
        watchlists::alerts_handler,
        stream::handler,
        handler,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::state::AlertEvent)),
    modifiers(&BearerToken),
    tags(
        (name = "incidents", description = "Incidents (merged across sources) and events (one article's report)"),
        (name = "entities", description = "Actors and places"),
        (name = "stats", description = "Counts"),
        (name = "documents", description = "Stored articles with their extractions"),
        (name = "watchlists", description = "Saved queries, their alerts and the live stream"),
        (name = "meta", description = "The server itself"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub async fn handler() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
