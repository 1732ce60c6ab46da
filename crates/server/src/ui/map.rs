//! The map page (`/map`): countries shaded by incident count and one marker
//! per located incident, drawn on the server as SVG; and the timeline page
//! (`/timeline`): incidents per week by type. Both take a query (`q`) in
//! the query language.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;
use vigil_core::{EventType, Incident};
use vigil_store::desk::DeskStore;
use vigil_store::StoreError;

use super::html::esc;
use super::layout::{
    casualties, headline, incident_href, page, search_href, type_badge, Nav, PageResult,
};
use super::svg::{timeline_chart, world_map, Marker, Shading, Timeline};
use super::threat::incident_day;
use super::world::World;
use crate::query;
use crate::{AppState, Rendered};

/// Markers drawn at most (the most recent incidents).
pub const MAX_MARKERS: usize = 1500;

/// `?q=` of the map and timeline pages.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueryParams {
    pub q: Option<String>,
}

/// The marker of an incident with coordinates: tooltip "Bombing in
/// Kandahar, 2024-03-21, 3 killed (2 sources)", linked to its page.
pub fn incident_marker(incident: &Incident) -> Option<Marker> {
    let location = incident.location.as_ref()?;
    let geo = location.geo.as_ref()?;
    let mut title = headline(incident.kind, Some(&location.name));
    if let Some(day) = incident_day(incident) {
        let _ = write!(title, ", {day}");
    }
    let c = casualties(
        incident.killed,
        incident.fatal,
        incident.injured,
        incident.arrested,
    );
    if !c.is_empty() {
        let _ = write!(title, ", {c}");
    }
    let n = incident.sources.len();
    let _ = write!(title, " ({n} source{})", if n == 1 { "" } else { "s" });
    Some(Marker {
        lat: geo.lat,
        lon: geo.lon,
        title,
        href: Some(incident_href(&incident.id)),
        kind: incident.kind,
        weight: u32::try_from(n).unwrap_or(u32::MAX),
    })
}

fn query_form(action: &str, q: &str) -> String {
    format!(
        r#"<form class="big-search" action="{action}" method="get"><input type="search" name="q" value="{}" placeholder="type:bombing since:2024-01-01" aria-label="Query"> <button type="submit">Show</button></form>"#,
        esc(q)
    )
}

/// What the map shows, read in one pass over the matching incidents.
struct MapData {
    total: usize,
    unlocated: usize,
    counts: BTreeMap<String, u32>,
    /// The newest [`MAX_MARKERS`] markers.
    markers: Vec<Marker>,
}

fn read_map(s: &dyn DeskStore, query: &vigil_store::Query) -> Result<MapData, StoreError> {
    let mut data = MapData {
        total: 0,
        unlocated: 0,
        counts: BTreeMap::new(),
        markers: Vec::new(),
    };
    // (day, id, marker) of every located incident: sorted newest first at
    // the end, so that the marker cap keeps the newest.
    let mut dated: Vec<(Option<NaiveDate>, String, Marker)> = Vec::new();
    s.for_each_incident(query, &mut |incident| {
        data.total += 1;
        match incident.location.as_ref().and_then(|l| l.geo.as_ref()) {
            Some(geo) if !geo.country.is_empty() => {
                *data.counts.entry(geo.country.clone()).or_insert(0) += 1;
            }
            _ => data.unlocated += 1,
        }
        if let Some(m) = incident_marker(&incident) {
            dated.push((incident_day(&incident), incident.id.clone(), m));
        }
        Ok(())
    })?;
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    dated.truncate(MAX_MARKERS);
    data.markers = dated.into_iter().map(|(_, _, m)| m).collect();
    Ok(data)
}

/// The map page (computed once per store state and query, then served
/// from the cache).
pub async fn map(State(state): State<AppState>, Query(params): Query<QueryParams>) -> PageResult {
    let q = params.q.unwrap_or_default();
    let parsed = query::parse(&q)?;
    let db = state.db.clone();
    let rendered = state
        .cached(&format!("map:{q}"), || async move {
            let data = db.read(move |s| read_map(s, &parsed)).await?;
            Ok(Rendered {
                title: "Map".into(),
                body: render_map(&q, data),
            })
        })
        .await?;
    Ok(Html(page(&rendered.title, Nav::Map, "", &rendered.body)))
}

fn render_map(q: &str, data: MapData) -> String {
    let shading = Shading {
        counts: data.counts,
        href_template: Some(if q.trim().is_empty() {
            "/search?q=place:{}".to_string()
        } else {
            format!(
                "/search?q={}%20place:{{}}",
                super::html::url_component(q.trim())
            )
        }),
    };
    let markers = data.markers;
    let mut body = String::from("<h1>Map of incidents</h1>");
    body.push_str(&query_form("/map", q));
    let _ = write!(
        body,
        r#"<p class="meta" id="map-count">{} incidents, {} markers, {} without a known place. Click a country or a marker.</p><figure class="map-figure">"#,
        data.total,
        markers.len(),
        data.unlocated
    );
    body.push_str(&world_map(World::embedded(), &shading, &markers, 1100.0));
    body.push_str(r#"</figure><h2>By country</h2><table class="counts"><thead><tr><th>Country</th><th>Incidents</th></tr></thead><tbody>"#);
    let mut countries: Vec<(&String, &u32)> = shading.counts.iter().collect();
    countries.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let world = World::embedded();
    for (iso2, count) in countries.iter().take(40) {
        let name = world
            .country(iso2)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| iso2.to_string());
        let query = format!("{} place:{iso2}", q.trim());
        let _ = write!(
            body,
            r#"<tr><td><a href="{}">{}</a></td><td>{count}</td></tr>"#,
            esc(&search_href(query.trim())),
            esc(&name)
        );
    }
    body.push_str("</tbody></table>");
    body
}

/// The timeline page (computed once per store state and query, then
/// served from the cache).
pub async fn timeline(
    State(state): State<AppState>,
    Query(params): Query<QueryParams>,
) -> PageResult {
    let q = params.q.unwrap_or_default();
    let parsed = query::parse(&q)?;
    let db = state.db.clone();
    let rendered = state
        .cached(&format!("timeline:{q}"), || async move {
            let (total, totals, dated) = db
                .read(move |s| {
                    let mut total = 0usize;
                    let mut totals: BTreeMap<EventType, usize> = BTreeMap::new();
                    let mut dated = Vec::new();
                    s.for_each_incident(&parsed, &mut |incident| {
                        total += 1;
                        *totals.entry(incident.kind).or_insert(0) += 1;
                        if let Some(day) = incident_day(&incident) {
                            dated.push((day, incident.kind));
                        }
                        Ok(())
                    })?;
                    Ok((total, totals, dated))
                })
                .await?;
            Ok(Rendered {
                title: "Timeline".into(),
                body: render_timeline(&q, total, &totals, dated),
            })
        })
        .await?;
    Ok(Html(page(
        &rendered.title,
        Nav::Timeline,
        "",
        &rendered.body,
    )))
}

fn render_timeline(
    q: &str,
    total: usize,
    totals: &BTreeMap<EventType, usize>,
    dated: Vec<(NaiveDate, EventType)>,
) -> String {
    let undated = total - dated.len();
    let timeline = Timeline::weekly(dated, 156);
    let mut body = String::from("<h1>Timeline</h1>");
    body.push_str(&query_form("/timeline", q));
    let _ = write!(
        body,
        r#"<p class="meta">{} incidents per week by type ({} undated left out).</p><figure class="chart">"#,
        total, undated
    );
    body.push_str(&timeline_chart(&timeline, 1100.0, 320.0));
    body.push_str(r#"</figure><h2>By type</h2><table class="counts"><thead><tr><th>Type</th><th>Incidents</th></tr></thead><tbody>"#);
    for (kind, count) in totals {
        let query = format!("{} type:{}", q.trim(), kind.as_str());
        let _ = write!(
            body,
            r#"<tr><td><a href="{}">{}</a></td><td>{count}</td></tr>"#,
            esc(&search_href(query.trim())),
            type_badge(*kind)
        );
    }
    body.push_str("</tbody></table>");
    body
}
