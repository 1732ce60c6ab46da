//! Editorial markers: the bracketed notes that news agencies, monitoring
//! services and transcribers put into a text (`[TEXT]`, `[passage
//! omitted]`, `[words indistinct]`, `[DATELINE]`). They are not part of the
//! article and are removed from each line.
//!
//! A bracketed span is a marker only when its whole content (compared
//! case-insensitively) is one of [`MARKERS`], it stands as a word (at the
//! start of the line or after a space; at the end, before a space or before
//! punctuation) and it is not inside other brackets. Other bracketed text —
//! an editor's insertion in a quotation (`[the attackers] fled`), a
//! footnote `[1]` — is kept.
//!
//! Removal keeps the line's single spacing, so cleaning stays idempotent:
//! removing a marker that is not nested in brackets cannot make a new
//! marker out of the text around it (a bracket open around it would have
//! made it nested).

/// Known editorial markers, lower case, single-spaced.
pub(crate) const MARKERS: &[&str] = &[
    "text",
    "begin text",
    "end text",
    "dateline",
    "excerpt",
    "excerpts",
    "passage omitted",
    "passages omitted",
    "portion omitted",
    "paragraph omitted",
    "words indistinct",
    "word indistinct",
    "passage indistinct",
    "indistinct",
    "garbled",
    "sentence as published",
    "as published",
    "as received",
    "as heard",
    "begin recording",
    "end recording",
    "editorial report",
    "continued",
    "more",
    "ends",
];

/// Longest content (in bytes) worth comparing with [`MARKERS`].
const MAX_MARKER_LEN: usize = 24;

/// True when `content` (the text between the brackets) is a known marker.
fn is_marker(content: &str) -> bool {
    content.len() <= MAX_MARKER_LEN && MARKERS.iter().any(|m| m.eq_ignore_ascii_case(content))
}

/// Copies `line` (spaces already collapsed) into `out` without its editorial
/// markers, and returns the markers removed, as written. A line without
/// `[` is copied as is.
pub(crate) fn strip_markers(line: &str, out: &mut String) -> Vec<String> {
    out.clear();
    let mut removed = Vec::new();
    if !line.contains('[') {
        out.push_str(line);
        return removed;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        if c == '[' && depth == 0 {
            if let Some(end) = marker_end(line, i) {
                removed.push(line[i..end].to_string());
                let rest = &line[end..];
                let next = rest.chars().next();
                if next == Some(' ') && (out.is_empty() || out.ends_with(' ')) {
                    // "a [TEXT] b" → "a b"; "[TEXT] b" → "b".
                    i = end + 1;
                } else {
                    if next.is_some_and(|n| n != ' ') && out.ends_with(' ') {
                        // "a [TEXT]." → "a."
                        out.pop();
                    }
                    i = end;
                }
                continue;
            }
        }
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(c);
        i += c.len_utf8();
    }
    while out.ends_with(' ') {
        out.pop();
    }
    removed
}

/// When a marker opens at byte `open` (a `[`), the byte just after its `]`.
fn marker_end(line: &str, open: usize) -> Option<usize> {
    let before = line[..open].chars().next_back();
    if before.is_some_and(|c| c != ' ') {
        return None;
    }
    let body_start = open + 1;
    let close = body_start + line.get(body_start..)?.find(']')?;
    let content = &line[body_start..close];
    if content.contains('[') || !is_marker(content) {
        return None;
    }
    let end = close + 1;
    let after = line[end..].chars().next();
    let word_end =
        after.is_none_or(|c| c == ' ' || (c.is_ascii_punctuation() && c != '[' && c != ']'));
    word_end.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(line: &str) -> (String, Vec<String>) {
        let mut out = String::new();
        let removed = strip_markers(line, &mut out);
        (out, removed)
    }

    #[test]
    fn telex_text_marker_is_removed() {
        let (out, removed) =
            strip("LIMA, 14 MAR 91 (EFE) -- [TEXT] SHINING PATH GUERRILLAS DYNAMITED");
        assert_eq!(
            out,
            "LIMA, 14 MAR 91 (EFE) -- SHINING PATH GUERRILLAS DYNAMITED"
        );
        assert_eq!(removed, vec!["[TEXT]".to_string()]);
    }

    #[test]
    fn markers_at_edges_and_before_punctuation() {
        assert_eq!(strip("[Text] Beijing, 3 May").0, "Beijing, 3 May");
        assert_eq!(
            strip("the talks will go on [passage omitted]").0,
            "the talks will go on"
        );
        assert_eq!(
            strip("we will [words indistinct], he said").0,
            "we will, he said"
        );
        assert_eq!(strip("[DATELINE]").0, "");
        assert_eq!(strip("a [TEXT] [passage omitted] b").0, "a b");
    }

    #[test]
    fn other_brackets_are_kept() {
        for line in [
            "\"[The attackers] fled north,\" he said.",
            "as reported earlier [1] the army",
            "a [passage [TEXT] omitted] b",
            "x[TEXT] y",
            "[TEXT]x",
            "[ TEXT ] y",
            "[textual] analysis",
        ] {
            assert_eq!(strip(line).0, line, "{line}");
        }
    }

    #[test]
    fn stripping_is_idempotent_on_nested_and_unbalanced_brackets() {
        for line in [
            "[passage [TEXT] omitted] [TEXT]",
            "] [TEXT] [",
            "[[TEXT]] [TEXT]",
            "[ [TEXT] TEXT]",
            "a [more] [ends] b [",
        ] {
            let once = strip(line).0;
            assert_eq!(strip(&once).0, once, "{line}");
        }
    }
}
