//! The live stream: Server-Sent Events of new alerts.
//!
//! `GET /api/v1/stream` answers `text/event-stream`. Each alert is an
//! event named `alert` whose `id` is the alert id and whose data is the
//! JSON of an [`AlertEvent`]. A client that reconnects with
//! `Last-Event-ID` (browsers do so by themselves) or `?after=<id>` first
//! receives the alerts it missed (up to 500), then live ones: nothing is
//! lost across a dropped connection or a server restart. A comment line is
//! sent every 15 seconds to keep proxies from closing the connection.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use vigil_store::desk::{Alert, AlertFilter, AlertState};

use super::extract::Query as UrlQuery;
use crate::error::{ApiError, ApiResult};
use crate::state::{AlertEvent, LiveEvent};
use crate::AppState;

/// Where to resume.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Replay the alerts with a larger id first (as `Last-Event-ID`).
    pub after: Option<i64>,
}

/// An alert from the store as streamed.
pub fn alert_event(alert: Alert) -> AlertEvent {
    let watchlist = alert
        .payload
        .pointer("/watchlist/name")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    AlertEvent {
        id: alert.id,
        watchlist_id: alert.watchlist,
        watchlist,
        incident: alert.incident,
        state: alert.state,
        created: alert.created,
        payload: alert.payload,
    }
}

fn sse_event(event: &LiveEvent) -> Event {
    let LiveEvent::Alert(alert) = event;
    let data = serde_json::to_string(alert).unwrap_or_else(|_| "{}".into());
    Event::default()
        .event(event.name())
        .id(alert.id.to_string())
        .data(data)
}

struct Cursor {
    replay: VecDeque<LiveEvent>,
    live: tokio::sync::broadcast::Receiver<LiveEvent>,
    stop: tokio::sync::watch::Receiver<bool>,
    /// The largest alert id sent: live events at or below it are repeats.
    last: i64,
    state: AppState,
}

/// Subscribe to new alerts (Server-Sent Events, event name `alert`).
#[utoipa::path(get, path = "/api/v1/stream", tag = "watchlists",
    params(StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this alert id")),
    responses((status = 200, description = "An endless text/event-stream of `alert` events", content_type = "text/event-stream", body = String),
        (status = 400, description = "Bad Last-Event-ID", body = crate::error::ErrorBody)))]
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    UrlQuery(params): UrlQuery<StreamParams>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let header = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::BadRequest("Last-Event-ID must be an alert id".into()))
        })
        .transpose()?;
    let after = header.or(params.after);
    // Subscribe before reading the backlog: nothing falls in between.
    let live = state.live.subscribe();
    let stop = state.stop.subscribe();
    let mut replay = VecDeque::new();
    let mut last = 0;
    if let Some(after) = after {
        let backlog = state
            .db
            .read(move |s| {
                s.alerts(&AlertFilter {
                    after: Some(after),
                    states: vec![
                        AlertState::Recorded,
                        AlertState::Pending,
                        AlertState::Delivered,
                        AlertState::Dead,
                    ],
                    limit: 500,
                    ..AlertFilter::default()
                })
            })
            .await?;
        last = after;
        replay.extend(
            backlog
                .into_iter()
                .map(|a| LiveEvent::Alert(alert_event(a))),
        );
    }
    let cursor = Cursor {
        replay,
        live,
        stop,
        last,
        state,
    };
    let events = stream::unfold(cursor, |mut c| async move {
        if let Some(event) = c.replay.pop_front() {
            let LiveEvent::Alert(a) = &event;
            c.last = c.last.max(a.id);
            return Some((Ok(sse_event(&event)), c));
        }
        loop {
            if *c.stop.borrow() {
                return None;
            }
            tokio::select! {
                received = c.live.recv() => match received {
                    Ok(event) => {
                        let LiveEvent::Alert(a) = &event;
                        if a.id <= c.last {
                            continue;
                        }
                        c.last = a.id;
                        return Some((Ok(sse_event(&event)), c));
                    }
                    Err(RecvError::Lagged(_)) => {
                        // Too slow a reader: catch up from the store.
                        let after = c.last;
                        let missed = c
                            .state
                            .db
                            .read(move |s| {
                                s.alerts(&AlertFilter {
                                    after: Some(after),
                                    limit: 500,
                                    ..AlertFilter::default()
                                })
                            })
                            .await
                            .unwrap_or_default();
                        c.replay.extend(missed.into_iter().map(|a| LiveEvent::Alert(alert_event(a))));
                        if let Some(event) = c.replay.pop_front() {
                            let LiveEvent::Alert(a) = &event;
                            c.last = c.last.max(a.id);
                            return Some((Ok(sse_event(&event)), c));
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                changed = c.stop.changed() => {
                    if changed.is_err() || *c.stop.borrow() {
                        return None;
                    }
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
