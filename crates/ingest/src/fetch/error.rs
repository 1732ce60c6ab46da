//! Why a URL could not be fetched.

use std::fmt;
use std::time::Duration;

use vigil_core::Origin;

use crate::error::{ErrorKind, IngestError};

/// A URL that could not be fetched. `Display` is one line: the URL, what
/// happened, how many attempts were made, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    /// The URL asked for.
    pub url: String,
    /// What went wrong (on the last attempt).
    pub kind: FetchErrorKind,
    /// How many requests were made (1 + retries).
    pub attempts: u32,
}

/// The kinds of fetch failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// Not an absolute `http://` or `https://` URL.
    InvalidUrl(String),
    /// The host name does not resolve.
    HostNotFound,
    /// The TCP connection could not be made.
    Connect(String),
    /// No answer in time; `phase` says where (connecting, waiting for the
    /// response, reading the body, in total).
    Timeout {
        /// Where the time ran out.
        phase: &'static str,
        /// The limit that applied.
        after: Duration,
    },
    /// The server answered with a status other than 2xx or 304.
    Status {
        /// The HTTP status code.
        code: u16,
        /// `Retry-After` in seconds, when the server sent one.
        retry_after: Option<u64>,
    },
    /// The body is larger than the limit (bytes, after decompression).
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// More redirects than allowed.
    TooManyRedirects {
        /// The limit.
        max: u32,
    },
    /// The content type is neither a page nor a feed (an image, a PDF…).
    Unsupported {
        /// The media type the server declared.
        mime: String,
    },
    /// The body is binary data (the string names what was recognised).
    Binary(String),
    /// A feed was expected and the URL holds something else.
    NotAFeed {
        /// What was found instead (`HTML page`, `text`, …).
        found: &'static str,
    },
    /// The site's robots.txt disallows the path for vigil.
    Disallowed,
    /// The site's robots.txt could not be read (5xx, network): nothing is
    /// fetched from the site until it can.
    RobotsUnavailable(String),
    /// TLS failed (certificate, handshake).
    Tls(String),
    /// Any other network or protocol error.
    Io(String),
}

impl FetchErrorKind {
    /// True for failures that may go away by themselves: timeouts,
    /// refused or reset connections, 5xx, 408 and 429. These are retried
    /// with backoff; the others are not.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchErrorKind::Timeout { .. }
            | FetchErrorKind::Connect(_)
            | FetchErrorKind::RobotsUnavailable(_)
            | FetchErrorKind::Io(_) => true,
            FetchErrorKind::Status { code, .. } => *code >= 500 || matches!(code, 408 | 429),
            _ => false,
        }
    }
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchErrorKind::InvalidUrl(why) => write!(
                f,
                "not a usable URL ({why}); write it as http://host/path or https://host/path"
            ),
            FetchErrorKind::HostNotFound => f.write_str(
                "host not found; check the host name and that DNS works on this machine",
            ),
            FetchErrorKind::Connect(why) => write!(
                f,
                "cannot connect ({why}); check that the server is up and reachable from here"
            ),
            FetchErrorKind::Timeout { phase, after } => write!(
                f,
                "timed out {phase} (limit {:.1} s); the server is slow or unreachable: try later or raise the timeout",
                after.as_secs_f64()
            ),
            FetchErrorKind::Status { code, .. } => {
                let hint = match code {
                    404 | 410 => "the page is gone: check the URL or remove it from the feeds",
                    401 | 403 => "access denied to vigil: check the URL or ask the site for access",
                    429 => "too many requests: raise the per-host delay or the poll interval",
                    400..=499 => "the request was refused: check the URL",
                    _ => "server error: try later",
                };
                write!(f, "HTTP status {code}; {hint}")
            }
            FetchErrorKind::TooLarge { limit } => write!(
                f,
                "the response is larger than the limit of {:.1} MiB and was abandoned; raise the size limit if it is genuine",
                *limit as f64 / (1024.0 * 1024.0)
            ),
            FetchErrorKind::TooManyRedirects { max } => write!(
                f,
                "more than {max} redirects; open the URL in a browser to find its final address"
            ),
            FetchErrorKind::Unsupported { mime } => write!(
                f,
                "content type `{mime}` is neither an HTML page nor an RSS/Atom feed; give the URL of an article or a feed"
            ),
            FetchErrorKind::Binary(what) => write!(
                f,
                "the response is binary data ({what}), not an article or a feed; give the URL of an article or a feed"
            ),
            FetchErrorKind::NotAFeed { found } => write!(
                f,
                "expected an RSS or Atom feed but found {found}; give the feed's URL (often linked as RSS on the site)"
            ),
            FetchErrorKind::Disallowed => f.write_str(
                "the site's robots.txt disallows this page for vigil; it is not fetched (the feed's text is used when there is one)",
            ),
            FetchErrorKind::RobotsUnavailable(why) => write!(
                f,
                "the site's robots.txt cannot be read ({why}); nothing is fetched from the site until it can: try later"
            ),
            FetchErrorKind::Tls(why) => write!(
                f,
                "TLS failed ({why}); check the certificate and the system clock, or the scheme (http/https)"
            ),
            FetchErrorKind::Io(why) => write!(f, "network error ({why}); try later"),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.kind)?;
        if self.attempts > 1 {
            write!(f, " ({} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for FetchError {}

impl std::error::Error for FetchErrorKind {}

impl From<FetchError> for IngestError {
    /// An ingest error whose origin is the URL.
    fn from(err: FetchError) -> IngestError {
        let mut message = err.kind.to_string();
        if err.attempts > 1 {
            message.push_str(&format!(" ({} attempts)", err.attempts));
        }
        IngestError::new(
            Origin {
                path: err.url,
                line: None,
            },
            ErrorKind::Fetch {
                message,
                transient: err.kind.is_transient(),
            },
        )
    }
}

/// Maps a `ureq` error to a fetch failure.
pub(crate) fn from_ureq(err: ureq::Error, config: &super::FetchConfig) -> FetchErrorKind {
    use ureq::Timeout as T;
    match err {
        ureq::Error::Timeout(which) => {
            let (phase, after) = match which {
                T::Resolve | T::Connect => ("connecting", config.connect_timeout),
                T::Global => ("in total", config.total_timeout),
                T::SendRequest | T::SendBody | T::PerWrite => {
                    ("sending the request", config.read_timeout)
                }
                T::RecvResponse | T::PerCall | T::Await100 => {
                    ("waiting for the response", config.read_timeout)
                }
                T::RecvBody | T::PerRead => ("reading the response", config.read_timeout),
                _ => ("in total", config.total_timeout),
            };
            FetchErrorKind::Timeout { phase, after }
        }
        ureq::Error::HostNotFound => FetchErrorKind::HostNotFound,
        ureq::Error::ConnectionFailed => FetchErrorKind::Connect("connection failed".into()),
        ureq::Error::BodyExceedsLimit(limit) => FetchErrorKind::TooLarge { limit },
        ureq::Error::TooManyRedirects => FetchErrorKind::TooManyRedirects {
            max: config.max_redirects,
        },
        ureq::Error::BadUri(why) => FetchErrorKind::InvalidUrl(why),
        ureq::Error::StatusCode(code) => FetchErrorKind::Status {
            code,
            retry_after: None,
        },
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                FetchErrorKind::Timeout {
                    phase: "reading the response",
                    after: config.read_timeout,
                }
            }
            std::io::ErrorKind::ConnectionRefused => {
                FetchErrorKind::Connect("connection refused".into())
            }
            _ => FetchErrorKind::Io(io.to_string()),
        },
        ureq::Error::Tls(why) => FetchErrorKind::Tls(why.to_string()),
        ureq::Error::Rustls(why) => FetchErrorKind::Tls(why.to_string()),
        other => FetchErrorKind::Io(other.to_string()),
    }
}
