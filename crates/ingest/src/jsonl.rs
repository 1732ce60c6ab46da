//! JSON Lines: one article record per line, read with bounded memory.

use std::io::BufRead;

use serde_json::{Map, Value};
use vigil_core::{Document, Origin};

use crate::error::{ErrorKind, IngestError};
use crate::format::looks_like_html;
use crate::source::{Ingested, ReadOptions};

/// Fields that can hold the article body, in order of preference.
const BODY_FIELDS: &[&str] = &[
    "text",
    "html",
    "content",
    "body",
    "article",
    "maintext",
    "html_content",
    "raw_html",
    "full_text",
];
/// Body fields whose value is always HTML.
const HTML_FIELDS: &[&str] = &["html", "html_content", "raw_html"];
const ID_FIELDS: &[&str] = &["id", "_id", "doc_id", "article_id", "uuid"];
const TITLE_FIELDS: &[&str] = &["title", "headline", "heading"];
const URL_FIELDS: &[&str] = &["url", "link", "href", "canonical_url", "source_url", "uri"];
const SOURCE_FIELDS: &[&str] = &[
    "source",
    "site",
    "site_name",
    "publisher",
    "outlet",
    "source_name",
    "domain",
    "feed",
];
const AUTHOR_FIELDS: &[&str] = &["author", "authors", "byline", "creator"];
const DATE_FIELDS: &[&str] = &[
    "published",
    "date",
    "publish_date",
    "published_at",
    "publication_date",
    "date_published",
    "datePublished",
    "pubdate",
    "datetime",
    "timestamp",
    "created_at",
    "time",
];

/// Reads JSON Lines from `reader`, calling `sink` once per non-blank line.
///
/// `path` names the input in errors and origins; `stem` prefixes the default
/// ids (`<stem>-<line>`). A line longer than `options.max_line_bytes` is
/// skipped (its bytes are discarded as they stream past) and reported.
pub(crate) fn read_lines(
    reader: &mut dyn BufRead,
    path: &str,
    stem: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    let limit = options.max_line_bytes;
    let mut line: Vec<u8> = Vec::new();
    let mut line_no = 0usize;
    let mut first_content_line = true;
    loop {
        line.clear();
        let mut too_long = false;
        let mut got_any = false;
        loop {
            let chunk = match reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    let origin = Origin {
                        path: path.to_string(),
                        line: Some(line_no + 1),
                    };
                    sink(Err(IngestError::new(
                        origin,
                        ErrorKind::Io(err.to_string()),
                    )));
                    return;
                }
            };
            if chunk.is_empty() {
                break;
            }
            got_any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(pos) => (pos, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if line.len() + take > limit {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(&chunk[..take]);
                }
            }
            reader.consume(if done { take + 1 } else { take });
            if done {
                break;
            }
        }
        if !got_any {
            return;
        }
        line_no += 1;
        let origin = Origin {
            path: path.to_string(),
            line: Some(line_no),
        };
        if too_long {
            sink(Err(IngestError::new(
                origin,
                ErrorKind::LineTooLong {
                    limit: limit as u64,
                },
            )));
            first_content_line = false;
            continue;
        }
        let mut bytes = line.as_slice();
        if line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let bytes = bytes.trim_ascii();
        if bytes.is_empty() {
            continue;
        }
        if first_content_line {
            first_content_line = false;
            // A JSON array or a pretty-printed object spans many lines: one
            // clear error instead of one per line.
            if bytes.starts_with(b"[")
                && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err()
            {
                sink(Err(IngestError::new(origin, ErrorKind::JsonArray)));
                return;
            }
            if bytes == b"{" {
                sink(Err(IngestError::new(origin, ErrorKind::MultiLineJson)));
                return;
            }
        }
        let default_id = format!("{stem}-{line_no}");
        sink(parse_line(bytes, origin, &default_id));
    }
}

/// Parses one JSON Lines line (already trimmed) into a document.
pub(crate) fn parse_line(
    bytes: &[u8],
    origin: Origin,
    default_id: &str,
) -> Result<Ingested, IngestError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            return Err(IngestError::new(
                origin,
                ErrorKind::InvalidUtf8 {
                    at: err.valid_up_to(),
                },
            ))
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => return Err(IngestError::new(origin, ErrorKind::Json(err.to_string()))),
    };
    match value {
        Value::Object(map) => parse_record(&map, origin, default_id),
        other => Err(IngestError::new(
            origin,
            ErrorKind::NotObject(type_name(&other)),
        )),
    }
}

/// Turns a JSON object into a document; see the crate documentation for the
/// accepted fields.
///
/// # Errors
///
/// A missing or empty body, or a body or `id` of the wrong type.
pub fn parse_record(
    map: &Map<String, Value>,
    origin: Origin,
    default_id: &str,
) -> Result<Ingested, IngestError> {
    let mut warnings = Vec::new();
    let id = match first_present(map, ID_FIELDS) {
        None => default_id.to_string(),
        Some((name, value)) => match value {
            Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
            Value::String(_) => default_id.to_string(),
            Value::Number(n) => n.to_string(),
            other => {
                let kind = ErrorKind::WrongType {
                    field: name.to_string(),
                    expected: "a string or a number",
                    found: type_name(other),
                };
                return Err(IngestError::new(origin, kind));
            }
        },
    };

    let Some((body_field, body_value)) = first_present(map, BODY_FIELDS) else {
        return Err(IngestError::new(origin, ErrorKind::MissingText));
    };
    let body = match body_value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        other => {
            let kind = ErrorKind::WrongType {
                field: body_field.to_string(),
                expected: "a string",
                found: type_name(other),
            };
            return Err(IngestError::new(origin, kind));
        }
    };
    if body.trim().is_empty() {
        return Err(IngestError::new(origin, ErrorKind::Empty));
    }

    let is_html = HTML_FIELDS.contains(&body_field) || looks_like_html(body.as_bytes());
    let mut document = if is_html {
        if !HTML_FIELDS.contains(&body_field) {
            warnings.push(format!(
                "field `{body_field}` holds HTML markup; its main text was extracted"
            ));
        }
        crate::html::extract_html(&body, origin.clone())?
    } else {
        Document {
            text: body.trim().replace("\r\n", "\n"),
            origin: origin.clone(),
            ..Document::default()
        }
    };
    document.id = id;
    document.origin = origin;

    if let Some(title) = optional_text(map, TITLE_FIELDS, &mut warnings) {
        document.title = crate::clean_meta(Some(title));
    }
    if let Some(url) = optional_text(map, URL_FIELDS, &mut warnings) {
        document.url = Some(url);
    }
    if let Some(source) = optional_text(map, SOURCE_FIELDS, &mut warnings) {
        document.source = crate::clean_meta(Some(source));
    }
    if let Some(author) = optional_text(map, AUTHOR_FIELDS, &mut warnings) {
        document.author = crate::clean_meta(Some(author));
    }
    let mut published_from = document.published.map(|_| "metadata");
    if let Some((name, value)) = first_present(map, DATE_FIELDS) {
        let parsed = match value {
            Value::String(s) => crate::date::parse_timestamp(s),
            Value::Number(n) => n.as_i64().and_then(|n| {
                let secs = if n.abs() >= 100_000_000_000 {
                    n / 1000
                } else {
                    n
                };
                chrono::DateTime::from_timestamp(secs, 0).map(|d| d.fixed_offset())
            }),
            _ => None,
        };
        match parsed {
            Some(time) => {
                document.published = Some(time);
                published_from = Some("record");
            }
            None => warnings.push(format!(
                "field `{name}`: unrecognised date {}, ignored",
                short(value)
            )),
        }
    }
    Ok(Ingested {
        document,
        warnings,
        published_from,
    })
}

/// The first field of `names` that is present and not null.
fn first_present<'m>(
    map: &'m Map<String, Value>,
    names: &[&'static str],
) -> Option<(&'static str, &'m Value)> {
    names
        .iter()
        .find_map(|&name| map.get(name).filter(|v| !v.is_null()).map(|v| (name, v)))
}

/// An optional metadata string: a string, a number, `{"name": …}` or a list
/// of those (joined with ", "). Other types are reported as warnings.
fn optional_text(
    map: &Map<String, Value>,
    names: &[&'static str],
    warnings: &mut Vec<String>,
) -> Option<String> {
    let (name, value) = first_present(map, names)?;
    let text = match value {
        Value::String(s) => Some(collapse(s)),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(collapse),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .take(50)
                .filter_map(|v| match v {
                    Value::String(s) => Some(collapse(s)),
                    Value::Object(o) => o.get("name").and_then(Value::as_str).map(collapse),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .collect();
            Some(parts.join(", "))
        }
        _ => None,
    };
    match text {
        Some(t) if !t.is_empty() => Some(t),
        Some(_) => None,
        None => {
            warnings.push(format!(
                "field `{name}` must be a string but is {}, ignored",
                type_name(value)
            ));
            None
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn short(value: &Value) -> String {
    let shown = value.to_string();
    if shown.chars().count() > 60 {
        format!("{}…", shown.chars().take(60).collect::<String>())
    } else {
        shown
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
