//! The incident page (`/incidents/{id}`): what, who, where, when,
//! casualties and stage; every source with its evidence, quotes, link and
//! chain of citations; disagreements between sources; why they were merged.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::response::Html;
use vigil_core::{Incident, IncidentEntity};

use super::html::{esc, is_web_url};
use super::layout::{
    actor_href, casualties, document_href, headline, page, search_href, stage_badge, type_badge,
    Nav, PageResult,
};
use super::svg::{world_map, Marker, Shading};
use super::world::World;
use crate::api::incidents::{self, SourceDetail};
use crate::error::ApiError;
use crate::query::term;
use crate::AppState;

/// A linked entity: to its actor page when it has a knowledge-base id,
/// else to a search for it in `field` (a phrase search when `field` is
/// empty).
fn entity_link(entity: &IncidentEntity, field: &str) -> String {
    let name = entity.name.replace('"', "");
    let href = match &entity.kb_id {
        Some(kb) if !kb.is_empty() => actor_href(kb),
        _ if field.is_empty() => search_href(&format!("\"{name}\"")),
        _ => match term(field, &name) {
            Ok(t) => search_href(&t),
            Err(_) => return esc(&entity.name).to_string(),
        },
    };
    format!(r#"<a href="{}">{}</a>"#, esc(&href), esc(&entity.name))
}

fn entity_list(list: &[IncidentEntity], field: &str) -> String {
    if list.is_empty() {
        return r#"<span class="none">—</span>"#.to_string();
    }
    list.iter()
        .map(|e| entity_link(e, field))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Shafaq News → The New York Times → UN report": who reports first, then
/// whom they cite (the API gives the chain origin first).
pub fn chain_text(chain: &[String]) -> String {
    chain
        .iter()
        .rev()
        .map(|s| esc(s).to_string())
        .collect::<Vec<_>>()
        .join(" → ")
}

fn source_block(source: &SourceDetail) -> String {
    let mut out = String::from(r#"<li class="source">"#);
    let outlet = source.outlet.as_deref().unwrap_or("unknown outlet");
    let _ = write!(out, r#"<h3><span class="outlet">{}</span>"#, esc(outlet));
    if let Some(title) = &source.title {
        let _ = write!(out, r#" — <span class="doc-title">{}</span>"#, esc(title));
    }
    out.push_str("</h3><p class=\"meta\">");
    if let Some(published) = &source.published {
        let _ = write!(out, "published <time>{}</time> · ", esc(published));
    }
    let _ = write!(
        out,
        "reports: {} ({}), confidence {:.2}",
        esc(&source.kind.replace('_', " ")),
        esc(&source.stage),
        source.confidence
    );
    if let Some(trigger) = &source.trigger {
        let _ = write!(out, r#" · trigger “{}”"#, esc(trigger));
    }
    let _ = write!(
        out,
        r#" · <a href="{}">document</a>"#,
        esc(&document_href(&source.doc_id))
    );
    if let Some(url) = &source.url {
        if is_web_url(url) {
            let _ = write!(
                out,
                r#" · <a href="{}" rel="noopener noreferrer nofollow">original</a>"#,
                esc(url)
            );
        } else {
            let _ = write!(out, r#" · <span class="url">{}</span>"#, esc(url));
        }
    }
    out.push_str("</p>");
    if source.chain.len() > 1 {
        let _ = write!(
            out,
            r#"<p class="chain">Chain of sources: {}</p>"#,
            chain_text(&source.chain)
        );
    }
    for sentence in &source.evidence {
        let _ = write!(
            out,
            r#"<blockquote class="evidence">{}</blockquote>"#,
            esc(sentence)
        );
    }
    if !source.quotes.is_empty() {
        out.push_str(r#"<ul class="quotes">"#);
        for quote in &source.quotes {
            let speaker = quote.speaker.as_deref().unwrap_or("unattributed");
            let _ = write!(
                out,
                r#"<li><span class="speaker">{}</span>: “{}”</li>"#,
                esc(speaker),
                esc(&quote.text)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
    out
}

/// The incident's facts as a definition list.
fn facts(incident: &Incident) -> String {
    let mut out = String::from(r#"<dl class="facts">"#);
    let _ = write!(
        out,
        "<dt>What</dt><dd>{} {}</dd>",
        type_badge(incident.kind),
        stage_badge(incident.stage)
    );
    let when = match &incident.date {
        Some(d) if d.start == d.end => format!("{} (“{}”)", d.start, esc(&d.text)),
        Some(d) => format!("{} – {} (“{}”)", d.start, d.end, esc(&d.text)),
        None => "unknown".to_string(),
    };
    let _ = write!(out, "<dt>When</dt><dd>{when}");
    if let Some(first) = incident.first_seen {
        let _ = write!(
            out,
            r#" · first reported {}"#,
            first.format("%Y-%m-%d %H:%M %:z")
        );
    }
    out.push_str("</dd><dt>Where</dt><dd>");
    match &incident.location {
        Some(l) => {
            out.push_str(&entity_link(l, "place"));
            if let Some(g) = &l.geo {
                let _ = write!(
                    out,
                    r#" <span class="meta">({:.3}, {:.3}, {})</span>"#,
                    g.lat,
                    g.lon,
                    esc(&g.country)
                );
            }
        }
        None => out.push_str(r#"<span class="none">unknown</span>"#),
    }
    out.push_str("</dd>");
    let _ = write!(
        out,
        "<dt>Who</dt><dd>{}</dd><dt>Targets</dt><dd>{}</dd><dt>Victims</dt><dd>{}</dd><dt>Weapons</dt><dd>{}</dd>",
        entity_list(&incident.perpetrators, "actor"),
        entity_list(&incident.targets, ""),
        entity_list(&incident.victims, ""),
        entity_list(&incident.weapons, "")
    );
    let c = casualties(
        incident.killed,
        incident.fatal,
        incident.injured,
        incident.arrested,
    );
    let _ = write!(
        out,
        "<dt>Casualties</dt><dd>{}</dd>",
        if c.is_empty() {
            "none reported".to_string()
        } else {
            esc(&c).to_string()
        }
    );
    // What an arrest, raid or conviction holds people for.
    if let Some(crime) = incident.crime {
        let _ = write!(
            out,
            "<dt>Held for</dt><dd>{}</dd>",
            esc(&crime.as_str().replace('_', " "))
        );
    }
    out.push_str("</dl>");
    out
}

/// The incident page.
pub async fn incident(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let key = id.clone();
    let Some(detail) = state.db.read(move |s| incidents::detail(s, &key)).await? else {
        return Err(ApiError::NotFound(format!("incident {id:?}")).into());
    };
    let incident = &detail.incident;
    let title = headline(
        incident.kind,
        incident.location.as_ref().map(|l| l.name.as_str()),
    );
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<h1 id="incident-title">{}</h1><p class="meta">Incident <code>{}</code> · {} source(s)</p>"#,
        esc(&title),
        esc(&incident.id),
        detail.sources.len()
    );
    body.push_str(r#"<div class="columns"><section class="main-col">"#);
    body.push_str(&facts(incident));

    // Titles of the documents, to name who reports what.
    let names: HashMap<&str, String> = detail
        .sources
        .iter()
        .map(|s| {
            let name = s
                .outlet
                .clone()
                .or_else(|| s.title.clone())
                .unwrap_or_else(|| s.doc_id.clone());
            (s.doc_id.as_str(), name)
        })
        .collect();
    if !incident.disagreements.is_empty() {
        body.push_str(r#"<h2>Where the sources disagree</h2><table class="disagreements"><thead><tr><th>Field</th><th>Value</th><th>Reported by</th></tr></thead><tbody>"#);
        for d in &incident.disagreements {
            for v in &d.values {
                let who: Vec<String> = v
                    .doc_ids
                    .iter()
                    .map(|id| {
                        let name = names
                            .get(id.as_str())
                            .cloned()
                            .unwrap_or_else(|| id.clone());
                        format!(
                            r#"<a href="{}">{}</a>"#,
                            esc(&document_href(id)),
                            esc(&name)
                        )
                    })
                    .collect();
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&d.field),
                    esc(&v.value),
                    who.join(", ")
                );
            }
        }
        body.push_str("</tbody></table>");
    }
    let _ = write!(
        body,
        r#"<h2>Sources ({})</h2><ol class="sources">"#,
        detail.sources.len()
    );
    for source in &detail.sources {
        body.push_str(&source_block(source));
    }
    body.push_str("</ol>");
    if !incident.merge_reasons.is_empty() {
        body.push_str(r#"<h2>Why these reports were merged</h2><ul class="reasons">"#);
        for reason in &incident.merge_reasons {
            let _ = write!(body, "<li>{}</li>", esc(reason));
        }
        body.push_str("</ul>");
    }
    body.push_str(r#"</section><aside class="side-col">"#);
    if let Some(geo) = incident.location.as_ref().and_then(|l| l.geo.as_ref()) {
        let marker = Marker {
            lat: geo.lat,
            lon: geo.lon,
            title: title.clone(),
            href: None,
            kind: incident.kind,
            weight: u32::try_from(detail.sources.len()).unwrap_or(u32::MAX),
        };
        let mut shading = Shading::default();
        shading.counts.insert(geo.country.clone(), 1);
        body.push_str(r#"<figure class="mini-map">"#);
        body.push_str(&world_map(World::embedded(), &shading, &[marker], 420.0));
        body.push_str("</figure>");
    }
    let chains: Vec<&SourceDetail> = detail
        .sources
        .iter()
        .filter(|s| s.chain.len() > 1)
        .collect();
    if !chains.is_empty() {
        body.push_str(r#"<section><h2>Chains of sources</h2><ul class="chains">"#);
        for s in chains {
            let _ = write!(body, "<li>{}</li>", chain_text(&s.chain));
        }
        body.push_str("</ul></section>");
    }
    let _ = write!(
        body,
        r#"<p><a href="/api/v1/incidents/{}">This incident as JSON</a></p></aside></div>"#,
        esc(&super::html::url_path(&incident.id))
    );
    Ok(Html(page(&title, Nav::None, "", &body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::{EventType, Stage};

    #[test]
    fn chains_read_from_the_reporter_to_the_origin() {
        let chain = vec![
            "UN report".to_string(),
            "The New York Times".to_string(),
            "Shafaq <News>".to_string(),
        ];
        assert_eq!(
            chain_text(&chain),
            "Shafaq &lt;News&gt; → The New York Times → UN report"
        );
    }

    #[test]
    fn the_facts_say_what_an_arrest_holds_people_for() {
        let mut arrest = Incident {
            id: "d/V1".into(),
            kind: EventType::Arrest,
            stage: Stage::Accomplished,
            date: None,
            location: None,
            perpetrators: vec![],
            targets: vec![],
            victims: vec![],
            weapons: vec![],
            killed: None,
            injured: None,
            arrested: Some(5),
            fatal: false,
            crime: None,
            sources: vec![],
            first_seen: None,
            disagreements: vec![],
            merge_reasons: vec![],
        };
        assert!(!facts(&arrest).contains("Held for"));
        arrest.crime = Some(EventType::VehicleRamming);
        let html = facts(&arrest);
        assert!(
            html.contains("<dt>Held for</dt><dd>vehicle ramming</dd></dl>"),
            "{html}"
        );
    }

    #[test]
    fn entities_link_to_actor_pages_or_searches() {
        let linked = IncidentEntity {
            name: "Islamic State <K>".into(),
            kb_id: Some("group:islamic-state-khorasan".into()),
            geo: None,
        };
        assert_eq!(
            entity_link(&linked, "actor"),
            r#"<a href="/actors/group%3Aislamic-state-khorasan">Islamic State &lt;K&gt;</a>"#
        );
        let unlinked = IncidentEntity {
            name: "gunmen".into(),
            kb_id: None,
            geo: None,
        };
        assert_eq!(
            entity_link(&unlinked, "actor"),
            r#"<a href="/search?q=actor%3Agunmen">gunmen</a>"#
        );
    }
}
