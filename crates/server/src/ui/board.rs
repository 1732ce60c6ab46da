//! The threat board (`/threats`): countries, cities, and sites and events
//! ranked by the recency-weighted score of [`super::threat`], each with the
//! evidence behind it. `?as_of=YYYY-MM-DD` sets the day ages are counted
//! to; by default the latest incident day in the store, or today if that
//! is later (so an archive of old articles still ranks).

use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;

use super::html::esc;
use super::layout::{actor_href, incident_href, page, search_href, type_badge, Nav, PageResult};
use super::threat::{
    incident_day, Board, BoardBuilder, Places, Row, Signal, TargetKind, HALF_LIFE_DAYS,
    HORIZON_DAYS,
};
use crate::error::ApiError;
use crate::query::gazetteer;
use crate::state::Rendered;
use crate::AppState;
use vigil_store::desk::DeskStore;
use vigil_store::{Page, Sort, StoreError};

/// Rows per table.
const ROWS: usize = 15;

/// `?as_of=` of the board.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BoardParams {
    pub as_of: Option<String>,
}

/// Country names and country tests from the embedded gazetteer.
struct Gazetteer;

impl Places for Gazetteer {
    fn country_name(&self, iso2: &str) -> Option<String> {
        gazetteer()?.country(iso2).map(|c| c.name.clone())
    }

    fn is_country(&self, name: &str) -> bool {
        gazetteer().is_some_and(|g| g.country_by_name(name).is_some())
    }
}

fn row_href(row: &Row) -> String {
    match row.kind {
        TargetKind::Country => search_href(&format!("place:{}", row.key)),
        TargetKind::City => actor_href(&row.key),
        TargetKind::SiteOrEvent => {
            let kb = row.key.split('@').next().unwrap_or(&row.key);
            actor_href(kb)
        }
    }
}

fn table(title: &str, id: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = write!(out, r#"<section class="board" id="{id}"><h2>{title}</h2>"#);
    if rows.is_empty() {
        out.push_str(r#"<p class="empty">Nothing in the last year.</p></section>"#);
        return out;
    }
    let top = rows.first().map(|r| r.score).unwrap_or(1.0).max(1e-9);
    out.push_str(r#"<table class="ranking"><thead><tr><th>#</th><th>Target</th><th>Score</th><th>Attacks</th><th>Plots</th><th>Arrests</th><th>Warnings</th><th>Evidence</th></tr></thead><tbody>"#);
    for (rank, row) in rows.iter().enumerate() {
        let count = |s: Signal| row.counts.get(&s).copied().unwrap_or(0);
        let width = (row.score / top * 100.0).clamp(1.0, 100.0);
        let _ = write!(
            out,
            r##"<tr><td>{}</td><td><a href="{}">{}</a></td><td class="score"><svg class="bar" width="100" height="10" aria-hidden="true"><rect width="{width:.0}" height="10" fill="#d4553d"/></svg> {:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><details><summary>{} incident{}</summary><ol class="evidence">"##,
            rank + 1,
            esc(&row_href(row)),
            esc(&row.label),
            row.score,
            count(Signal::Attack),
            count(Signal::Plot),
            count(Signal::Arrest),
            count(Signal::Warning),
            row.incidents,
            if row.incidents == 1 { "" } else { "s" }
        );
        for e in &row.evidence {
            let _ = write!(
                out,
                r#"<li>{} <a href="{}">{}</a> <time>{}</time>: {:.0} × {:.2} (age) × {:.2} ({} document{}) = <b>{:.2}</b></li>"#,
                type_badge(e.kind),
                esc(&incident_href(&e.incident)),
                esc(e.place.as_deref().unwrap_or("unknown place")),
                e.day,
                e.base,
                e.recency,
                e.corroboration,
                e.documents,
                if e.documents == 1 { "" } else { "s" },
                e.points
            );
        }
        if row.incidents > row.evidence.len() {
            let _ = write!(
                out,
                "<li>… and {} more</li>",
                row.incidents - row.evidence.len()
            );
        }
        out.push_str("</ol></details></td></tr>");
    }
    out.push_str("</tbody></table></section>");
    out
}

/// The threat board page.
pub async fn threats(
    State(state): State<AppState>,
    Query(params): Query<BoardParams>,
) -> PageResult {
    let as_of = match params
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::BadRequest(format!("as_of {text:?} is not a date: use YYYY-MM-DD"))
        })?),
        None => None,
    };
    // The board is a pass over a year of incidents: it is computed once
    // per store state and as_of, then served from the cache.
    // Without as_of the board depends on today's date too (see board()).
    let key = format!(
        "board:{}:{}",
        as_of.map(|d| d.to_string()).unwrap_or_default(),
        Utc::now().date_naive()
    );
    let db = state.db.clone();
    let body = state
        .cached(&key, || async move {
            let board = db.read(move |s| board(s, as_of)).await?;
            Ok(Rendered {
                title: "Threat board".into(),
                body: render(&board),
            })
        })
        .await?;
    Ok(Html(page(&body.title, Nav::Threats, "", &body.body)))
}

/// The latest day an incident is dated by ([`incident_day`]), from the
/// incidents ending on or after the latest start date (the search index's
/// recency), not from every incident.
pub fn latest_day(s: &dyn DeskStore) -> Result<Option<NaiveDate>, StoreError> {
    let top = s.search(
        &vigil_store::Query::default(),
        &Page {
            offset: 0,
            limit: 1,
            sort: Sort::Recent,
        },
    )?;
    let Some(start) = top.hits.first().and_then(|h| h.recency) else {
        // Nothing dated.
        return Ok(None);
    };
    // Every incident's end is at or after its start, so the latest end is
    // among the incidents ending on or after the latest start.
    let recent = vigil_store::Query {
        since: Some(start),
        ..vigil_store::Query::default()
    };
    let mut latest: Option<NaiveDate> = None;
    s.for_each_incident(&recent, &mut |i| {
        latest = latest.max(incident_day(&i));
        Ok(())
    })?;
    Ok(latest)
}

/// The board as of `as_of` (default: the latest incident day, capped at
/// today), from the incidents of the [`HORIZON_DAYS`] before it (a
/// `since:` query, not every incident).
pub fn board(s: &dyn DeskStore, as_of: Option<NaiveDate>) -> Result<Board, StoreError> {
    board_with(s, as_of, &Gazetteer)
}

/// [`board`] with another namer of places.
pub fn board_with(
    s: &dyn DeskStore,
    as_of: Option<NaiveDate>,
    places: &dyn Places,
) -> Result<Board, StoreError> {
    let as_of = match as_of {
        Some(day) => day,
        None => {
            let today = Utc::now().date_naive();
            latest_day(s)?.map_or(today, |d| d.min(today))
        }
    };
    let mut builder = BoardBuilder::new(as_of, places);
    let horizon = vigil_store::Query {
        since: as_of.checked_sub_days(Days::new(HORIZON_DAYS.unsigned_abs())),
        ..vigil_store::Query::default()
    };
    s.for_each_incident(&horizon, &mut |i| {
        builder.add(&i);
        Ok(())
    })?;
    Ok(builder.finish(ROWS))
}

/// The board's page body.
fn render(board: &Board) -> String {
    let as_of = board.as_of.map(|d| d.to_string()).unwrap_or_default();
    let mut body = String::from("<h1>Threat board</h1>");
    let _ = write!(
        body,
        r#"<p class="meta">As of <time id="as-of">{}</time>. Score = Σ over the incidents of the last {HORIZON_DAYS} days of base × 0.5<sup>age/{HALF_LIFE_DAYS:.0} days</sup> × corroboration; base: warning 3, plot 4, arrest/raid/conviction 2, claim 1, attack 3 (+1/+2/+3 for 1/10/100+ killed or injured); corroboration 1 + 0.25 per extra document (at most 2). <a href="https://github.com/vigil-osint/vigil/blob/main/docs/dashboard.md#threat-board">How the score works</a>.</p>
<form class="filters" action="/threats" method="get"><label>As of <input type="date" name="as_of" value="{}"></label> <button type="submit">Rank</button></form>"#,
        esc(&as_of),
        esc(&as_of)
    );
    body.push_str(r#"<div class="boards">"#);
    body.push_str(&table("Countries", "board-countries", &board.countries));
    body.push_str(&table("Cities", "board-cities", &board.cities));
    body.push_str(&table("Sites and events", "board-sites", &board.sites));
    body.push_str("</div>");
    body
}
