//! The page shell (header, navigation, search box, footer), error pages and
//! small HTML helpers shared by the dashboard pages.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use vigil_core::{EventType, Stage};
use vigil_store::Hit;

use super::html::{esc, url_component, url_path};
use super::svg::type_label;
use crate::error::ApiError;

/// The navigation entries; the current page's entry is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Feed,
    Threats,
    Map,
    Timeline,
    Search,
    None,
}

const NAV: [(Nav, &str, &str); 5] = [
    (Nav::Feed, "/", "Feed"),
    (Nav::Threats, "/threats", "Threat board"),
    (Nav::Map, "/map", "Map"),
    (Nav::Timeline, "/timeline", "Timeline"),
    (Nav::Search, "/search", "Search"),
];

/// A whole HTML page around `body` (already HTML). `title` and `query` are
/// escaped here; `query` pre-fills the search box.
pub fn page(title: &str, nav: Nav, query: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} · vigil</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/">vigil</a>
<nav>"#,
        esc(title)
    );
    for (entry, href, label) in NAV {
        let current = if entry == nav {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(out, r#"<a href="{href}"{current}>{label}</a>"#);
    }
    let _ = write!(
        out,
        r#"</nav>
<form class="search" action="/search" method="get" role="search">
<input type="search" name="q" value="{}" placeholder="type:bombing place:France since:2024-01-01" aria-label="Search incidents">
<button type="submit">Search</button>
</form>
</header>
<main>
{body}
</main>
<footer>vigil — threat intelligence from the news. Map outlines: Natural Earth (public domain). <a href="/api/v1/openapi.json">API</a></footer>
</body>
</html>
"#,
        esc(query)
    );
    out
}

/// An HTML error page carrying the status of an [`ApiError`]. The message
/// is the error's display text, which never holds internals (store errors
/// become "internal error, reference N").
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        PageError(err)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            _ => "Something went wrong",
        };
        let body = format!(
            r#"<h1>{heading}</h1><p class="error">{}</p><p><a href="/">Back to the feed</a></p>"#,
            esc(&self.0.to_string())
        );
        (status, Html(page(heading, Nav::None, "", &body))).into_response()
    }
}

/// What a page handler returns.
pub type PageResult = Result<Html<String>, PageError>;

/// The dashboard path of an incident.
pub fn incident_href(id: &str) -> String {
    format!("/incidents/{}", url_path(id))
}

/// The dashboard path of an actor (by its store key).
pub fn actor_href(key: &str) -> String {
    format!("/actors/{}", url_path(key))
}

/// The dashboard path of a document.
pub fn document_href(id: &str) -> String {
    format!("/documents/{}", url_path(id))
}

/// The search page for a query.
pub fn search_href(query: &str) -> String {
    format!("/search?q={}", url_component(query))
}

/// A coloured badge naming an event type.
pub fn type_badge(kind: EventType) -> String {
    format!(
        r#"<span class="badge t-{}">{}</span>"#,
        kind.as_str(),
        esc(&type_label(kind))
    )
}

/// A badge naming a stage.
pub fn stage_badge(stage: Stage) -> String {
    format!(r#"<span class="stage s-{0}">{0}</span>"#, stage.as_str())
}

pub use vigil_export::casualties;

/// One incident in a list: type, stage, date, place, casualties, sources
/// and the first evidence sentence, linked to the incident page.
pub fn hit_item(hit: &Hit) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<li class="incident" data-id="{}"><div class="line">{} {} <a class="title" href="{}">{}</a>"#,
        esc(&hit.id),
        type_badge(hit.kind),
        stage_badge(hit.stage),
        esc(&incident_href(&hit.id)),
        esc(&headline(hit.kind, hit.place.as_deref()))
    );
    if let Some(date) = &hit.date {
        let _ = write!(out, r#" <time>{}</time>"#, esc(date));
    }
    let c = casualties(hit.killed, hit.fatal, hit.injured, hit.arrested);
    if !c.is_empty() {
        let _ = write!(out, r#" <span class="casualties">{}</span>"#, esc(&c));
    }
    out.push_str("</div>");
    if let Some(snippet) = &hit.snippet {
        let _ = write!(out, r#"<p class="snippet">{}</p>"#, esc(snippet));
    }
    let noun = if hit.sources == 1 {
        "source"
    } else {
        "sources"
    };
    let _ = write!(out, r#"<p class="meta">{} {noun}"#, hit.sources);
    if !hit.outlets.is_empty() {
        let _ = write!(out, ": {}", esc(&hit.outlets.join(", ")));
    }
    out.push_str("</p></li>");
    out
}

/// "Bombing in Kandahar" / "Bombing".
pub fn headline(kind: EventType, place: Option<&str>) -> String {
    let mut label = type_label(kind);
    if let Some(first) = label.get(..1) {
        label = first.to_uppercase() + label.get(1..).unwrap_or("");
    }
    match place {
        Some(p) if !p.is_empty() => format!("{label} in {p}"),
        _ => label,
    }
}

/// A list of hits, or a note when empty.
pub fn hit_list(hits: &[Hit], empty: &str) -> String {
    if hits.is_empty() {
        return format!(r#"<p class="empty">{}</p>"#, esc(empty));
    }
    let mut out = String::from(r#"<ol class="incidents">"#);
    for hit in hits {
        out.push_str(&hit_item(hit));
    }
    out.push_str("</ol>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_escapes_title_and_query() {
        let html = page(
            "<b>x</b>",
            Nav::Feed,
            "\"><script>alert(1)</script>",
            "<p>body</p>",
        );
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt; · vigil"));
        assert!(html.contains(r#"value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains(r#"<a href="/" aria-current="page">Feed</a>"#));
        assert!(html.contains("<p>body</p>"));
    }

    #[test]
    fn hit_items_escape_article_text() {
        let hit = Hit {
            id: "doc<1>/V1".into(),
            kind: EventType::HostageTaking,
            stage: Stage::Foiled,
            date: Some("2024-03-01".into()),
            place: Some("<img src=x onerror=alert(1)>".into()),
            killed: Some(2),
            injured: None,
            arrested: Some(1),
            fatal: false,
            sources: 2,
            outlets: vec!["<script>alert(1)</script>".into()],
            snippet: Some("a & b".into()),
            score: 0.0,
            recency: None,
        };
        let html = hit_item(&hit);
        assert!(!html.contains("<script>") && !html.contains("<img"));
        assert!(html.contains("Hostage taking in &lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains(r#"href="/incidents/doc%3C1%3E/V1""#));
        assert!(html.contains("2 killed, 1 arrested"));
        assert!(html.contains("2 sources: &lt;script&gt;"));
        assert!(html.contains("a &amp; b"));
        assert!(html.contains(r#"class="badge t-hostage_taking""#));
    }

    #[test]
    fn error_pages_keep_the_status_and_escape() {
        let response = PageError(ApiError::NotFound("incident \"<x>\"".into())).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = PageError(ApiError::internal("secret db path /var/x")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
