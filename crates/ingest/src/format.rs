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
}

impl Format {
    /// The format for a file extension (without the dot, any case), if it
    /// names an article format.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "html" | "htm" | "xhtml" | "shtml" => Some(Format::Html),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            _ => None,
        }
    }

    /// Lower-case name ("text", "html", "jsonl").
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    /// Parses "text"/"txt", "html"/"htm" and "jsonl"/"ndjson"/"json".
    fn from_str(s: &str) -> Result<Format, String> {
        Format::from_extension(s)
            .ok_or_else(|| format!("unknown format `{s}`; expected one of text, html, jsonl"))
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
/// `.html`/`.htm`/`.xhtml` → Html, `.jsonl`/`.ndjson`/`.json` → Jsonl).
/// Otherwise (unknown extension, no path, standard input) the first bytes in
/// `head` are sniffed: a first line that is a JSON object (or the start of
/// one cut off by the end of `head`) means JSON Lines; a
/// doctype, an `<html>`/`<body>`/`<head>` tag or several HTML tags mean HTML;
/// anything else is plain text.
pub fn detect_format(path: Option<&Path>, head: &[u8]) -> Format {
    if let Some(format) = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
    {
        return format;
    }
    sniff(head)
}

/// Content sniffing, see [`detect_format`].
fn sniff(head: &[u8]) -> Format {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
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
    }
}
