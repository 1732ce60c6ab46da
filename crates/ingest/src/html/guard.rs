//! Defusing markup that would make HTML tree building quadratic.
//!
//! html5ever follows the HTML standard, and some of its steps walk the stack
//! of open elements or the list of active formatting elements for every
//! token. On hostile input (thousands of unclosed `<b>`s, a 10,000-deep
//! stack followed by millions of stray end tags) parsing takes minutes. This
//! pass scans the raw markup once and removes only tags that cannot matter
//! for the text: formatting start tags beyond [`MAX_FORMATTING`] open ones,
//! container start tags beyond [`MAX_DEPTH`] levels, and end tags that close
//! nothing. Well-formed pages come back unchanged (and unallocated).

use std::borrow::Cow;
use std::collections::HashMap;

/// Most open formatting elements (`<b>`, `<font>`, `<a>`…) kept.
pub(crate) const MAX_FORMATTING: usize = 64;
/// Deepest nesting of container elements kept.
pub(crate) const MAX_DEPTH: usize = 512;

const FORMATTING: &[&[u8]] = &[
    b"a", b"b", b"big", b"code", b"em", b"font", b"i", b"nobr", b"s", b"small", b"strike",
    b"strong", b"tt", b"u",
];
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"source",
    b"track",
    b"wbr",
    b"param",
    b"keygen",
    b"basefont",
    b"bgsound",
    b"frame",
    b"image",
];
/// Elements that the parser closes implicitly: not counted in the depth.
const IMPLICIT: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"tr",
    b"td",
    b"th",
    b"option",
    b"optgroup",
    b"rb",
    b"rt",
    b"rp",
    b"rtc",
    b"tbody",
    b"thead",
    b"tfoot",
    b"colgroup",
    b"caption",
    b"html",
    b"head",
    b"body",
];
/// Elements whose content is raw text, skipped to their end tag.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"plaintext",
];

/// Returns the markup with the dangerous tags removed (see the module docs).
pub(crate) fn defuse(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut open: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut formatting = 0usize;
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(rel) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'<'))
    {
        let lt = i + rel;
        let after = b.get(lt + 1..).unwrap_or(&[]);
        if after.starts_with(b"!--") {
            i = find(b, lt + 4, b"-->").map_or(b.len(), |p| p + 3);
            continue;
        }
        if after.starts_with(b"!") || after.starts_with(b"?") {
            i = find(b, lt + 1, b">").map_or(b.len(), |p| p + 1);
            continue;
        }
        let is_end = after.starts_with(b"/");
        let name_start = lt + 1 + usize::from(is_end);
        let mut name_end = name_start;
        while name_end < b.len() && (b[name_end].is_ascii_alphanumeric() || b[name_end] == b'-') {
            name_end += 1;
        }
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let Some(close) = tag_end(b, name_end) else {
            break;
        };
        let name = b[name_start..name_end].to_ascii_lowercase();
        let name = name.as_slice();
        let self_closing = close > 0 && b[close - 1] == b'/';
        let after_tag = close + 1;
        let mut drop = false;
        if !is_end {
            if RAW_TEXT.contains(&name) {
                // Skip the raw text up to the matching end tag.
                let mut end_tag = b"</".to_vec();
                end_tag.extend_from_slice(name);
                i = match find_ci(b, after_tag, &end_tag) {
                    Some(end) => find(b, end, b">").map_or(b.len(), |p| p + 1),
                    None => b.len(),
                };
                continue;
            }
            if !(VOID.contains(&name) || self_closing) {
                let is_formatting = FORMATTING.contains(&name);
                let implicit = IMPLICIT.contains(&name);
                if is_formatting && formatting >= MAX_FORMATTING
                    || !is_formatting && !implicit && depth >= MAX_DEPTH
                {
                    drop = true;
                } else {
                    *open.entry(name.to_vec()).or_insert(0) += 1;
                    if is_formatting {
                        formatting += 1;
                    } else if !implicit {
                        depth += 1;
                    }
                }
            }
        } else if name != b"br" {
            match open.get_mut(name) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    if FORMATTING.contains(&name) {
                        formatting = formatting.saturating_sub(1);
                    } else if !IMPLICIT.contains(&name) {
                        depth = depth.saturating_sub(1);
                    }
                }
                _ => drop = true,
            }
        }
        if drop {
            let buf = out.get_or_insert_with(|| String::with_capacity(html.len()));
            buf.push_str(html.get(copied..lt).unwrap_or(""));
            copied = after_tag;
        }
        i = after_tag;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut buf) => {
            buf.push_str(html.get(copied..).unwrap_or(""));
            Cow::Owned(buf)
        }
    }
}

/// Index of the `>` ending a tag whose name ends at `from`, skipping quoted
/// attribute values.
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (offset, &c) in b.get(from..)?.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some(from + offset),
            None => {}
        }
    }
    None
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_markup_is_untouched() {
        let html = r#"<html><head><title>a < b</title><script>if (a < b && c > d) { x = "</div>"; }</script></head>
            <body><!-- </div> --><div class="x>y"><p>One<p>Two</p><ul><li>a<li>b</ul><br/><img src=x></div></body></html>"#;
        assert!(matches!(defuse(html), Cow::Borrowed(_)));
    }

    #[test]
    fn stray_end_tags_and_excess_formatting_are_removed() {
        assert_eq!(defuse("<div>a</div></div></span>b"), "<div>a</div>b");
        let many: String = (0..100).map(|i| format!("<b id={i}>")).collect();
        let html = many + "text";
        let defused = defuse(&html);
        assert_eq!(defused.matches("<b ").count(), MAX_FORMATTING);
        assert!(defused.ends_with("text"));
    }

    #[test]
    fn depth_is_capped_but_text_kept() {
        let html = format!("{}deep text{}", "<div>".repeat(2000), "</div>".repeat(2000));
        let defused = defuse(&html);
        assert_eq!(defused.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(defused.matches("</div>").count(), MAX_DEPTH);
        assert!(defused.contains("deep text"));
    }
}
