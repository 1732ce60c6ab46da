//! Response bodies to text: the declared charset (the `Content-Type`
//! header, else `<meta charset>` or the XML declaration) when it is a
//! legacy encoding, otherwise the crate's own UTF-8 / UTF-16 /
//! Windows-1252 detection (`decode.rs`).

use encoding_rs::Encoding;

/// Decodes a response body. Returns the text and a warning when the bytes
/// were not clean in the encoding used.
pub(crate) fn decode_body(body: &[u8], header_charset: Option<&str>) -> (String, Option<String>) {
    let declared = header_charset
        .map(str::to_string)
        .or_else(|| declared_in_document(body));
    let has_bom = body.starts_with(b"\xEF\xBB\xBF")
        || body.starts_with(b"\xFF\xFE")
        || body.starts_with(b"\xFE\xFF");
    let Some(label) = declared.filter(|_| !has_bom) else {
        return crate::decode::decode(body);
    };
    match Encoding::for_label(label.trim().as_bytes()) {
        // UTF-8 and UTF-16 (which a label cannot be trusted for without a
        // byte-order mark) go through the detector.
        Some(enc) if enc == encoding_rs::UTF_8 || enc.output_encoding() == encoding_rs::UTF_8 => {
            crate::decode::decode(body)
        }
        Some(enc) => {
            let (text, _, had_errors) = enc.decode(body);
            let text = text.replace('\0', "");
            let warning = had_errors.then(|| {
                format!(
                    "bytes invalid in the declared charset {} replaced by U+FFFD",
                    enc.name()
                )
            });
            (text, warning)
        }
        None => {
            let (text, warning) = crate::decode::decode(body);
            let label: String = label.chars().take(40).collect();
            let note = match warning {
                Some(w) => format!("unknown charset `{label}` ignored; {w}"),
                None => format!("unknown charset `{label}` ignored; decoded as UTF-8"),
            };
            (text, Some(note))
        }
    }
}

/// The charset a document declares in its first 4 KiB: `<meta charset=…>`,
/// `<meta http-equiv="Content-Type" content="…; charset=…">` or
/// `<?xml … encoding="…"?>`.
fn declared_in_document(body: &[u8]) -> Option<String> {
    let head: Vec<u8> = body[..body.len().min(4096)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    let value_after = |needle: &[u8]| -> Option<String> {
        let at = head.windows(needle.len()).position(|w| w == needle)? + needle.len();
        let rest = &head[at..];
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"-_.:".contains(b)))
            .unwrap_or(rest.len());
        let label = std::str::from_utf8(&rest[..end]).ok()?;
        (!label.is_empty()).then(|| label.to_string())
    };
    if head.starts_with(b"<?xml") {
        let decl_end = head.windows(2).position(|w| w == b"?>").unwrap_or(0);
        if let Some(at) = head[..decl_end].windows(9).position(|w| w == b"encoding=") {
            let rest = &head[at + 9..decl_end];
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|b| matches!(b, b'"' | b'\'' | b' ' | b'?'))
                .unwrap_or(rest.len());
            if let Ok(label) = std::str::from_utf8(&rest[..end]) {
                if !label.is_empty() {
                    return Some(label.to_string());
                }
            }
        }
    }
    value_after(b"charset=")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_legacy_charsets_are_honoured() {
        // "Köln" in ISO-8859-1 from the header.
        let (text, warning) = decode_body(b"K\xF6ln", Some("ISO-8859-1"));
        assert_eq!(text, "Köln");
        assert_eq!(warning, None);
        // KOI8-R from a meta tag: "Москва".
        let page = b"<html><head><meta charset=\"koi8-r\"></head><body>\xED\xCF\xD3\xCB\xD7\xC1</body></html>";
        let (text, _) = decode_body(page, None);
        assert!(text.contains("Москва"), "{text}");
        // Shift_JIS from the XML declaration: "東京".
        let feed = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss>\x93\x8C\x8B\x9E</rss>";
        let (text, _) = decode_body(feed, None);
        assert!(text.contains("東京"), "{text}");
    }

    #[test]
    fn utf8_labels_and_unknown_labels_use_detection() {
        let (text, warning) = decode_body("café".as_bytes(), Some("utf-8"));
        assert_eq!((text.as_str(), warning), ("café", None));
        // A page labelled UTF-8 that is really Windows-1252.
        let (text, warning) = decode_body(b"caf\xE9", Some("utf-8"));
        assert_eq!(text, "café");
        assert!(warning.is_some());
        let (text, warning) = decode_body(b"plain", Some("x-no-such-charset"));
        assert_eq!(text, "plain");
        assert!(warning.is_some_and(|w| w.contains("x-no-such-charset")));
        // A byte-order mark wins over a wrong label.
        let (text, _) = decode_body(b"\xEF\xBB\xBFK\xC3\xB6ln", Some("iso-8859-1"));
        assert_eq!(text, "Köln");
    }
}
