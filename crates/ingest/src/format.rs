//! Input format detection from file extensions and content sniffing.

use std::path::Path;

/// The input formats vigil reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text: the whole file is one article.
    Text,
    /// An HTML page or fragment: the main text is extracted.
    Html,
    /// JSON Lines: one JSON object (one article) per line.
    Jsonl,
    /// A WARC web archive, plain or gzipped (`.warc`, `.warc.gz`): one
    /// article per `response` record carrying an HTML page.
    Warc,
    /// An RSS 2.0 (or 1.0) or Atom feed file: one article per item/entry.
    Feed,
}

impl Format {
    /// The format for a file extension (without the dot, any case), if it
    /// names an article format.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "html" | "htm" | "xhtml" | "shtml" => Some(Format::Html),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "warc" | "warc.gz" => Some(Format::Warc),
            "xml" | "rss" | "atom" | "feed" => Some(Format::Feed),
            _ => None,
        }
    }

    /// The format for a file path from its extension, including the double
    /// extension `.warc.gz`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        if name.len() > 8 && name.to_ascii_lowercase().ends_with(".warc.gz") {
            return Some(Format::Warc);
        }
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    }

    /// Lower-case name ("text", "html", "jsonl", "warc", "feed").
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Jsonl => "jsonl",
            Format::Warc => "warc",
            Format::Feed => "feed",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    /// Parses "text"/"txt", "html"/"htm", "jsonl"/"ndjson"/"json",
    /// "warc" and "feed"/"rss"/"atom"/"xml".
    fn from_str(s: &str) -> Result<Format, String> {
        Format::from_extension(s).ok_or_else(|| {
            format!("unknown format `{s}`; expected one of text, html, jsonl, warc, feed")
        })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Decides the format of an input.
///
/// A known extension on `path` wins (`.txt`/`.text` → Text,
/// `.html`/`.htm`/`.xhtml` → Html, `.jsonl`/`.ndjson`/`.json` → Jsonl,
/// `.warc`/`.warc.gz` → Warc, `.xml`/`.rss`/`.atom` → Feed).
/// Otherwise (unknown extension, no path, standard input) the first bytes in
/// `head` are sniffed: `WARC/` (or a gzip stream starting with it) means
/// WARC; a first element `<rss`, `<rdf:RDF` or `<feed` (Atom namespace)
/// after any XML declaration, comments and doctype means Feed;
/// a first line that is a JSON object (or the start of
/// one cut off by the end of `head`) means JSON Lines; a
/// doctype, an `<html>`/`<body>`/`<head>` tag or several HTML tags mean HTML;
/// anything else is plain text.
pub fn detect_format(path: Option<&Path>, head: &[u8]) -> Format {
    if let Some(format) = path.and_then(Format::from_path) {
        return format;
    }
    sniff(head)
}

/// Content sniffing, see [`detect_format`].
fn sniff(head: &[u8]) -> Format {
    if crate::warc::looks_like_warc(head) {
        return Format::Warc;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if looks_like_feed(head) {
        return Format::Feed;
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let body = &head[start..];
    if body.first() == Some(&b'{') {
        // The first lines of the head: one that parses as JSON (or a first
        // line cut off by the end of the head) means JSON Lines, so that a
        // broken first record does not turn the file into "text".
        let mut rest = body;
        for index in 0..3 {
            let line_end = rest.iter().position(|&b| b == b'\n');
            let line = &rest[..line_end.unwrap_or(rest.len())];
            let trimmed = line.trim_ascii();
            if trimmed.starts_with(b"{") {
                match serde_json::from_slice::<serde::de::IgnoredAny>(trimmed) {
                    Ok(_) => return Format::Jsonl,
                    Err(err) if index == 0 && err.is_eof() && line_end.is_none() => {
                        return Format::Jsonl
                    }
                    Err(_) => {}
                }
            }
            match line_end {
                Some(end) => rest = &rest[end + 1..],
                None => break,
            }
        }
    }
    if looks_like_html(body) {
        return Format::Html;
    }
    Format::Text
}

/// True when the first element of `head`, after an XML declaration,
/// comments, processing instructions and a doctype, is `<rss`, `<rdf:RDF`
/// or an Atom `<feed`.
pub(crate) fn looks_like_feed(head: &[u8]) -> bool {
    let mut rest = head;
    loop {
        let start = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[start..];
        let closing: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else if rest.starts_with(b"<!") {
            b">"
        } else {
            break;
        };
        match rest.windows(closing.len()).position(|w| w == closing) {
            Some(end) => rest = &rest[end + closing.len()..],
            None => return false,
        }
    }
    let lower: Vec<u8> = rest[..rest.len().min(2048)]
        .iter()
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let tag_end = |tag: &[u8]| {
        lower.starts_with(tag)
            && lower
                .get(tag.len())
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
    };
    tag_end(b"<rss")
        || tag_end(b"<rdf:rdf")
        || (tag_end(b"<feed") && contains(&lower, b"http://www.w3.org/2005/atom"))
}

/// True when `bytes` (the start of a document) reads as HTML markup.
pub(crate) fn looks_like_html(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let lower: Vec<u8> = sample.iter().map(|b| b.to_ascii_lowercase()).collect();
    let trimmed_start = lower
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(lower.len());
    let trimmed = &lower[trimmed_start..];
    for prefix in [
        &b"<!doctype html"[..],
        b"<html",
        b"<?xml",
        b"<head",
        b"<body",
    ] {
        if trimmed.starts_with(prefix) {
            return true;
        }
    }
    if contains(&lower, b"<html") || contains(&lower, b"<body") {
        return true;
    }
    // Many well-known tags: a fragment such as `<p>…</p> <p>…</p>`.
    let mut tags = 0usize;
    for tag in [
        &b"<p>"[..],
        b"<p ",
        b"</p>",
        b"<div",
        b"</div>",
        b"<br",
        b"<span",
        b"<a href",
        b"<h1",
        b"<h2",
        b"<li>",
        b"<article",
        b"<section",
        b"<meta ",
        b"<script",
    ] {
        tags += count(&lower, tag);
        if tags >= 3 {
            return true;
        }
    }
    trimmed.first() == Some(&b'<') && tags >= 2
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_wins() {
        assert_eq!(
            detect_format(Some(Path::new("a/b.HTM")), b"hello"),
            Format::Html
        );
        assert_eq!(
            detect_format(Some(Path::new("a.ndjson")), b"<html>"),
            Format::Jsonl
        );
        assert_eq!(
            detect_format(Some(Path::new("a.txt")), b"{\"text\":\"x\"}"),
            Format::Text
        );
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            detect_format(None, b"  {\"text\": \"hi\"}\n{\"text\": 2}"),
            Format::Jsonl
        );
        assert_eq!(detect_format(None, b"{ not json"), Format::Text);
        // A long first record cut off by the sniffing window, with HTML inside.
        assert_eq!(
            detect_format(None, b"{\"html\": \"<html><body><p>a</p><p>b</p><div>"),
            Format::Jsonl
        );
        assert_eq!(
            detect_format(None, b"{\"html\": \"<p>a</p>\"\n{\"html\": \"<p>b</p>\"}"),
            Format::Jsonl
        );
        assert_eq!(
            detect_format(None, b"<!DOCTYPE html><title>x</title>"),
            Format::Html
        );
        assert_eq!(
            detect_format(Some(Path::new("page.php")), b"<p>one</p> <p>two</p>"),
            Format::Html
        );
        assert_eq!(
            detect_format(None, b"Kabul, 3 May (AFP) - A bomb exploded."),
            Format::Text
        );
        assert_eq!(detect_format(None, b"a < b and c > d"), Format::Text);
        assert_eq!(detect_format(None, b""), Format::Text);
        assert_eq!(
            detect_format(
                None,
                b"<?xml version=\"1.0\"?>\n<!-- c -->\n<rss version=\"2.0\">"
            ),
            Format::Feed
        );
        assert_eq!(
            detect_format(None, b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>"),
            Format::Feed
        );
        assert_eq!(detect_format(None, b"<feed><p>a</p><p>b</p>"), Format::Html);
        assert_eq!(
            detect_format(None, b"<?xml version=\"1.0\"?><html><body>"),
            Format::Html
        );
        assert_eq!(
            detect_format(None, b"WARC/1.1\r\nWARC-Type: warcinfo\r\n"),
            Format::Warc
        );
        assert_eq!(
            detect_format(Some(Path::new("cc/CC-NEWS-1.WARC.GZ")), b""),
            Format::Warc
        );
        assert_eq!(detect_format(Some(Path::new("a.rss")), b""), Format::Feed);
        assert_eq!(detect_format(Some(Path::new("a.gz")), b"x"), Format::Text);
        for format in [Format::Warc, Format::Feed] {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.as_str());
        }
    }
}
