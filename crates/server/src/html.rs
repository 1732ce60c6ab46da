//! HTML escaping: every piece of text that comes from an article, a feed or
//! a request goes through [`escape`] (or is written with [`Escaped`])
//! before it reaches a page.

use std::fmt;

/// `text` with `& < > " '` replaced by character references: safe in
/// element content and in quoted attribute values.
pub fn escape(text: &str) -> String {
    Escaped(text).to_string()
}

/// Displays its text HTML-escaped: `write!(out, "<td>{}</td>", Escaped(title))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            let entity = match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            };
            f.write_str(entity)?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x & \"y\"')</script>"),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain é text"), "plain é text");
    }
}
