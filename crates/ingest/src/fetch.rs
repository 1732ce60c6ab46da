//! Fetching feeds and article pages over HTTP(S).
//!
//! A [`Fetcher`] is a blocking HTTP client (`ureq`, TLS by rustls with the
//! Mozilla root certificates, gzip) with the manners a news crawler owes the
//! sites it reads:
//!
//! - **Timeouts**: connecting ([`FetchConfig::connect_timeout`]), each read
//!   and the wait for the response ([`FetchConfig::read_timeout`]), and the
//!   whole request including redirects ([`FetchConfig::total_timeout`]).
//! - **A size limit** ([`FetchConfig::max_bytes`], 10 MiB by default) on
//!   the body after decompression: a larger response is abandoned as soon
//!   as the limit is passed, and one announcing a larger `Content-Length`
//!   is not read at all.
//! - **Conditional GET**: [`Fetcher::get`] sends `If-None-Match` and
//!   `If-Modified-Since` from the [`Validators`] (ETag, Last-Modified) of
//!   the previous response; `304 Not Modified` is [`Fetched::NotModified`].
//! - **Politeness**: one request at a time per host, at least
//!   [`FetchConfig::host_delay`] between the end of a request and the start
//!   of the next one to the same host, at most
//!   [`FetchConfig::concurrency`] requests in flight in all. Redirects are
//!   followed (at most [`FetchConfig::max_redirects`]) within the request.
//! - **An honest User-Agent** naming vigil, its version and its home page.
//! - **robots.txt** of the sites whose article pages feeds link to
//!   ([`Fetcher::get_allowed_page`]): disallowed pages are not fetched, a
//!   `Crawl-delay` lengthens the pause between requests to the site.
//! - **Retries** with exponential backoff ([`FetchConfig::retries`],
//!   [`FetchConfig::retry_backoff`]) for timeouts, failed connections,
//!   5xx, 408 and 429; a `Retry-After` in seconds is honoured up to
//!   [`FetchConfig::max_retry_after`]. Other failures are not retried.
//! - **Content types**: HTML (`text/html`, `application/xhtml+xml`), feeds
//!   (`application/rss+xml`, `application/atom+xml`, `application/rdf+xml`,
//!   `text/xml`, `application/xml`) and plain text are accepted; a missing
//!   or generic type (`application/octet-stream`, `text/plain`) is settled
//!   by sniffing the body; images, PDFs and other media are refused.
//! - **Charsets**: a legacy charset declared by the `Content-Type` header,
//!   a `<meta charset>` or an XML declaration is decoded (`encoding_rs`);
//!   otherwise UTF-8, UTF-16 with a byte-order mark and Windows-1252 are
//!   told apart as for files.
//!
//! Every failure is a [`FetchError`] naming the URL, what happened and what
//! to do; it converts into an [`IngestError`](crate::IngestError) whose
//! origin is the URL.
//!
//! Feeds: [`Fetcher::poll_feed`] fetches a feed (conditionally) and reads
//! its items with the feed reader into [`FeedItem`]s (absolute link,
//! title, date, author, the feed's own summary document).
//! [`Fetcher::fetch_article`] fetches an item's page and extracts it with
//! the HTML reader; the item's title, date and author fill what the page
//! lacks. [`Fetcher::fetch_source`] is `vigil ingest URL`: a feed URL gives
//! its articles, a page URL the page.
//!
//! ```no_run
//! use vigil_ingest::fetch::{Fetcher, FetchConfig, FeedPoll, Validators};
//!
//! let fetcher = Fetcher::new(FetchConfig::default());
//! match fetcher.poll_feed("https://example.com/feed.xml", &Validators::default())? {
//!     FeedPoll::NotModified => println!("nothing new"),
//!     FeedPoll::Fetched { items, validators, .. } => {
//!         for item in &items {
//!             let article = fetcher.fetch_article(item);
//!             println!("{:?}", article.map(|a| a.document.title));
//!         }
//!         // Keep `validators` for the next poll.
//!         let _ = validators;
//!     }
//! }
//! # Ok::<(), vigil_ingest::fetch::FetchError>(())
//! ```

mod charset;
mod error;
mod feed;
mod gate;
mod robots;
mod url;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ureq::ResponseExt;

pub use self::error::{FetchError, FetchErrorKind};
pub use self::feed::{FeedItem, FeedPoll};
pub use self::url::is_url;

/// Limits and manners of a [`Fetcher`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The `User-Agent` header (default: `vigil/<version> (+<repository>)`).
    pub user_agent: String,
    /// Time to resolve the host and connect, TLS included (default 10 s).
    pub connect_timeout: Duration,
    /// Time to wait for the response headers, and for each read of the
    /// body (default 20 s).
    pub read_timeout: Duration,
    /// Time for the whole request, redirects and body included (default 60 s).
    pub total_timeout: Duration,
    /// Largest body accepted, after decompression, in bytes (default 10 MiB).
    pub max_bytes: u64,
    /// Redirects followed at most (default 5).
    pub max_redirects: u32,
    /// Pause between the end of a request and the start of the next to the
    /// same host (default 1 s).
    pub host_delay: Duration,
    /// Requests in flight at most, all hosts together; also the number of
    /// article pages fetched in parallel (default 4).
    pub concurrency: usize,
    /// Retries after a transient failure (default 2).
    pub retries: u32,
    /// Wait before the first retry, doubled for each next one (default 1 s).
    pub retry_backoff: Duration,
    /// Longest `Retry-After` honoured (default 60 s); longer ones fail.
    pub max_retry_after: Duration,
    /// Obey the sites' robots.txt for article pages (default true): the
    /// group for `vigil`, else `*`; its `Crawl-delay` lengthens the host
    /// delay, up to [`FetchConfig::max_crawl_delay`].
    pub robots: bool,
    /// Longest `Crawl-delay` honoured (default 30 s).
    pub max_crawl_delay: Duration,
}

impl Default for FetchConfig {
    fn default() -> FetchConfig {
        FetchConfig {
            user_agent: format!(
                "vigil/{} (+{}; news monitoring)",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY")
            ),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            host_delay: Duration::from_secs(1),
            concurrency: 4,
            retries: 2,
            retry_backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            robots: true,
            max_crawl_delay: Duration::from_secs(30),
        }
    }
}

/// The validators of a response, sent back on the next request to the same
/// URL for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// True when there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What a response holds, by its content type or, failing that, sniffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// An HTML page.
    Html,
    /// An RSS or Atom feed.
    Feed,
    /// Plain text.
    Text,
}

/// A successful (2xx) response.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL asked for.
    pub url: String,
    /// The URL answered, after redirects.
    pub final_url: String,
    /// The HTTP status.
    pub status: u16,
    /// The media type from `Content-Type`, lower case, without parameters.
    pub mime: Option<String>,
    /// The `charset` parameter of `Content-Type`.
    pub charset: Option<String>,
    /// The body, decompressed.
    pub body: Vec<u8>,
    /// ETag and Last-Modified of this response.
    pub validators: Validators,
    /// Time from the first request to the end of the body, retries and
    /// politeness waits included.
    pub elapsed: Duration,
}

impl Page {
    /// What the body is: from the media type when it is specific, else
    /// sniffed. Binary bodies and media types that are neither pages, feeds
    /// nor text are errors.
    pub fn kind(&self) -> Result<PageKind, FetchErrorKind> {
        let sniffed =
            || match crate::format::detect_format(None, &self.body[..self.body.len().min(8192)]) {
                crate::Format::Feed => PageKind::Feed,
                crate::Format::Html => PageKind::Html,
                _ => PageKind::Text,
            };
        let mime = self.mime.as_deref().unwrap_or("");
        let kind = match mime {
            "text/html" | "application/xhtml+xml" => PageKind::Html,
            "application/rss+xml"
            | "application/atom+xml"
            | "application/rdf+xml"
            | "application/feed+xml" => PageKind::Feed,
            // Generic XML may be a feed or XHTML.
            "text/xml" | "application/xml" => match sniffed() {
                PageKind::Text => PageKind::Feed,
                kind => kind,
            },
            "" | "text/plain" | "application/octet-stream" | "binary/octet-stream" => sniffed(),
            other if other.starts_with("text/") => sniffed(),
            other => {
                return Err(FetchErrorKind::Unsupported {
                    mime: other.chars().take(80).collect(),
                })
            }
        };
        if let Some(what) = crate::decode::binary_kind(&self.body) {
            return Err(FetchErrorKind::Binary(what));
        }
        Ok(kind)
    }

    /// The body as text, decoded by its declared charset or by detection,
    /// with a warning when the decoding was lossy or guessed.
    pub fn text(&self) -> (String, Option<String>) {
        charset::decode_body(&self.body, self.charset.as_deref())
    }
}

/// The outcome of a (conditional) GET.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// `304 Not Modified`: the validators still hold, nothing new.
    NotModified,
    /// A 2xx response.
    Page(Page),
}

/// An HTTP(S) client with timeouts, limits, retries and per-host
/// politeness; see the [module documentation](self). `Sync`: share one
/// between threads (politeness is per fetcher).
pub struct Fetcher {
    agent: ureq::Agent,
    config: FetchConfig,
    gate: gate::Gate,
    /// robots.txt rules per host, with when they were read.
    robots: Mutex<HashMap<String, (Instant, Arc<robots::Robots>)>>,
    /// One lock per host held while its robots.txt is read, so that
    /// parallel workers read it once.
    robots_loading: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// robots.txt rules are read again after this long.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);

impl Fetcher {
    /// A fetcher with the given limits.
    pub fn new(config: FetchConfig) -> Fetcher {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(config.user_agent.as_str())
            .max_redirects(config.max_redirects)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_per_read(Some(config.read_timeout))
            .timeout_global(Some(config.total_timeout))
            .build()
            .into();
        let gate = gate::Gate::new(config.host_delay, config.concurrency);
        Fetcher {
            agent,
            config,
            gate,
            robots: Mutex::new(HashMap::new()),
            robots_loading: Mutex::new(HashMap::new()),
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// GETs `url`, conditionally when `validators` hold an ETag or a
    /// Last-Modified date, waiting for its host's turn, retrying transient
    /// failures with backoff.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] naming the URL: not an http(s) URL, host not found,
    /// connection refused, timeout, a status other than 2xx/304 (after
    /// retries for 5xx, 408 and 429), a body over the size limit, too many
    /// redirects.
    pub fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let fail = |kind: FetchErrorKind, attempts: u32| FetchError {
            url: url.to_string(),
            kind,
            attempts,
        };
        let uri = url::parse(url).map_err(|kind| fail(kind, 0))?;
        let host = url::host_key(&uri);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = {
                let _permit = self.gate.acquire(&host);
                self.get_once(url, &uri, validators)
            };
            match result {
                Ok(Fetched::Page(mut page)) => {
                    page.elapsed = started.elapsed();
                    return Ok(Fetched::Page(page));
                }
                Ok(Fetched::NotModified) => return Ok(Fetched::NotModified),
                Err(kind) if kind.is_transient() && attempt <= self.config.retries => {
                    let backoff = self
                        .config
                        .retry_backoff
                        .saturating_mul(1u32 << (attempt - 1).min(16));
                    let wait = match kind {
                        FetchErrorKind::Status {
                            retry_after: Some(secs),
                            ..
                        } => {
                            let asked = Duration::from_secs(secs);
                            if asked > self.config.max_retry_after {
                                return Err(fail(kind, attempt));
                            }
                            asked.max(backoff)
                        }
                        _ => backoff,
                    };
                    std::thread::sleep(wait);
                }
                Err(kind) => return Err(fail(kind, attempt)),
            }
        }
    }

    /// One request, no retry.
    fn get_once(
        &self,
        url: &str,
        uri: &ureq::http::Uri,
        validators: &Validators,
    ) -> Result<Fetched, FetchErrorKind> {
        let mut request = self.agent.get(uri).header(
            "Accept",
            "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,text/*;q=0.8",
        );
        if let Some(etag) = validators.etag.as_deref() {
            request = request.header("If-None-Match", etag);
        }
        if let Some(date) = validators.last_modified.as_deref() {
            request = request.header("If-Modified-Since", date);
        }
        let mut response = request
            .call()
            .map_err(|e| error::from_ureq(e, &self.config))?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if !(200..300).contains(&status) {
            if (300..400).contains(&status) {
                // A redirect ureq did not follow (no Location, or the limit).
                return Err(FetchErrorKind::TooManyRedirects {
                    max: self.config.max_redirects,
                });
            }
            let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok());
            return Err(FetchErrorKind::Status {
                code: status,
                retry_after,
            });
        }
        let validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let final_url = response.get_uri().to_string();
        let body = response.body_mut();
        let mime = body.mime_type().map(|m| m.trim().to_ascii_lowercase());
        let charset = body.charset().map(str::to_string);
        if body
            .content_length()
            .is_some_and(|n| n > self.config.max_bytes)
        {
            return Err(FetchErrorKind::TooLarge {
                limit: self.config.max_bytes,
            });
        }
        let bytes = body
            .with_config()
            .limit(self.config.max_bytes)
            .read_to_vec()
            .map_err(|e| error::from_ureq(e, &self.config))?;
        Ok(Fetched::Page(Page {
            url: url.to_string(),
            final_url,
            status,
            mime,
            charset,
            body: bytes,
            validators,
            elapsed: Duration::ZERO,
        }))
    }

    /// The page at `url` if the site's robots.txt lets vigil fetch it (see
    /// [`FetchConfig::robots`]). Used for the article pages that feeds link
    /// to; the feeds and the URLs given to `vigil ingest` are fetched as
    /// asked.
    ///
    /// # Errors
    ///
    /// [`FetchErrorKind::Disallowed`] when robots.txt forbids the path,
    /// [`FetchErrorKind::RobotsUnavailable`] (transient) when it cannot be
    /// read (5xx, network), and the errors of [`Fetcher::get`].
    pub fn get_allowed_page(&self, url: &str) -> Result<Page, FetchError> {
        if self.config.robots {
            let fail = |kind: FetchErrorKind| FetchError {
                url: url.to_string(),
                kind,
                attempts: 1,
            };
            let uri = url::parse(url).map_err(fail)?;
            let rules = self.robots_for(&uri).map_err(fail)?;
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            if !rules.allows(path) {
                return Err(fail(FetchErrorKind::Disallowed));
            }
        }
        self.get_page(url)
    }

    /// The robots.txt rules of a URL's site, read once a day per host.
    fn robots_for(&self, uri: &ureq::http::Uri) -> Result<Arc<robots::Robots>, FetchErrorKind> {
        let host = url::host_key(uri);
        let cached = || {
            self.robots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&host)
                .filter(|(at, _)| at.elapsed() < ROBOTS_TTL)
                .map(|(_, rules)| Arc::clone(rules))
        };
        if let Some(rules) = cached() {
            return Ok(rules);
        }
        let loading = Arc::clone(
            self.robots_loading
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(host.clone())
                .or_default(),
        );
        let _loading = loading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another worker may have read it while this one waited.
        if let Some(rules) = cached() {
            return Ok(rules);
        }
        let scheme = uri.scheme_str().unwrap_or("http");
        let authority = uri.authority().map_or("", |a| a.as_str());
        let robots_url = format!("{scheme}://{authority}/robots.txt");
        let robots_uri = url::parse(&robots_url)?;
        let answer = {
            let _permit = self.gate.acquire(&host);
            self.get_once(&robots_url, &robots_uri, &Validators::default())
        };
        let rules = match answer {
            Ok(Fetched::Page(page)) => robots::Robots::parse(&page.text().0, "vigil"),
            // 4xx: no robots.txt, everything allowed.
            Err(FetchErrorKind::Status { code, .. }) if (400..500).contains(&code) => {
                robots::Robots::allow_all()
            }
            Err(kind) if kind.is_transient() => {
                return Err(FetchErrorKind::RobotsUnavailable(kind.to_string()))
            }
            // Redirect loops, junk (binary, huge): no usable rules.
            Ok(Fetched::NotModified) | Err(_) => robots::Robots::allow_all(),
        };
        if let Some(delay) = rules.crawl_delay {
            self.gate
                .set_host_delay(&host, delay.min(self.config.max_crawl_delay));
        }
        let rules = Arc::new(rules);
        self.robots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(host, (Instant::now(), Arc::clone(&rules)));
        Ok(rules)
    }

    /// [`Fetcher::get`] without validators: the page, or an error.
    pub fn get_page(&self, url: &str) -> Result<Page, FetchError> {
        match self.get(url, &Validators::default())? {
            Fetched::Page(page) => Ok(page),
            // A 304 to an unconditional request: the server is confused.
            Fetched::NotModified => Err(FetchError {
                url: url.to_string(),
                kind: FetchErrorKind::Status {
                    code: 304,
                    retry_after: None,
                },
                attempts: 1,
            }),
        }
    }
}
