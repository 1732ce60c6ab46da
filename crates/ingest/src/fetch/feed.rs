//! Feeds over HTTP: polling a feed into items, fetching and extracting the
//! article page of each item.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use vigil_core::{Document, Origin};

use super::{url, FetchError, FetchErrorKind, Fetcher, Page, PageKind, Validators};
use crate::error::{ErrorKind, IngestError};
use crate::source::Ingested;

/// One item of a fetched feed: where its article is and the metadata the
/// feed gives for it. Serializable, so that it can travel as a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    /// The feed's URL.
    pub feed: String,
    /// The article's absolute URL (the item link resolved against the
    /// feed's address), when the item has one.
    pub url: Option<String>,
    /// What identifies the item across polls: its URL, else its `guid`,
    /// else a hash of the feed URL, title and body.
    pub key: String,
    /// The item title.
    pub title: Option<String>,
    /// The item date.
    pub published: Option<DateTime<FixedOffset>>,
    /// The item author.
    pub author: Option<String>,
    /// The feed's title (the site).
    pub site: Option<String>,
    /// The document made of the item's own body (summary or full content)
    /// in the feed, used when the page cannot be had.
    pub summary: Option<Document>,
}

impl FeedItem {
    /// An item for a bare article URL, without feed metadata.
    pub fn for_url(url: &str) -> FeedItem {
        FeedItem {
            feed: url.to_string(),
            url: Some(url.to_string()),
            key: url.to_string(),
            title: None,
            published: None,
            author: None,
            site: None,
            summary: None,
        }
    }
}

/// The outcome of polling a feed.
#[derive(Debug, Clone)]
pub enum FeedPoll {
    /// `304 Not Modified`: nothing new since the validators were issued.
    NotModified,
    /// The feed was fetched and read.
    Fetched {
        /// The feed's address after redirects.
        final_url: String,
        /// ETag and Last-Modified to send on the next poll.
        validators: Validators,
        /// Every item, in feed order.
        items: Vec<FeedItem>,
        /// Items (or the rest of the feed) that could not be read.
        errors: Vec<IngestError>,
        /// The size of the feed, in bytes.
        bytes: usize,
    },
}

impl Fetcher {
    /// Fetches the feed at `url` (conditionally, with `validators` from the
    /// previous poll) and reads its items.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] when the feed cannot be fetched or the URL holds
    /// something other than an RSS/Atom feed. Malformed items are reported
    /// in [`FeedPoll::Fetched`]'s `errors`.
    pub fn poll_feed(&self, url: &str, validators: &Validators) -> Result<FeedPoll, FetchError> {
        let page = match self.get(url, validators)? {
            super::Fetched::NotModified => return Ok(FeedPoll::NotModified),
            super::Fetched::Page(page) => page,
        };
        let fail = |kind| FetchError {
            url: url.to_string(),
            kind,
            attempts: 1,
        };
        match page.kind().map_err(fail)? {
            PageKind::Feed => {}
            PageKind::Html => {
                return Err(fail(FetchErrorKind::NotAFeed {
                    found: "an HTML page",
                }))
            }
            PageKind::Text => {
                return Err(fail(FetchErrorKind::NotAFeed {
                    found: "plain text",
                }))
            }
        }
        let (items, errors) = read_items(&page);
        Ok(FeedPoll::Fetched {
            final_url: page.final_url.clone(),
            validators: page.validators.clone(),
            items,
            errors,
            bytes: page.body.len(),
        })
    }

    /// Fetches the article page of `item` and extracts it; the item's
    /// title, date and author fill in what the page lacks, and the feed's
    /// own text is kept when the page's is much shorter (a teaser page).
    ///
    /// When the page is gone, refused, not HTML or has no readable text,
    /// the item's summary from the feed is the document (with a warning).
    ///
    /// # Errors
    ///
    /// Transient failures (timeouts, 5xx after retries) are errors even
    /// when there is a summary, so that the item is tried again later
    /// rather than stored in part; so are permanent failures without a
    /// summary.
    pub fn fetch_article(&self, item: &FeedItem) -> Result<Ingested, IngestError> {
        let Some(link) = item.url.as_deref() else {
            return summary_of(item, None);
        };
        let page = match self.get_allowed_page(link) {
            Ok(page) => page,
            Err(err) if err.kind.is_transient() || item.summary.is_none() => return Err(err.into()),
            Err(err) => return summary_of(item, Some(err.to_string())),
        };
        match article_from_page(&page, item) {
            Ok(ingested) => Ok(ingested),
            Err(err) if item.summary.is_some() => summary_of(item, Some(err.to_string())),
            Err(err) => Err(err),
        }
    }

    /// Fetches the articles of `items`, [`FetchConfig::concurrency`]
    /// at a time (politeness still applies per host), and passes each
    /// result to `sink` with the item's index, in item order. Once `stop`
    /// is set, no new article is started; those in progress are finished
    /// and delivered.
    ///
    /// [`FetchConfig::concurrency`]: super::FetchConfig::concurrency
    pub fn fetch_articles(
        &self,
        items: &[FeedItem],
        stop: &AtomicBool,
        sink: &mut dyn FnMut(usize, Result<Ingested, IngestError>),
    ) {
        let workers = self.config.concurrency.clamp(1, items.len().max(1));
        if workers == 1 {
            for (i, item) in items.iter().enumerate() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                sink(i, self.fetch_article(item));
            }
            return;
        }
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let next = &next;
                scope.spawn(move || loop {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else {
                        return;
                    };
                    if tx.send((i, self.fetch_article(item))).is_err() {
                        return;
                    }
                });
            }
            drop(tx);
            // Deliver in item order: hold early results until their turn.
            let mut pending = BTreeMap::new();
            let mut due = 0usize;
            for (i, result) in rx {
                pending.insert(i, result);
                while let Some(result) = pending.remove(&due) {
                    sink(due, result);
                    due += 1;
                }
            }
            // After a stop, results past a gap are still delivered.
            for (i, result) in pending {
                sink(i, result);
            }
        });
    }

    /// `vigil ingest URL`: a feed URL gives the article of every item
    /// (fetched as by [`Fetcher::fetch_article`]), a page URL the page
    /// itself. Every document or failure goes to `sink`.
    pub fn fetch_source(&self, url: &str, sink: &mut dyn FnMut(Result<Ingested, IngestError>)) {
        let page = match self.get_page(url) {
            Ok(page) => page,
            Err(err) => return sink(Err(err.into())),
        };
        let kind = match page.kind() {
            Ok(kind) => kind,
            Err(kind) => {
                let err = FetchError {
                    url: url.to_string(),
                    kind,
                    attempts: 1,
                };
                return sink(Err(err.into()));
            }
        };
        if kind != PageKind::Feed {
            return sink(article_from_page(&page, &FeedItem::for_url(url)));
        }
        let (items, errors) = read_items(&page);
        for err in errors {
            sink(Err(err));
        }
        let never = AtomicBool::new(false);
        self.fetch_articles(&items, &never, &mut |_, result| sink(result));
    }
}

/// The items of a fetched feed, links resolved against its final address.
fn read_items(page: &Page) -> (Vec<FeedItem>, Vec<IngestError>) {
    let (text, _) = page.text();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let stem = url::document_id(&page.url);
    crate::feed::read_feed_entries(text.as_bytes(), &page.url, &stem, &mut |entry| {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => return errors.push(err),
        };
        let link = entry
            .link
            .as_deref()
            .and_then(|href| url::resolve(&page.final_url, href));
        let summary = entry.document.ok().map(|ingested| {
            let mut doc = ingested.document;
            doc.url = link.clone().or(doc.url);
            doc
        });
        let key = match (&link, &entry.guid) {
            (Some(link), _) => link.clone(),
            (None, Some(guid)) => format!("{}#guid:{guid}", page.url),
            (None, None) => {
                let body = summary.as_ref().map_or("", |d| d.text.as_str());
                let title = entry.title.as_deref().unwrap_or("");
                url::document_id(&format!("{}#{title}\n{body}", page.url))
            }
        };
        let summary = summary.map(|mut doc| {
            doc.id = match &link {
                Some(link) => url::document_id(link),
                None => key.clone(),
            };
            doc
        });
        items.push(FeedItem {
            feed: page.url.clone(),
            url: link,
            key,
            title: entry.title,
            published: entry.published,
            author: entry.author,
            site: entry.site,
            summary,
        });
    });
    (items, errors)
}

/// The document of an article page, with the feed item's metadata where
/// the page has none.
fn article_from_page(page: &Page, item: &FeedItem) -> Result<Ingested, IngestError> {
    let origin = Origin {
        path: page.url.clone(),
        line: None,
    };
    let kind = page.kind().map_err(|kind| {
        IngestError::from(FetchError {
            url: page.url.clone(),
            kind,
            attempts: 1,
        })
    })?;
    let (text, decode_warning) = page.text();
    let mut warnings: Vec<String> = decode_warning.into_iter().collect();
    let extracted = match kind {
        PageKind::Html => crate::html::extract_html(&text, origin.clone())?,
        PageKind::Text if !text.trim().is_empty() => Document {
            text: text.replace("\r\n", "\n").trim().to_string(),
            origin: origin.clone(),
            ..Document::default()
        },
        PageKind::Text => return Err(IngestError::new(origin, ErrorKind::Empty)),
        PageKind::Feed => {
            let kind = FetchErrorKind::Unsupported {
                mime: "an RSS/Atom feed where an article was expected".into(),
            };
            return Err(FetchError {
                url: page.url.clone(),
                kind,
                attempts: 1,
            }
            .into());
        }
    };
    let mut body = extracted.text;
    if let Some(summary) = &item.summary {
        if summary.text.chars().count() > 2 * body.chars().count() {
            warnings.push(
                "the page's text is much shorter than the feed's; the feed's text was kept".into(),
            );
            body = summary.text.clone();
        }
    }
    let (published, published_from) = match (extracted.published, item.published) {
        (Some(date), _) => (Some(date), Some("metadata")),
        (None, Some(date)) => (Some(date), Some("record")),
        (None, None) => (None, None),
    };
    let document = Document {
        id: url::document_id(item.url.as_deref().unwrap_or(&page.url)),
        title: extracted.title.or_else(|| item.title.clone()),
        source: extracted.source.or_else(|| item.site.clone()),
        url: Some(canonical(extracted.url.as_deref(), &page.final_url)),
        author: extracted.author.or_else(|| item.author.clone()),
        published,
        text: body,
        origin,
    };
    Ok(Ingested {
        document,
        warnings,
        published_from,
    })
}

/// The page's canonical URL when it is believable (absolute, same host as
/// the page, not the site's home page), else the address answered. Sites
/// that point every page's canonical link at their home page would
/// otherwise make every article a duplicate of the first.
fn canonical(declared: Option<&str>, final_url: &str) -> String {
    let believable = declared.and_then(|c| {
        let uri = url::parse(c).ok()?;
        let page = url::parse(final_url).ok()?;
        let same_host =
            uri.host().map(str::to_ascii_lowercase) == page.host().map(str::to_ascii_lowercase);
        let home = matches!(uri.path(), "" | "/");
        (same_host && !home).then(|| c.trim().to_string())
    });
    believable.unwrap_or_else(|| final_url.to_string())
}

/// The item's own document from the feed, when the page could not be had
/// (`why`), or an error when the feed has no text for it either.
fn summary_of(item: &FeedItem, why: Option<String>) -> Result<Ingested, IngestError> {
    let Some(summary) = item.summary.clone() else {
        let origin = Origin {
            path: item.feed.clone(),
            line: None,
        };
        return Err(IngestError::new(origin, ErrorKind::Empty));
    };
    let warnings = why
        .map(|why| format!("article page unavailable ({why}); the feed's text was stored instead"))
        .into_iter()
        .collect();
    let published_from = summary.published.map(|_| "record");
    Ok(Ingested {
        document: summary,
        warnings,
        published_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_urls_must_be_believable() {
        let page = "https://news.example.com/2024/attack";
        assert_eq!(
            canonical(Some("https://news.example.com/a?id=1"), page),
            "https://news.example.com/a?id=1"
        );
        assert_eq!(canonical(Some("https://news.example.com/"), page), page);
        assert_eq!(canonical(Some("https://spam.example.org/a"), page), page);
        assert_eq!(canonical(Some("/relative"), page), page);
        assert_eq!(canonical(None, page), page);
    }
}
