//! The feed (`/`): the newest incidents with filters, the newest warnings
//! and plots, and the live alerts (Server-Sent Events from
//! `/api/v1/stream`, shown by `assets/app.js`) — and the search page
//! (`/search`), which lists incidents for a query in the query language.

use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use vigil_core::{EventType, Stage};
use vigil_store::desk::{Alert, AlertFilter};

use super::html::{esc, url_component};
use super::layout::{hit_list, incident_href, page, Nav, PageError, PageResult};
use super::svg::type_label;
use crate::api::incidents::{self, Filters, IncidentPage, Paging, Request};
use crate::{AppState, Rendered};

/// Query-string parameters of the feed and search pages (the API's filters).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub stage: Option<String>,
    pub actor: Option<String>,
    pub place: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub source: Option<String>,
    pub crime: Option<String>,
    pub killed: Option<String>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
}

impl ListParams {
    fn filters(&self) -> Filters {
        Filters {
            q: self.q.clone(),
            kind: self.kind.clone(),
            stage: self.stage.clone(),
            actor: self.actor.clone(),
            place: self.place.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            source: self.source.clone(),
            crime: self.crime.clone(),
            killed: self.killed.clone(),
        }
    }

    /// The query string of these parameters with another cursor.
    fn with_cursor(&self, cursor: &str) -> String {
        let pairs = [
            ("q", &self.q),
            ("type", &self.kind),
            ("stage", &self.stage),
            ("actor", &self.actor),
            ("place", &self.place),
            ("since", &self.since),
            ("until", &self.until),
            ("source", &self.source),
            ("crime", &self.crime),
            ("killed", &self.killed),
            ("sort", &self.sort),
        ];
        let mut out = String::new();
        for (name, value) in pairs {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                let _ = write!(out, "{name}={}&", url_component(v));
            }
        }
        let _ = write!(out, "cursor={}", url_component(cursor));
        out
    }
}

fn value(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// The attribute that marks a menu's option as chosen: ` selected` when
/// the parameter's value `chosen` is the option's `value`.
fn selected(chosen: &str, value: &str) -> &'static str {
    if chosen == value {
        " selected"
    } else {
        ""
    }
}

/// The filter form of the feed.
fn filter_form(p: &ListParams) -> String {
    let mut out = String::from(
        r#"<form class="filters" action="/" method="get"><label>Type <select name="type"><option value="">any</option>"#,
    );
    for kind in EventType::ALL {
        let selected = selected(value(&p.kind), kind.as_str());
        let _ = write!(
            out,
            r#"<option value="{}"{selected}>{}</option>"#,
            kind.as_str(),
            esc(&type_label(kind))
        );
    }
    out.push_str(
        r#"</select></label><label>Stage <select name="stage"><option value="">any</option>"#,
    );
    for stage in [
        Stage::Accomplished,
        Stage::Attempted,
        Stage::Foiled,
        Stage::Planned,
        Stage::Threatened,
    ] {
        let selected = selected(value(&p.stage), stage.as_str());
        let _ = write!(
            out,
            r#"<option value="{0}"{selected}>{0}</option>"#,
            stage.as_str()
        );
    }
    // The toll: a `killed:` term (an uncounted death counts as one).
    out.push_str(r#"</select></label><label>Dead <select name="killed">"#);
    for (term, label) in [
        ("", "any"),
        (">=1", "at least one"),
        (">=10", "10 or more"),
        ("0", "none"),
    ] {
        let selected = selected(value(&p.killed), term);
        let _ = write!(
            out,
            r#"<option value="{}"{selected}>{label}</option>"#,
            esc(term)
        );
    }
    let _ = write!(
        out,
        r#"</select></label>
<label>Place <input name="place" value="{}" placeholder="France, Kabul, DE"></label>
<label>Actor <input name="actor" value="{}" placeholder="ISIS-K"></label>
<label>Since <input type="date" name="since" value="{}"></label>
<label>Until <input type="date" name="until" value="{}"></label>
<label>Words <input name="q" value="{}" placeholder="free text or query"></label>
<button type="submit">Filter</button> <a href="/">clear</a></form>"#,
        esc(value(&p.place)),
        esc(value(&p.actor)),
        esc(value(&p.since)),
        esc(value(&p.until)),
        esc(value(&p.q))
    );
    out
}

/// One stored alert as a list item (the same markup `app.js` builds for
/// live ones).
pub fn alert_item(alert: &Alert) -> String {
    let payload = &alert.payload;
    let text = |pointer: &str| {
        payload
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap_or("")
    };
    let kind = text("/incident/type").replace('_', " ");
    let place = text("/incident/place");
    let mut label = if kind.is_empty() {
        "incident".to_string()
    } else {
        kind
    };
    if !place.is_empty() {
        label = format!("{label} in {place}");
    }
    format!(
        r#"<li class="alert"><span class="watchlist">{}</span> <a href="{}">{}</a> <time>{}</time></li>"#,
        esc(text("/watchlist/name")),
        esc(&incident_href(&alert.incident)),
        esc(&label),
        alert.created.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The feed page.
pub async fn feed(State(state): State<AppState>, Query(params): Query<ListParams>) -> PageResult {
    let filters = params.filters();
    let paging = Paging {
        sort: Some("time".into()),
        limit: Some(30),
        cursor: params.cursor.clone(),
    };
    let request = Request::new(&filters, &paging)?;
    // Warnings and plots beside the feed (only when no type is chosen: a
    // chosen type already narrows the feed).
    let side = if value(&params.kind).is_empty() {
        let side_filters = Filters {
            kind: Some("warning,plot".into()),
            ..filters.clone()
        };
        let side_paging = Paging {
            sort: Some("time".into()),
            limit: Some(12),
            cursor: None,
        };
        Some(Request::new(&side_filters, &side_paging)?)
    } else {
        None
    };
    // The plain feed (no filter, first page) is every analyst's: its two
    // lists are computed once per store state; the alerts are read each
    // time (they change without the store's incidents changing).
    let plain = incidents::is_feed(&request) && side.is_some() && value(&params.sort).is_empty();
    let (main, side_html) = if plain {
        let db = state.db.clone();
        let p = params.clone();
        let cached = state
            .cached("page:feed", || async move {
                let (list, warnings) = db
                    .read(move |s| {
                        let list = incidents::newest(s, &request)?;
                        let warnings = side.map(|r| incidents::list(s, &r)).transpose()?;
                        Ok((list, warnings))
                    })
                    .await?;
                // Two fragments: the main column and the warnings.
                Ok(Rendered {
                    title: main_column(&p, &list),
                    body: warnings.as_ref().map(warnings_section).unwrap_or_default(),
                })
            })
            .await?;
        (cached.title.clone(), cached.body.clone())
    } else {
        let p = params.clone();
        let (list, warnings) = state
            .db
            .read(move |s| {
                let list = incidents::list(s, &request)?;
                let warnings = side.map(|r| incidents::list(s, &r)).transpose()?;
                Ok((list, warnings))
            })
            .await?;
        (
            main_column(&p, &list),
            warnings.as_ref().map(warnings_section).unwrap_or_default(),
        )
    };
    let alerts = state
        .db
        .read(move |s| {
            s.alerts(&AlertFilter {
                newest_first: true,
                limit: 10,
                ..AlertFilter::default()
            })
        })
        .await?;

    let mut body = String::new();
    body.push_str(r#"<h1>Feed</h1>"#);
    body.push_str(&filter_form(&params));
    body.push_str(&main);
    body.push_str(r#"<aside class="side-col">"#);
    body.push_str(
        r#"<section id="live" class="live" data-stream="/api/v1/stream" aria-live="polite"><h2>Live alerts <span class="live-state" id="live-state">offline</span></h2><ol id="alerts" class="alerts">"#,
    );
    for alert in &alerts {
        body.push_str(&alert_item(alert));
    }
    body.push_str("</ol>");
    if alerts.is_empty() {
        body.push_str(r#"<p class="empty" id="no-alerts">No alerts yet. Save a watchlist (<code>vigil watchlist add</code>) to be alerted here.</p>"#);
    }
    body.push_str("</section>");
    body.push_str(&side_html);
    body.push_str("</aside></div>");
    Ok(Html(page("Feed", Nav::Feed, value(&params.q), &body)))
}

/// The feed's main column: the count, the newest incidents, the pager.
fn main_column(params: &ListParams, list: &IncidentPage) -> String {
    let mut out =
        String::from(r#"<div class="columns"><section class="main-col"><h2>Newest incidents</h2>"#);
    let _ = write!(
        out,
        r#"<p class="meta">{} incidents match <code>{}</code></p>"#,
        list.total_label(),
        esc(if list.query.is_empty() {
            "everything"
        } else {
            &list.query
        })
    );
    out.push_str(&hit_list(&list.items, "No incidents match."));
    out.push_str(&older_link("/", params, list));
    out.push_str("</section>");
    out
}

/// The warnings and plots beside the feed.
fn warnings_section(w: &IncidentPage) -> String {
    let mut out = String::from(r#"<section><h2>Warnings and plots</h2>"#);
    out.push_str(&hit_list(&w.items, "No warnings or plots."));
    out.push_str("</section>");
    out
}

fn older_link(path: &str, params: &ListParams, list: &IncidentPage) -> String {
    match &list.next_cursor {
        Some(cursor) => format!(
            r#"<p class="pager"><a rel="next" href="{path}?{}">More →</a></p>"#,
            esc(&params.with_cursor(cursor))
        ),
        None => String::new(),
    }
}

/// The search page: the query language, relevance or time order, pages.
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let q = value(&params.q).to_string();
    let mut body = String::from("<h1>Search</h1>");
    let _ = write!(
        body,
        r#"<form class="big-search" action="/search" method="get"><input type="search" name="q" value="{}" aria-label="Query" autofocus> <select name="sort" aria-label="Order"><option value="">best first</option><option value="time"{}>newest first</option></select> <button type="submit">Search</button></form>"#,
        esc(&q),
        selected(value(&params.sort), "time")
    );
    if q.trim().is_empty()
        && params
            .filters()
            .text()
            .map(|t| t.is_empty())
            .unwrap_or(true)
    {
        body.push_str(HELP);
        return Ok(Html(page("Search", Nav::Search, "", &body)).into_response());
    }
    let paging = Paging {
        sort: params.sort.clone().filter(|s| !s.is_empty()),
        limit: Some(25),
        cursor: params.cursor.clone(),
    };
    let request = match Request::new(&params.filters(), &paging) {
        Ok(r) => r,
        Err(err) => {
            // A malformed query: say where, keep the form.
            let _ = write!(
                body,
                r#"<p class="error" id="query-error">{}</p>"#,
                esc(&err.to_string())
            );
            body.push_str(HELP);
            let html = page("Search", Nav::Search, &q, &body);
            return Ok((err.status(), Html(html)).into_response());
        }
    };
    let list = state.db.read(move |s| incidents::list(s, &request)).await?;
    let _ = write!(
        body,
        r#"<p class="meta" id="total">{} incidents for <code>{}</code> ({})</p>"#,
        list.total_label(),
        esc(&list.query),
        esc(&list.sort)
    );
    body.push_str(&hit_list(&list.items, "Nothing matches this query."));
    body.push_str(&older_link("/search", &params, &list));
    Ok(Html(page(&format!("Search: {q}"), Nav::Search, &q, &body)).into_response())
}

/// The query language in brief.
const HELP: &str = r#"<section class="help"><h2>Query language</h2>
<p>Terms separated by spaces; quote values with spaces. Different fields must all hold; the same field twice matches either value.</p>
<table><tbody>
<tr><td><code>word</code>, <code>"a phrase"</code></td><td>free text in the evidence sentences and titles</td></tr>
<tr><td><code>type:bombing</code></td><td>attack, bombing, shooting, stabbing, arson, kidnapping, hostage_taking, vehicle_ramming, assassination, robbery, plot, arrest, raid, conviction, warning, claim</td></tr>
<tr><td><code>stage:foiled</code></td><td>accomplished, attempted, foiled, planned, threatened</td></tr>
<tr><td><code>crime:attack</code></td><td>what an arrest, raid or conviction holds people for (the same types as <code>type:</code>)</td></tr>
<tr><td><code>killed:3</code> <code>killed:&gt;=10</code> <code>killed:&lt;5</code> <code>killed:1..9</code></td><td>the count of the dead; <code>killed:&gt;0</code> also finds deaths told without a count</td></tr>
<tr><td><code>actor:"ISIS-K"</code></td><td>a perpetrator by name, alias or knowledge-base id</td></tr>
<tr><td><code>place:France</code></td><td>a place name, ISO code (<code>place:DE</code>), country name or demonym</td></tr>
<tr><td><code>since:2024-01-01</code> <code>until:2024-06-30</code></td><td>incident dates</td></tr>
<tr><td><code>source:"New York Times"</code></td><td>an outlet (part of the name)</td></tr>
</tbody></table>
<p>Examples: <a href="/search?q=type%3Aplot%20stage%3Afoiled">type:plot stage:foiled</a> · <a href="/search?q=type%3Awarning">type:warning</a> · <a href="/search?q=place%3AGermany">place:Germany</a></p>
</section>"#;
