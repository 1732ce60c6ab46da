//! HTML pages and fragments → [`Document`]: metadata and main text.

mod content;
mod flat;
mod guard;
mod meta;

use scraper::Html;
use vigil_core::{Document, Origin};

use crate::error::{ErrorKind, IngestError};

/// Extracts the article from an HTML page or fragment.
///
/// Metadata:
/// - `title`: `og:title`, `twitter:title`, other title metas, JSON-LD
///   `headline`, `<title>` without a " | Site" / " - Site" suffix, `<h1>`;
/// - `published`: `article:published_time` and other date metas,
///   `itemprop=datePublished`, JSON-LD `datePublished`, `<time datetime>`;
/// - `source`: `og:site_name`, JSON-LD `publisher.name`, the `<title>` suffix;
/// - `url`: `<link rel=canonical>`, `og:url`, JSON-LD `url` (absolute first);
/// - `author`: `author` metas, JSON-LD `author.name`, `<a rel=author>`.
///
/// Before parsing, tags that would make tree building quadratic on hostile
/// markup are removed (over 64 open formatting elements, nesting over 512
/// containers deep, end tags that close nothing); text is never removed.
///
/// Main text: scripts, styles, navigation, headers, footers, asides, forms,
/// figures and elements whose class, id, role or aria-label marks them as
/// chrome (menus, share bars, cookie banners, related stories, newsletters,
/// comments, adverts, breadcrumbs, sidebars…) are dropped. The body is the
/// `itemprop=articleBody` element(s) if present, otherwise the container that
/// wins a Readability-style score (paragraph length, commas, link density)
/// plus its qualifying siblings. If that is empty, JSON-LD `articleBody`, the
/// whole visible text, then the meta description are tried.
///
/// The text is paragraphs (block elements and `<br>`) separated by blank
/// lines, entities decoded, ASCII whitespace collapsed. Title, source and
/// author go through `vigil_text::clean_inline` (look-alike letters and
/// invisible characters repaired); the body is left for the cleaner. The document `id` is
/// derived from `origin` (file stem; "stdin" for `-`).
///
/// # Errors
///
/// [`ErrorKind::Empty`] when the input is blank; [`ErrorKind::NoArticleText`]
/// when the page has no readable text.
pub fn extract_html(html: &str, origin: Origin) -> Result<Document, IngestError> {
    if html.trim().is_empty() {
        return Err(IngestError::new(origin, ErrorKind::Empty));
    }
    let parsed = Html::parse_document(&guard::defuse(html));
    let nodes = flat::flatten(&parsed);
    let meta = meta::read_meta(&nodes, crate::date::parse_timestamp);
    let paragraphs = content::main_paragraphs(&nodes);
    let mut text = paragraphs.join("\n\n");
    if let Some(body) = meta.ld_body.as_deref() {
        // Pages rendered by scripts carry the body only in JSON-LD.
        if text.chars().count() * 2 < body.chars().count() {
            text = body.to_string();
        }
    }
    if text.trim().is_empty() {
        text = meta.description.clone().unwrap_or_default();
    }
    if text.trim().is_empty() {
        return Err(IngestError::new(origin, ErrorKind::NoArticleText));
    }
    Ok(Document {
        id: crate::source::id_for_path(&origin.path),
        title: crate::clean_meta(meta.title),
        source: crate::clean_meta(meta.site),
        url: meta.url,
        author: crate::clean_meta(meta.author),
        published: meta.published,
        text,
        origin,
    })
}
