//! Watchlists (saved queries that alert) and their alerts.

use super::extract::Json as JsonBody;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_store::desk::{Alert, AlertFilter, AlertState, NewWatchlist, Watchlist};

use super::extract::Query as UrlQuery;
use crate::alerts::{self, WatchlistError};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// A watchlist as shown (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WatchlistView {
    pub id: i64,
    pub name: String,
    /// The query (the `vigil search` language).
    pub query: String,
    /// Where alerts are POSTed, if anywhere.
    pub webhook: Option<String>,
    pub created: String,
}

impl From<Watchlist> for WatchlistView {
    fn from(w: Watchlist) -> Self {
        WatchlistView {
            id: w.id,
            name: w.name,
            query: w.query,
            webhook: w.webhook,
            created: w.created.to_rfc3339(),
        }
    }
}

/// All watchlists.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistList {
    pub items: Vec<WatchlistView>,
}

/// List watchlists.
#[utoipa::path(get, path = "/api/v1/watchlists", tag = "watchlists",
    responses((status = 200, description = "Every watchlist, oldest first", body = WatchlistList)))]
pub async fn list_handler(State(state): State<AppState>) -> ApiResult<Json<WatchlistList>> {
    let items = state.db.read(|s| s.watchlists()).await?;
    Ok(Json(WatchlistList {
        items: items.into_iter().map(WatchlistView::from).collect(),
    }))
}

/// A watchlist to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWatchlist {
    /// A unique name (not a number).
    pub name: String,
    /// A query in the `vigil search` language
    /// (`actor:"ISIS-K" place:France`, `type:warning "Paris Olympics"`).
    pub query: String,
    /// An `http(s)://` URL to POST alerts to.
    pub webhook: Option<String>,
    /// The HMAC-SHA256 key signing webhook bodies; generated when absent.
    pub secret: Option<String>,
}

/// A created watchlist.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWatchlist {
    pub watchlist: WatchlistView,
    /// The webhook signing key: shown this once, keep it.
    pub secret: Option<String>,
    /// Incidents already matching (they never alert; only new ones do).
    pub baseline: usize,
}

/// Create a watchlist (needs a token). Incidents matching it now form its
/// baseline; from now on every new matching incident alerts once.
#[utoipa::path(post, path = "/api/v1/watchlists", tag = "watchlists",
    request_body = CreateWatchlist,
    security(("token" = [])),
    responses(
        (status = 201, description = "Created", body = CreatedWatchlist),
        (status = 400, description = "Invalid name, query or webhook", body = crate::error::ErrorBody),
        (status = 401, description = "No token", body = crate::error::ErrorBody),
        (status = 403, description = "Revoked or unknown token", body = crate::error::ErrorBody),
        (status = 409, description = "The name is taken", body = crate::error::ErrorBody),
        (status = 413, description = "Body too large", body = crate::error::ErrorBody)))]
pub async fn create_handler(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreateWatchlist>,
) -> ApiResult<(StatusCode, Json<CreatedWatchlist>)> {
    let new = NewWatchlist {
        name: body.name,
        query: body.query,
        webhook: body.webhook,
        secret: body.secret,
    };
    // Validate first: a bad request should not wait for the store.
    alerts::validate(&new).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let result = state
        .db
        .write(move |s| Ok(alerts::create_watchlist(s, new)))
        .await?;
    match result {
        Ok((watchlist, baseline)) => {
            tracing::info!(
                watchlist = watchlist.name,
                baseline,
                "watchlist {:?} created ({baseline} incidents already matching)",
                watchlist.name
            );
            let secret = watchlist.secret.clone();
            Ok((
                StatusCode::CREATED,
                Json(CreatedWatchlist {
                    watchlist: watchlist.into(),
                    secret,
                    baseline,
                }),
            ))
        }
        Err(WatchlistError::Invalid(m)) => Err(ApiError::BadRequest(m)),
        Err(e @ WatchlistError::NameTaken(_)) => Err(ApiError::Conflict(e.to_string())),
        Err(WatchlistError::Store(e)) => Err(e.into()),
    }
}

/// A watchlist with its alert counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistDetail {
    pub watchlist: WatchlistView,
    /// The 50 latest alerts, newest first.
    pub alerts: Vec<AlertView>,
}

/// One watchlist (by id or name) and its latest alerts.
#[utoipa::path(get, path = "/api/v1/watchlists/{id}", tag = "watchlists",
    params(("id" = String, Path, description = "Watchlist id or name")),
    responses((status = 200, description = "The watchlist", body = WatchlistDetail),
        (status = 404, description = "No such watchlist", body = crate::error::ErrorBody)))]
pub async fn get_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<WatchlistDetail>> {
    let key = id.clone();
    let found = state
        .db
        .read(move |s| {
            let Some(w) = s.watchlist(&key)? else {
                return Ok(None);
            };
            let alerts = s.alerts(&AlertFilter {
                watchlist: Some(w.id),
                newest_first: true,
                limit: 50,
                ..AlertFilter::default()
            })?;
            Ok(Some((w, alerts)))
        })
        .await?;
    let Some((w, alerts)) = found else {
        return Err(ApiError::NotFound(format!("watchlist {id:?}")));
    };
    Ok(Json(WatchlistDetail {
        watchlist: w.into(),
        alerts: alerts.into_iter().map(AlertView::from).collect(),
    }))
}

/// Delete a watchlist (by id or name) and its alerts (needs a token).
#[utoipa::path(delete, path = "/api/v1/watchlists/{id}", tag = "watchlists",
    params(("id" = String, Path, description = "Watchlist id or name")),
    security(("token" = [])),
    responses((status = 204, description = "Deleted"),
        (status = 401, description = "No token", body = crate::error::ErrorBody),
        (status = 403, description = "Revoked or unknown token", body = crate::error::ErrorBody),
        (status = 404, description = "No such watchlist", body = crate::error::ErrorBody)))]
pub async fn delete_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let key = id.clone();
    if state.db.write(move |s| s.remove_watchlist(&key)).await? {
        tracing::info!("watchlist {id:?} deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("watchlist {id:?}")))
    }
}

/// An alert as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub watchlist: i64,
    pub incident: String,
    /// `recorded`, `pending`, `delivered` or `dead`.
    pub state: String,
    pub created: String,
    /// Webhook delivery attempts.
    pub attempts: u32,
    pub next_attempt: Option<String>,
    pub last_error: Option<String>,
    pub delivered: Option<String>,
    /// What was (or will be) sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<Alert> for AlertView {
    fn from(a: Alert) -> Self {
        AlertView {
            id: a.id,
            watchlist: a.watchlist,
            incident: a.incident,
            state: a.state.as_str().to_string(),
            created: a.created.to_rfc3339(),
            attempts: a.attempts,
            next_attempt: a.next_attempt.map(|t| t.to_rfc3339()),
            last_error: a.last_error,
            delivered: a.delivered.map(|t| t.to_rfc3339()),
            payload: a.payload,
        }
    }
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Only this watchlist's (id or name).
    pub watchlist: Option<String>,
    /// States, comma-separated: `recorded`, `pending`, `delivered`, `dead`
    /// (the dead-letter list).
    pub state: Option<String>,
    /// Only alerts with a larger id (to poll for new ones).
    pub after: Option<i64>,
    /// At most this many, 1 to 500 (default 100), newest first.
    pub limit: Option<usize>,
}

/// Alerts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
}

/// List alerts, newest first (`state=dead`: the dead-letter list).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "watchlists",
    params(AlertParams),
    responses((status = 200, description = "Alerts", body = AlertList),
        (status = 400, description = "Unknown state or bad limit", body = crate::error::ErrorBody),
        (status = 404, description = "No such watchlist", body = crate::error::ErrorBody)))]
pub async fn alerts_handler(
    State(state): State<AppState>,
    UrlQuery(p): UrlQuery<AlertParams>,
) -> ApiResult<Json<AlertList>> {
    let mut states = Vec::new();
    for s in p.state.iter().flat_map(|s| s.split(',')) {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        match AlertState::parse(s) {
            Some(AlertState::Baseline) | None => {
                return Err(ApiError::BadRequest(format!(
                    "unknown alert state {s:?}: use recorded, pending, delivered or dead"
                )))
            }
            Some(state) => states.push(state),
        }
    }
    let limit = super::limit(p.limit, 100, 500)?;
    let watchlist = p.watchlist.clone();
    let items = state
        .db
        .read(move |s| {
            let id = match &watchlist {
                Some(w) => match s.watchlist(w)? {
                    Some(w) => Some(w.id),
                    None => return Ok(None),
                },
                None => None,
            };
            s.alerts(&AlertFilter {
                watchlist: id,
                states,
                after: p.after,
                newest_first: true,
                limit,
            })
            .map(Some)
        })
        .await?;
    let Some(items) = items else {
        return Err(ApiError::NotFound(format!(
            "watchlist {:?}",
            p.watchlist.unwrap_or_default()
        )));
    };
    Ok(Json(AlertList {
        items: items.into_iter().map(AlertView::from).collect(),
    }))
}
