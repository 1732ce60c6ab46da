//! The analyst's desk: API tokens, watchlists and the alert outbox, kept in
//! the store beside the documents so that alerts survive restarts.
//!
//! * **Tokens** are stored as the hex SHA-256 of the secret (the secret
//!   itself is shown once, by whoever creates it) plus a short prefix to
//!   recognise it; revoking keeps the row, so a revoked token is told apart
//!   from an unknown one. Names are unique among active tokens.
//! * **Watchlists** are saved queries (the `vigil search` language) with an
//!   optional webhook URL and its signing secret. Names are unique.
//! * **Alerts** form an outbox: one row per (watchlist, incident), unique,
//!   so an incident alerts a watchlist at most once, whatever restarts or
//!   concurrent matchers do. The row keeps the payload sent (fixed at
//!   creation, so retries send the same bytes) and the delivery state:
//!   [`AlertState::Baseline`] (the incident existed when the watchlist was
//!   created: never sent), [`AlertState::Recorded`] (no webhook: logged and
//!   streamed only), [`AlertState::Pending`] (webhook delivery due at
//!   `next_attempt`), [`AlertState::Delivered`], [`AlertState::Dead`]
//!   (dead letter: delivery failed too often).
//!
//! Deliverers claim due alerts with a lease ([`Desk::claim_due_alerts`]
//! moves `next_attempt` forward), so two servers on one store do not send
//! the same alert at the same time, and an alert claimed by a server that
//! crashed is retried when the lease runs out.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::sqlite::{sqlite_error, time_text};
use crate::{SqliteStore, StoreError};

/// The SQLite tables of the desk (one migration of the store's list).
pub(crate) const SQLITE_MIGRATION: &str = "CREATE TABLE desk_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created TEXT NOT NULL,
        revoked TEXT
    );
    CREATE UNIQUE INDEX desk_tokens_active_name ON desk_tokens(name) WHERE revoked IS NULL;
    CREATE TABLE desk_watchlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL,
        webhook TEXT,
        secret TEXT,
        created TEXT NOT NULL
    );
    CREATE TABLE desk_alerts (
        id INTEGER PRIMARY KEY,
        watchlist INTEGER NOT NULL REFERENCES desk_watchlists(id) ON DELETE CASCADE,
        incident TEXT NOT NULL,
        state TEXT NOT NULL,
        payload TEXT NOT NULL,
        created TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER,
        last_error TEXT,
        delivered TEXT,
        UNIQUE (watchlist, incident)
    );
    CREATE INDEX desk_alerts_due ON desk_alerts(state, next_attempt);";

/// A stored API token (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    /// Hex SHA-256 of the secret.
    #[serde(skip_serializing)]
    pub hash: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created: DateTime<Utc>,
    /// When it was revoked; a revoked token is refused.
    pub revoked: Option<DateTime<Utc>>,
}

/// A watchlist to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewWatchlist {
    pub name: String,
    /// A query in the `vigil search` language.
    pub query: String,
    /// Where alerts are POSTed (JSON), if anywhere.
    pub webhook: Option<String>,
    /// The key signing webhook bodies (HMAC-SHA256).
    pub secret: Option<String>,
}

/// A stored watchlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watchlist {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub webhook: Option<String>,
    /// The webhook signing key; never serialised.
    #[serde(skip_serializing, default)]
    pub secret: Option<String>,
    pub created: DateTime<Utc>,
}

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The incident already matched when the watchlist was created: it is
    /// remembered so that it never alerts, and never sent.
    Baseline,
    /// The watchlist has no webhook: the alert went to the log and the live
    /// stream only.
    Recorded,
    /// Webhook delivery is due at `next_attempt`.
    Pending,
    /// The webhook accepted it.
    Delivered,
    /// Dead letter: the webhook refused it too many times.
    Dead,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Baseline => "baseline",
            AlertState::Recorded => "recorded",
            AlertState::Pending => "pending",
            AlertState::Delivered => "delivered",
            AlertState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<AlertState> {
        Some(match s {
            "baseline" => AlertState::Baseline,
            "recorded" => AlertState::Recorded,
            "pending" => AlertState::Pending,
            "delivered" => AlertState::Delivered,
            "dead" => AlertState::Dead,
            _ => return None,
        })
    }
}

/// An alert to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub incident: String,
    /// What is sent (webhook body) and streamed.
    pub payload: serde_json::Value,
    /// [`AlertState::Baseline`], [`AlertState::Recorded`] or
    /// [`AlertState::Pending`] (due at once).
    pub state: AlertState,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub watchlist: i64,
    pub incident: String,
    pub state: AlertState,
    pub payload: serde_json::Value,
    pub created: DateTime<Utc>,
    /// Webhook delivery attempts so far.
    pub attempts: u32,
    pub next_attempt: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub delivered: Option<DateTime<Utc>>,
}

/// An alert claimed for webhook delivery, with where to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueAlert {
    pub alert: Alert,
    pub webhook: String,
    pub secret: Option<String>,
}

/// Which alerts [`Desk::alerts`] lists: in id order, after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertFilter {
    /// Only this watchlist's.
    pub watchlist: Option<i64>,
    /// Only these states (all but [`AlertState::Baseline`] when empty).
    pub states: Vec<AlertState>,
    /// Only alerts with a larger id.
    pub after: Option<i64>,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
    /// At most this many (0: no limit).
    pub limit: usize,
}

/// Tokens, watchlists and the alert outbox (see the module docs). Every
/// backend of [`crate::Store`] implements it.
pub trait Desk {
    /// Stores a token by the hex SHA-256 of its secret. `None` when an
    /// active token already has this name.
    fn add_token(
        &mut self,
        name: &str,
        hash: &str,
        prefix: &str,
    ) -> Result<Option<TokenRecord>, StoreError>;
    /// Every token, revoked ones included, oldest first.
    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;
    /// Revokes the token with this id (decimal) or active name; returns it,
    /// or `None` when there is none (revoking twice keeps the first time).
    fn revoke_token(&mut self, id_or_name: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// Stores a watchlist and, in the same transaction, its baseline: the
    /// incidents that match it now, recorded as [`AlertState::Baseline`]
    /// so that they never alert. `None` when the name is taken.
    fn add_watchlist(
        &mut self,
        new: &NewWatchlist,
        baseline: &[String],
    ) -> Result<Option<Watchlist>, StoreError>;
    /// Every watchlist, oldest first.
    fn watchlists(&self) -> Result<Vec<Watchlist>, StoreError>;
    /// The watchlist with this id (decimal) or name.
    fn watchlist(&self, id_or_name: &str) -> Result<Option<Watchlist>, StoreError>;
    /// Deletes a watchlist (by id or name) and its alerts; `false` when
    /// there is none.
    fn remove_watchlist(&mut self, id_or_name: &str) -> Result<bool, StoreError>;

    /// Records alerts of watchlist `watchlist` in one transaction; an
    /// incident already recorded for it is skipped. Returns the rows
    /// actually added, in input order.
    fn record_alerts(
        &mut self,
        watchlist: i64,
        alerts: &[NewAlert],
    ) -> Result<Vec<Alert>, StoreError>;
    /// The incidents recorded for a watchlist (any state).
    fn alerted_incidents(&self, watchlist: i64) -> Result<HashSet<String>, StoreError>;
    /// Claims up to `limit` pending alerts due at `now` (oldest first) for
    /// webhook delivery: their `next_attempt` moves to `now + lease`, so
    /// nobody else claims them meanwhile.
    fn claim_due_alerts(
        &mut self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<DueAlert>, StoreError>;
    /// The webhook accepted alert `id`.
    fn alert_delivered(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// A delivery attempt failed: one more attempt is counted and the error
    /// kept; the alert is due again at `retry_at`, or dead when `None`.
    fn alert_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Stored alerts (see [`AlertFilter`]).
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError>;

    /// A value that changes whenever documents or incidents may have
    /// changed (also, harmlessly, on some other writes): a matcher compares
    /// it to skip work when nothing changed.
    fn change_marker(&self) -> Result<String, StoreError>;
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn millis_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

const TOKEN_COLUMNS: &str = "id, name, hash, prefix, created, revoked";
const WATCHLIST_COLUMNS: &str = "id, name, query, webhook, secret, created";
const ALERT_COLUMNS: &str =
    "a.id, a.watchlist, a.incident, a.state, a.payload, a.created, a.attempts, a.next_attempt, a.last_error, a.delivered";

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        hash: r.get(2)?,
        prefix: r.get(3)?,
        created: parse_time(&r.get::<_, String>(4)?),
        revoked: r.get::<_, Option<String>>(5)?.as_deref().map(parse_time),
    })
}

fn watchlist_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Watchlist> {
    Ok(Watchlist {
        id: r.get(0)?,
        name: r.get(1)?,
        query: r.get(2)?,
        webhook: r.get(3)?,
        secret: r.get(4)?,
        created: parse_time(&r.get::<_, String>(5)?),
    })
}

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let state: String = r.get(3)?;
    let payload: String = r.get(4)?;
    Ok(Alert {
        id: r.get(0)?,
        watchlist: r.get(1)?,
        incident: r.get(2)?,
        state: AlertState::parse(&state).unwrap_or(AlertState::Dead),
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        created: parse_time(&r.get::<_, String>(5)?),
        attempts: r.get::<_, i64>(6)?.clamp(0, i64::from(u32::MAX)) as u32,
        next_attempt: r.get::<_, Option<i64>>(7)?.map(millis_time),
        last_error: r.get(8)?,
        delivered: r.get::<_, Option<String>>(9)?.as_deref().map(parse_time),
    })
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl SqliteStore {
    fn desk_err(&self, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let path = self.path().to_path_buf();
        move |source| StoreError::Sqlite {
            path,
            action,
            source,
        }
    }
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

impl Desk for SqliteStore {
    fn add_token(
        &mut self,
        name: &str,
        hash: &str,
        prefix: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO desk_tokens (name, hash, prefix, created) VALUES (?1, ?2, ?3, ?4)",
            params![name, hash, prefix, time_text(Utc::now())],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(self.desk_err("storing a token")(e)),
        }
        let id = self.conn.last_insert_rowid();
        self.conn
            .query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM desk_tokens WHERE id = ?1"),
                [id],
                token_row,
            )
            .optional()
            .map_err(self.desk_err("reading a token"))
    }

    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM desk_tokens ORDER BY id"
            ))
            .map_err(self.desk_err("reading tokens"))?;
        let rows = stmt
            .query_map([], token_row)
            .map_err(self.desk_err("reading tokens"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.desk_err("reading tokens"))
    }

    fn revoke_token(&mut self, id_or_name: &str) -> Result<Option<TokenRecord>, StoreError> {
        let id: Option<i64> = match id_or_name.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => self
                .conn
                .query_row(
                    "SELECT id FROM desk_tokens WHERE name = ?1 AND revoked IS NULL",
                    [id_or_name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(self.desk_err("finding a token"))?,
        };
        let Some(id) = id else { return Ok(None) };
        self.conn
            .execute(
                "UPDATE desk_tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
                params![id, time_text(Utc::now())],
            )
            .map_err(self.desk_err("revoking a token"))?;
        self.conn
            .query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM desk_tokens WHERE id = ?1"),
                [id],
                token_row,
            )
            .optional()
            .map_err(self.desk_err("reading a token"))
    }

    fn add_watchlist(
        &mut self,
        new: &NewWatchlist,
        baseline: &[String],
    ) -> Result<Option<Watchlist>, StoreError> {
        let path = self.path().to_path_buf();
        let err = |action: &'static str| sqlite_error(&path, action);
        let now = time_text(Utc::now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let inserted = tx.execute(
            "INSERT INTO desk_watchlists (name, query, webhook, secret, created)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![new.name, new.query, new.webhook, new.secret, now],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(err("storing a watchlist")(e)),
        }
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO desk_alerts (watchlist, incident, state, payload, created)
                     VALUES (?1, ?2, 'baseline', 'null', ?3)",
                )
                .map_err(err("recording a watchlist baseline"))?;
            for incident in baseline {
                insert
                    .execute(params![id, incident, now])
                    .map_err(err("recording a watchlist baseline"))?;
            }
        }
        let watchlist = tx
            .query_row(
                &format!("SELECT {WATCHLIST_COLUMNS} FROM desk_watchlists WHERE id = ?1"),
                [id],
                watchlist_row,
            )
            .map_err(err("reading a watchlist"))?;
        tx.commit().map_err(err("committing a watchlist"))?;
        Ok(Some(watchlist))
    }

    fn watchlists(&self) -> Result<Vec<Watchlist>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {WATCHLIST_COLUMNS} FROM desk_watchlists ORDER BY id"
            ))
            .map_err(self.desk_err("reading watchlists"))?;
        let rows = stmt
            .query_map([], watchlist_row)
            .map_err(self.desk_err("reading watchlists"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.desk_err("reading watchlists"))
    }

    fn watchlist(&self, id_or_name: &str) -> Result<Option<Watchlist>, StoreError> {
        let found = match id_or_name.parse::<i64>() {
            Ok(id) => self.conn.query_row(
                &format!("SELECT {WATCHLIST_COLUMNS} FROM desk_watchlists WHERE id = ?1"),
                [id],
                watchlist_row,
            ),
            Err(_) => self.conn.query_row(
                &format!("SELECT {WATCHLIST_COLUMNS} FROM desk_watchlists WHERE name = ?1"),
                [id_or_name],
                watchlist_row,
            ),
        };
        found
            .optional()
            .map_err(self.desk_err("reading a watchlist"))
    }

    fn remove_watchlist(&mut self, id_or_name: &str) -> Result<bool, StoreError> {
        let Some(watchlist) = self.watchlist(id_or_name)? else {
            return Ok(false);
        };
        let n = self
            .conn
            .execute("DELETE FROM desk_watchlists WHERE id = ?1", [watchlist.id])
            .map_err(self.desk_err("deleting a watchlist"))?;
        Ok(n > 0)
    }

    fn record_alerts(
        &mut self,
        watchlist: i64,
        alerts: &[NewAlert],
    ) -> Result<Vec<Alert>, StoreError> {
        let path = self.path().to_path_buf();
        let err = |action: &'static str| sqlite_error(&path, action);
        let now = Utc::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let mut ids = Vec::new();
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO desk_alerts
                     (watchlist, incident, state, payload, created, next_attempt)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err("recording alerts"))?;
            for alert in alerts {
                let next = (alert.state == AlertState::Pending).then(|| millis(now));
                let n = insert
                    .execute(params![
                        watchlist,
                        alert.incident,
                        alert.state.as_str(),
                        alert.payload.to_string(),
                        time_text(now),
                        next
                    ])
                    .map_err(err("recording alerts"))?;
                if n > 0 {
                    ids.push(tx.last_insert_rowid());
                }
            }
        }
        let mut added = Vec::with_capacity(ids.len());
        {
            let mut select = tx
                .prepare(&format!(
                    "SELECT {ALERT_COLUMNS} FROM desk_alerts a WHERE a.id = ?1"
                ))
                .map_err(err("reading alerts"))?;
            for id in ids {
                added.push(
                    select
                        .query_row([id], alert_row)
                        .map_err(err("reading alerts"))?,
                );
            }
        }
        tx.commit().map_err(err("committing alerts"))?;
        Ok(added)
    }

    fn alerted_incidents(&self, watchlist: i64) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT incident FROM desk_alerts WHERE watchlist = ?1")
            .map_err(self.desk_err("reading alerts"))?;
        let rows = stmt
            .query_map([watchlist], |r| r.get::<_, String>(0))
            .map_err(self.desk_err("reading alerts"))?;
        rows.collect::<rusqlite::Result<HashSet<_>>>()
            .map_err(self.desk_err("reading alerts"))
    }

    fn claim_due_alerts(
        &mut self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<DueAlert>, StoreError> {
        let path = self.path().to_path_buf();
        let err = |action: &'static str| sqlite_error(&path, action);
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let until = millis(now).saturating_add(lease_ms);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let mut due = Vec::new();
        {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT {ALERT_COLUMNS}, w.webhook, w.secret FROM desk_alerts a
                     JOIN desk_watchlists w ON w.id = a.watchlist
                     WHERE a.state = 'pending' AND a.next_attempt <= ?1
                     ORDER BY a.next_attempt, a.id LIMIT ?2"
                ))
                .map_err(err("claiming alerts"))?;
            let rows = stmt
                .query_map(
                    params![millis(now), i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| {
                        Ok((
                            alert_row(r)?,
                            r.get::<_, Option<String>>(10)?,
                            r.get::<_, Option<String>>(11)?,
                        ))
                    },
                )
                .map_err(err("claiming alerts"))?;
            for row in rows {
                let (mut alert, webhook, secret) = row.map_err(err("claiming alerts"))?;
                alert.next_attempt = Some(millis_time(until));
                due.push((alert, webhook, secret));
            }
        }
        let mut claimed = Vec::with_capacity(due.len());
        for (alert, webhook, secret) in due {
            match webhook {
                Some(webhook) => {
                    tx.execute(
                        "UPDATE desk_alerts SET next_attempt = ?2 WHERE id = ?1",
                        params![alert.id, until],
                    )
                    .map_err(err("claiming alerts"))?;
                    claimed.push(DueAlert {
                        alert,
                        webhook,
                        secret,
                    });
                }
                None => {
                    // The webhook was removed since: nothing to deliver.
                    tx.execute(
                        "UPDATE desk_alerts SET state = 'recorded', next_attempt = NULL WHERE id = ?1",
                        [alert.id],
                    )
                    .map_err(err("claiming alerts"))?;
                }
            }
        }
        tx.commit().map_err(err("claiming alerts"))?;
        Ok(claimed)
    }

    fn alert_delivered(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE desk_alerts SET state = 'delivered', delivered = ?2, next_attempt = NULL,
                 attempts = attempts + 1 WHERE id = ?1",
                params![id, time_text(at)],
            )
            .map_err(self.desk_err("recording a delivery"))?;
        Ok(())
    }

    fn alert_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let state = if retry_at.is_some() {
            AlertState::Pending
        } else {
            AlertState::Dead
        };
        self.conn
            .execute(
                "UPDATE desk_alerts SET state = ?2, last_error = ?3, next_attempt = ?4,
                 attempts = attempts + 1 WHERE id = ?1",
                params![id, state.as_str(), error, retry_at.map(millis)],
            )
            .map_err(self.desk_err("recording a failed delivery"))?;
        Ok(())
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError> {
        let mut sql = format!("SELECT {ALERT_COLUMNS} FROM desk_alerts a WHERE 1 = 1");
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(w) = filter.watchlist {
            values.push(w.into());
            sql.push_str(&format!(" AND a.watchlist = ?{}", values.len()));
        }
        if let Some(after) = filter.after {
            values.push(after.into());
            sql.push_str(&format!(" AND a.id > ?{}", values.len()));
        }
        if filter.states.is_empty() {
            sql.push_str(" AND a.state <> 'baseline'");
        } else {
            let mut list = Vec::new();
            for state in &filter.states {
                values.push(state.as_str().to_string().into());
                list.push(format!("?{}", values.len()));
            }
            sql.push_str(&format!(" AND a.state IN ({})", list.join(", ")));
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY a.id DESC"
        } else {
            " ORDER BY a.id"
        });
        if filter.limit > 0 {
            values.push(i64::try_from(filter.limit).unwrap_or(i64::MAX).into());
            sql.push_str(&format!(" LIMIT ?{}", values.len()));
        }
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.desk_err("reading alerts"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), alert_row)
            .map_err(self.desk_err("reading alerts"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.desk_err("reading alerts"))
    }

    fn change_marker(&self) -> Result<String, StoreError> {
        // The incident generation is bumped by every transaction that
        // changes incidents (recompute, split), whichever process runs it.
        let (generation, docs): (i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT COALESCE(MAX(value), 0) FROM store_state
                         WHERE key = 'incident_generation'),
                        (SELECT COALESCE(MAX(key), 0) FROM documents)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(self.desk_err("reading the change marker"))?;
        Ok(format!("{generation}:{docs}"))
    }
}

/// The PostgreSQL tables of the desk (one migration of that backend's
/// list): the same as SQLite's.
pub(crate) const POSTGRES_MIGRATION: &str = "CREATE TABLE desk_tokens (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created TEXT NOT NULL,
        revoked TEXT
    );
    CREATE UNIQUE INDEX desk_tokens_active_name ON desk_tokens(name) WHERE revoked IS NULL;
    CREATE TABLE desk_watchlists (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL,
        webhook TEXT,
        secret TEXT,
        created TEXT NOT NULL
    );
    CREATE TABLE desk_alerts (
        id BIGSERIAL PRIMARY KEY,
        watchlist BIGINT NOT NULL REFERENCES desk_watchlists(id) ON DELETE CASCADE,
        incident TEXT NOT NULL,
        state TEXT NOT NULL,
        payload TEXT NOT NULL,
        created TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt BIGINT,
        last_error TEXT,
        delivered TEXT,
        UNIQUE (watchlist, incident)
    );
    CREATE INDEX desk_alerts_due ON desk_alerts(state, next_attempt);";

/// Opens the store named by `spec` (a `postgres://` URL or a data
/// directory, as [`crate::open`]) with its desk.
pub fn open(spec: &str) -> Result<Box<dyn DeskStore>, StoreError> {
    if crate::is_postgres(spec) {
        Ok(Box::new(crate::PostgresStore::connect(spec.trim())?))
    } else {
        Ok(Box::new(SqliteStore::open(std::path::Path::new(spec))?))
    }
}

/// Opens a read handle on the store named by `spec`, as [`open`] does but
/// without reading the embedded store's near-duplicate index, which only
/// writes need ([`SqliteStore::open_reader`]; a PostgreSQL handle is
/// connected as by [`open`]). For the server's read handles.
pub fn open_reader(spec: &str) -> Result<Box<dyn DeskStore>, StoreError> {
    if crate::is_postgres(spec) {
        Ok(Box::new(crate::PostgresStore::connect(spec.trim())?))
    } else {
        Ok(Box::new(SqliteStore::open_reader(std::path::Path::new(
            spec,
        ))?))
    }
}

mod pg {
    use super::*;
    use postgres::error::SqlState;
    use postgres::types::ToSql;
    use postgres::{Client, GenericClient, Row};

    use crate::postgres::pg_err;
    use crate::{PostgresStore, Store};

    const TOKENS: &str = "SELECT id, name, hash, prefix, created, revoked FROM desk_tokens";
    const WATCHLISTS: &str =
        "SELECT id, name, query, webhook, secret, created FROM desk_watchlists";
    const ALERTS: &str = "SELECT a.id, a.watchlist, a.incident, a.state, a.payload, a.created, a.attempts, a.next_attempt, a.last_error, a.delivered FROM desk_alerts a";

    fn token(r: &Row) -> TokenRecord {
        TokenRecord {
            id: r.get(0),
            name: r.get(1),
            hash: r.get(2),
            prefix: r.get(3),
            created: parse_time(r.get::<_, &str>(4)),
            revoked: r.get::<_, Option<&str>>(5).map(parse_time),
        }
    }

    fn watchlist(r: &Row) -> Watchlist {
        Watchlist {
            id: r.get(0),
            name: r.get(1),
            query: r.get(2),
            webhook: r.get(3),
            secret: r.get(4),
            created: parse_time(r.get::<_, &str>(5)),
        }
    }

    fn alert(r: &Row) -> Alert {
        Alert {
            id: r.get(0),
            watchlist: r.get(1),
            incident: r.get(2),
            state: AlertState::parse(r.get::<_, &str>(3)).unwrap_or(AlertState::Dead),
            payload: serde_json::from_str(r.get::<_, &str>(4)).unwrap_or(serde_json::Value::Null),
            created: parse_time(r.get::<_, &str>(5)),
            attempts: u32::try_from(r.get::<_, i32>(6)).unwrap_or(0),
            next_attempt: r.get::<_, Option<i64>>(7).map(millis_time),
            last_error: r.get(8),
            delivered: r.get::<_, Option<&str>>(9).map(parse_time),
        }
    }

    fn unique_violation(e: &postgres::Error) -> bool {
        e.code() == Some(&SqlState::UNIQUE_VIOLATION)
    }

    fn find_watchlist(
        client: &mut impl GenericClient,
        url: &str,
        id_or_name: &str,
    ) -> Result<Option<Watchlist>, StoreError> {
        let row = match id_or_name.parse::<i64>() {
            Ok(id) => client.query_opt(&format!("{WATCHLISTS} WHERE id = $1"), &[&id]),
            Err(_) => client.query_opt(&format!("{WATCHLISTS} WHERE name = $1"), &[&id_or_name]),
        }
        .map_err(pg_err(url, "reading a watchlist"))?;
        Ok(row.as_ref().map(watchlist))
    }

    impl PostgresStore {
        fn desk(&self) -> (std::sync::MutexGuard<'_, Client>, String) {
            let url = self.location();
            (self.client.lock().unwrap_or_else(|p| p.into_inner()), url)
        }
    }

    impl Desk for PostgresStore {
        fn add_token(
            &mut self,
            name: &str,
            hash: &str,
            prefix: &str,
        ) -> Result<Option<TokenRecord>, StoreError> {
            let (mut c, url) = self.desk();
            let created = time_text(Utc::now());
            match c.query_one(
                "INSERT INTO desk_tokens (name, hash, prefix, created) VALUES ($1, $2, $3, $4)
                 RETURNING id, name, hash, prefix, created, revoked",
                &[&name, &hash, &prefix, &created],
            ) {
                Ok(row) => Ok(Some(token(&row))),
                Err(e) if unique_violation(&e) => Ok(None),
                Err(e) => Err(pg_err(&url, "storing a token")(e)),
            }
        }

        fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
            let (mut c, url) = self.desk();
            let rows = c
                .query(&format!("{TOKENS} ORDER BY id"), &[])
                .map_err(pg_err(&url, "reading tokens"))?;
            Ok(rows.iter().map(token).collect())
        }

        fn revoke_token(&mut self, id_or_name: &str) -> Result<Option<TokenRecord>, StoreError> {
            let (mut c, url) = self.desk();
            let id: Option<i64> = match id_or_name.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => c
                    .query_opt(
                        "SELECT id FROM desk_tokens WHERE name = $1 AND revoked IS NULL",
                        &[&id_or_name],
                    )
                    .map_err(pg_err(&url, "finding a token"))?
                    .map(|r| r.get(0)),
            };
            let Some(id) = id else { return Ok(None) };
            c.execute(
                "UPDATE desk_tokens SET revoked = $2 WHERE id = $1 AND revoked IS NULL",
                &[&id, &time_text(Utc::now())],
            )
            .map_err(pg_err(&url, "revoking a token"))?;
            let row = c
                .query_opt(&format!("{TOKENS} WHERE id = $1"), &[&id])
                .map_err(pg_err(&url, "reading a token"))?;
            Ok(row.as_ref().map(token))
        }

        fn add_watchlist(
            &mut self,
            new: &NewWatchlist,
            baseline: &[String],
        ) -> Result<Option<Watchlist>, StoreError> {
            let (mut c, url) = self.desk();
            let now = time_text(Utc::now());
            let mut tx = c
                .transaction()
                .map_err(pg_err(&url, "starting a transaction"))?;
            let params: [&(dyn ToSql + Sync); 5] =
                [&new.name, &new.query, &new.webhook, &new.secret, &now];
            let inserted = tx.query_one(
                "INSERT INTO desk_watchlists (name, query, webhook, secret, created)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &params,
            );
            let id: i64 = match inserted {
                Ok(row) => row.get(0),
                Err(e) if unique_violation(&e) => return Ok(None),
                Err(e) => return Err(pg_err(&url, "storing a watchlist")(e)),
            };
            if !baseline.is_empty() {
                tx.execute(
                    "INSERT INTO desk_alerts (watchlist, incident, state, payload, created)
                     SELECT $1, i, 'baseline', 'null', $3 FROM unnest($2::text[]) AS i
                     ON CONFLICT DO NOTHING",
                    &[&id, &baseline, &now],
                )
                .map_err(pg_err(&url, "recording a watchlist baseline"))?;
            }
            let found = find_watchlist(&mut tx, &url, &id.to_string())?;
            tx.commit()
                .map_err(pg_err(&url, "committing a watchlist"))?;
            Ok(found)
        }

        fn watchlists(&self) -> Result<Vec<Watchlist>, StoreError> {
            let (mut c, url) = self.desk();
            let rows = c
                .query(&format!("{WATCHLISTS} ORDER BY id"), &[])
                .map_err(pg_err(&url, "reading watchlists"))?;
            Ok(rows.iter().map(watchlist).collect())
        }

        fn watchlist(&self, id_or_name: &str) -> Result<Option<Watchlist>, StoreError> {
            let (mut c, url) = self.desk();
            find_watchlist(&mut *c, &url, id_or_name)
        }

        fn remove_watchlist(&mut self, id_or_name: &str) -> Result<bool, StoreError> {
            let (mut c, url) = self.desk();
            let Some(w) = find_watchlist(&mut *c, &url, id_or_name)? else {
                return Ok(false);
            };
            let n = c
                .execute("DELETE FROM desk_watchlists WHERE id = $1", &[&w.id])
                .map_err(pg_err(&url, "deleting a watchlist"))?;
            Ok(n > 0)
        }

        fn record_alerts(
            &mut self,
            watchlist: i64,
            alerts: &[NewAlert],
        ) -> Result<Vec<Alert>, StoreError> {
            let (mut c, url) = self.desk();
            let now = Utc::now();
            let created = time_text(now);
            let mut tx = c
                .transaction()
                .map_err(pg_err(&url, "starting a transaction"))?;
            let mut added = Vec::new();
            for a in alerts {
                let next = (a.state == AlertState::Pending).then(|| millis(now));
                let payload = a.payload.to_string();
                let params: [&(dyn ToSql + Sync); 6] = [
                    &watchlist,
                    &a.incident,
                    &a.state.as_str(),
                    &payload,
                    &created,
                    &next,
                ];
                let row = tx
                    .query_opt(
                        "INSERT INTO desk_alerts AS a (watchlist, incident, state, payload, created, next_attempt)
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                             RETURNING a.id, a.watchlist, a.incident, a.state, a.payload, a.created, a.attempts, a.next_attempt, a.last_error, a.delivered",
                        &params,
                    )
                    .map_err(pg_err(&url, "recording alerts"))?;
                if let Some(row) = row {
                    added.push(alert(&row));
                }
            }
            tx.commit().map_err(pg_err(&url, "committing alerts"))?;
            Ok(added)
        }

        fn alerted_incidents(&self, watchlist: i64) -> Result<HashSet<String>, StoreError> {
            let (mut c, url) = self.desk();
            let rows = c
                .query(
                    "SELECT incident FROM desk_alerts WHERE watchlist = $1",
                    &[&watchlist],
                )
                .map_err(pg_err(&url, "reading alerts"))?;
            Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
        }

        fn claim_due_alerts(
            &mut self,
            now: DateTime<Utc>,
            lease: Duration,
            limit: usize,
        ) -> Result<Vec<DueAlert>, StoreError> {
            let (mut c, url) = self.desk();
            let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
            let until = millis(now).saturating_add(lease_ms);
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut tx = c
                .transaction()
                .map_err(pg_err(&url, "starting a transaction"))?;
            let rows = tx
                .query(
                    &format!(
                        "{ALERTS} WHERE a.state = 'pending' AND a.next_attempt <= $1
                         ORDER BY a.next_attempt, a.id LIMIT $2 FOR UPDATE SKIP LOCKED"
                    ),
                    &[&millis(now), &limit],
                )
                .map_err(pg_err(&url, "claiming alerts"))?;
            let mut claimed = Vec::new();
            for row in &rows {
                let mut a = alert(row);
                let target = tx
                    .query_opt(
                        "SELECT webhook, secret FROM desk_watchlists WHERE id = $1",
                        &[&a.watchlist],
                    )
                    .map_err(pg_err(&url, "claiming alerts"))?;
                let (webhook, secret): (Option<String>, Option<String>) =
                    target.map(|r| (r.get(0), r.get(1))).unwrap_or((None, None));
                match webhook {
                    Some(webhook) => {
                        tx.execute(
                            "UPDATE desk_alerts SET next_attempt = $2 WHERE id = $1",
                            &[&a.id, &until],
                        )
                        .map_err(pg_err(&url, "claiming alerts"))?;
                        a.next_attempt = Some(millis_time(until));
                        claimed.push(DueAlert {
                            alert: a,
                            webhook,
                            secret,
                        });
                    }
                    None => {
                        tx.execute(
                            "UPDATE desk_alerts SET state = 'recorded', next_attempt = NULL WHERE id = $1",
                            &[&a.id],
                        )
                        .map_err(pg_err(&url, "claiming alerts"))?;
                    }
                }
            }
            tx.commit().map_err(pg_err(&url, "claiming alerts"))?;
            Ok(claimed)
        }

        fn alert_delivered(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
            let (mut c, url) = self.desk();
            c.execute(
                "UPDATE desk_alerts SET state = 'delivered', delivered = $2, next_attempt = NULL,
                 attempts = attempts + 1 WHERE id = $1",
                &[&id, &time_text(at)],
            )
            .map_err(pg_err(&url, "recording a delivery"))?;
            Ok(())
        }

        fn alert_failed(
            &mut self,
            id: i64,
            error: &str,
            retry_at: Option<DateTime<Utc>>,
        ) -> Result<(), StoreError> {
            let (mut c, url) = self.desk();
            let state = if retry_at.is_some() {
                AlertState::Pending
            } else {
                AlertState::Dead
            };
            c.execute(
                "UPDATE desk_alerts SET state = $2, last_error = $3, next_attempt = $4,
                 attempts = attempts + 1 WHERE id = $1",
                &[&id, &state.as_str(), &error, &retry_at.map(millis)],
            )
            .map_err(pg_err(&url, "recording a failed delivery"))?;
            Ok(())
        }

        fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError> {
            let (mut c, url) = self.desk();
            let states: Vec<String> = if filter.states.is_empty() {
                [
                    AlertState::Recorded,
                    AlertState::Pending,
                    AlertState::Delivered,
                    AlertState::Dead,
                ]
                .iter()
                .map(|s| s.as_str().to_string())
                .collect()
            } else {
                filter
                    .states
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect()
            };
            let limit = if filter.limit == 0 {
                i64::MAX
            } else {
                i64::try_from(filter.limit).unwrap_or(i64::MAX)
            };
            let order = if filter.newest_first { "DESC" } else { "ASC" };
            let rows = c
                .query(
                    &format!(
                        "{ALERTS} WHERE ($1::BIGINT IS NULL OR a.watchlist = $1)
                         AND ($2::BIGINT IS NULL OR a.id > $2) AND a.state = ANY($3)
                         ORDER BY a.id {order} LIMIT $4"
                    ),
                    &[&filter.watchlist, &filter.after, &states, &limit],
                )
                .map_err(pg_err(&url, "reading alerts"))?;
            Ok(rows.iter().map(alert).collect())
        }

        fn change_marker(&self) -> Result<String, StoreError> {
            // Incident keys come from a sequence: every rewrite (recompute,
            // split) gives new keys, so the largest key moves.
            let (mut c, url) = self.desk();
            let row = c
                .query_one(
                    "SELECT (SELECT COALESCE(MAX(key), 0) FROM incidents),
                            (SELECT COUNT(*) FROM incidents),
                            (SELECT COALESCE(MAX(key), 0) FROM documents)",
                    &[],
                )
                .map_err(pg_err(&url, "reading the change marker"))?;
            Ok(format!(
                "{}:{}:{}",
                row.get::<_, i64>(0),
                row.get::<_, i64>(1),
                row.get::<_, i64>(2)
            ))
        }
    }
}

/// A store with a desk: what the server holds (`Box<dyn DeskStore>`).
/// Every type implementing both traits is one.
pub trait DeskStore: crate::Store + Desk {}

impl<T: crate::Store + Desk + ?Sized> DeskStore for T {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! The desk's behaviour, on SQLite and (with `VIGIL_TEST_POSTGRES`)
    //! on PostgreSQL.

    use super::*;
    use crate::suite::{postgres, run, sqlite, Fixture, R};

    fn alert(incident: &str, state: AlertState) -> NewAlert {
        NewAlert {
            incident: incident.into(),
            payload: serde_json::json!({ "incident": incident }),
            state,
        }
    }

    fn tokens(f: &Fixture) -> R {
        let mut s = open(&f.spec)?;
        let a = s.add_token("ci", "h1", "vigil_aaaaaa")?.unwrap();
        assert!(
            s.add_token("ci", "h2", "vigil_bbbbbb")?.is_none(),
            "active name taken"
        );
        let revoked = s.revoke_token("ci")?.unwrap();
        assert_eq!(revoked.id, a.id);
        assert!(revoked.revoked.is_some());
        assert!(
            s.revoke_token("ci")?.is_none(),
            "no active token of that name"
        );
        assert!(s.add_token("ci", "h2", "vigil_bbbbbb")?.is_some());
        assert!(
            s.add_token("other", "h2", "x")?.is_none(),
            "same hash twice"
        );
        assert_eq!(s.tokens()?.len(), 2);
        assert_eq!(
            s.revoke_token(&a.id.to_string())?.unwrap().revoked,
            revoked.revoked
        );
        Ok(())
    }

    fn once(f: &Fixture) -> R {
        let mut s = open(&f.spec)?;
        let new = NewWatchlist {
            name: "w".into(),
            query: "type:bombing".into(),
            webhook: Some("http://127.0.0.1:9/".into()),
            secret: Some("k".into()),
        };
        let w = s.add_watchlist(&new, &["old".to_string()])?.unwrap();
        assert!(s.add_watchlist(&new, &[])?.is_none(), "name taken");
        assert_eq!(s.watchlist("w")?.unwrap().id, w.id);
        assert_eq!(
            s.watchlist(&w.id.to_string())?.unwrap().secret.as_deref(),
            Some("k")
        );
        let added = s.record_alerts(
            w.id,
            &[
                alert("old", AlertState::Pending),
                alert("a", AlertState::Pending),
            ],
        )?;
        assert_eq!(added.len(), 1, "the baseline incident does not alert");
        assert_eq!(added[0].incident, "a");
        assert_eq!(added[0].payload["incident"], "a");
        // Another connection (another server) records nothing twice.
        let mut other = open(&f.spec)?;
        assert!(other
            .record_alerts(w.id, &[alert("a", AlertState::Pending)])?
            .is_empty());
        assert_eq!(
            s.alerted_incidents(w.id)?,
            ["old", "a"].iter().map(|x| x.to_string()).collect()
        );
        // Claimed under a lease: nobody else gets it meanwhile.
        let now = Utc::now();
        let due = s.claim_due_alerts(now, Duration::from_secs(60), 10)?;
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].webhook, "http://127.0.0.1:9/");
        assert_eq!(due[0].secret.as_deref(), Some("k"));
        assert!(other
            .claim_due_alerts(now, Duration::from_secs(60), 10)?
            .is_empty());
        // A failure schedules a retry; the last one makes it dead.
        let id = due[0].alert.id;
        s.alert_failed(id, "HTTP 500", Some(now))?;
        let again = other.claim_due_alerts(now, Duration::from_secs(60), 10)?;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].alert.attempts, 1);
        s.alert_failed(id, "HTTP 500", None)?;
        let dead = s.alerts(&AlertFilter {
            states: vec![AlertState::Dead],
            ..AlertFilter::default()
        })?;
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, 2);
        assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 500"));
        assert!(s
            .claim_due_alerts(now + chrono::Duration::hours(2), Duration::from_secs(1), 10)?
            .is_empty());
        // Listing hides baselines; removing the watchlist removes its alerts.
        assert_eq!(s.alerts(&AlertFilter::default())?.len(), 1);
        assert!(s.remove_watchlist("w")?);
        assert!(s.alerts(&AlertFilter::default())?.is_empty());
        assert!(!s.remove_watchlist("w")?);
        Ok(())
    }

    fn delivered(f: &Fixture) -> R {
        let mut s = open(&f.spec)?;
        let new = NewWatchlist {
            name: "w".into(),
            query: "type:arson".into(),
            webhook: Some("http://127.0.0.1:9/".into()),
            secret: None,
        };
        let w = s.add_watchlist(&new, &[])?.unwrap();
        s.record_alerts(
            w.id,
            &[
                alert("a", AlertState::Pending),
                alert("b", AlertState::Recorded),
            ],
        )?;
        let now = Utc::now();
        let due = s.claim_due_alerts(now, Duration::from_millis(1), 10)?;
        assert_eq!(due.len(), 1, "recorded alerts are not delivered");
        s.alert_delivered(due[0].alert.id, now)?;
        let later = now + chrono::Duration::hours(1);
        assert!(s
            .claim_due_alerts(later, Duration::from_secs(1), 10)?
            .is_empty());
        let all = s.alerts(&AlertFilter::default())?;
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].state, AlertState::Delivered);
        assert_eq!(all[0].attempts, 1);
        let newest = s.alerts(&AlertFilter {
            newest_first: true,
            limit: 1,
            after: Some(all[0].id),
            ..AlertFilter::default()
        })?;
        assert_eq!(newest.len(), 1);
        assert_eq!(newest[0].incident, "b");
        let marker = s.change_marker()?;
        assert_eq!(marker, s.change_marker()?);
        Ok(())
    }

    #[test]
    fn sqlite_tokens() -> R {
        run("sqlite", sqlite, tokens)
    }
    #[test]
    fn sqlite_alerts_once() -> R {
        run("sqlite", sqlite, once)
    }
    #[test]
    fn sqlite_delivered() -> R {
        run("sqlite", sqlite, delivered)
    }
    #[test]
    fn postgres_tokens() -> R {
        run("postgres", postgres, tokens)
    }
    #[test]
    fn postgres_alerts_once() -> R {
        run("postgres", postgres, once)
    }
    #[test]
    fn postgres_delivered() -> R {
        run("postgres", postgres, delivered)
    }
}
