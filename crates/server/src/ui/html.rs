//! HTML/XML escaping and URL encoding for the dashboard.
//!
//! Every string that comes from an article (titles, names, quotes, URLs,
//! the text itself) goes through [`esc`] before it reaches a page or an SVG:
//! a title `<script>alert(1)</script>` shows as text.

use std::fmt::Write as _;

pub use crate::html::Escaped;

/// Displays `text` HTML/XML-escaped (`& < > " '`), safe in element content
/// and quoted attribute values: `write!(out, "<td>{}</td>", esc(title))`.
pub fn esc(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// Percent-encodes `text` for a URL path segment or query value: every byte
/// except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Percent-encodes an id that may contain `/` (incident ids are
/// `<doc id>/<event id>`) for a wildcard path: like [`url_component`] but
/// keeps `/` between non-empty segments.
pub fn url_path(text: &str) -> String {
    text.split('/')
        .map(url_component)
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `url` is safe as a link target on a page: only `http`, `https`
/// (no `javascript:`, `data:` …). Links from articles failing this are shown
/// as text.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(1)</script>").to_string(),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc(r#"a & "b" 'c'"#).to_string(),
            "a &amp; &quot;b&quot; &#39;c&#39;"
        );
        assert_eq!(esc("plain – ünïcode").to_string(), "plain – ünïcode");
        assert_eq!(esc("").to_string(), "");
        assert_eq!(esc("&amp;").to_string(), "&amp;amp;");
    }

    #[test]
    fn encodes_urls() {
        assert_eq!(
            url_component("place:\"New York\" & x"),
            "place%3A%22New%20York%22%20%26%20x"
        );
        assert_eq!(url_component("é"), "%C3%A9");
        assert_eq!(url_path("doc 1/V2"), "doc%201/V2");
        assert_eq!(url_path("a?b/c#d"), "a%3Fb/c%23d");
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_url("https://example.org/a"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" data:text/html,x"));
        assert!(!is_web_url("/relative"));
    }
}
