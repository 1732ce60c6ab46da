//! The HTTP fetcher against a local server on 127.0.0.1: conditional GET,
//! size limit, timeouts, politeness, retries, redirects, content types,
//! charsets, and feeds whose linked articles are fetched and extracted.

#![allow(clippy::unwrap_used)]

mod fetch_server;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use fetch_server::{Route, Server};
use vigil_ingest::fetch::{
    FeedPoll, FetchConfig, FetchErrorKind, Fetched, Fetcher, PageKind, Validators,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Limits small enough for tests: short timeouts, no politeness pause.
fn config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(20),
        host_delay: Duration::ZERO,
        retries: 0,
        retry_backoff: Duration::from_millis(10),
        ..FetchConfig::default()
    }
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local Wire</title>
<item><title>Bomb in Kabul market</title><link>/news/kabul.html</link>
<pubDate>Tue, 05 Mar 2024 08:00:00 +0000</pubDate><author>desk@example.com (A. Writer)</author>
<description>A bomb exploded in a Kabul market.</description></item>
<item><title>Gone story</title><link>http://HOST/news/gone.html</link>
<description>Gunmen attacked a police post in Kandahar, the feed says, killing two officers.</description></item>
<item><title>No link</title><description>Militants seized a town in the north.</description></item>
</channel></rss>"#;

const KABUL: &str = r#"<!doctype html><html><head><title>Bomb in Kabul market | Local Wire</title>
<link rel="canonical" href="/"></head><body><nav>Home | World</nav>
<article><h1>Bomb in Kabul market</h1>
<p>A bomb exploded in a crowded market in Kabul on Tuesday, killing at least five people and wounding twelve, officials said.</p>
<p>No group immediately claimed responsibility for the attack, the interior ministry spokesman told reporters.</p>
</article><footer>Copyright</footer></body></html>"#;

fn feed_server() -> Server {
    let server = Server::start();
    let host = server.base.trim_start_matches("http://").to_string();
    server.route(
        "/feed.xml",
        Route {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Tue, 05 Mar 2024 09:00:00 GMT".into()),
            ..Route::ok("application/rss+xml", RSS.replace("HOST", &host))
        },
    );
    server.route(
        "/news/kabul.html",
        Route::ok("text/html; charset=utf-8", KABUL),
    );
    server
}

#[test]
fn conditional_get_answers_not_modified_and_nothing_is_fetched_again() -> TestResult {
    let server = feed_server();
    let fetcher = Fetcher::new(config());
    let url = server.url("/feed.xml");
    let FeedPoll::Fetched {
        validators, items, ..
    } = fetcher.poll_feed(&url, &Validators::default())?
    else {
        return Err("the first poll must fetch the feed".into());
    };
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        validators.last_modified.as_deref(),
        Some("Tue, 05 Mar 2024 09:00:00 GMT")
    );
    assert_eq!(items.len(), 3);
    let second = fetcher.poll_feed(&url, &validators)?;
    assert!(matches!(second, FeedPoll::NotModified), "{second:?}");
    let requests = server.requests("/feed.xml");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("if-none-match"), None);
    assert_eq!(
        requests[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(
        requests[1]
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Tue, 05 Mar 2024 09:00:00 GMT")
    );
    assert_eq!(requests[1].status, 304);
    // Only the feed was asked for: no article was fetched by polling.
    assert_eq!(server.log().len(), 2);
    // Last-Modified alone is enough for a 304 too.
    let only_date = Validators {
        etag: None,
        last_modified: validators.last_modified.clone(),
    };
    assert!(matches!(
        fetcher.get(&url, &only_date)?,
        Fetched::NotModified
    ));
    // A changed feed (new ETag) is fetched again.
    server.route(
        "/feed.xml",
        Route {
            etag: Some("\"v2\"".into()),
            ..Route::ok("application/rss+xml", RSS)
        },
    );
    assert!(matches!(
        fetcher.poll_feed(&url, &validators)?,
        FeedPoll::Fetched { .. }
    ));
    Ok(())
}

#[test]
fn feed_items_lead_to_their_article_pages() -> TestResult {
    let server = feed_server();
    let fetcher = Fetcher::new(config());
    let FeedPoll::Fetched { items, errors, .. } =
        fetcher.poll_feed(&server.url("/feed.xml"), &Validators::default())?
    else {
        return Err("expected a fetched feed".into());
    };
    assert!(errors.is_empty(), "{errors:?}");
    // Relative links are resolved against the feed's address.
    assert_eq!(
        items[0].url.as_deref(),
        Some(server.url("/news/kabul.html").as_str())
    );
    assert_eq!(items[0].site.as_deref(), Some("Local Wire"));
    assert_eq!(items[2].url, None);
    assert_ne!(items[2].key, items[1].key);

    let mut results = Vec::new();
    fetcher.fetch_articles(&items, &AtomicBool::new(false), &mut |i, r| {
        results.push((i, r))
    });
    assert_eq!(
        results.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2]
    );

    // The page's text, the feed's date (the page has none), and the
    // address answered (the page's canonical link points at the home page).
    let kabul = results[0].1.as_ref().map_err(|e| e.to_string())?;
    assert!(kabul.document.text.contains("killing at least five people"));
    assert!(!kabul.document.text.contains("Copyright"));
    assert_eq!(
        kabul.document.title.as_deref(),
        Some("Bomb in Kabul market")
    );
    assert_eq!(
        kabul.document.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-05T08:00:00+00:00")
    );
    assert_eq!(kabul.published_from, Some("record"));
    assert_eq!(
        kabul.document.url.as_deref(),
        Some(server.url("/news/kabul.html").as_str())
    );
    assert_eq!(kabul.document.origin.path, server.url("/news/kabul.html"));
    assert!(
        kabul.document.id.starts_with("127.0.0.1-"),
        "{}",
        kabul.document.id
    );

    // A page that is gone: the feed's own text, with a warning saying why.
    let gone = results[1].1.as_ref().map_err(|e| e.to_string())?;
    assert!(gone.document.text.contains("police post in Kandahar"));
    assert!(
        gone.warnings.iter().any(|w| w.contains("HTTP status 404")),
        "{:?}",
        gone.warnings
    );
    // No link: the feed's text.
    let no_link = results[2].1.as_ref().map_err(|e| e.to_string())?;
    assert!(no_link.document.text.contains("Militants seized a town"));
    Ok(())
}

#[test]
fn ingesting_a_url_reads_a_feed_or_a_page() -> TestResult {
    let server = feed_server();
    let fetcher = Fetcher::new(config());
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    fetcher.fetch_source(&server.url("/feed.xml"), &mut |r| match r {
        Ok(doc) => docs.push(doc),
        Err(e) => errors.push(e.to_string()),
    });
    assert_eq!(docs.len(), 3, "{errors:?}");
    docs.clear();
    fetcher.fetch_source(&server.url("/news/kabul.html"), &mut |r| match r {
        Ok(doc) => docs.push(doc),
        Err(e) => errors.push(e.to_string()),
    });
    assert_eq!(docs.len(), 1);
    assert_eq!(
        docs[0].document.title.as_deref(),
        Some("Bomb in Kabul market")
    );
    fetcher.fetch_source(&server.url("/missing"), &mut |r| {
        if let Err(e) = r {
            errors.push(e.to_string())
        }
    });
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with(&server.url("/missing")),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("HTTP status 404"), "{}", errors[0]);
    Ok(())
}

#[test]
fn bodies_over_the_size_limit_are_abandoned() -> TestResult {
    let server = Server::start();
    let big = "<p>word</p>".repeat(20_000); // 220 KB
    server.route("/big", Route::ok("text/html", big.clone()));
    // Without Content-Length the limit is enforced while reading.
    server.route(
        "/big-stream",
        Route {
            no_length: true,
            ..Route::ok("text/html", big)
        },
    );
    server.route("/small", Route::ok("text/html", "<p>small page</p>"));
    let fetcher = Fetcher::new(FetchConfig {
        max_bytes: 100_000,
        ..config()
    });
    for path in ["/big", "/big-stream"] {
        let err = fetcher
            .get_page(&server.url(path))
            .err()
            .ok_or("the limit must apply")?;
        assert_eq!(
            err.kind,
            FetchErrorKind::TooLarge { limit: 100_000 },
            "{path}"
        );
        let shown = err.to_string();
        assert!(shown.starts_with(&server.url(path)), "{shown}");
        assert!(shown.contains("larger than the limit"), "{shown}");
    }
    assert_eq!(fetcher.get_page(&server.url("/small"))?.body.len(), 17);
    Ok(())
}

#[test]
fn a_slow_server_times_out_with_a_clear_error() -> TestResult {
    let server = Server::start();
    server.route(
        "/slow",
        Route {
            delay: Duration::from_secs(3),
            ..Route::ok("text/html", "<p>late</p>")
        },
    );
    let fetcher = Fetcher::new(FetchConfig {
        read_timeout: Duration::from_millis(300),
        retries: 1,
        ..config()
    });
    let err = fetcher
        .get_page(&server.url("/slow"))
        .err()
        .ok_or("must time out")?;
    assert!(
        matches!(err.kind, FetchErrorKind::Timeout { .. }),
        "{:?}",
        err.kind
    );
    assert_eq!(err.attempts, 2, "a timeout is retried");
    assert_eq!(server.requests("/slow").len(), 2);
    let shown = err.to_string();
    assert!(shown.starts_with(&server.url("/slow")), "{shown}");
    assert!(shown.contains("timed out"), "{shown}");
    assert!(shown.contains("2 attempts"), "{shown}");
    Ok(())
}

#[test]
fn requests_to_one_host_keep_the_politeness_delay() -> TestResult {
    let server = Server::start();
    for i in 0..3 {
        server.route(
            &format!("/p{i}"),
            Route::ok("text/html", format!("<p>page {i}</p>")),
        );
    }
    let delay = Duration::from_millis(250);
    let fetcher = Fetcher::new(FetchConfig {
        host_delay: delay,
        concurrency: 4,
        ..config()
    });
    // Three pages fetched by parallel workers: still one after the other,
    // spaced by the delay, on the server's clock.
    let items: Vec<_> = (0..3)
        .map(|i| vigil_ingest::fetch::FeedItem::for_url(&server.url(&format!("/p{i}"))))
        .collect();
    let mut ok = 0;
    fetcher.fetch_articles(&items, &AtomicBool::new(false), &mut |_, r| {
        ok += usize::from(r.is_ok())
    });
    assert_eq!(ok, 3);
    // The site's robots.txt (404 here) is asked for first, politely too.
    let mut arrivals: Vec<_> = server.log().iter().map(|r| r.at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 4);
    for pair in arrivals.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= delay, "two requests to one host {gap:?} apart");
    }
    Ok(())
}

#[test]
fn server_errors_are_retried_with_backoff_client_errors_are_not() -> TestResult {
    let server = Server::start();
    server.route(
        "/flaky",
        Route {
            fail_first: 1,
            ..Route::ok("text/html", "<p>fine now</p>")
        },
    );
    server.route(
        "/forbidden",
        Route {
            status: 403,
            ..Route::ok("text/plain", "no")
        },
    );
    let fetcher = Fetcher::new(FetchConfig {
        retries: 2,
        ..config()
    });
    let page = fetcher.get_page(&server.url("/flaky"))?;
    assert_eq!(page.body, b"<p>fine now</p>");
    assert_eq!(
        server
            .requests("/flaky")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [503, 200]
    );
    let err = fetcher
        .get_page(&server.url("/forbidden"))
        .err()
        .ok_or("403")?;
    assert_eq!(err.attempts, 1);
    assert!(err.to_string().contains("access denied"), "{err}");
    assert_eq!(server.requests("/forbidden").len(), 1);
    Ok(())
}

#[test]
fn redirects_are_followed_up_to_the_limit() -> TestResult {
    let server = Server::start();
    let redirect = |to: &str| Route {
        status: 301,
        headers: vec![("Location".into(), to.into())],
        ..Route::default()
    };
    server.route("/old", redirect("/new"));
    server.route("/new", Route::ok("text/html", "<p>moved here</p>"));
    server.route("/loop", redirect("/loop"));
    let fetcher = Fetcher::new(config());
    let page = fetcher.get_page(&server.url("/old"))?;
    assert_eq!(page.final_url, server.url("/new"));
    let err = fetcher
        .get_page(&server.url("/loop"))
        .err()
        .ok_or("a loop")?;
    assert!(
        matches!(err.kind, FetchErrorKind::TooManyRedirects { max: 5 }),
        "{:?}",
        err.kind
    );
    Ok(())
}

#[test]
fn content_types_user_agent_and_charsets() -> TestResult {
    let server = Server::start();
    // A PNG served as a generic type: refused by sniffing.
    server.route(
        "/logo.png",
        Route::ok(
            "application/octet-stream",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
        ),
    );
    server.route("/doc.pdf", Route::ok("application/pdf", "%PDF-1.4 text"));
    server.route(
        "/latin1",
        Route::ok(
            "text/html; charset=ISO-8859-1",
            b"<p>Anschlag in K\xF6ln</p>".to_vec(),
        ),
    );
    // No content type: sniffed.
    server.route("/untyped-feed", Route::ok("", RSS));
    let fetcher = Fetcher::new(config());
    let err = fetcher
        .poll_feed(&server.url("/doc.pdf"), &Validators::default())
        .err()
        .ok_or("pdf")?;
    assert!(
        err.to_string().contains("content type `application/pdf`"),
        "{err}"
    );
    let png = fetcher.get_page(&server.url("/logo.png"))?;
    assert!(matches!(png.kind(), Err(FetchErrorKind::Binary(_))));
    let latin = fetcher.get_page(&server.url("/latin1"))?;
    assert_eq!(latin.kind()?, PageKind::Html);
    assert_eq!(latin.text().0, "<p>Anschlag in Köln</p>");
    let untyped = fetcher.get_page(&server.url("/untyped-feed"))?;
    assert_eq!(untyped.kind()?, PageKind::Feed);
    let html = fetcher
        .poll_feed(&server.url("/latin1"), &Validators::default())
        .err()
        .ok_or("html")?;
    assert!(matches!(html.kind, FetchErrorKind::NotAFeed { .. }));
    let agent = server.log()[0]
        .headers
        .get("user-agent")
        .cloned()
        .unwrap_or_default();
    assert!(agent.starts_with("vigil/"), "{agent}");
    assert!(
        agent.contains("http"),
        "the User-Agent names vigil's home page: {agent}"
    );
    Ok(())
}

#[test]
fn bad_urls_and_closed_ports_are_clear_errors() -> TestResult {
    let fetcher = Fetcher::new(config());
    let err = fetcher
        .get_page("ftp://example.com/feed")
        .err()
        .ok_or("ftp")?;
    assert!(err.to_string().contains("http://"), "{err}");
    // A port nobody listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = format!("http://127.0.0.1:{port}/feed.xml");
    let err = fetcher.get_page(&url).err().ok_or("refused")?;
    assert!(err.kind.is_transient(), "{:?}", err.kind);
    assert!(err.to_string().starts_with(&url), "{err}");
    let ingest_err = vigil_ingest::IngestError::from(err);
    assert_eq!(ingest_err.origin.path, url);
    Ok(())
}

#[test]
fn robots_txt_rules_and_crawl_delay_are_obeyed_for_article_pages() -> TestResult {
    let server = Server::start();
    server.route(
        "/robots.txt",
        Route::ok(
            "text/plain",
            "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n",
        ),
    );
    server.route("/news/a.html", Route::ok("text/html", KABUL));
    server.route(
        "/news/b.html",
        Route::ok("text/html", KABUL.replace("Kabul", "Herat")),
    );
    server.route("/private/c.html", Route::ok("text/html", KABUL));
    let items: Vec<_> = ["/news/a.html", "/news/b.html", "/private/c.html"]
        .iter()
        .map(|p| vigil_ingest::fetch::FeedItem::for_url(&server.url(p)))
        .collect();
    let fetcher = Fetcher::new(config());
    let mut results = Vec::new();
    fetcher.fetch_articles(&items, &AtomicBool::new(false), &mut |_, r| results.push(r));
    assert!(results[0].is_ok() && results[1].is_ok());
    let refused = results[2].as_ref().err().ok_or("disallowed")?.to_string();
    assert!(refused.contains("robots.txt disallows"), "{refused}");
    assert!(server.requests("/private/c.html").is_empty());
    // Read once for the host; its Crawl-delay spaces the requests even
    // though the configured host delay is zero.
    assert_eq!(server.requests("/robots.txt").len(), 1);
    let mut arrivals: Vec<_> = server.log().iter().map(|r| r.at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 3);
    for pair in arrivals.windows(2).skip(1) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= Duration::from_millis(300), "{gap:?}");
    }
    // A robots.txt that answers 5xx: nothing is fetched, and the error is
    // transient (the article is tried again later).
    let down = Server::start();
    down.route(
        "/robots.txt",
        Route {
            status: 503,
            ..Route::default()
        },
    );
    down.route("/news/a.html", Route::ok("text/html", KABUL));
    let err = fetcher
        .get_allowed_page(&down.url("/news/a.html"))
        .err()
        .ok_or("robots unavailable")?;
    assert!(err.kind.is_transient(), "{err}");
    assert!(down.requests("/news/a.html").is_empty());
    // Without robots checking, the page is fetched as asked.
    let plain = Fetcher::new(FetchConfig {
        robots: false,
        ..config()
    });
    assert!(plain.get_allowed_page(&down.url("/news/a.html")).is_ok());
    Ok(())
}
