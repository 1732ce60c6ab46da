//! Sources: files, directories, standard input → [`Document`]s.
//!
//! vigil reads five formats ([`Format`]): plain text (one article per
//! file), HTML pages or fragments (the main text and metadata are extracted,
//! see [`extract_html`]), JSON Lines (one article per line), WARC web
//! archives and RSS/Atom feed files.
//!
//! | format | extensions | sniffed from | one document per |
//! |---|---|---|---|
//! | `text` | `txt`, `text` | anything else | file |
//! | `html` | `html`, `htm`, `xhtml`, `shtml` | doctype, `<html>`, `<body>`, several tags | file |
//! | `jsonl` | `jsonl`, `ndjson`, `json` | a first line holding a JSON object | line |
//! | `warc` | `warc`, `warc.gz` | `WARC/` (plain or gzipped) | `response` record carrying HTML |
//! | `feed` | `xml`, `rss`, `atom` | a first element `<rss>`, `<rdf:RDF>` or Atom `<feed>` | item / entry |
//!
//! # WARC archives
//!
//! Plain or gzipped (one gzip member per record, as in Common Crawl, or one
//! for the whole file). Records are framed by `Content-Length`
//! (WARC/1.0 and 1.1); only `response` records whose HTTP payload is a 2xx
//! HTML page (`Content-Type` `text/html`/`application/xhtml+xml`, or sniffed
//! when absent) become documents, through [`extract_html`]: chunked transfer
//! encoding and gzip/deflate content encoding are undone. `WARC-Target-URI`
//! is the URL when the page has no canonical URL, and `WARC-Date` the
//! publication time when the page has none (`published_from` is then
//! `"warc-date"`). Other records (requests, metadata, images, redirects)
//! are skipped silently. Ids are `<file stem>-<record number>`. A malformed
//! record is an [`ErrorKind::Warc`] error naming its byte offset in the
//! uncompressed archive; reading resumes at the next `WARC/` line, and a
//! truncated or undecompressable archive stops with an error. Records over
//! [`ReadOptions::max_document_bytes`] are skipped with an error.
//!
//! # Feeds
//!
//! RSS 2.0, RSS 1.0 (RDF) and Atom files (no fetching). Each item/entry is
//! a document with id `<file stem>-<n>` and its line in `origin.line`:
//! `title`; `link` (Atom: `rel="alternate"` or no `rel`), else a permalink
//! `guid`, as `url`; `pubDate`/`published`/`dc:date`, else `updated`, as
//! `published`; `dc:creator`/`author` (Atom `author/name`) as `author`; the
//! channel or feed title as `source`; `content:encoded`/`content`, else
//! `description`/`summary`, as the text, run through [`extract_html`] when
//! it is HTML. An item without a body is an "empty document" error; an
//! unparseable date is dropped with a warning; malformed XML stops the feed
//! with an [`ErrorKind::Feed`] error naming the line, after the items
//! before it.
//!
//! # Fetching
//!
//! [`fetch`] reads feeds and article pages over HTTP(S) with timeouts, a
//! size limit, conditional GET, per-host politeness and retries:
//! [`fetch::Fetcher::fetch_source`] turns a feed URL into the documents of
//! its linked articles (a page URL into the page's document), and
//! [`fetch::Fetcher::poll_feed`] / [`fetch::Fetcher::fetch_article`] are the
//! steps `vigil watch` schedules.
//!
//! # Reading
//!
//! [`read_source`] takes a file, a directory (walked recursively in sorted
//! order) or `-` for standard input, and calls a sink once per document or
//! per failed item. A bad item never stops the reading: it yields an
//! [`IngestError`] whose `Display` is one line naming the file (and line)
//! and the fix. [`read_bytes`] does the same for bytes in memory. The
//! `_with` variants take [`ReadOptions`] and pass [`Ingested`] values that
//! carry warnings (dropped dates, lossy decoding…).
//!
//! ```
//! use vigil_ingest::{read_bytes, Format, Origin};
//!
//! let input = b"{\"id\": \"a1\", \"text\": \"Gunmen attacked a convoy.\", \"date\": \"2024-03-10\"}\nnot json\n";
//! let (mut docs, mut errors) = (Vec::new(), Vec::new());
//! let origin = Origin { path: "news.jsonl".into(), line: None };
//! read_bytes(input, Format::Jsonl, origin, &mut |result| match result {
//!     Ok(doc) => docs.push(doc),
//!     Err(err) => errors.push(err.to_string()),
//! });
//! assert_eq!(docs[0].id, "a1");
//! assert_eq!(docs[0].published.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-10T00:00:00+00:00"));
//! assert!(errors[0].starts_with("news.jsonl:2: invalid JSON"));
//! ```
//!
//! # Bytes to text
//!
//! Binary inputs (image, archive and executable signatures, or many NUL and
//! control bytes) are rejected as "binary file". UTF-8 is expected; UTF-16
//! with a byte-order mark is decoded; other invalid UTF-8 is decoded lossily
//! (mostly UTF-8: bad bytes become U+FFFD) or as Windows-1252 (legacy
//! single-byte text), with a warning saying which. Empty or blank inputs
//! are an "empty document" error.
//!
//! # JSON Lines records
//!
//! | field | aliases | type |
//! |---|---|---|
//! | `id` | `_id`, `doc_id`, `article_id`, `uuid` | string or number; default `<file stem>-<line>` |
//! | `text` | `content`, `body`, `article`, `maintext`, `full_text` | string (or list of paragraph strings); HTML markup is detected and extracted |
//! | `html` | `html_content`, `raw_html` | string, always run through [`extract_html`] |
//! | `title` | `headline`, `heading` | string |
//! | `url` | `link`, `href`, `canonical_url`, `source_url`, `uri` | string |
//! | `source` | `site`, `site_name`, `publisher`, `outlet`, `source_name`, `domain`, `feed` | string or `{"name": …}` |
//! | `author` | `authors`, `byline`, `creator` | string, `{"name": …}` or a list (joined with ", ") |
//! | `published` | `date`, `publish_date`, `published_at`, `publication_date`, `date_published`, `datePublished`, `pubdate`, `datetime`, `timestamp`, `created_at`, `time` | date string in any common format, or Unix seconds/milliseconds |
//!
//! A record without a body, with an empty body, or with a body or `id` of
//! the wrong type is an error for that line. Metadata of the wrong type and
//! unparseable dates are dropped with a warning. Record metadata wins over
//! metadata found in the HTML. Blank lines are skipped. Lines are read with
//! bounded memory; a line over [`ReadOptions::max_line_bytes`] is skipped
//! with an error.

mod date;
mod decode;
mod error;
mod feed;
pub mod fetch;
mod format;
mod html;
mod jsonl;
mod source;
mod warc;

pub use error::{ErrorKind, IngestError};
pub use format::{detect_format, Format};
pub use html::extract_html;
pub use jsonl::parse_record;
pub use source::{
    read_bytes, read_bytes_with, read_reader_with, read_source, read_source_with, Ingested,
    ReadOptions,
};
pub use vigil_core::{Document, Origin};

/// Repairs a metadata string (title, author, site) with
/// `vigil_text::clean_inline`; blank results become `None`.
pub(crate) fn clean_meta(value: Option<String>) -> Option<String> {
    value
        .map(|v| vigil_text::clean_inline(&v))
        .filter(|v| !v.trim().is_empty())
}
