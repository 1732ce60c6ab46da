//! The document view (`/documents/{id}`): the cleaned text with its
//! extractions highlighted (entities, event triggers, evidence sentences,
//! dates, quotes, citations), what cleaning changed, and the events found.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::response::Html;

use super::html::{esc, is_web_url};
use super::layout::{page, stage_badge, type_badge, Nav, PageResult};
use crate::api::documents::{self, Highlight};
use crate::error::ApiError;
use crate::AppState;

/// The highlight kinds, in the order of the legend.
const KINDS: [(&str, &str); 6] = [
    ("evidence", "evidence sentence"),
    ("trigger", "event trigger"),
    ("entity", "entity"),
    ("date", "date"),
    ("quote", "quotation"),
    ("citation", "citation"),
];

/// `text` as HTML with every highlight: the text is cut at every highlight
/// boundary and each piece is wrapped in one `<mark>` carrying the classes
/// and labels of all highlights covering it, so overlapping highlights
/// need no nesting. Offsets off a character boundary or out of range are
/// ignored.
pub fn highlighted(text: &str, highlights: &[Highlight]) -> String {
    let valid: Vec<&Highlight> = highlights
        .iter()
        .filter(|h| h.start < h.end && text.get(h.start..h.end).is_some())
        .collect();
    let mut cuts: BTreeSet<usize> = BTreeSet::new();
    cuts.insert(0);
    cuts.insert(text.len());
    for h in &valid {
        cuts.insert(h.start);
        cuts.insert(h.end);
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let mut out = String::with_capacity(text.len() * 2);
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(piece) = text.get(a..b) else {
            continue;
        };
        let covering: Vec<&&Highlight> = valid
            .iter()
            .filter(|h| h.start <= a && h.end >= b)
            .collect();
        if covering.is_empty() {
            let _ = write!(out, "{}", esc(piece));
            continue;
        }
        let mut classes: Vec<&str> = covering.iter().map(|h| h.kind.as_str()).collect();
        classes.sort_unstable();
        classes.dedup();
        let classes: Vec<String> = classes
            .iter()
            .filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(|k| format!("h-{k}"))
            .collect();
        let mut labels: Vec<String> = covering
            .iter()
            .map(|h| format!("{}: {}", h.kind, h.label))
            .collect();
        labels.dedup();
        let _ = write!(
            out,
            r#"<mark class="{}" title="{}">{}</mark>"#,
            classes.join(" "),
            esc(&labels.join("\n")),
            esc(piece)
        );
    }
    out
}

/// The document page.
pub async fn document(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let key = id.clone();
    let Some(view) = state.db.read(move |s| documents::view(s, &key)).await? else {
        return Err(ApiError::NotFound(format!("document {id:?}")).into());
    };
    let title = view.title.clone().unwrap_or_else(|| view.id.clone());
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<h1 id="document-title">{}</h1><p class="meta">"#,
        esc(&title)
    );
    if let Some(source) = &view.source {
        let _ = write!(body, r#"<span class="outlet">{}</span> · "#, esc(source));
    }
    if let Some(author) = &view.author {
        let _ = write!(body, "by {} · ", esc(author));
    }
    if let Some(published) = &view.published {
        let _ = write!(body, "published <time>{}</time> · ", esc(published));
    }
    let _ = write!(
        body,
        "language {} · stored {} · story {}",
        esc(&view.language),
        esc(&view.ingested_at),
        view.story
    );
    if let Some(url) = &view.url {
        if is_web_url(url) {
            let _ = write!(
                body,
                r#" · <a href="{}" rel="noopener noreferrer nofollow">original</a>"#,
                esc(url)
            );
        }
    }
    body.push_str("</p>");
    let cleaning = &view.analysis.cleaning;
    let _ = write!(
        body,
        r#"<p class="meta">Cleaning: {} look-alike characters replaced, {} invisible characters removed, {} boilerplate lines dropped, {} odd spaces normalised.</p>"#,
        cleaning.confusables_replaced,
        cleaning.invisible_removed,
        cleaning.boilerplate_removed,
        cleaning.spaces_normalized
    );
    body.push_str(r#"<p class="legend">"#);
    for (kind, label) in KINDS {
        let _ = write!(body, r#"<mark class="h-{kind}">{label}</mark> "#);
    }
    body.push_str("</p>");
    let _ = write!(
        body,
        r#"<div class="columns"><article class="doc-text main-col">{}</article><aside class="side-col"><h2>Events</h2><ol class="events">"#,
        highlighted(&view.text, &view.highlights)
    );
    for event in &view.analysis.events {
        let _ = write!(
            body,
            r#"<li>{} {} “{}”"#,
            type_badge(event.kind),
            stage_badge(event.stage),
            esc(&event.trigger.text)
        );
        if let Some(location) = &event.location {
            let _ = write!(body, " in {}", esc(&location.text));
        }
        if let Some(date) = &event.date {
            let _ = write!(body, " · {}", esc(&date.text));
        }
        body.push_str("</li>");
    }
    body.push_str(r#"</ol><h2>Entities</h2><ul class="entities">"#);
    for entity in &view.analysis.entities {
        let _ = write!(
            body,
            r#"<li><span class="etype">{}</span> {}</li>"#,
            esc(entity.kind.as_str()),
            esc(&entity.name)
        );
    }
    let _ = write!(
        body,
        r#"</ul><p><a href="/api/v1/documents/{}">This document as JSON</a></p></aside></div>"#,
        esc(&super::html::url_path(&view.id))
    );
    Ok(Html(page(&title, Nav::None, "", &body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(start: usize, end: usize, kind: &str, label: &str) -> Highlight {
        Highlight {
            start,
            end,
            kind: kind.into(),
            label: label.into(),
            id: None,
        }
    }

    #[test]
    fn overlapping_highlights_become_flat_marks() {
        let text = "Gunmen <b> attacked Kabul.";
        let marks = [
            h(0, 26, "evidence", "attack"),
            h(20, 25, "entity", "CITY: Kabul"),
        ];
        let html = highlighted(text, &marks);
        assert_eq!(
            html,
            "<mark class=\"h-evidence\" title=\"evidence: attack\">Gunmen &lt;b&gt; attacked </mark>\
             <mark class=\"h-entity h-evidence\" title=\"evidence: attack\nentity: CITY: Kabul\">Kabul</mark>\
             <mark class=\"h-evidence\" title=\"evidence: attack\">.</mark>"
        );
    }

    #[test]
    fn bad_offsets_are_ignored_and_text_is_kept() {
        let text = "Café <script>";
        // 4 is inside "é" (bytes 3..5): ignored; 99 is out of range.
        let html = highlighted(text, &[h(4, 6, "entity", "x"), h(0, 99, "quote", "y")]);
        assert_eq!(html, "Café &lt;script&gt;");
        assert_eq!(highlighted("", &[]), "");
    }
}
