//! RSS 2.0 / RSS 1.0 (RDF) and Atom feed files → one document per item or
//! entry. A small event-driven reader on `quick-xml`: no recursion, the
//! element stack lives on the heap.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use vigil_core::{Document, Origin};

use crate::error::{ErrorKind, IngestError};
use crate::source::Ingested;

/// The fields of one item/entry, as read.
#[derive(Default)]
struct Item {
    line: usize,
    title: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    date: Option<String>,
    author: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    /// The content is HTML (escaped HTML, CDATA or Atom `type="html"`/`xhtml`).
    content_html: bool,
}

/// Which item field the text being read belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Title,
    Link,
    Guid,
    Date,
    Author,
    Summary,
    Content,
    /// Atom `type="xhtml"` content: child elements are kept as markup.
    Xhtml,
}

/// One item/entry of a feed: its metadata, read even when it has no body,
/// and the document built from its body (or why there is none). The fetcher
/// uses the metadata to fetch the linked article page.
#[derive(Debug, Clone)]
pub(crate) struct FeedEntry {
    /// `link`, else a permalink `guid`, as written (possibly relative).
    pub link: Option<String>,
    /// `guid`/`id` as written.
    pub guid: Option<String>,
    /// The item title, cleaned.
    pub title: Option<String>,
    /// The item date, when it parses.
    pub published: Option<DateTime<FixedOffset>>,
    /// The item author, cleaned.
    pub author: Option<String>,
    /// The channel or feed title, cleaned.
    pub site: Option<String>,
    /// The document made of the item body.
    pub document: Result<Ingested, IngestError>,
}

/// Reads every item of a feed held in `bytes`.
pub(crate) fn read_feed(
    bytes: &[u8],
    path: &str,
    id: &str,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    read_feed_entries(bytes, path, id, &mut |entry| {
        sink(entry.and_then(|e| e.document))
    });
}

/// Reads every item of a feed held in `bytes`, with its metadata. Errors
/// that stop the feed (malformed XML, not a feed) come as `Err`.
pub(crate) fn read_feed_entries(
    bytes: &[u8],
    path: &str,
    id: &str,
    sink: &mut dyn FnMut(Result<FeedEntry, IngestError>),
) {
    let origin = |line: Option<usize>| Origin {
        path: path.to_string(),
        line,
    };
    let (text, _) = crate::decode::decode(bytes);
    // Line starts, for the line of each item (a binary search per item).
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect();
    let line_of = |pos: u64| {
        let at = usize::try_from(pos).unwrap_or(usize::MAX);
        1 + newlines.partition_point(|&n| n < at)
    };
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    let mut root_checked = false;
    let mut atom = false;
    let mut site: Option<String> = None;
    let mut item: Option<Item> = None;
    let mut item_depth = 0usize;
    // The field being read, its depth and its text so far.
    let mut field: Option<(Field, usize, String)> = None;
    let mut count = 0usize;
    loop {
        let pos = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let line = line_of(reader.error_position());
                let kind = ErrorKind::Feed(format!(
                    "invalid XML ({err}); the rest of the feed is skipped"
                ));
                return sink(Err(IngestError::new(origin(Some(line)), kind)));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = local(e);
                if !root_checked {
                    root_checked = true;
                    atom = name == "feed";
                    if !matches!(name.as_str(), "rss" | "feed" | "rdf") {
                        let kind = ErrorKind::Feed(format!(
                            "the root element is <{}>, not <rss> or <feed>",
                            name.chars().take(40).collect::<String>()
                        ));
                        return sink(Err(IngestError::new(origin(None), kind)));
                    }
                }
                let depth = stack.len();
                if let Some((kind, _, buf)) = field.as_mut() {
                    if *kind == Field::Xhtml {
                        buf.push('<');
                        buf.push_str(&name);
                        buf.push_str(if empty { "/>" } else { ">" });
                    }
                } else if let Some(current) = item.as_mut() {
                    let parent = stack.last().map(String::as_str).unwrap_or("");
                    let chosen = match name.as_str() {
                        "title" if depth == item_depth + 1 => Some(Field::Title),
                        "link" if depth == item_depth + 1 => {
                            let rel = attr(e, "rel");
                            match attr(e, "href") {
                                Some(href) => {
                                    if matches!(rel.as_deref(), None | Some("alternate"))
                                        && current.link.is_none()
                                    {
                                        current.link = Some(href.trim().to_string());
                                    }
                                    None
                                }
                                None => Some(Field::Link),
                            }
                        }
                        "guid" | "id" if depth == item_depth + 1 => Some(Field::Guid),
                        "pubdate" | "published" | "date" | "updated" | "issued" | "modified"
                            if depth == item_depth + 1 =>
                        {
                            // `published` wins over `updated`: it is read
                            // whichever comes first.
                            if current.date.is_none() || name == "published" || name == "pubdate" {
                                Some(Field::Date)
                            } else {
                                None
                            }
                        }
                        "creator" if depth == item_depth + 1 => Some(Field::Author),
                        // RSS `<author>` is text; Atom's holds `<name>`.
                        "author" if depth == item_depth + 1 && !atom => Some(Field::Author),
                        "name" if parent == "author" && depth == item_depth + 2 => {
                            Some(Field::Author)
                        }
                        "description" | "summary" if depth == item_depth + 1 => {
                            Some(Field::Summary)
                        }
                        "encoded" | "content" if depth == item_depth + 1 => {
                            match attr(e, "type").as_deref() {
                                Some("xhtml") => {
                                    current.content_html = true;
                                    Some(Field::Xhtml)
                                }
                                Some("html" | "text/html") => {
                                    current.content_html = true;
                                    Some(Field::Content)
                                }
                                _ => Some(Field::Content),
                            }
                        }
                        _ => None,
                    };
                    if let Some(kind) = chosen {
                        if !empty {
                            field = Some((kind, depth, String::new()));
                        }
                    }
                } else if matches!(name.as_str(), "item" | "entry") {
                    item = Some(Item {
                        line: line_of(pos),
                        ..Item::default()
                    });
                    item_depth = depth;
                    if empty {
                        count += 1;
                        if let Some(done) = item.take() {
                            sink(Ok(entry(done, path, id, count, &site)));
                        }
                    }
                } else if name == "title" && depth == 2 && site.is_none() && !empty {
                    // rss > channel > title, or feed > title.
                    field = Some((Field::Title, depth, String::new()));
                } else if name == "title" && depth == 1 && site.is_none() && !empty {
                    field = Some((Field::Title, depth, String::new()));
                }
                if !empty {
                    stack.push(name);
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let depth = stack.len();
                let mut finished = None;
                if let Some((kind, field_depth, buf)) = field.as_mut() {
                    if depth == *field_depth {
                        finished = Some((*kind, std::mem::take(buf)));
                        field = None;
                    } else if *kind == Field::Xhtml {
                        buf.push_str("</");
                        buf.push_str(&name);
                        buf.push('>');
                    }
                }
                if let Some((kind, value)) = finished {
                    let value = value.trim().to_string();
                    match item.as_mut() {
                        Some(current) => store(current, kind, value),
                        None => {
                            if !value.is_empty() && site.is_none() {
                                site = Some(value);
                            }
                        }
                    }
                } else if item.is_some() && depth == item_depth {
                    count += 1;
                    if let Some(done) = item.take() {
                        sink(Ok(entry(done, path, id, count, &site)));
                    }
                }
            }
            Event::Text(ref t) => push_text(&mut field, &t.xml10_content()),
            Event::CData(ref t) => {
                if let (Some(current), Some((Field::Summary | Field::Content, _, _))) =
                    (item.as_mut(), &field)
                {
                    current.content_html |=
                        crate::format::looks_like_html(t.xml10_content().as_bytes());
                }
                if let Some((kind, _, buf)) = field.as_mut() {
                    if *kind == Field::Xhtml {
                        buf.push_str(&escape(&t.xml10_content()));
                    } else {
                        buf.push_str(&t.xml10_content());
                    }
                }
            }
            Event::GeneralRef(ref r) => {
                let resolved: Cow<str> = match r.resolve_char_ref() {
                    Ok(Some(ch)) => Cow::Owned(ch.to_string()),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        "nbsp" => "\u{a0}".into(),
                        other => Cow::Owned(format!("&{other};")),
                    },
                };
                push_text(&mut field, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_checked {
        let kind = ErrorKind::Feed("no XML elements found".into());
        sink(Err(IngestError::new(origin(None), kind)));
    }
}

fn push_text(field: &mut Option<(Field, usize, String)>, text: &str) {
    if let Some((kind, _, buf)) = field.as_mut() {
        if *kind == Field::Xhtml {
            buf.push_str(&escape(text));
        } else {
            buf.push_str(text);
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn store(item: &mut Item, kind: Field, value: String) {
    if value.is_empty() {
        return;
    }
    let slot = match kind {
        Field::Title => &mut item.title,
        Field::Link => &mut item.link,
        Field::Guid => &mut item.guid,
        Field::Author => &mut item.author,
        Field::Summary => &mut item.summary,
        Field::Content | Field::Xhtml => &mut item.content,
        Field::Date => {
            item.date = Some(value);
            return;
        }
    };
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// The lower-case local name of an element (`content:encoded` → `encoded`).
fn local(e: &BytesStart) -> String {
    let name = e.local_name();
    name.as_ref().to_ascii_lowercase()
}

/// The value of an attribute by local name, entities resolved.
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.local_name();
        if key.as_ref().eq_ignore_ascii_case(name) {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        } else {
            None
        }
    })
}

/// The metadata of an item and the document built from its body.
fn entry(item: Item, path: &str, id: &str, number: usize, site: &Option<String>) -> FeedEntry {
    let link = item.link.clone().or_else(|| {
        item.guid
            .clone()
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
    });
    FeedEntry {
        link,
        guid: item.guid.clone(),
        title: crate::clean_meta(item.title.clone()),
        published: item.date.as_deref().and_then(crate::date::parse_timestamp),
        author: crate::clean_meta(item.author.clone()),
        site: crate::clean_meta(site.clone()),
        document: build(item, path, id, number, site),
    }
}

/// One document from an item.
fn build(
    item: Item,
    path: &str,
    id: &str,
    number: usize,
    site: &Option<String>,
) -> Result<Ingested, IngestError> {
    let origin = Origin {
        path: path.to_string(),
        line: Some(item.line),
    };
    let mut warnings = Vec::new();
    let body = item
        .content
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .or(item.summary.as_deref())
        .unwrap_or("");
    if body.trim().is_empty() {
        return Err(IngestError::new(origin, ErrorKind::Empty));
    }
    let is_html = (item.content_html && item.content.is_some())
        || crate::format::looks_like_html(body.as_bytes())
        || [
            "<p>",
            "<p ",
            "<br",
            "</a>",
            "</b>",
            "</i>",
            "</em>",
            "</strong>",
            "</div>",
        ]
        .iter()
        .any(|tag| body.contains(tag));
    let text = if is_html {
        crate::html::extract_html(body, origin.clone())?.text
    } else {
        body.trim().to_string()
    };
    let published = match item.date.as_deref() {
        Some(raw) => {
            let parsed = crate::date::parse_timestamp(raw);
            if parsed.is_none() {
                warnings.push(format!(
                    "unparseable date `{}` dropped",
                    raw.chars().take(60).collect::<String>()
                ));
            }
            parsed
        }
        None => None,
    };
    let url = item.link.or_else(|| {
        item.guid
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
    });
    Ok(Ingested {
        document: Document {
            id: format!("{id}-{number}"),
            title: crate::clean_meta(item.title),
            source: crate::clean_meta(site.clone()),
            url,
            author: crate::clean_meta(item.author),
            published,
            text,
            origin,
        },
        warnings,
        published_from: published.map(|_| "record"),
    })
}
