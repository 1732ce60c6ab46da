//! The error type of every reader in this crate.

use std::fmt;

use vigil_core::Origin;

/// Why one item (a file, a JSON Lines record, an HTML page) could not be
/// turned into a document.
///
/// The `Display` form is a single line: where (`path` or `path:line`), what is
/// wrong and what to do about it. Reading continues with the next item after
/// an error; the error only concerns the item named in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    /// The file (and line, for JSON Lines) the error concerns.
    pub origin: Origin,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl IngestError {
    /// Creates an error for `origin`.
    pub fn new(origin: Origin, kind: ErrorKind) -> IngestError {
        IngestError { origin, kind }
    }

    /// True when trying again later may succeed (a fetch that timed out or
    /// met a server error); false for errors in the input itself.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Fetch {
                transient: true,
                ..
            }
        )
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.kind)
    }
}

impl std::error::Error for IngestError {}

/// The kinds of failure, each with a one-line explanation and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file or directory could not be opened or read.
    Io(String),
    /// The bytes are not text: an image, an archive, a compressed file or
    /// data full of NUL bytes. The string names what was recognised.
    Binary(String),
    /// The file, record or page contains no text at all.
    Empty,
    /// The item is larger than the configured limit (in bytes).
    TooLarge {
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },
    /// A JSON Lines line is longer than the configured limit (in bytes).
    LineTooLong {
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },
    /// A JSON Lines line is not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte within the line.
        at: usize,
    },
    /// A JSON Lines line is not valid JSON (the parser's message).
    Json(String),
    /// The input is one JSON array instead of JSON Lines.
    JsonArray,
    /// The input is one JSON object spread over several lines.
    MultiLineJson,
    /// A JSON Lines line holds a JSON value that is not an object.
    NotObject(&'static str),
    /// A record has none of the fields that can hold the article body.
    MissingText,
    /// A record field has the wrong JSON type.
    WrongType {
        /// The field name as written in the record.
        field: String,
        /// What was expected ("a string").
        expected: &'static str,
        /// What was found ("a number").
        found: &'static str,
    },
    /// An HTML page contains no readable text.
    NoArticleText,
    /// A WARC record is malformed, truncated, too large or holds a page
    /// that cannot be read.
    Warc {
        /// Byte offset of the record in the (uncompressed) archive.
        offset: u64,
        /// What is wrong and what happens next.
        message: String,
    },
    /// An RSS or Atom feed is not well-formed XML or not a feed at all.
    Feed(String),
    /// A URL could not be fetched (network, HTTP status, timeout, size or
    /// content type); the message says what happened and what to do. The
    /// origin is the URL.
    Fetch {
        /// What happened and what to do.
        message: String,
        /// The failure may go away by itself (timeout, 5xx): try again later.
        transient: bool,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(message) => {
                write!(f, "cannot read: {}; check that the path exists and is readable", one_line(message))
            }
            ErrorKind::Binary(what) => write!(
                f,
                "binary file ({what}), not an article; pass plain text, HTML or JSON Lines (decompress archives first)"
            ),
            ErrorKind::Empty => f.write_str("empty document: there is no text to analyse; remove the item or fill it"),
            ErrorKind::TooLarge { limit } => write!(
                f,
                "larger than the limit of {} MiB; split it into several documents",
                limit / (1024 * 1024)
            ),
            ErrorKind::LineTooLong { limit } => write!(
                f,
                "line longer than the limit of {} MiB, skipped; put one record per line and split huge records",
                limit / (1024 * 1024)
            ),
            ErrorKind::InvalidUtf8 { at } => write!(
                f,
                "invalid UTF-8 at byte {at} of the line, record skipped; re-encode the file as UTF-8"
            ),
            ErrorKind::Json(message) => write!(
                f,
                "invalid JSON ({}), record skipped; each line must hold one complete JSON object",
                one_line(message)
            ),
            ErrorKind::JsonArray => f.write_str(
                "a JSON array, not JSON Lines; write one object per line (e.g. `jq -c '.[]' in.json > out.jsonl`)",
            ),
            ErrorKind::MultiLineJson => f.write_str(
                "pretty-printed JSON spread over several lines, not JSON Lines; write one object per line (e.g. `jq -c . in.json > out.jsonl`)",
            ),
            ErrorKind::NotObject(found) => write!(
                f,
                "expected a JSON object with a `text` or `html` field, found {found}; record skipped"
            ),
            ErrorKind::MissingText => f.write_str(
                "record has no `text` or `html` field (also accepted: content, body, article, html_content), skipped; add the article body",
            ),
            ErrorKind::WrongType { field, expected, found } => write!(
                f,
                "field `{}` must be {expected} but is {found}, record skipped; fix the field's type",
                one_line(field)
            ),
            ErrorKind::NoArticleText => f.write_str(
                "no article text found in the HTML (only scripts, navigation or empty markup); pass the full article page or its text",
            ),
            ErrorKind::Warc { offset, message } => write!(
                f,
                "WARC record at byte {offset}: {}",
                one_line(message)
            ),
            ErrorKind::Feed(message) => write!(
                f,
                "not a readable RSS or Atom feed: {}",
                one_line(message)
            ),
            ErrorKind::Fetch { message, .. } => f.write_str(&one_line(message)),
        }
    }
}

/// Replaces line breaks so that every message stays on one line.
fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for ch in message.chars() {
        if ch.is_control() {
            out.push(' ');
        } else {
            out.push(ch);
        }
    }
    if out.chars().count() > 200 {
        let cut: String = out.chars().take(200).collect();
        return format!("{cut}…");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_origin() {
        let err = IngestError::new(
            Origin {
                path: "news.jsonl".into(),
                line: Some(7),
            },
            ErrorKind::Json("expected value\nat line 1".into()),
        );
        let shown = err.to_string();
        assert!(shown.starts_with("news.jsonl:7: invalid JSON"), "{shown}");
        assert!(!shown.contains('\n'));
    }
}
