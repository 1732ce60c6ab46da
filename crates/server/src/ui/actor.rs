//! The actor page (`/actors/{key}`): aliases, parent group, first and last
//! seen, a timeline of its attacks, plots, arrests and warnings, the map
//! and list of its places, and its incidents by kind.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::response::Html;
use vigil_store::desk::DeskStore;
use vigil_store::{Actor, Hit, Page, Sort, StoreError};

use super::html::esc;
use super::layout::{hit_list, page, search_href, Nav, PageResult};
use super::map::{incident_marker, MAX_MARKERS};
use super::svg::{timeline_chart, world_map, Shading, Timeline};
use super::threat::{base, incident_day, Signal};
use super::world::World;
use crate::error::{ApiError, ApiResult};
use crate::query;
use crate::{AppState, Db, Rendered};

/// What the page shows besides the actor.
struct Profile {
    total: usize,
    timeline: Timeline,
    shading: Shading,
    markers: Vec<super::svg::Marker>,
    places: Vec<(String, usize)>,
    by_signal: BTreeMap<Signal, Vec<Hit>>,
}

/// The query finding an actor's incidents: `place:` for places, else
/// `actor:` (by knowledge-base id when linked).
fn actor_query(actor: &Actor) -> Result<String, ApiError> {
    let field = if actor.kind.is_place() {
        "place"
    } else {
        "actor"
    };
    let value = actor.kb_id.clone().unwrap_or_else(|| actor.name.clone());
    query::term(field, &value.replace('"', ""))
}

/// Reads an actor's profile in one pass over its incidents (none is
/// kept): the 200 most recent are searched first, so that the pass only
/// notes the signal of those.
fn read_profile(s: &dyn DeskStore, query: &vigil_store::Query) -> Result<Profile, StoreError> {
    let recent = s
        .search(
            query,
            &Page {
                offset: 0,
                limit: 200,
                sort: Sort::Recent,
            },
        )?
        .hits;
    let wanted: HashSet<&str> = recent.iter().map(|h| h.id.as_str()).collect();
    let mut total = 0usize;
    let mut dated = Vec::new();
    let mut shading = Shading {
        href_template: None,
        ..Shading::default()
    };
    let mut markers = Vec::new();
    let mut places: BTreeMap<String, usize> = BTreeMap::new();
    let mut signal_of: HashMap<String, Signal> = HashMap::new();
    s.for_each_incident(query, &mut |incident| {
        total += 1;
        if let Some(day) = incident_day(&incident) {
            dated.push((day, incident.kind));
        }
        if let Some(location) = &incident.location {
            *places.entry(location.name.clone()).or_insert(0) += 1;
            if let Some(geo) = &location.geo {
                if !geo.country.is_empty() {
                    *shading.counts.entry(geo.country.clone()).or_insert(0) += 1;
                }
            }
        }
        if markers.len() < MAX_MARKERS {
            if let Some(m) = incident_marker(&incident) {
                markers.push(m);
            }
        }
        if wanted.contains(incident.id.as_str()) {
            signal_of.insert(incident.id.clone(), base(&incident).0);
        }
        Ok(())
    })?;
    let mut places: Vec<(String, usize)> = places.into_iter().collect();
    places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    places.truncate(30);
    let mut by_signal: BTreeMap<Signal, Vec<Hit>> = BTreeMap::new();
    for hit in recent {
        if let Some(signal) = signal_of.get(hit.id.as_str()) {
            by_signal.entry(*signal).or_default().push(hit);
        }
    }
    Ok(Profile {
        total,
        timeline: Timeline::weekly(dated, 104),
        shading,
        markers,
        places,
        by_signal,
    })
}

fn header(actor: &Actor) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<h1 id="actor-name">{}</h1><p class="meta"><span class="etype">{}</span>"#,
        esc(&actor.name),
        esc(actor.kind.as_str())
    );
    if let Some(kb) = &actor.kb_id {
        let _ = write!(out, r#" · <code>{}</code>"#, esc(kb));
    }
    let _ = write!(
        out,
        " · named in {} documents, {} incidents",
        actor.documents, actor.incidents
    );
    out.push_str("</p><dl class=\"facts\">");
    let aliases: Vec<&String> = actor.aliases.iter().filter(|a| **a != actor.name).collect();
    if !aliases.is_empty() {
        let list: Vec<String> = aliases.iter().map(|a| esc(a).to_string()).collect();
        let _ = write!(out, "<dt>Also known as</dt><dd>{}</dd>", list.join(", "));
    }
    if let Some(parent) = &actor.parent {
        let href = query::term("actor", &parent.replace('"', ""))
            .map(|t| search_href(&t))
            .unwrap_or_else(|_| "/search".into());
        let _ = write!(
            out,
            r#"<dt>Parent group</dt><dd><a href="{}">{}</a></dd>"#,
            esc(&href),
            esc(parent)
        );
    }
    if let Some(geo) = &actor.geo {
        let _ = write!(
            out,
            "<dt>Location</dt><dd>{:.3}, {:.3} ({})</dd>",
            geo.lat,
            geo.lon,
            esc(&geo.country)
        );
    }
    if let (Some(first), Some(last)) = (actor.first_seen, actor.last_seen) {
        let _ = write!(
            out,
            "<dt>Seen</dt><dd>{} – {}</dd>",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        );
    }
    out.push_str("</dl>");
    out
}

/// The actor page. Its profile is a pass over every incident of the
/// actor: the page is computed once per store state, then served from the
/// cache.
pub async fn actor(State(state): State<AppState>, Path(key): Path<String>) -> PageResult {
    let db = state.db.clone();
    let k = key.clone();
    let rendered = state
        .cached(&format!("actor:{key}"), || render(db, k))
        .await?;
    Ok(Html(page(&rendered.title, Nav::None, "", &rendered.body)))
}

/// Reads the actor and its incidents, renders the page.
async fn render(db: Db, key: String) -> ApiResult<Rendered> {
    let k = key.clone();
    let Some(actor) = db.read(move |s| s.actor(&k)).await? else {
        return Err(ApiError::NotFound(format!("actor {key:?}")));
    };
    let term = actor_query(&actor)?;
    let parsed = query::parse(&term)?;
    let profile = db.read(move |s| read_profile(s, &parsed)).await?;
    let mut body = header(&actor);
    let _ = write!(
        body,
        r#"<p>{} incidents for <a href="{}"><code>{}</code></a></p>"#,
        profile.total,
        esc(&search_href(&term)),
        esc(&term)
    );
    body.push_str(r#"<h2>Timeline</h2><figure class="chart">"#);
    body.push_str(&timeline_chart(&profile.timeline, 900.0, 220.0));
    body.push_str("</figure>");
    body.push_str(r#"<div class="columns"><section class="main-col">"#);
    for (signal, heading) in [
        (Signal::Attack, "Attacks"),
        (Signal::Plot, "Plots"),
        (Signal::Arrest, "Arrests, raids and convictions"),
        (Signal::Warning, "Warnings and claims"),
    ] {
        let hits = profile
            .by_signal
            .get(&signal)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let _ = write!(body, r#"<h2>{heading} ({})</h2>"#, hits.len());
        body.push_str(&hit_list(&hits[..hits.len().min(20)], "None."));
    }
    body.push_str(r#"</section><aside class="side-col"><h2>Places</h2><figure class="mini-map">"#);
    body.push_str(&world_map(
        World::embedded(),
        &profile.shading,
        &profile.markers,
        420.0,
    ));
    body.push_str(r#"</figure><ul class="places">"#);
    for (name, count) in &profile.places {
        let href = query::term("place", &name.replace('"', ""))
            .map(|t| format!("{term} {t}"))
            .map(|q| search_href(&q))
            .unwrap_or_else(|_| "/search".into());
        let _ = write!(
            body,
            r#"<li><a href="{}">{}</a> <span class="count">{count}</span></li>"#,
            esc(&href),
            esc(name)
        );
    }
    body.push_str("</ul></aside></div>");
    Ok(Rendered {
        title: actor.name,
        body,
    })
}
