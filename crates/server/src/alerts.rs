//! Watchlists and alerts: matching new incidents against saved queries,
//! recording each (watchlist, incident) alert exactly once in the store's
//! outbox, and delivering it to the log, the live stream and a webhook.
//!
//! **Exactly once.** The outbox row is keyed (watchlist, incident) and
//! unique, so an incident alerts a watchlist once, whether it is found by
//! this server, by a server started later, or by two servers at once.
//! Incidents that already matched when the watchlist was created are
//! recorded as a *baseline* in the same transaction that creates it, so
//! only incidents that appear afterwards alert. The matcher runs when the
//! server starts (catching everything ingested while it was down) and
//! whenever the store's change marker moves (checked every
//! [`AlertConfig::poll`]).
//!
//! **Webhooks.** An alert of a watchlist with a webhook is POSTed as JSON
//! (the payload fixed when the alert was recorded, so every retry sends the
//! same bytes) with headers `X-Vigil-Delivery` (the alert id: receivers
//! de-duplicate on it), `X-Vigil-Event: alert` and
//! `X-Vigil-Signature-256: sha256=<hex HMAC-SHA256 of the body under the
//! watchlist's secret>`. A 2xx answer delivers it; anything else (status,
//! timeout, refused connection) is retried after `retry_base · 2^(n-1)`
//! (capped at `retry_max`); after `max_attempts` failures the alert is dead
//! (the dead-letter list: `GET /api/v1/alerts?state=dead`). Delivery state
//! is in the store: a restart neither repeats a delivered alert nor loses a
//! pending one. A crash between the receiver's 2xx and the store's update
//! can repeat one delivery; `X-Vigil-Delivery` lets the receiver drop it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use vigil_core::Incident;
use vigil_store::desk::{AlertState, DeskStore, DueAlert, NewAlert, NewWatchlist, Watchlist};
use vigil_store::{Query, StoreError};

use crate::state::{AlertEvent, LiveEvent};
use crate::{query, AppState};

/// Timing of matching and delivery.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// How often the store's change marker is checked.
    pub poll: Duration,
    /// Delay before the first retry; doubled at each failure.
    pub retry_base: Duration,
    /// Longest delay between retries.
    pub retry_max: Duration,
    /// Failed attempts after which an alert is dead.
    pub max_attempts: u32,
    /// Time allowed for one webhook request.
    pub timeout: Duration,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            poll: Duration::from_secs(5),
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(3600),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

impl AlertConfig {
    /// The delay after failed attempt number `attempt` (1-based).
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.retry_base
            .checked_mul(factor)
            .unwrap_or(self.retry_max)
            .min(self.retry_max)
    }
}

/// Why a watchlist cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    #[error("{0}")]
    Invalid(String),
    #[error("a watchlist named {0:?} already exists; choose another name or remove it first")]
    NameTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a watchlist before it is stored: a name, a query that parses,
/// an `http(s)://` webhook. Returns the parsed query.
pub fn validate(new: &NewWatchlist) -> Result<Query, WatchlistError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(WatchlistError::Invalid(
            "a watchlist needs a name of 1 to 100 characters".into(),
        ));
    }
    if name.parse::<i64>().is_ok() {
        return Err(WatchlistError::Invalid(
            "a watchlist name cannot be a number (numbers are ids)".into(),
        ));
    }
    if new.query.trim().is_empty() {
        return Err(WatchlistError::Invalid(
            "a watchlist needs a query (the `vigil search` language)".into(),
        ));
    }
    let parsed = query::parse(&new.query).map_err(|e| WatchlistError::Invalid(e.to_string()))?;
    if let Some(url) = &new.webhook {
        let lower = url.trim().to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) {
            return Err(WatchlistError::Invalid(format!(
                "the webhook {url:?} is not an http:// or https:// URL"
            )));
        }
        if url.chars().any(char::is_whitespace) || url.len() > 2000 {
            return Err(WatchlistError::Invalid(
                "the webhook URL has spaces or is longer than 2000 characters".into(),
            ));
        }
    }
    Ok(parsed)
}

/// Creates a watchlist: validates it, gives a webhook a signing secret if
/// it has none, and records every incident matching now as its baseline
/// (they never alert). Returns it and the size of the baseline.
pub fn create_watchlist(
    store: &mut dyn DeskStore,
    mut new: NewWatchlist,
) -> Result<(Watchlist, usize), WatchlistError> {
    new.name = new.name.trim().to_string();
    new.query = new.query.trim().to_string();
    new.webhook = new
        .webhook
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty());
    let parsed = validate(&new)?;
    if new.webhook.is_some() && new.secret.as_deref().is_none_or(str::is_empty) {
        new.secret = Some(
            crate::auth::generate_secret().map_err(|e| WatchlistError::Invalid(e.to_string()))?,
        );
    }
    let mut baseline = Vec::new();
    store.for_each_incident(&parsed, &mut |incident| {
        baseline.push(incident.id);
        Ok(())
    })?;
    let name = new.name.clone();
    let watchlist = store
        .add_watchlist(&new, &baseline)?
        .ok_or(WatchlistError::NameTaken(name))?;
    Ok((watchlist, baseline.len()))
}

/// The JSON an alert carries (webhook body, stream data).
pub fn payload(watchlist: &Watchlist, incident: &Incident) -> serde_json::Value {
    let names = |list: &[vigil_core::IncidentEntity]| {
        list.iter().map(|e| e.name.clone()).collect::<Vec<_>>()
    };
    let date = incident.date.as_ref().map(|d| {
        if d.start == d.end {
            d.start.to_string()
        } else {
            format!("{}..{}", d.start, d.end)
        }
    });
    let sources: Vec<serde_json::Value> = incident
        .sources
        .iter()
        .map(|s| {
            json!({
                "doc_id": s.doc_id,
                "outlet": s.source,
                "url": s.url,
                "published": s.published,
            })
        })
        .collect();
    json!({
        "key": format!("{}:{}", watchlist.id, incident.id),
        "watchlist": { "id": watchlist.id, "name": watchlist.name, "query": watchlist.query },
        "incident": {
            "id": incident.id,
            "type": incident.kind,
            "stage": incident.stage,
            "date": date,
            "place": incident.location.as_ref().map(|l| l.name.clone()),
            "country": incident.location.as_ref().and_then(|l| l.geo.as_ref()).map(|g| g.country.clone()),
            "perpetrators": names(&incident.perpetrators),
            "targets": names(&incident.targets),
            "killed": incident.killed,
            "fatal": incident.fatal,
            "injured": incident.injured,
            "arrested": incident.arrested,
            "crime": incident.crime,
            "first_seen": incident.first_seen,
            "sources": sources,
            "api": format!("/api/v1/incidents/{}", incident.id),
        },
        "matched_at": Utc::now(),
    })
}

/// The alerts a matching pass would record: for every watchlist, the
/// matching incidents it has not alerted (nor taken as baseline) yet. Only
/// reads, so that the scan of the incidents (the slow part on a large
/// store) does not hold up writers. A watchlist whose query no longer
/// parses is skipped (logged).
pub fn find_alerts(store: &dyn DeskStore) -> Result<Vec<(Watchlist, Vec<NewAlert>)>, StoreError> {
    let mut found = Vec::new();
    for watchlist in store.watchlists()? {
        let parsed = match query::parse(&watchlist.query) {
            Ok(q) => q,
            Err(err) => {
                tracing::warn!(watchlist = watchlist.name, "watchlist query skipped: {err}");
                continue;
            }
        };
        let known = store.alerted_incidents(watchlist.id)?;
        let state = if watchlist.webhook.is_some() {
            AlertState::Pending
        } else {
            AlertState::Recorded
        };
        let mut new = Vec::new();
        store.for_each_incident(&parsed, &mut |incident| {
            if !known.contains(&incident.id) {
                new.push(NewAlert {
                    payload: payload(&watchlist, &incident),
                    incident: incident.id,
                    state,
                });
            }
            Ok(())
        })?;
        if !new.is_empty() {
            found.push((watchlist, new));
        }
    }
    Ok(found)
}

/// Records alerts found by [`find_alerts`]; returns those not recorded
/// before (by this or another server: the outbox is unique per watchlist
/// and incident) with their watchlist's name.
pub fn record_found(
    store: &mut dyn DeskStore,
    found: Vec<(Watchlist, Vec<NewAlert>)>,
) -> Result<Vec<AlertEvent>, StoreError> {
    let mut events = Vec::new();
    for (watchlist, new) in found {
        for alert in store.record_alerts(watchlist.id, &new)? {
            events.push(AlertEvent {
                id: alert.id,
                watchlist_id: watchlist.id,
                watchlist: watchlist.name.clone(),
                incident: alert.incident,
                state: alert.state,
                created: alert.created,
                payload: alert.payload,
            });
        }
    }
    Ok(events)
}

/// Matches every watchlist against the stored incidents and records the
/// alerts not recorded before ([`find_alerts`] then [`record_found`] on one
/// store). Returns the new alerts with their watchlist's name.
pub fn match_watchlists(store: &mut dyn DeskStore) -> Result<Vec<AlertEvent>, StoreError> {
    let found = find_alerts(store)?;
    record_found(store, found)
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length; the error branch cannot happen.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", crate::auth::hex(&mac.finalize().into_bytes()))
        }
        Err(_) => String::new(),
    }
}

/// Checks a signature header in constant time (for receivers and tests).
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    let Some(bytes) = unhex(hex) else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// POSTs one alert; `Err` says why it failed.
fn post(agent: &ureq::Agent, due: &DueAlert) -> Result<u16, String> {
    let body = due.alert.payload.to_string();
    let mut request = agent
        .post(&due.webhook)
        .header("content-type", "application/json")
        .header("x-vigil-event", "alert")
        .header("x-vigil-delivery", due.alert.id.to_string());
    if let Some(secret) = &due.secret {
        request = request.header("x-vigil-signature-256", sign(secret, body.as_bytes()));
    }
    match request.send(body.as_bytes()) {
        Ok(response) => {
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                Ok(status)
            } else {
                Err(format!("the webhook answered HTTP {status}"))
            }
        }
        Err(err) => Err(format!("the webhook request failed: {err}")),
    }
}

fn agent(config: &AlertConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(config.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Publishes new alerts: a log line each, and the live stream.
fn publish(state: &AppState, events: Vec<AlertEvent>) {
    for event in events {
        tracing::info!(
            alert = event.id,
            watchlist = event.watchlist,
            incident = event.incident,
            "alert: watchlist {:?} matches incident {}",
            event.watchlist,
            event.incident
        );
        // No subscriber is fine.
        let _ = state.live.send(LiveEvent::Alert(event));
    }
}

/// Runs one matching pass (on the blocking pool) and publishes its alerts;
/// returns how many were recorded.
pub async fn match_once(state: &AppState) -> Result<usize, crate::ApiError> {
    // Scan as a reader; only recording the (few) new alerts writes.
    let found = state.db.read(|s| find_alerts(s)).await?;
    if found.is_empty() {
        return Ok(0);
    }
    let events = state.db.write(move |s| record_found(s, found)).await?;
    let n = events.len();
    let pending = events.iter().any(|e| e.state == AlertState::Pending);
    publish(state, events);
    if pending {
        state.wake.notify_one();
    }
    Ok(n)
}

/// The matcher: a pass at start, then one whenever the change marker
/// moves. The end of the first pass is logged ("alert matcher ready"):
/// from then on, everything stored before the server started has been
/// matched.
pub async fn matcher(state: AppState, config: AlertConfig) {
    let mut last: Option<String> = None;
    loop {
        match state.db.read(|s| s.change_marker()).await {
            Ok(marker) => {
                if last.as_ref() != Some(&marker) {
                    match match_once(&state).await {
                        Ok(n) => {
                            if last.is_none() {
                                tracing::info!(
                                    alerts = n,
                                    "alert matcher ready: {n} new alert(s) from what was stored before the start"
                                );
                            }
                            last = Some(marker);
                        }
                        Err(err) => tracing::error!("watchlist matching failed: {err}"),
                    }
                }
            }
            Err(err) => tracing::error!("reading the store's change marker failed: {err}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(config.poll) => {}
            _ = state.rematch.notified() => {}
        }
    }
}

/// One delivery pass: claims due alerts and POSTs them. Returns how many
/// were attempted.
pub async fn deliver_once(
    state: &AppState,
    config: &AlertConfig,
    agent: &ureq::Agent,
) -> Result<usize, crate::ApiError> {
    // The lease covers the requests of this pass, made one after another.
    let lease = config.timeout.saturating_mul(16) + Duration::from_secs(5);
    let due = state
        .db
        .write(move |s| s.claim_due_alerts(Utc::now(), lease, 16))
        .await?;
    let n = due.len();
    for alert in due {
        let agent = agent.clone();
        let (alert, result) = tokio::task::spawn_blocking(move || {
            let result = post(&agent, &alert);
            (alert, result)
        })
        .await
        .map_err(crate::ApiError::internal)?;
        let id = alert.alert.id;
        match result {
            Ok(status) => {
                tracing::info!(alert = id, status, "alert {id} delivered to its webhook");
                state
                    .db
                    .write(move |s| s.alert_delivered(id, Utc::now()))
                    .await?;
            }
            Err(error) => {
                let attempt = alert.alert.attempts.saturating_add(1);
                let retry_at: Option<DateTime<Utc>> = (attempt < config.max_attempts).then(|| {
                    let delay = config.retry_delay(attempt);
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
                });
                match retry_at {
                    Some(at) => tracing::warn!(
                        alert = id,
                        attempt,
                        "alert {id}: {error}; retry at {}",
                        at.to_rfc3339()
                    ),
                    None => tracing::error!(
                        alert = id,
                        attempt,
                        "alert {id}: {error}; dead letter after {attempt} attempts"
                    ),
                }
                state
                    .db
                    .write(move |s| s.alert_failed(id, &error, retry_at))
                    .await?;
            }
        }
    }
    Ok(n)
}

/// The deliverer: delivers due alerts, waking when the matcher records
/// new ones and at least every second (for retries).
pub async fn deliverer(state: AppState, config: AlertConfig) {
    let agent = agent(&config);
    loop {
        match deliver_once(&state, &config, &agent).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(err) => tracing::error!("alert delivery failed: {err}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1).min(config.retry_base)) => {}
            _ = state.wake.notified() => {}
        }
    }
}

/// Starts the matcher and the deliverer on the current runtime.
pub fn spawn(state: &AppState, config: &AlertConfig) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(matcher(state.clone(), config.clone())),
        tokio::spawn(deliverer(state.clone(), config.clone())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_reject_tampering() {
        let sig = sign("key", b"{\"a\":1}");
        assert!(sig.starts_with("sha256="));
        assert_eq!(sig.len(), 7 + 64);
        assert!(verify("key", b"{\"a\":1}", &sig));
        assert!(!verify("key", b"{\"a\":2}", &sig));
        assert!(!verify("other", b"{\"a\":1}", &sig));
        assert!(!verify("key", b"{\"a\":1}", "sha256=zz"));
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let config = AlertConfig {
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(60),
            ..AlertConfig::default()
        };
        assert_eq!(config.retry_delay(1), Duration::from_secs(10));
        assert_eq!(config.retry_delay(2), Duration::from_secs(20));
        assert_eq!(config.retry_delay(3), Duration::from_secs(40));
        assert_eq!(config.retry_delay(4), Duration::from_secs(60));
        assert_eq!(config.retry_delay(200), Duration::from_secs(60));
    }

    #[test]
    fn webhooks_must_be_http_urls() {
        let new = |webhook: &str| NewWatchlist {
            name: "w".into(),
            query: "type:bombing".into(),
            webhook: Some(webhook.into()),
            secret: None,
        };
        assert!(validate(&new("https://example.org/hook")).is_ok());
        assert!(validate(&new("http://127.0.0.1:9/x")).is_ok());
        assert!(validate(&new("ftp://example.org")).is_err());
        assert!(validate(&new("https://")).is_err());
        assert!(validate(&new("javascript:alert(1)")).is_err());
        let bad_query = NewWatchlist {
            query: "type:nonsense".into(),
            ..new("https://example.org")
        };
        assert!(validate(&bad_query).is_err());
    }

    #[test]
    fn watchlists_take_crime_and_killed_terms() {
        let new = |query: &str| NewWatchlist {
            name: "w".into(),
            query: query.into(),
            webhook: None,
            secret: None,
        };
        let parsed = validate(&new("type:arrest crime:attack killed:>0")).ok();
        assert_eq!(
            parsed.as_ref().map(|q| q.crimes.clone()),
            Some(vec![vigil_core::EventType::Attack])
        );
        assert_eq!(
            parsed.map(|q| q.killed),
            Some(vec![vigil_store::search::KilledTerm { min: 1, max: None }])
        );
        for (query, position) in [("killed:abc", 8), ("type:arrest crime:arrests", 19)] {
            match validate(&new(query)) {
                Err(WatchlistError::Invalid(message)) => assert!(
                    message.starts_with(&format!("invalid query at position {position}: ")),
                    "{query}: {message}"
                ),
                other => panic!("{query}: expected an invalid query, got {other:?}"),
            }
        }
    }
}
