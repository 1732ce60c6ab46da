//! The little URL handling the fetcher needs: validation, the host key for
//! politeness, resolving relative links against the feed's address, and
//! stable document ids.

use ureq::http::Uri;

use super::FetchErrorKind;

/// True when `source` is written as an `http://` or `https://` URL.
pub fn is_url(source: &str) -> bool {
    let lower = source.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Parses an absolute http(s) URL.
pub(crate) fn parse(url: &str) -> Result<Uri, FetchErrorKind> {
    if !is_url(url) {
        return Err(FetchErrorKind::InvalidUrl(
            "only http:// and https:// are fetched".into(),
        ));
    }
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|e: ureq::http::uri::InvalidUri| FetchErrorKind::InvalidUrl(e.to_string()))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(FetchErrorKind::InvalidUrl("no host name".into()));
    }
    Ok(uri)
}

/// The politeness key of a URL: lower-case host and port.
pub(crate) fn host_key(uri: &Uri) -> String {
    let host = uri.host().unwrap_or("").to_ascii_lowercase();
    match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// Resolves `href` (as found in a feed or page) against `base`, the
/// address the feed was fetched from. Returns `None` for links that are not
/// http(s) (`mailto:`, `javascript:`…) or cannot be resolved.
pub(crate) fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    if is_url(href) {
        return Some(href.to_string());
    }
    let scheme_like = href.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if scheme_like && !href.starts_with('/') {
        return None;
    }
    let base: Uri = base.parse().ok()?;
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if let Some(rest) = href.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    let base_path = base.path();
    let (path, query) = match href.find(['?', '#']) {
        Some(at) => (&href[..at], &href[at..]),
        None => (href, ""),
    };
    let joined = if path.is_empty() {
        // "?q" or "#frag": the base path with the new query.
        base_path.to_string()
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{path}", if dir.is_empty() { "/" } else { dir })
    };
    let query = query.split('#').next().unwrap_or("");
    Some(format!(
        "{scheme}://{authority}{}{query}",
        remove_dot_segments(&joined)
    ))
}

/// RFC 3986 §5.2.4, on a path starting with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// A stable document id for a URL: the host and a 64-bit FNV-1a hash of
/// the URL, e.g. `news.example.com-5d1c0a2b9e8f7a61`.
pub(crate) fn document_id(url: &str) -> String {
    let host = parse(url)
        .ok()
        .and_then(|u| u.host().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| "url".to_string());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in url.trim().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{host}-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_feed() {
        let base = "https://news.example.com/world/feed.xml?x=1";
        let cases = [
            ("https://other.org/a", Some("https://other.org/a")),
            ("/story/1", Some("https://news.example.com/story/1")),
            ("story/2", Some("https://news.example.com/world/story/2")),
            (
                "../story/3?id=4#top",
                Some("https://news.example.com/story/3?id=4"),
            ),
            ("./a/./b/../c", Some("https://news.example.com/world/a/c")),
            ("//cdn.example.com/p", Some("https://cdn.example.com/p")),
            ("mailto:desk@example.com", None),
            ("javascript:void(0)", None),
            ("", None),
        ];
        for (href, expected) in cases {
            assert_eq!(resolve(base, href).as_deref(), expected, "{href}");
        }
    }

    #[test]
    fn urls_are_checked_and_keyed() -> Result<(), FetchErrorKind> {
        assert!(is_url("HTTPS://example.com/"));
        assert!(!is_url("feeds/world.xml"));
        assert!(parse("ftp://example.com/feed").is_err());
        assert!(parse("http://").is_err());
        assert_eq!(
            host_key(&parse("http://127.0.0.1:8080/feed")?),
            "127.0.0.1:8080"
        );
        assert_eq!(
            host_key(&parse("https://News.Example.com/feed")?),
            "news.example.com"
        );
        let id = document_id("https://news.example.com/a");
        assert!(id.starts_with("news.example.com-"), "{id}");
        assert_ne!(id, document_id("https://news.example.com/b"));
        Ok(())
    }
}
